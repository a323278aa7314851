#!/usr/bin/env python3
"""Broken: ignores --one-core: the workers may use every CPU (the grader reads
Cpus_allowed_list), and run in parallel.

Expect: fails "--one-core: pinned to one CPU, the wall time does not drop"
"""
import sys

sys.dont_write_bytecode = True  # keep tests/broken free of __pycache__
import correct  # noqa: E402

correct.main(bug="ignores-one-core")
