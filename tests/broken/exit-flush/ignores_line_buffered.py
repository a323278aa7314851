#!/usr/bin/env python3
"""Broken: ignores --line-buffered: its stream on the pipe stays block-buffered,
so with exit() the line still arrives twice.

Expect: fails "line-buffered, as on a terminal: once, even with exit()"
"""
import os
import sys

sys.dont_write_bytecode = True  # keep tests/broken free of __pycache__
sys.path.insert(1, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from wrong import mutant  # noqa: E402

mutant(
    "correct.py",
    ('    stream = open(w, "w", buffering=1 if line_buffered else -1)\n',
     '    stream = open(w, "w", buffering=-1)  # the bug: block-buffered even with --line-buffered\n'),
)
