#!/usr/bin/env python3
"""Broken: the child always ends with sys.exit(), whatever --ending says, so
the copied buffer is flushed by the child with --ending _exit too.

Expect: fails "_exit() in the child: the line arrives once"
"""
import sys

sys.dont_write_bytecode = True  # keep tests/broken free of __pycache__
import correct  # noqa: E402

correct.main(bug="always-sys-exit")
