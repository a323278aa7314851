#!/usr/bin/env python3
"""Broken: shows the zombie but never waits for it: the parent exits and
leaves it to be adopted and reaped by someone else. The grader must fail the
basic check "runs and exits 0, leaving no process behind".

Expect: fails "runs and exits 0, leaving no process behind"
"""
import os
import sys
import time

sys.dont_write_bytecode = True  # keep tests/broken free of __pycache__
sys.path.insert(1, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from wrong import become, described, options, say, wait_until  # noqa: E402

args = options(code=3, delay="3s")
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
pid, status = child, args.code << 8  # the bug: no wait(); "it will be cleaned up"
say(f"wait() returned={pid} code={os.waitstatus_to_exitcode(status)}")
say("gone=yes")
