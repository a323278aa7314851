#!/usr/bin/env python3
"""Broken: believes orphans always go to PID 1: prints adopted_by=1 instead
of the adopter it sees.

Expect: fails "the orphan is adopted by the reaper, not by PID 1"
"""
import os
import sys
import time

sys.dont_write_bytecode = True  # keep tests/broken free of __pycache__
sys.path.insert(1, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from wrong import become, become_subreaper, options, reap_all, say, wait_until  # noqa: E402

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
        wait_until(lambda: os.getppid() != me, args.delay + 10)
        adopter = os.getppid()
        say(f"ppid_after={adopter} adopted_by=1 comm=init "  # the bug: "orphans go to PID 1"
            f"subreaper={'yes' if adopter == reaper else 'no'}")
        os._exit(0)
    say(f"forked child={child}; exiting without waiting for it")
    time.sleep(args.delay)
    os._exit(0)
reap_all(parent)
