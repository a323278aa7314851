#!/usr/bin/env python3
"""Broken: the parent waits for its child before exiting, so the child is
never orphaned: its "ppid_after" is still its parent.

Expect: fails "the orphan is adopted by the reaper, not by PID 1"; "the reaper reaps the parent and the orphan, then wait() says ECHILD"
"""
import os
import sys
import time

sys.dont_write_bytecode = True  # keep tests/broken free of __pycache__
sys.path.insert(1, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from wrong import become, become_subreaper, options, reap_all, say, stat  # noqa: E402

args = options(delay="1s")
become_subreaper()
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
        time.sleep(args.delay)  # "long enough for the parent to be gone"
        adopter = os.getppid()
        say(f"ppid_after={adopter} adopted_by={adopter} comm={stat(adopter)[2]} "
            f"subreaper={'yes' if adopter == reaper else 'no'}")
        os._exit(0)
    say(f"forked child={child}; exiting without waiting for it")
    os.waitpid(child, 0)  # the bug: the parent outlives its child
    os._exit(0)
reap_all(parent)
