#!/usr/bin/env python3
"""Broken: the child falls through into the parent's code.

Expect: fails "runs and exits 0, leaving no process behind"

The child's branch has no os._exit() at its end, so the child goes on with
the code after the `if`: it prints the parent's line, tagged `parent` with
the child's own PID (fork() returned child=0), then waits for a child it
does not have: waitpid(0, 0) fails with ChildProcessError, and the child
dies with a Python traceback and exit code 1, which the parent's line
shows. Each process flushes its own lines, so nothing is printed twice.
"""
import os
import sys

sys.dont_write_bytecode = True  # keep tests/broken free of __pycache__
sys.path.insert(1, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from wrong import mutant  # noqa: E402

mutant(
    "correct.py",
    ('    os._exit(0)\n',
     '    # the bug: no os._exit(0) here\n'),
)
