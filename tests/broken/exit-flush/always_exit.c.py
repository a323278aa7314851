#!/usr/bin/env python3
"""Broken, in C: the child always ends with exit(), whatever --ending says,
so with --ending _exit too the child's exit() flushes the stdio buffer it
copied at fork(), and the line written once arrives twice.

Expect: fails "_exit() in the child: the line arrives once"
"""
import os
import sys

sys.dont_write_bytecode = True  # keep tests/broken free of __pycache__
sys.path.insert(1, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from wrong import mutant  # noqa: E402

mutant(
    "correct.c",
    ('''        if (child_exit) { now(w, "ending with exit(0)"); exit(0); }
        now(w, "ending with _exit(0)");
        _exit(0);
''',
     '''        now(w, "ending with exit(0)");
        exit(0); /* the bug: whatever --ending says */
'''),
)
