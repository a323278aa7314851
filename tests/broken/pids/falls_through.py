#!/usr/bin/env python3
"""Broken: the child falls through into the parent's code. Its branch has no
os._exit() at the end, so after its delay the child goes on with the
parent's part: it closes the pipe end it already closed, and dies there
with a Python traceback and exit code 1, which the parent's waitpid shows.

Expect: fails "runs and exits 0, leaving no process behind"
"""
import os
import sys

sys.dont_write_bytecode = True  # keep tests/broken free of __pycache__
sys.path.insert(1, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from wrong import mutant  # noqa: E402

mutant(
    "correct.py",
    ('    os._exit(0)\n',
     '    # the bug: no os._exit(0) here\n'),
)
