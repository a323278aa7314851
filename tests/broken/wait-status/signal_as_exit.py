#!/usr/bin/env python3
"""Broken: decodes every status as a normal exit (WEXITSTATUS = raw >> 8), so
a child killed by a signal shows WIFEXITED=true. The grader must fail "a
signal shows as WIFSIGNALED and WTERMSIG".

Expect: fails "a signal shows as WIFSIGNALED and WTERMSIG"
"""
import os
import sys

sys.dont_write_bytecode = True  # keep tests/broken free of __pycache__
sys.path.insert(1, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from wrong import mutant  # noqa: E402

mutant(
    "correct.py",
    ('if os.WIFEXITED(raw):',
     'if True:  # the bug: never looks at WIFSIGNALED'),
)
