#!/usr/bin/env python3
"""Broken: never sets SIGCHLD to SIG_IGN, so its ended children stay zombies
(its honest /proc readings show them, once it has waited in vain for their
entries to go); it reaps them at the end.

Expect: fails "SIG_IGN: the children vanish from /proc, zombies=0"; "SIG_IGN: wait() then fails with ECHILD"; "SIG_IGN: the grader sees SIGCHLD ignored in /proc while the children live"
"""
import os
import sys

sys.dont_write_bytecode = True  # keep tests/broken free of __pycache__
sys.path.insert(1, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from wrong import mutant  # noqa: E402

mutant(
    "correct.py",
    ('if not args.default:\n'
     '    signal.signal(signal.SIGCHLD, signal.SIG_IGN)\n',
     '# the bug: no signal(SIGCHLD, SIG_IGN)\n'),
    ('deadline = time.time() + delay + 5\nif not args.default:\n',
     'deadline = time.time() + delay + 5\nif not args.default:\n'
     '    deadline = time.time() + delay + 0.2  # not the bug: a short wait for entries that stay, for a quick grade\n'),
    ('count()\ntry:\n',
     'count()\n'
     'for p in pids if not args.default else []:  # the zombies, at the end\n'
     '    _, status = os.waitpid(p, 0)\n'
     '    say(f"reaped pid={p} exited code={os.waitstatus_to_exitcode(status)}")\n'
     'try:\n'),
)
