#!/usr/bin/env python3
"""Broken, in C: the "leader" child forgets setsid(): it is no session
leader, and `ps -o stat` shows no s for it.

Expect: fails "ps -o stat shows s, l, N (and < only at negative nice) for real causes"
"""
import os
import sys

sys.dont_write_bytecode = True  # keep tests/broken free of __pycache__
sys.path.insert(1, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from wrong import mutant  # noqa: E402

mutant(
    "correct.c",
    ('''    if (leader == 0) { setsid(); drain(rel[0]); _exit(0); }
    show("leader", leader, 'S', leads, 0);
''',
     '''    if (leader == 0) { drain(rel[0]); _exit(0); } /* the bug: no setsid() */
    show("leader", leader, 'S', any, 0);
'''),
)
