#!/usr/bin/env python3
"""Broken: the parent does task 1 first and reaps its child only at the end,
so the child is a zombie during task 1 (which the parent's honest /proc
counts show).

Expect: fails "zombies=0 on every parent line after the reap"
"""
import os
import sys
import time

sys.dont_write_bytecode = True  # keep tests/broken free of __pycache__
sys.path.insert(1, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from wrong import become, become_subreaper, count_children, options, reap_all, say, wait_until  # noqa: E402

args = options(task1="3s", task2="2s")
become_subreaper()
parent = os.fork()
if parent == 0:
    become("parent")
    child = os.fork()
    if child == 0:
        become("child")
        me = os.getpid()
        grandchild = os.fork()
        if grandchild == 0:
            become("grandchild")
            wait_until(lambda: os.getppid() != me, 10)
            say(f"my parent {me} exited: getppid()={os.getppid()}")
            for step in (1, 2, 3):
                time.sleep(args.task2 / 3)
                say(f"task 2 step={step}/3")
            os._exit(0)
        say(f"forked grandchild={grandchild}; exiting at once")
        os._exit(0)
    say(f"forked child={child}; reaping it after task 1")
    for step in (1, 2, 3):
        time.sleep(args.task1 / 3)
        count_children(f"task 1 step={step}/3")
    pid, status = os.waitpid(child, 0)
    say(f"reaped child={pid} exited code={os.waitstatus_to_exitcode(status)}")
    count_children("after the reap")
    count_children("at the end")
    os._exit(0)
reap_all(parent)
