#!/usr/bin/env python3
"""Broken: never pins the children to one CPU: on a machine with two CPUs each gets
a CPU of its own, and nice makes no difference (a ratio near 1, not 9).

Expect: fails "both children pinned to one CPU, at nice 0 and nice N (seen in /proc)"; "CPU times follow the scheduler's weights (within 2x), measured by the grader too"
"""
import os
import sys

sys.dont_write_bytecode = True  # keep tests/broken free of __pycache__
sys.path.insert(1, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from wrong import mutant  # noqa: E402

mutant(
    "correct.py",
    ('    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})\n',
     '    # the bug: the children are not pinned to one CPU\n'),
)
