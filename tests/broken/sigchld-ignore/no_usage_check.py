#!/usr/bin/env python3
"""Broken: does not check --children: 0 forks nothing and exits 0, 65 forks
65 children. Everything else is right.

Expect: fails "a bad --children is a usage error (exit 2)"
"""
import os
import sys

sys.dont_write_bytecode = True  # keep tests/broken free of __pycache__
sys.path.insert(1, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from wrong import mutant  # noqa: E402

mutant(
    "correct.py",
    ('if not 1 <= args.children <= 64:\n'
     '    print(f"--children {args.children}: must be 1 to 64", file=sys.stderr)\n'
     '    sys.exit(2)\n',
     '# the bug: no check that 1 <= --children <= 64\n'),
)
