#!/usr/bin/env python3
"""Broken: "the child's change shows in the parent".
The values live in a MAP_SHARED mapping (as with multiprocessing.Value), so
the parent sees the child's writes after the fork: the opposite of the lesson.
It runs cleanly; the grader must fail "same addresses, different values after
the child's change" and "parent's values unchanged after the child ends".

Expect: fails "same addresses, different values after the child's change"; "parent's values unchanged after the child ends"
"""
import ctypes
import mmap
import os
import sys
import time

sys.dont_write_bytecode = True  # keep tests/broken free of __pycache__
sys.path.insert(1, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from wrong_fork_copy import show, values  # noqa: E402
from wrong import become, options, say, tag  # noqa: E402

args = options(start=1, child_value=10000, delay="1s")
shared = mmap.mmap(-1, 4096)  # the bug: MAP_SHARED | MAP_ANONYMOUS, NOT copied by fork
a = ctypes.c_long.from_buffer(shared, 0)
a.value = args.start
s = (ctypes.c_char * 15).from_buffer(shared, 64)
s.value = b"made-by-parent"
v = (ctypes.c_long * 3).from_buffer(shared, 128)
v[:] = [args.start, 2, 3]
show("before fork", a, s, v)
pid = os.fork()
if pid == 0:
    become("child")
    show("my copies after fork", a, s, v)
    a.value = args.child_value
    s.value = s.value.upper()
    v[0] = args.child_value
    show("changed my copies", a, s, v)
    time.sleep(args.delay)
    os._exit(0)
say(f"fork() returned child={pid}")
_, status = os.waitpid(pid, 0)
say(f"child {pid} exited code={os.waitstatus_to_exitcode(status)}")
show("after the child ended", a, s, v)
