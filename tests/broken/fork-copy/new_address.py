#!/usr/bin/env python3
"""Broken: the child makes a new integer instead of changing its copy, so
its a= lives at another address. Everything else is right; the grader must
fail "same addresses, different values after the child's change" only.

Expect: fails "same addresses, different values after the child's change"
"""
import ctypes
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
    show("my copies after fork", a, s, v)
    a = ctypes.c_long(args.child_value)  # the bug: a new object, at a new address
    s.value = s.value.upper()
    v[0] = args.child_value
    show("changed my copies", a, s, v)
    time.sleep(args.delay)
    os._exit(0)
say(f"fork() returned child={pid}")
_, status = os.waitpid(pid, 0)
say(f"child {pid} exited code={os.waitstatus_to_exitcode(status)}")
show("after the child ended", a, s, v)
