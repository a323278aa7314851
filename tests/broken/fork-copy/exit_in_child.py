#!/usr/bin/env python3
"""Broken: output duplicated by exit after fork.

Expect: fails "runs and exits 0, leaving no process behind"

Written as the course writes it: show() prints without flush (block-buffered
when stdout is a pipe, as under the grader) and a child that ends with
sys.exit(0) instead of os._exit(0). The parent's "before fork" line is still
in the buffer when it forks, so the child's copy of the buffer holds it too,
and the child's exit flushes it: the line comes out twice, once written by
the child under the parent's tag. Every fact is right otherwise.
"""
import os
import sys

sys.dont_write_bytecode = True  # keep tests/broken free of __pycache__
sys.path.insert(1, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from wrong import mutant  # noqa: E402

mutant(
    "correct.py",
    ('f"v={list(v)} v_addr={hex(ctypes.addressof(v))}", flush=True)',
     'f"v={list(v)} v_addr={hex(ctypes.addressof(v))}")  # the bug, 1/2: lines left in the buffer at fork'),
    ('    os._exit(0)',
     '    sys.exit(0)  # the bug, 2/2: exit() flushes the buffer copied from the parent'),
)
