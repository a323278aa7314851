#!/usr/bin/env python3
"""Broken: the parent waits for its child before exiting, so the child is
never orphaned: it sleeps --delay ("long enough for the parent to be
gone") instead of watching its PPID change, and its "ppid_after" is still
its parent.

Expect: fails "the orphan is adopted by the reaper, not by PID 1"; "the reaper reaps the parent and the orphan, then wait() says ECHILD"
"""
import os
import sys

sys.dont_write_bytecode = True  # keep tests/broken free of __pycache__
sys.path.insert(1, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from wrong import mutant  # noqa: E402

mutant(
    "correct.py",
    ('    time.sleep(delay)\n'
     '    os._exit(0)\n',
     '    os.waitpid(child, 0)  # the bug: the parent outlives its child\n'
     '    os._exit(0)\n'),
    ('        deadline = time.time() + delay + 10\n'
     '        while os.getppid() == me and time.time() < deadline:\n'
     '            time.sleep(0.001)\n',
     '        time.sleep(delay)  # "long enough for the parent to be gone"\n'),
)
