#!/usr/bin/env python3
"""Broken: the child falls through into the parent's code.

Its branch has no os._exit(code) at the end, so after its delay the child
goes on with the parent's part: it prints a parent line under its own tag,
then calls os.wait() (or waitpid with --nohang) with no child of its own,
and dies with a traceback and exit code 1 instead of the code asked for.
The parent's decoding is right, so the codes it shows are 1, never C (130
to 254).

Expect: fails "raw status is code * 256 and WEXITSTATUS is the code"; "--nohang polls return 0 until the child is reaped"
"""
import os
import sys

sys.dont_write_bytecode = True  # keep tests/broken free of __pycache__
sys.path.insert(1, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from wrong import mutant  # noqa: E402

mutant(
    "correct.py",
    ('    os._exit(args.code)\n',
     '    # the bug: no os._exit(args.code) here\n'),
)
