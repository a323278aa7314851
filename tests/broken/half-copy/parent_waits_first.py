#!/usr/bin/env python3
"""Broken: the parent waits for the child to copy its half before copying
its own: the halves are copied one after the other, not at the same time.
The copy is exact.

Expect: fails "the parent copies its half before waiting for the child (seen by strace)"
"""
import os
import sys

sys.dont_write_bytecode = True  # keep tests/broken free of __pycache__
sys.path.insert(1, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from wrong import mutant  # noqa: E402

mutant(
    "correct.py",
    ('try:\n    my_half(half, size, fds)\n',
     '# the bug: waits first (WNOWAIT: the child is reaped below, as before)\n'
     'os.waitid(os.P_PID, child, os.WEXITED | os.WNOWAIT)\n'
     'try:\n    my_half(half, size, fds)\n'),
)
