#!/usr/bin/env python3
"""Broken: in the before-fork case the child opens the file again by its name: a new
open file description with its own offset, so the parent's records overwrite the child's.

Expect: fails "a file opened before fork has one offset: the parent's records follow the child's"
"""
import os
import sys

sys.dont_write_bytecode = True  # keep tests/broken free of __pycache__
sys.path.insert(1, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from wrong import mutant  # noqa: E402

mutant(
    "correct.py",
    ('    os.waitpid(child(lambda: write_records(fd, n, "before")), 0)\n',
     '    # the bug: "the same file", but a new open, with an offset of its own\n'
     '    os.waitpid(child(lambda: write_records(os.open(before, os.O_WRONLY), n, "before")), 0)\n'),
)
