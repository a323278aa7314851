#!/usr/bin/env python3
"""Broken, in C: no prctl(PR_SET_CHILD_SUBREAPER) in the reaper, so the
orphan is adopted by whoever is the nearest subreaper above the program
(the grader's supervisor) or PID 1, not by the reaper, which never
reaps it: the orphan is left behind.

Expect: fails "runs and exits 0, leaving no process behind"
"""
import os
import sys

sys.dont_write_bytecode = True  # keep tests/broken free of __pycache__
sys.path.insert(1, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from wrong import mutant  # noqa: E402

mutant(
    "correct.c",
    ('''    if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0) {
        fprintf(stderr, "[reaper %d] prctl: %s\\n", (int)getpid(), strerror(errno));
        return 1;
    }
''',
     '''    /* the bug: no prctl(PR_SET_CHILD_SUBREAPER, 1) */
'''),
)
