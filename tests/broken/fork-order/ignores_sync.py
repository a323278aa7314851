#!/usr/bin/env python3
"""Broken: ignores --sync: the parent does not wait for its child before writing,
so the child is not first in every run.

Expect: fails "--sync: the parent waits, so the child is first in every run"
"""
import sys

sys.dont_write_bytecode = True  # keep tests/broken free of __pycache__
import correct  # noqa: E402

correct.main(bug="ignores-sync")
