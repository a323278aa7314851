#!/usr/bin/env python3
"""Broken: checks that DST is not SRC only without --force; with --force it
copies SRC onto itself (through its temp file, so SRC is replaced by a new
file).

Expect: fails "refuses DST that is SRC, even with --force"
"""
import os
import sys

sys.dont_write_bytecode = True  # keep tests/broken free of __pycache__
sys.path.insert(1, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from wrong import mutant  # noqa: E402

mutant(
    "correct.py",
    ('    if (d.st_dev, d.st_ino) == (st.st_dev, st.st_ino):\n',
     '    if (d.st_dev, d.st_ino) == (st.st_dev, st.st_ino) and not args.force:  # the bug\n'),
)
