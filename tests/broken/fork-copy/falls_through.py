#!/usr/bin/env python3
"""Broken: the child falls through into the parent's code.

Expect: fails "runs and exits 0, leaving no process behind"

The child's branch has no os._exit() at its end, so the child goes on with
the code after the `if`: it prints the parent's lines under its own tag
(fork() returned child=0) and waits for a child it does not have. Each
process prints its own lines and flushes them, so nothing is printed twice.
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
    show("my copies after fork", a, s, v)
    a.value = args.child_value
    s.value = s.value.upper()
    v[0] = args.child_value
    show("changed my copies", a, s, v)
    time.sleep(args.delay)
    # the bug: no os._exit(0) here
say(f"fork() returned child={pid}")
try:
    pid, status = os.waitpid(pid, 0)
    say(f"child {pid} ended, code={os.WEXITSTATUS(status)}")
except ChildProcessError as e:
    say(f"waitpid failed: {e}")
show("after the child ended", a, s, v)
