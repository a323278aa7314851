#!/usr/bin/env python3
"""Broken, in C: `if (pid = 0)`, an assignment where a comparison was meant
(cc -Wall warns; it still compiles). The test is always false and sets pid
to 0, so both processes run the parent's code: the child prints the
parent's lines too, tagged with the PID the parent saved before fork().

Expect: fails "runs and exits 0, leaving no process behind"
Because: "ran on into the parent's code"
"""
import os
import sys

sys.dont_write_bytecode = True  # keep tests/broken free of __pycache__
sys.path.insert(1, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from wrong import mutant  # noqa: E402

mutant(
    "correct.c",
    ('''    if (pid == 0) {
        close(fd[0]);''',
     '''    if (pid = 0) { /* the bug: = is not == */
        close(fd[0]);'''),
)
