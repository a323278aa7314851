#!/usr/bin/env python3
"""Broken: flushes before fork, so nothing is copied, and makes up the second
copy: the child writes the line again itself, with its own PID in the tag.
Two lines arrive, but not two copies of one buffer; and the made-up line
arrives line-buffered too.

Expect: fails "exit() in the child: the line written before fork arrives twice, the same bytes"; "line-buffered, as on a terminal: once, even with exit()"
"""
import os
import sys

sys.dont_write_bytecode = True  # keep tests/broken free of __pycache__
sys.path.insert(1, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from wrong import mutant  # noqa: E402

mutant(
    "correct.py",
    ('    stream.write(line)\n',
     '    stream.write(line)\n'
     '    stream.flush()  # the bug: nothing is left in the buffer to copy...\n'),
    ('        if child_exit:\n',
     '        if child_exit:\n'
     '            stream.write(f"{tag()} text={text} written again by the child\\n")  # ...so it makes one up\n'),
)
