#!/usr/bin/env python3
"""Broken: output duplicated by exit after fork, in the pids lab.

Written with plain print() (block-buffered when stdout is a pipe, as under
the grader) and a child that ends with sys.exit(0) instead of os._exit(0).
The parent's first line is still in its buffer at the fork, so the child's
copy of the buffer holds it too and the child's exit writes it again: the
parent's line appears twice, once written by the child. Every fact is right.

Expect: fails "runs and exits 0, leaving no process behind"
"""
import os
import sys

sys.dont_write_bytecode = True  # keep tests/broken free of __pycache__
sys.path.insert(1, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from wrong import mutant  # noqa: E402

mutant(
    "correct.py",
    ('print(f"[parent {me}] getpid()={me} getppid()={os.getppid()}", flush=True)',
     'print(f"[parent {me}] getpid()={me} getppid()={os.getppid()}")  # the bug, 1/2: a line left in the buffer at fork'),
    ('    os._exit(0)',
     '    sys.exit(0)  # the bug, 2/2: exit() flushes the buffer copied from the parent'),
)
