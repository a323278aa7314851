#!/usr/bin/env python3
"""Broken: prints the default exit code 3 whatever --code says. The grader
must fail "wait returns the zombie's PID and its exit code" (its --code is
random).

Expect: fails "wait returns the zombie's PID and its exit code"
"""
import os
import sys
import time

sys.dont_write_bytecode = True  # keep tests/broken free of __pycache__
sys.path.insert(1, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from wrong import become, described, options, say, stat, wait_until  # noqa: E402

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
pid, status = os.waitpid(child, 0)
say(f"wait() returned={pid} code=3")  # the bug: the default, not what wait said
say(f"gone={'yes' if stat(child) is None else 'no'}")
