#!/usr/bin/env python3
"""Broken: the child lingers: it keeps its grandchild company for as long
as task 2 takes before it exits, so the parent's waitpid blocks all that
time. The grandchild still waits until it is adopted, so every line it
prints is right; only the grader's own look at /proc sees the child alive
long after the grandchild started.

Expect: fails "the parent reaps its child, which exits at once"
"""
import os
import sys

sys.dont_write_bytecode = True  # keep tests/broken free of __pycache__
sys.path.insert(1, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from wrong import mutant  # noqa: E402

mutant(
    "correct.py",
    ('        say(f"forked grandchild={grandchild}; exiting at once")\n',
     '        say(f"forked grandchild={grandchild}; keeping it company during task 2")\n'
     '        time.sleep(task2)  # the bug: the child lingers instead of exiting at once\n'),
)
