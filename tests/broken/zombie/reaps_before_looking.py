#!/usr/bin/env python3
"""Broken: waits for the child first and only then reads its /proc entry,
which is gone by then: it never sees the zombie (and says so honestly). The
grader must fail "parent reads the child's state Z, comm and ppid from
/proc" and "the zombie is real: the grader sees it in /proc too".

Expect: fails "parent reads the child's state Z, comm and ppid from /proc"; "the zombie is real: the grader sees it in /proc too"
"""
import os
import sys

sys.dont_write_bytecode = True  # keep tests/broken free of __pycache__
sys.path.insert(1, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from wrong import mutant  # noqa: E402

mutant(
    "correct.py",
    ('deadline = time.time() + 5\n'
     'while "state=Z" not in (stat(child) or "") and time.time() < deadline:\n'
     '    time.sleep(0.001)\n'
     'start = time.time()\n'
     'say(f"before wait: {stat(child)}")\n'
     'time.sleep(max(0, delay - (time.time() - start)))\n'
     'pid, status = os.waitpid(child, 0)\n'
     'say(f"wait() returned={pid} code={os.waitstatus_to_exitcode(status)}")\n',
     'pid, status = os.waitpid(child, 0)  # the bug: reaps before looking\n'
     'say(f"wait() returned={pid} code={os.waitstatus_to_exitcode(status)}")\n'
     "say(f\"after wait: {stat(child) or f'pid={child} state=none'}\")\n"),
)
