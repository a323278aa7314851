#!/usr/bin/env python3
"""Broken: a refused negative --nice is ignored: the program goes on at nice 0 and
exits 0, as if it had the priority it asked for.

Expect: fails "a negative --nice without privilege fails with EACCES, leaving nothing behind"
"""
import sys

sys.dont_write_bytecode = True  # keep tests/broken free of __pycache__
import correct  # noqa: E402

correct.main(bug="ignores-eacces")
