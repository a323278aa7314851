#!/usr/bin/env python3
"""Broken: forgets prctl(PR_SET_CHILD_SUBREAPER) (yet says subreaper=yes),
so the orphan is adopted by whatever subreaper is above the program (under
the grader: the grader's own reaper; in a terminal: often PID 1), and the
program's reaper never reaps it: the orphan is left to the grader's reaper.

Expect: fails "runs and exits 0, leaving no process behind"
"""
import os
import sys
import time

sys.dont_write_bytecode = True  # keep tests/broken free of __pycache__
sys.path.insert(1, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from wrong import become, options, reap_all, say, stat, wait_until  # noqa: E402

args = options(delay="1s")
become("reaper")
say("subreaper=yes")  # the bug: no prctl(PR_SET_CHILD_SUBREAPER)
reaper = os.getpid()
parent = os.fork()
if parent == 0:
    become("parent")
    say(f"getpid()={os.getpid()} getppid()={os.getppid()}")
    me = os.getpid()
    child = os.fork()
    if child == 0:
        become("child")
        say(f"ppid_before={os.getppid()}")
        wait_until(lambda: os.getppid() != me, args.delay + 10)
        adopter = os.getppid()
        say(f"ppid_after={adopter} adopted_by={adopter} comm={stat(adopter)[2]} "
            f"subreaper={'yes' if adopter == reaper else 'no'}")
        os._exit(0)
    say(f"forked child={child}; exiting without waiting for it")
    time.sleep(args.delay)
    os._exit(0)
reap_all(parent)
