#!/usr/bin/env python3
"""Broken: the "leader" child forgets setsid(): it is no session leader, and
`ps -o stat` shows no s for it.

Expect: fails "ps -o stat shows s, l, N (and < only at negative nice) for real causes"
"""
import os
import sys

sys.dont_write_bytecode = True  # keep tests/broken free of __pycache__
sys.path.insert(1, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from wrong import mutant  # noqa: E402

mutant(
    "correct.py",
    ('        os.setsid()\n',
     '        # the bug: no os.setsid()\n'),
    ('show("leader", ld, "S", lambda f: int(f[6]) == ld)',
     'show("leader", ld, "S")  # (and so no waiting for it to lead its session)'),
)
