#!/usr/bin/env python3
"""Broken: believes orphans always go to PID 1: prints adopted_by=1 instead
of the adopter it sees.

Expect: fails "the orphan is adopted by the reaper, not by PID 1"
"""
import os
import sys

sys.dont_write_bytecode = True  # keep tests/broken free of __pycache__
sys.path.insert(1, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from wrong import mutant  # noqa: E402

mutant(
    "correct.py",
    ('adopted_by={adopter} comm={comm(adopter)} "',
     'adopted_by=1 comm=init "  # the bug: "orphans go to PID 1"'),
)
