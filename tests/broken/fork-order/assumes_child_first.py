#!/usr/bin/env python3
"""Broken: never measures: believes the child always runs first and prints first=child
for every run, while the lines it read from the pipe show the parent first in most runs.

Expect: fails "each run's first= is the order the two lines arrived in the pipe, and the histogram counts them"
"""
import os
import sys

sys.dont_write_bytecode = True  # keep tests/broken free of __pycache__
sys.path.insert(1, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from wrong_fork_order import command_line, last_lines, pin, runs  # noqa: E402

args = command_line()
pin(args)
runs(args, first_of=lambda lines: "child")  # the bug: "the child always runs first"; the lines are never read
last_lines(args)
