#!/usr/bin/env python3
"""Broken: the parent never checks what its child reported: it prints what it
read from the pipe and pid_match=yes without comparing it with what fork
returned. With --lie N the child sends getpid() + N, and the parent still
says yes.

Expect: fails "the parent checks what the child said: --lie N gives pid_match=no"
"""
import os
import sys

sys.dont_write_bytecode = True  # keep tests/broken free of __pycache__
sys.path.insert(1, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from wrong import mutant  # noqa: E402

mutant(
    "correct.py",
    ("pid_match={'yes' if said == str(pid) else 'no'}",
     'pid_match=yes'),
)
