#!/usr/bin/env python3
"""Broken: the "busy" child sleeps in short naps instead of computing, and the
program prints state=R for it without reading it: the grader never sees it in
R, and its voluntary_ctxt_switches grow with every nap.

Expect: fails "R, S, T and Z read from /proc, each seen by the grader too"; "voluntary_ctxt_switches: the blocked child's grew with each wake-up, the busy one's did not"
"""
import sys

sys.dont_write_bytecode = True  # keep tests/broken free of __pycache__
import correct  # noqa: E402

correct.main(bug="busy-sleeps")
