#!/usr/bin/env python3
"""Broken: never measures: believes the child always runs first and prints first=child
for every run, while the lines it read from the pipe show the parent first in most runs.

Expect: fails "each run's first= is the order the two lines arrived in the pipe, and the histogram counts them"
"""
import sys

sys.dont_write_bytecode = True  # keep tests/broken free of __pycache__
import correct  # noqa: E402

correct.main(bug="assumes-child-first")
