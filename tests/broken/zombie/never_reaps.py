#!/usr/bin/env python3
"""Broken: shows the zombie but never waits for it: it prints what wait()
would return and gone=yes, then exits and leaves the zombie to be adopted
and reaped by someone else. The grader must fail the basic check "runs and
exits 0, leaving no process behind".

Expect: fails "runs and exits 0, leaving no process behind"
"""
import os
import sys

sys.dont_write_bytecode = True  # keep tests/broken free of __pycache__
sys.path.insert(1, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from wrong import mutant  # noqa: E402

mutant(
    "correct.py",
    ('pid, status = os.waitpid(child, 0)',
     'pid, status = child, args.code << 8  # the bug: no wait(); "it will be cleaned up"'),
    ("say(f\"gone={'yes' if stat(child) is None else 'no'}\")",
     'say("gone=yes")  # a claim: the zombie is still there'),
)
