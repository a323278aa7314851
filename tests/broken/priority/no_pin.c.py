#!/usr/bin/env python3
"""Broken, in C: the parent never calls sched_setaffinity, so its two
children are not pinned to one CPU: on a machine with two free CPUs each
gets one, and their CPU times do not follow the nice weights.

Expect: fails "both children pinned to one CPU, at nice 0 and nice N (seen in /proc)"; "CPU times follow the scheduler's weights (within 2x), measured by the grader too"
"""
import os
import sys

sys.dont_write_bytecode = True  # keep tests/broken free of __pycache__
sys.path.insert(1, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from wrong import mutant  # noqa: E402

mutant(
    "correct.c",
    ('''    sched_setaffinity(0, sizeof set, &set);
''',
     '''    /* the bug: no sched_setaffinity: the children are not pinned to one CPU */
'''),
)
