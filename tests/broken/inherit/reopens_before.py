#!/usr/bin/env python3
"""Broken: in the before-fork case the child opens the file again by its name: a new
open file description with its own offset, so the parent's records overwrite the child's.

Expect: fails "a file opened before fork has one offset: the parent's records follow the child's"
"""
import sys

sys.dont_write_bytecode = True  # keep tests/broken free of __pycache__
import correct  # noqa: E402

correct.main(bug="reopens-before")
