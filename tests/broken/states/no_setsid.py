#!/usr/bin/env python3
"""Broken: the "leader" child forgets setsid(): it is no session leader, and
`ps -o stat` shows no s for it.

Expect: fails "ps -o stat shows s, l, N (and < only at negative nice) for real causes"
"""
import sys

sys.dont_write_bytecode = True  # keep tests/broken free of __pycache__
import correct  # noqa: E402

correct.main(bug="no-setsid")
