#!/usr/bin/env python3
"""Broken, in C: nothing is flushed before fork(), and the child ends with
exit(). stdout is a pipe, so printf keeps the parent's "before fork" line
in its buffer; fork() copies that buffer into the child, whose exit()
flushes it: the parent's line comes out twice, once written by the child.

Expect: fails "runs and exits 0, leaving no process behind"
Because: "was written by process"
"""
import os
import sys

sys.dont_write_bytecode = True  # keep tests/broken free of __pycache__
sys.path.insert(1, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from wrong import mutant  # noqa: E402

mutant(
    "correct.c",
    ('''           role, (int)getpid(), what, *a, (void *)a, s, (void *)s, v[0], v[1], v[2], (void *)v);
    fflush(stdout);
''',
     '''           role, (int)getpid(), what, *a, (void *)a, s, (void *)s, v[0], v[1], v[2], (void *)v);
    /* the bug: no fflush(stdout) before fork() */
'''),
    ('''        usleep((useconds_t)(delay * 1e6));
        _exit(0);
''',
     '''        usleep((useconds_t)(delay * 1e6));
        exit(0); /* flushes the child's copy of the buffer, the parent's line in it */
'''),
)
