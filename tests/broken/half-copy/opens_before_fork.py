#!/usr/bin/env python3
"""Broken: opens SRC and the temp file once, before the fork, and both
processes use those descriptors (with pread/pwrite, so the copy is still
exact).

Expect: fails "each process opens SRC and DST itself after the fork (seen by strace)"
"""
import os
import sys

sys.dont_write_bytecode = True  # keep tests/broken free of __pycache__
sys.path.insert(1, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from wrong import mutant  # noqa: E402

mutant(
    "correct.py",
    ('        src, dst = os.open(args.src, os.O_RDONLY), os.open(tmp, os.O_WRONLY)\n',
     '        src, dst = opened  # the bug: descriptors opened before the fork\n'),
    ('fds = (os.open(args.src, os.O_RDONLY), os.open(tmp, os.O_WRONLY)) if args.shared_offset else None\n',
     'opened = (os.open(args.src, os.O_RDONLY), os.open(tmp, os.O_WRONLY))\n'
     'fds = (os.open(args.src, os.O_RDONLY), os.open(tmp, os.O_WRONLY)) if args.shared_offset else None\n'),
)
