#!/usr/bin/env python3
"""Broken: the child only narrates. It reports copying the first half (its
range and a time, while the copy runs) but writes nothing; the parent
silently copies the first half too, then its own. The copy is exact and
every line is what the grading contract asks for; the trace shows one
process writing all of DST (and so does strace).

Expect: fails "each process reports its role, PID, byte range and time"; "two processes each wrote one half (seen by strace)"; "each process opens SRC and DST itself after the fork (seen by strace)"; "the parent copies its half before waiting for the child (seen by strace)"
"""
import os
import sys

sys.dont_write_bytecode = True  # keep tests/broken free of __pycache__
sys.path.insert(1, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from wrong import mutant  # noqa: E402

mutant(
    "correct.py",
    ('child = os.fork()\n',
     'done_r, done_w = os.pipe()  # the parent closes done_w once it has copied the first half\n'
     'child = os.fork()\n'),
    ('        my_half(0, half, fds)\n',
     '''        if fds:  # --shared-offset: really copies
            my_half(0, half, fds)
        else:  # the bug: reports the first half, copies nothing
            began = time.monotonic()
            os.close(done_w)
            os.read(done_r, 1)
            say(f"copied from=0 to={half} time={time.monotonic() - began:.6f}s")
'''),
    ('try:\n    my_half(half, size, fds)\n',
     '''try:
    os.close(done_r)
    try:
        if not fds:  # the child's half, silently
            src, dst = os.open(args.src, os.O_RDONLY), os.open(tmp, os.O_WRONLY)
            copy(src, dst, 0, half)
    finally:
        os.close(done_w)  # the child's narration ends (even if that copy failed)
    my_half(half, size, fds)
'''),
)
