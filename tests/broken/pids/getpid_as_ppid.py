#!/usr/bin/env python3
"""Broken: the child prints os.getpid() where getppid() belongs (and compares
that, so it says ppid_match=no). Everything else is right.

Expect: fails "child's getppid() equals the parent's getpid()"
"""
import os
import sys

sys.dont_write_bytecode = True  # keep tests/broken free of __pycache__
sys.path.insert(1, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from wrong import mutant  # noqa: E402

mutant(
    "correct.py",
    ('mine, ppid = os.getpid(), os.getppid()',
     'mine, ppid = os.getpid(), os.getpid()  # the bug: getpid, not getppid'),
)
