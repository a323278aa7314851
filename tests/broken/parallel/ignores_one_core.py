#!/usr/bin/env python3
"""Broken: ignores --one-core: the workers may use every CPU (the grader reads
Cpus_allowed_list), and run in parallel.

Expect: fails "--one-core: pinned to one CPU, the wall time does not drop"
"""
import os
import sys

sys.dont_write_bytecode = True  # keep tests/broken free of __pycache__
sys.path.insert(1, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from wrong import mutant  # noqa: E402

mutant(
    "correct.py",
    ('''    if args.one_core:
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
''',
     '    # the bug: --one-core is ignored\n'),
)
