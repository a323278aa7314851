#!/usr/bin/env python3
"""Broken, in C: does not split the work: every process computes all of
--work, so the CPU time grows with the number of processes.

Expect: fails "the same CPU time whatever the number of processes, which really run at once"
"""
import os
import sys

sys.dont_write_bytecode = True  # keep tests/broken free of __pycache__
sys.path.insert(1, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from wrong import mutant  # noqa: E402

mutant(
    "correct.c",
    ('''        double share = work / n, before''',
     '''        double share = work /* the bug: every process does all the work */, before'''),
)
