#!/usr/bin/env python3
"""Broken: the parent never waits for its child: it exits and leaves the
child (ended or not) to be adopted and reaped by someone else.

Expect: fails "runs and exits 0, leaving no process behind"
"""
import os
import sys

sys.dont_write_bytecode = True  # keep tests/broken free of __pycache__
sys.path.insert(1, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from wrong import mutant  # noqa: E402

mutant(
    "correct.py",
    ('done, status = os.waitpid(pid, 0)\nprint(f"[parent {me}] waitpid returned={done} code={os.WEXITSTATUS(status)}", flush=True)\n',
     'print(f"[parent {me}] done, not waiting for the child", flush=True)  # the bug\n'),
)
