#!/usr/bin/env python3
"""Broken: the parent does task 1 first and reaps its child only at the end,
so the child is a zombie during task 1 (which the parent's honest /proc
counts show).

Expect: fails "zombies=0 on every parent line after the reap"
"""
import os
import sys

sys.dont_write_bytecode = True  # keep tests/broken free of __pycache__
sys.path.insert(1, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from wrong import mutant  # noqa: E402

mutant(
    "correct.py",
    ('    say(f"forked child={child}; waiting for it")\n'
     '    pid, status = os.waitpid(child, 0)\n'
     '    say(f"reaped child={pid} exited code={os.waitstatus_to_exitcode(status)}")\n'
     '    count("after the reap")\n'
     '    for step in (1, 2, 3):\n'
     '        time.sleep(task1 / 3)\n'
     '        count(f"task 1 step={step}/3")\n',
     '    say(f"forked child={child}; reaping it after task 1")\n'
     '    for step in (1, 2, 3):\n'
     '        time.sleep(task1 / 3)\n'
     '        count(f"task 1 step={step}/3")\n'
     '    pid, status = os.waitpid(child, 0)  # the bug: the child is a zombie all through task 1\n'
     '    say(f"reaped child={pid} exited code={os.waitstatus_to_exitcode(status)}")\n'
     '    count("after the reap")\n'
     '    count("at the end")\n'),
)
