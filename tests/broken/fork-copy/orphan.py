#!/usr/bin/env python3
"""Broken: the parent does not wait for its child: it prints its values and
exits, leaving its child behind, still sleeping or a zombie, for the grader
to adopt. The grader must fail the basic check "runs and exits 0, leaving
no process behind" (and so report the other checks as "basic check failed").

Expect: fails "runs and exits 0, leaving no process behind"
"""
import os
import sys

sys.dont_write_bytecode = True  # keep tests/broken free of __pycache__
sys.path.insert(1, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from wrong import mutant  # noqa: E402

mutant(
    "correct.py",
    ('pid, status = os.waitpid(pid, 0)\n'
     'print(f"[parent {os.getpid()}] child {pid} ended, code={os.WEXITSTATUS(status)}", flush=True)\n',
     'print(f"[parent {os.getpid()}] not waiting for child {pid}", flush=True)  # the bug\n'),
)
