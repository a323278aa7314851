#!/usr/bin/env python3
"""Broken: never measures: believes the child always runs first and prints first=child
for every run, while the lines it read from the pipe show the parent first in most runs.

Expect: fails "each run's first= is the order the two lines arrived in the pipe, and the histogram counts them"
"""
import os
import sys

sys.dont_write_bytecode = True  # keep tests/broken free of __pycache__
sys.path.insert(1, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from wrong import mutant  # noqa: E402

mutant(
    "correct.py",
    ('first = "child" if lines and lines[0].startswith("[child") else "parent"',
     'first = "child"  # the bug: "the child always runs first"; the lines are never read'),
)
