#!/usr/bin/env python3
"""Broken, in C: prints the raw status as the exit code (WEXITSTATUS=status
instead of WEXITSTATUS(status)), the classic slip: the code is in the
second byte, so a child that exits with C shows WEXITSTATUS=C*256.

Expect: fails "raw status is code * 256 and WEXITSTATUS is the code"
"""
import os
import sys

sys.dont_write_bytecode = True  # keep tests/broken free of __pycache__
sys.path.insert(1, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from wrong import mutant  # noqa: E402

mutant(
    "correct.c",
    ('''WIFSIGNALED=false\\n", (int)getpid(), WEXITSTATUS(status));''',
     '''WIFSIGNALED=false\\n", (int)getpid(), status); /* the bug: raw */'''),
)
