#!/usr/bin/env python3
"""Broken: ignores --sync: the parent does not wait for its child before writing,
so the child is not first in every run.

Expect: fails "--sync: the parent waits, so the child is first in every run"
"""
import os
import sys

sys.dont_write_bytecode = True  # keep tests/broken free of __pycache__
sys.path.insert(1, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from wrong import mutant  # noqa: E402

mutant(
    "correct.py",
    ('''        if args.sync:
            os.waitpid(child, 0)
        mark("parent")
        if not args.sync:
            os.waitpid(child, 0)
''',
     '''        mark("parent")  # the bug: --sync is ignored: the parent writes without waiting for the child
        os.waitpid(child, 0)
'''),
)
