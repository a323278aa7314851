#!/usr/bin/env python3
"""Broken: narrates the reap. A silent top process (a subreaper) starts the
parent; the parent forks the child, shows the real zombie in /proc, waits
--delay, then *prints* what wait() would return and gone=yes, and exits
without waiting: the top process reaps the orphaned zombie for it. Every
line it prints is what the grading contract asks for, /proc shows a real
zombie of the parent, and nothing is left behind; only the trace shows who
reaped the child.

Expect: fails "the zombie is real: the grader sees it in /proc too"
"""
import os
import sys

sys.dont_write_bytecode = True  # keep tests/broken free of __pycache__
sys.path.insert(1, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from wrong import mutant  # noqa: E402

mutant(
    "correct.py",
    ('child = os.fork()\n',
     'import ctypes\n'
     'if ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0) != 0:  # PR_SET_CHILD_SUBREAPER\n'
     '    sys.exit("prctl failed")\n'
     'if os.fork() != 0:\n'
     '    # The silent top process: reaps everything, including the parent\'s child.\n'
     '    while True:\n'
     '        try:\n'
     '            os.wait()\n'
     '        except ChildProcessError:\n'
     '            sys.exit(0)\n'
     'child = os.fork()\n'),
    ('pid, status = os.waitpid(child, 0)\n'
     'say(f"wait() returned={pid} code={os.waitstatus_to_exitcode(status)}")\n'
     "say(f\"gone={'yes' if stat(child) is None else 'no'}\")\n",
     'say(f"wait() returned={child} code={args.code}")  # the bug: a claim, no wait() call\n'
     'say("gone=yes")\n'),
)
