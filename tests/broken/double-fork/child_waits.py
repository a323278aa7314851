#!/usr/bin/env python3
"""Broken: the child waits for the grandchild before exiting (it lingers
instead of exiting at once), so the grandchild is never orphaned (its
parent is still the child, and it does not wait to be adopted), the reaper
never reaps it, and the tasks do not overlap.

Expect: fails "the parent reaps its child, which exits at once"; "the grandchild is adopted by the reaper, not the parent, and does task 2"; "the reaper reaps the grandchild, then wait() says ECHILD"
"""
import os
import sys

sys.dont_write_bytecode = True  # keep tests/broken free of __pycache__
sys.path.insert(1, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from wrong import mutant  # noqa: E402

mutant(
    "correct.py",
    ('            deadline = time.time() + 10\n'
     '            while os.getppid() == me and time.time() < deadline:\n'
     '                time.sleep(0.001)\n',
     '            # no waiting to be adopted: "my parent waits for me"\n'),
    ('        say(f"forked grandchild={grandchild}; exiting at once")\n',
     '        say(f"forked grandchild={grandchild}; waiting for it")\n'
     '        os.waitpid(grandchild, 0)  # the bug: no orphan, no overlap\n'),
)
