#!/usr/bin/env python3
"""Broken: does not split the work: every process does all of --work, so the CPU time
grows with the number of processes (and the wall time does not drop).

Expect: fails "the same CPU time whatever the number of processes, which really run at once"
"""
import os
import sys

sys.dont_write_bytecode = True  # keep tests/broken free of __pycache__
sys.path.insert(1, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from wrong import mutant  # noqa: E402

mutant(
    "correct.py",
    ('        share = work / n\n',
     '        share = work  # the bug: every process does all the work\n'),
)
