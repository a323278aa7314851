#!/usr/bin/env python3
"""Broken: the parent does not wait for its child: it prints its values and
exits while the child still sleeps, leaving an orphan behind. The grader
must fail the basic check "runs and exits 0, leaving no process behind" (and
so report the other checks as "basic check failed").

Expect: fails "runs and exits 0, leaving no process behind"
"""
import os
import sys
import time

sys.dont_write_bytecode = True  # keep tests/broken free of __pycache__
sys.path.insert(1, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from wrong_fork_copy import show, values  # noqa: E402
from wrong import become, options, say, tag  # noqa: E402

args = options(start=1, child_value=10000, delay="1s")
a, s, v = values(args.start)
show("before fork", a, s, v)
pid = os.fork()
if pid == 0:
    become("child")
    time.sleep(0.2 + args.delay)  # still running when the parent has exited
    show("my copies after fork", a, s, v)
    a.value = args.child_value
    s.value = s.value.upper()
    v[0] = args.child_value
    show("changed my copies", a, s, v)
    time.sleep(args.delay)
    os._exit(0)
say(f"fork() returned child={pid}; not waiting for it")  # the bug
show("after the child ended", a, s, v)
