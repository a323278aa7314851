#!/usr/bin/env python3
"""Broken, in C: the child waits for the grandchild before it exits, so the
grandchild is never orphaned: the parent's wait blocks through task 2,
and nobody adopts the grandchild.

Expect: fails "the parent reaps its child, which exits at once"; "the grandchild is adopted by the reaper, not the parent, and does task 2"; "the reaper reaps the grandchild, then wait() says ECHILD"
"""
import os
import sys

sys.dont_write_bytecode = True  # keep tests/broken free of __pycache__
sys.path.insert(1, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from wrong import mutant  # noqa: E402

mutant(
    "correct.c",
    ('''            say("forked grandchild=%d; exiting at once", (int)grandchild);
''',
     '''            say("forked grandchild=%d; exiting at once", (int)grandchild);
            waitpid(grandchild, NULL, 0); /* the bug: waits for it first */
'''),
)
