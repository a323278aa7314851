#!/usr/bin/env python3
"""Broken: no vfork (nor posix_spawn): the "vforker" is a plain child blocked in
read(), state S, and the program prints state=D for it anyway.

Expect: fails "D: the parent of a vfork waits in D, seen by the grader"
"""
import sys

sys.dont_write_bytecode = True  # keep tests/broken free of __pycache__
import correct  # noqa: E402

correct.main(bug="fake-d")
