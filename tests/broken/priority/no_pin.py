#!/usr/bin/env python3
"""Broken: never pins the children to one CPU: on a machine with two CPUs each gets
a CPU of its own, and nice makes no difference (a ratio near 1, not 9).

Expect: fails "both children pinned to one CPU, at nice 0 and nice N (seen in /proc)"; "CPU times follow the scheduler's weights (within 2x), measured by the grader too"
"""
import sys

sys.dont_write_bytecode = True  # keep tests/broken free of __pycache__
import correct  # noqa: E402

correct.main(bug="no-pin")
