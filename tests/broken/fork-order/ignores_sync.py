#!/usr/bin/env python3
"""Broken: ignores --sync: the parent does not wait for its child before writing,
so the child is not first in every run.

Expect: fails "--sync: the parent waits, so the child is first in every run"
"""
import os
import sys

sys.dont_write_bytecode = True  # keep tests/broken free of __pycache__
sys.path.insert(1, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from wrong_fork_order import command_line, fork_child, last_lines, mark, pin, runs  # noqa: E402

args = command_line()


def one_run(run, args, w):
    """The bug: --sync is ignored: the parent writes its line without waiting for the child."""
    child = fork_child(w, run)
    mark(w, run, "parent")
    os.waitpid(child, 0)
    return child


pin(args)
runs(args, one_run=one_run)
last_lines(args)
