#!/usr/bin/env python3
"""Broken: the child ignores --delay: it ends as soon as it has written its
PID, so while the program runs there is no live child to see in /proc, at
most a zombie until the parent reaps it.

Expect: fails "the child is real: the grader sees it in /proc under the parent"
"""
import os
import sys

sys.dont_write_bytecode = True  # keep tests/broken free of __pycache__
sys.path.insert(1, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from wrong import mutant  # noqa: E402

mutant(
    "correct.py",
    ('    time.sleep(delay)\n',
     '    # the bug: no time.sleep(delay)\n'),
)
