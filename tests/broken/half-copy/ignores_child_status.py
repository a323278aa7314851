#!/usr/bin/env python3
"""Broken: never checks what its child reported: it reaps the child but
ignores its exit status, so a child that failed or was killed leaves its
half missing and the parent still renames the temp file to DST and exits 0.
Otherwise it is right.

Expect: fails "a killed child makes the parent fail and remove the temp file"
"""
import os
import sys

sys.dont_write_bytecode = True  # keep tests/broken free of __pycache__
sys.path.insert(1, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from wrong import mutant  # noqa: E402

mutant(
    "correct.py",
    ('''if os.waitstatus_to_exitcode(status) != 0:
    give_up(f"the child failed (exit status {os.waitstatus_to_exitcode(status)})")
''',
     '# the bug: the child\'s exit status is never looked at\n'),
)
