#!/usr/bin/env python3
"""Broken: the parent prints its own PID as what fork returned (child=),
mistaking fork's return value, and compares what the child said with it.

Expect: fails "child's getpid() equals the PID fork returned"
"""
import os
import sys

sys.dont_write_bytecode = True  # keep tests/broken free of __pycache__
sys.path.insert(1, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from wrong import mutant  # noqa: E402

mutant(
    "correct.py",
    ('fork() returned child={pid}',
     'fork() returned child={me}'),
    ('said == str(pid)',
     'said == str(me)'),
)
