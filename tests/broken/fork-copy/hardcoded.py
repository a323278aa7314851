#!/usr/bin/env python3
"""Broken: prints the course's numbers (a=1, a=10000) whatever --start and
--child-value say. It runs cleanly; the grader must fail "child starts with
the parent's values", and every check after it (the random --start and
--child-value are not what it prints).

Expect: fails "child starts with the parent's values"; "same addresses, different values after the child's change"; "parent's values unchanged after the child ends"
"""
import os
import sys
import time

sys.dont_write_bytecode = True  # keep tests/broken free of __pycache__
sys.path.insert(1, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from wrong_fork_copy import show, values  # noqa: E402
from wrong import become, options, say, tag  # noqa: E402

args = options(start=1, child_value=10000, delay="1s")
a, s, v = values(1)  # the bug: the course's numbers, not --start
show("before fork", a, s, v)
pid = os.fork()
if pid == 0:
    become("child")
    show("my copies after fork", a, s, v)
    a.value = 10000  # and not --child-value
    s.value = s.value.upper()
    v[0] = 10000
    show("changed my copies", a, s, v)
    time.sleep(args.delay)
    os._exit(0)
say(f"fork() returned child={pid}")
_, status = os.waitpid(pid, 0)
say(f"child {pid} exited code={os.waitstatus_to_exitcode(status)}")
show("after the child ended", a, s, v)
