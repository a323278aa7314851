#!/usr/bin/env python3
"""Broken: uses threads, not processes: in Python the GIL lets one thread compute at
a time, so the wall time never drops, and the grader sees no worker processes.

Expect: fails "the same CPU time whatever the number of processes, which really run at once"; "with as many processes as CPUs the wall time drops, and no more CPUs are busy than exist"; "--one-core: pinned to one CPU, the wall time does not drop"
"""
import sys

sys.dont_write_bytecode = True  # keep tests/broken free of __pycache__
import correct  # noqa: E402

correct.main(bug="threads")
