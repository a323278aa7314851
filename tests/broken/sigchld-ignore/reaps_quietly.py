#!/usr/bin/env python3
"""Broken: never sets SIGCHLD to SIG_IGN; instead it reaps each child with
waitpid as soon as it ends, and *prints* ignored=yes. Every line it prints is
what the grading contract asks for, so only the grader's own evidence can
tell: its look at /proc/<pid>/status (SigIgn) while it runs, and the trace
(wait() returned the children; the kernel reaped none).

Expect: fails "SIG_IGN: wait() then fails with ECHILD"; "SIG_IGN: the grader sees SIGCHLD ignored in /proc while the children live"
"""
import os
import sys

sys.dont_write_bytecode = True  # keep tests/broken free of __pycache__
sys.path.insert(1, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from wrong import mutant  # noqa: E402

mutant(
    "correct.py",
    ('if not args.default:\n'
     '    signal.signal(signal.SIGCHLD, signal.SIG_IGN)\n'
     "say(f\"SIGCHLD ignored={'yes' if sigchld_ignored() else 'no'}\")\n",
     "say(f\"SIGCHLD ignored={'no' if args.default else 'yes'}\")  # the lie, without --default\n"),
    ('    while any(stat(p) for p in pids) and time.time() < deadline:\n'
     '        time.sleep(0.001)\n',
     '    for p in pids:\n'
     '        os.waitpid(p, 0)  # the bug: quietly reaped, no SIG_IGN; no zombie ever shows\n'),
)
