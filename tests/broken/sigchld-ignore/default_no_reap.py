#!/usr/bin/env python3
"""Broken: with --default it sees the zombies but never reaps them: it exits
and leaves them to whoever adopts them. Without --default it is right.

Expect: fails "default disposition: zombies=N until the parent reaps them"
"""
import os
import sys

sys.dont_write_bytecode = True  # keep tests/broken free of __pycache__
sys.path.insert(1, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from wrong import mutant  # noqa: E402

mutant(
    "correct.py",
    ('    for p in pids:\n'
     '        _, status = os.waitpid(p, 0)\n'
     '        say(f"reaped pid={p} exited code={os.waitstatus_to_exitcode(status)}")\n',
     '    sys.exit(0)  # the bug: nobody reaps the zombies\n'),
)
