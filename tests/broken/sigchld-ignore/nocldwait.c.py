#!/usr/bin/env python3
"""Broken, in C: asks for SA_NOCLDWAIT (sigaction) instead of ignoring
SIGCHLD. The kernel then reaps the children too, and wait() fails with
ECHILD, but SIGCHLD is not ignored: /proc/PID/status says so, to the
program (ignored=no) and to the grader: the lab is about SIG_IGN.

Expect: fails "SIG_IGN: the children vanish from /proc, zombies=0"; "SIG_IGN: the grader sees SIGCHLD ignored in /proc while the children live"
"""
import os
import sys

sys.dont_write_bytecode = True  # keep tests/broken free of __pycache__
sys.path.insert(1, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from wrong import mutant  # noqa: E402

mutant(
    "correct.c",
    ('''    if (!dfl) signal(SIGCHLD, SIG_IGN);
''',
     '''    if (!dfl) { /* the bug: SA_NOCLDWAIT, with SIGCHLD left at its default */
        struct sigaction sa = {.sa_handler = SIG_DFL, .sa_flags = SA_NOCLDWAIT};
        sigaction(SIGCHLD, &sa, NULL);
    }
'''),
)
