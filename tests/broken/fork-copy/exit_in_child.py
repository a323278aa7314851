#!/usr/bin/env python3
"""Broken: output duplicated by exit after fork.

Expect: fails "runs and exits 0, leaving no process behind"

Written as the course writes it: plain print() (block-buffered when stdout
is a pipe, as under the grader) and a child that ends with sys.exit(0)
instead of os._exit(0). The parent's "before fork" line is still in the
buffer when it forks, so the child's copy of the buffer holds it too, and
the child's exit flushes it: the line comes out twice, once written by the
child under the parent's tag. Every fact is right otherwise.
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
show("before fork", a, s, v, flush=False)
pid = os.fork()
if pid == 0:
    become("child")
    show("my copies after fork", a, s, v, flush=False)
    a.value = args.child_value
    s.value = s.value.upper()
    v[0] = args.child_value
    show("changed my copies", a, s, v, flush=False)
    time.sleep(args.delay)
    sys.exit(0)  # the bug: exit() flushes the copied buffer
print(f"{tag()} fork() returned child={pid}")
pid, status = os.waitpid(pid, 0)
print(f"{tag()} child {pid} ended, code={os.WEXITSTATUS(status)}")
show("after the child ended", a, s, v, flush=False)
