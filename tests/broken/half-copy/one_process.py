#!/usr/bin/env python3
"""Broken: copies everything in one process (no fork), yet prints a child
line and a parent line with the two halves' ranges, as if two processes had
copied (with the same PID). The copy is exact.

Expect: fails "each process reports its role, PID, byte range and time"; "two processes each wrote one half (seen by strace)"; "each process opens SRC and DST itself after the fork (seen by strace)"; "the parent copies its half before waiting for the child (seen by strace)"; "a killed child makes the parent fail and remove the temp file"
"""
import os
import sys

sys.dont_write_bytecode = True  # keep tests/broken free of __pycache__
sys.path.insert(1, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from wrong import mutant  # noqa: E402

mutant(
    "correct.py",
    ('child = os.fork()\n',
     'child = 0  # the bug: no fork: this one process copies the first half as "child"...\n'),
    ('        os._exit(1)\n    os._exit(0)\n',
     '        give_up(f"copying bytes 0..{half} failed: {e}")\n'
     '    role = "parent"  # ...then the second half as "parent", with the same PID\n'),
    # no child to stop or to wait for
    ('    os.kill(child, signal.SIGTERM)\n    os.waitpid(child, 0)\n',
     ''),
    ('        _, status = os.waitpid(child, 0)\n',
     '        status = 0\n'),
)
