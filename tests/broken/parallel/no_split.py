#!/usr/bin/env python3
"""Broken: does not split the work: every process does all of --work, so the CPU time
grows with the number of processes (and the wall time does not drop).

Expect: fails "the same CPU time whatever the number of processes, which really run at once"
"""
import sys

sys.dont_write_bytecode = True  # keep tests/broken free of __pycache__
import correct  # noqa: E402

correct.main(bug="no-split")
