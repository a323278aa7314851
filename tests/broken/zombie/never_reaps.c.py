#!/usr/bin/env python3
"""Broken, in C: shows the zombie but never calls wait(): it prints what
wait() would have returned, and exits, leaving the zombie to whoever
adopts it (its own /proc check then says gone=no).

Expect: fails "runs and exits 0, leaving no process behind"
Because: "left processes behind"
"""
import os
import sys

sys.dont_write_bytecode = True  # keep tests/broken free of __pycache__
sys.path.insert(1, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from wrong import mutant  # noqa: E402

mutant(
    "correct.c",
    ('''    pid_t got = wait(&status);
''',
     '''    pid_t got = pid; /* the bug: no wait(), only what it would return */
    status = code << 8;
'''),
)
