#!/usr/bin/env python3
"""Broken, in C: the parent opens the after-fork file with O_APPEND: its
records go after the child's, hiding that its own offset started at 0.

Expect: fails "a file opened after fork has two offsets: the parent overwrites the child's records"
"""
import os
import sys

sys.dont_write_bytecode = True  # keep tests/broken free of __pycache__
sys.path.insert(1, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from wrong import mutant  # noqa: E402

mutant(
    "correct.c",
    ('''    fd = open(after, O_WRONLY);
''',
     '''    fd = open(after, O_WRONLY | O_APPEND); /* the bug: appends after the child's records */
'''),
)
