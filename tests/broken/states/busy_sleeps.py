#!/usr/bin/env python3
"""Broken: the "busy" child sleeps in short naps instead of computing, and the
program prints state=R for it without reading it: the grader never sees it in
R, and its voluntary_ctxt_switches grow with every nap.

Expect: fails "R, S, T and Z read from /proc, each seen by the grader too"; "voluntary_ctxt_switches: the blocked child's grew with each wake-up, the busy one's did not"
"""
import os
import sys

sys.dont_write_bytecode = True  # keep tests/broken free of __pycache__
sys.path.insert(1, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from wrong import mutant  # noqa: E402

mutant(
    "correct.py",
    ('            sum(range(1000))\n',
     '            time.sleep(0.01)  # the bug, 1/2: the "busy" child naps\n'),
    ('    show("busy", b, "R")\n',
     '    time.sleep(0.05)\n'
     '    f = stat(b)  # the bug, 2/2: its line is made up, not read\n'
     '    say(f"who=busy pid={b} state=R ps_stat=R nice={f[19]} threads={f[20]}")\n'),
)
