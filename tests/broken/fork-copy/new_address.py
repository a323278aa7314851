#!/usr/bin/env python3
"""Broken: the child makes a new integer instead of changing its copy, so
its a= lives at another address. Everything else is right; the grader must
fail "same addresses, different values after the child's change" only.

Expect: fails "same addresses, different values after the child's change"
"""
import os
import sys

sys.dont_write_bytecode = True  # keep tests/broken free of __pycache__
sys.path.insert(1, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from wrong import mutant  # noqa: E402

mutant(
    "correct.py",
    ('    a.value = child_value\n',
     '    a = ctypes.c_long(child_value)  # the bug: a new object, at a new address\n'),
)
