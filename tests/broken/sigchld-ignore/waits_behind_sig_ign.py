#!/usr/bin/env python3
"""Broken: ignores SIGCHLD only for show. It sets SIG_IGN before forking
(so /proc shows SIGCHLD ignored while the children live), but puts the
default back before they end (they wait on a pipe for it) and reaps each
one quietly with waitpid; then its wait() really fails with ECHILD. Every
line it prints is what the grading contract asks for, and every /proc look
agrees; only the trace shows that wait() returned the children and the
kernel reaped none.

Expect: fails "SIG_IGN: wait() then fails with ECHILD"
"""
import os
import sys

sys.dont_write_bytecode = True  # keep tests/broken free of __pycache__
sys.path.insert(1, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from wrong import mutant  # noqa: E402

mutant(
    "correct.py",
    ('pids = []\n',
     'go_r, go_w = os.pipe()\n'
     'pids = []\n'),
    ('        time.sleep(delay)\n',
     '        os.close(go_w)\n'
     '        time.sleep(delay)\n'
     '        os.read(go_r, 1)  # ends only once the parent has put SIG_DFL back\n'),
    ('    while any(stat(p) for p in pids) and time.time() < deadline:\n'
     '        time.sleep(0.001)\n',
     '    time.sleep(delay / 2)  # SIGCHLD ignored while the children live...\n'
     '    signal.signal(signal.SIGCHLD, signal.SIG_DFL)  # the bug: ...but not when they end\n'
     '    os.close(go_w)\n'
     '    for p in pids:\n'
     '        os.waitpid(p, 0)  # quietly reaped\n'),
    ('else:\n    while not all(',
     'else:\n    os.close(go_w)\n    while not all('),
)
