#!/usr/bin/env python3
"""Broken: the parent opens the after-fork file with O_APPEND (Python's "a" mode): its
records go after the child's, hiding that its own offset started at 0.

Expect: fails "a file opened after fork has two offsets: the parent overwrites the child's records"
"""
import sys

sys.dont_write_bytecode = True  # keep tests/broken free of __pycache__
import correct  # noqa: E402

correct.main(bug="appends-after")
