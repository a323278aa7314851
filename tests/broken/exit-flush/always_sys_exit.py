#!/usr/bin/env python3
"""Broken: the child always ends with sys.exit(), whatever --ending says, so
the copied buffer is flushed by the child with --ending _exit too.

Expect: fails "_exit() in the child: the line arrives once"
"""
import os
import sys

sys.dont_write_bytecode = True  # keep tests/broken free of __pycache__
sys.path.insert(1, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from wrong import mutant  # noqa: E402

mutant(
    "correct.py",
    ('''        if child_exit:
            now(w, "ending with sys.exit(0): the interpreter flushes my buffers")
            sys.exit(0)
        now(w, "ending with os._exit(0): nothing is flushed")
        os._exit(0)
''',
     '''        now(w, "ending with sys.exit(0): the interpreter flushes my buffers")
        sys.exit(0)  # the bug: whatever --ending says
'''),
)
