#!/usr/bin/env python3
"""Broken, in C: SRC and the temp file are opened once, before the fork, and
both processes copy through those descriptors (dup'ed, and with
pread/pwrite, so the copy is still exact): no process opens them itself
after the fork, as the lab asks, and strace shows it.

Expect: fails "each process opens SRC and DST itself after the fork (seen by strace)"
"""
import os
import sys

sys.dont_write_bytecode = True  # keep tests/broken free of __pycache__
sys.path.insert(1, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from wrong import mutant  # noqa: E402

mutant(
    "correct.c",
    ('''static int my_half(const char *src_path, off_t from, off_t to) {
''',
     '''static int before_src = -1, before_dst = -1; /* the bug: opened once, before fork() */

static int my_half(const char *src_path, off_t from, off_t to) {
'''),
    ('''    int src = open(src_path, O_RDONLY);
    int dst = open(tmp, O_WRONLY);
''',
     '''    int src = dup(before_src), dst = dup(before_dst);
'''),
    ('''    if (!shared) close(t);
''',
     '''    if (!shared) before_dst = t;
'''),
    ('''    if (!shared) close(src);
''',
     '''    if (!shared) before_src = src;
'''),
)
