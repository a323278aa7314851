#!/usr/bin/env python3
"""Broken: "the child's change shows in the parent".
The values live in a MAP_SHARED mapping (as with multiprocessing.Value), so
the parent sees the child's writes after the fork: the opposite of the lesson.
It runs cleanly; the grader must fail "same addresses, different values after
the child's change" and "parent's values unchanged after the child ends".

Expect: fails "same addresses, different values after the child's change"; "parent's values unchanged after the child ends"
"""
import os
import sys

sys.dont_write_bytecode = True  # keep tests/broken free of __pycache__
sys.path.insert(1, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from wrong import mutant  # noqa: E402

mutant(
    "correct.py",
    ('a = ctypes.c_long(start)\n'
     's = ctypes.create_string_buffer(b"made-by-parent")\n'
     'v = (ctypes.c_long * 3)(start, 2, 3)\n',
     'import mmap\n'
     'shared = mmap.mmap(-1, 4096)  # the bug: MAP_SHARED | MAP_ANONYMOUS, NOT copied by fork\n'
     'a = ctypes.c_long.from_buffer(shared, 0)\n'
     'a.value = start\n'
     's = (ctypes.c_char * 15).from_buffer(shared, 64)\n'
     's.value = b"made-by-parent"\n'
     'v = (ctypes.c_long * 3).from_buffer(shared, 128)\n'
     'v[:] = [start, 2, 3]\n'),
)
