#!/usr/bin/env python3
"""Broken: narrates the reap. A silent top process (a subreaper) starts the
parent; the parent forks the child, shows the real zombie in /proc, waits
--delay, then *prints* what wait() would return and gone=yes, and exits
without waiting: the top process reaps the orphaned zombie for it. Every
line it prints is what the grading contract asks for, /proc shows a real
zombie of the parent, and nothing is left behind; only the trace shows who
reaped the child.

Expect: fails "the zombie is real: the grader sees it in /proc too"
"""
import ctypes
import os
import sys
import time

sys.dont_write_bytecode = True  # keep tests/broken free of __pycache__
sys.path.insert(1, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from wrong import become, described, options, say, wait_until  # noqa: E402

args = options(code=3, delay="3s")
if ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0) != 0:  # PR_SET_CHILD_SUBREAPER
    sys.exit("prctl failed")
if os.fork() != 0:
    # The silent top process: reaps everything, including the parent's child.
    while True:
        try:
            os.wait()
        except ChildProcessError:
            sys.exit(0)
child = os.fork()
if child == 0:
    become("child")
    say(f"getpid()={os.getpid()}")
    os._exit(args.code)
say(f"fork() returned child={child}; not calling wait() for {args.delay}s")
wait_until(lambda: "state=Z" in (described(child) or ""), 5)
start = time.time()
say(f"before wait: {described(child)}")
time.sleep(max(0, args.delay - (time.time() - start)))
say(f"wait() returned={child} code={args.code}")  # the bug: a claim, no wait() call
say("gone=yes")
os._exit(0)
