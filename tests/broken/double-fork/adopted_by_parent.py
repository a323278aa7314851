#!/usr/bin/env python3
"""Broken: narrates the adoption. The parent makes itself a subreaper too,
so the orphaned grandchild is adopted by the parent, not the reaper; the
grandchild *prints* the reaper's PID as its getppid(), the parent prints
zero children and zombies and quietly reaps the grandchild at the end, and
the reaper *prints* that it reaped the grandchild. Every line is what the
grading contract asks for and nothing is left behind; only the trace shows
who adopted and reaped the grandchild.

Expect: fails "the grandchild is adopted by the reaper, not the parent, and does task 2"
"""
import ctypes
import os
import sys
import time

sys.dont_write_bytecode = True  # keep tests/broken free of __pycache__
sys.path.insert(1, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from wrong import become, become_subreaper, options, reap_all, say, wait_until  # noqa: E402

args = options(task1="3s", task2="2s")
become_subreaper()
reaper = os.getpid()
tell_r, tell_w = os.pipe()
parent = os.fork()
if parent == 0:
    become("parent")
    ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0)  # the bug: the parent adopts the orphan
    child = os.fork()
    if child == 0:
        become("child")
        me = os.getpid()
        grandchild = os.fork()
        if grandchild == 0:
            become("grandchild")
            wait_until(lambda: os.getppid() != me, 10)
            say(f"my parent {me} exited: getppid()={reaper}")  # the lie
            for step in (1, 2, 3):
                time.sleep(args.task2 / 3)
                say(f"task 2 step={step}/3")
            os._exit(0)
        os.write(tell_w, f"{grandchild}\n".encode())  # for the reaper's story
        say(f"forked grandchild={grandchild}; exiting at once")
        os._exit(0)
    say(f"forked child={child}; waiting for it")
    pid, status = os.waitpid(child, 0)
    say(f"reaped child={pid} exited code={os.waitstatus_to_exitcode(status)}")
    say("after the reap, /proc shows children=0 zombies=0")
    for step in (1, 2, 3):
        time.sleep(args.task1 / 3)
        say(f"task 1 step={step}/3, /proc shows children=0 zombies=0")
    while True:  # the adopted grandchild, quietly
        try:
            os.wait()
        except ChildProcessError:
            break
    os._exit(0)
os.close(tell_w)
grandchild = int(os.read(tell_r, 64).decode().split()[0])
reap_all(parent, before_echild=[f"reaped pid={grandchild} exited code=0 adopted=yes"])  # the lie
