#!/usr/bin/env python3
"""Broken: ignores --one-cpu: the family may use every CPU, as the grader reads in
/proc/PID/status's Cpus_allowed_list.

Expect: fails "--one-cpu pins the family to one CPU (seen in /proc)"
"""
import os
import sys

sys.dont_write_bytecode = True  # keep tests/broken free of __pycache__
sys.path.insert(1, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from wrong import mutant  # noqa: E402

mutant(
    "correct.py",
    ('''    if args.one_cpu:
        os.sched_setaffinity(0, {os.sched_getcpu() if hasattr(os, "sched_getcpu") else min(os.sched_getaffinity(0))})
''',
     '    # the bug: --one-cpu is ignored\n'),
)
