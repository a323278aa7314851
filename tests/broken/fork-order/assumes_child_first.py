#!/usr/bin/env python3
"""Broken: never measures: believes the child always runs first and prints first=child
for every run, while the runs' own lines in stdout show the parent first almost every time.

Expect: fails "the histogram counts each run's first=, as the stdout order mostly shows"
"""
import sys

sys.dont_write_bytecode = True  # keep tests/broken free of __pycache__
import correct  # noqa: E402

correct.main(bug="assumes-child-first")
