#!/usr/bin/env python3
"""Broken: flushes before fork, so nothing is copied, and makes up the second
copy: the child writes the line again itself, with its own PID in the tag.
Two lines arrive, but not two copies of one buffer; and the made-up line
arrives line-buffered too.

Expect: fails "exit() in the child: the line written before fork arrives twice, the same bytes"; "line-buffered, as on a terminal: once, even with exit()"
"""
import sys

sys.dont_write_bytecode = True  # keep tests/broken free of __pycache__
import correct  # noqa: E402

correct.main(bug="child-prints-again")
