#!/usr/bin/env python3
"""Broken: forgets prctl(PR_SET_CHILD_SUBREAPER) (yet says subreaper=yes),
so the orphan is adopted by whatever subreaper is above the program (under
the grader: the grader's own reaper; in a terminal: often PID 1), and the
program's reaper never reaps it: the orphan is left to the grader's reaper.

Expect: fails "runs and exits 0, leaving no process behind"
"""
import os
import sys

sys.dont_write_bytecode = True  # keep tests/broken free of __pycache__
sys.path.insert(1, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from wrong import mutant  # noqa: E402

mutant(
    "correct.py",
    ('if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:\n'
     '    sys.exit("prctl failed")\n',
     '# the bug: no prctl(PR_SET_CHILD_SUBREAPER) here\n'),
)
