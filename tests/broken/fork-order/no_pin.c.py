#!/usr/bin/env python3
"""Broken, in C: ignores --one-cpu (no sched_setaffinity): the family may
use every CPU, as the grader reads in /proc/PID/status's
Cpus_allowed_list.

Expect: fails "--one-cpu pins the family to one CPU (seen in /proc)"
"""
import os
import sys

sys.dont_write_bytecode = True  # keep tests/broken free of __pycache__
sys.path.insert(1, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from wrong import mutant  # noqa: E402

mutant(
    "correct.c",
    ('''        if (sched_setaffinity(0, sizeof set, &set) < 0) { perror("sched_setaffinity"); return 1; }
''',
     '''        /* the bug: no sched_setaffinity, so --one-cpu changes nothing */
'''),
)
