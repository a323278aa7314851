#!/usr/bin/env python3
"""Broken: ignores --nohang and blocks in wait(). Everything else is right;
the grader must fail "--nohang polls return 0 until the child is reaped".

Expect: fails "--nohang polls return 0 until the child is reaped"
"""
import os
import sys

sys.dont_write_bytecode = True  # keep tests/broken free of __pycache__
sys.path.insert(1, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from wrong import mutant  # noqa: E402

mutant(
    "correct.py",
    ('if args.nohang:',
     'if False:  # the bug: --nohang is ignored'),
)
