#!/usr/bin/env python3
"""Broken: prints the default exit code 3 whatever --code says. The grader
must fail "wait returns the zombie's PID and its exit code" (its --code is
random).

Expect: fails "wait returns the zombie's PID and its exit code"
"""
import os
import sys

sys.dont_write_bytecode = True  # keep tests/broken free of __pycache__
sys.path.insert(1, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from wrong import mutant  # noqa: E402

mutant(
    "correct.py",
    ('code={os.waitstatus_to_exitcode(status)}")',
     'code=3")  # the bug: the default, not what wait said'),
)
