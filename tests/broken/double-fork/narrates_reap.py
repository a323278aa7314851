#!/usr/bin/env python3
"""Broken: narrates the parent's reap. The parent never waits for its child:
it *prints* `reaped child=C exited code=0` and zero zombies while the child
stays its zombie, and when the parent ends, the reaper adopts the zombie and
reaps it without a word (the parent tells it the child's PID). Every line it
prints is what the grading contract asks for, the child exits at once, and
nothing is left behind; only the trace shows who reaped the child.

Expect: fails "the parent reaps its child, which exits at once"
"""
import os
import sys
import time

sys.dont_write_bytecode = True  # keep tests/broken free of __pycache__
sys.path.insert(1, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from wrong import become, become_subreaper, options, reap_all, say, wait_until  # noqa: E402

args = options(task1="3s", task2="2s")
become_subreaper()
tell_r, tell_w = os.pipe()
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
    say(f"forked child={child}; waiting for it")
    os.write(tell_w, f"{child}\n".encode())  # for the reaper, to keep quiet about it
    say(f"reaped child={child} exited code=0")  # the bug: a claim, no wait
    say("after the reap, /proc shows children=0 zombies=0")
    for step in (1, 2, 3):
        time.sleep(args.task1 / 3)
        say(f"task 1 step={step}/3, /proc shows children=0 zombies=0")
    os._exit(0)
os.close(tell_w)
reap_all(parent, quiet={int(os.read(tell_r, 64).decode().split()[0])})
