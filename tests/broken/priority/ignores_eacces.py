#!/usr/bin/env python3
"""Broken: a refused negative --nice is ignored: the program goes on at nice 0 and
exits 0, as if it had the priority it asked for.

Expect: fails "a negative --nice without privilege fails with EACCES, leaving nothing behind"
"""
import os
import sys

sys.dont_write_bytecode = True  # keep tests/broken free of __pycache__
sys.path.insert(1, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from wrong_priority import children, command_line, measure, pin  # noqa: E402

args = command_line()
pin()
normal, low, w = children()
try:
    os.setpriority(os.PRIO_PROCESS, low, args.nice)
except PermissionError:
    pass  # the bug: the program goes on as if it had worked
measure(args, normal, low, w)
