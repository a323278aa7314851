#!/usr/bin/env python3
"""Broken: ignores --line-buffered: its stream on the pipe stays block-buffered,
so with exit() the line still arrives twice.

Expect: fails "line-buffered, as on a terminal: once, even with exit()"
"""
import sys

sys.dont_write_bytecode = True  # keep tests/broken free of __pycache__
import correct  # noqa: E402

correct.main(bug="ignores-line")
