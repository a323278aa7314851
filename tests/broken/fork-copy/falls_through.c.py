#!/usr/bin/env python3
"""Broken, in C: the child falls through into the parent's code. Its branch
has no _exit(0) at its end, so after its delay the child prints the
parent's line (tagged parent, with its own PID, and child=0), then its
waitpid() fails (it has no child) and it returns 1 from main.

Expect: fails "runs and exits 0, leaving no process behind"
Because: "carry different PIDs"
"""
import os
import sys

sys.dont_write_bytecode = True  # keep tests/broken free of __pycache__
sys.path.insert(1, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from wrong import mutant  # noqa: E402

mutant(
    "correct.c",
    ('''        usleep((useconds_t)(delay * 1e6));
        _exit(0);
''',
     '''        usleep((useconds_t)(delay * 1e6));
        /* the bug: no _exit(0), so the child goes on with the parent's code */
'''),
)
