#!/usr/bin/env python3
"""Broken: prints the course's numbers (a=1, a=10000) whatever --start and
--child-value say. It runs cleanly; the grader must fail "child starts with
the parent's values", and every check after it (the random --start and
--child-value are not what it prints).

Expect: fails "child starts with the parent's values"; "same addresses, different values after the child's change"; "parent's values unchanged after the child ends"
"""
import os
import sys

sys.dont_write_bytecode = True  # keep tests/broken free of __pycache__
sys.path.insert(1, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from wrong import mutant  # noqa: E402

mutant(
    "correct.py",
    ('start = int(arg("--start", "1"))',
     'start = 1  # the bug: the course\'s numbers, not --start'),
    ('child_value = int(arg("--child-value", "10000"))',
     'child_value = 10000  # and not --child-value'),
)
