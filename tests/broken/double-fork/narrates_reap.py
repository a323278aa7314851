#!/usr/bin/env python3
"""Broken: narrates the parent's reap. The parent never waits for its child:
it *prints* `reaped child=C exited code=0` and zero zombies while the child
stays its zombie, and when the parent ends, the reaper adopts the zombie and
reaps it without a word (the parent tells it the child's PID). Every line it
prints is what the grading contract asks for, the child exits at once, and
nothing is left behind; only the trace shows who reaped the child.

Expect: fails "the parent reaps its child, which exits at once"
"""
import os
import sys

sys.dont_write_bytecode = True  # keep tests/broken free of __pycache__
sys.path.insert(1, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from wrong import mutant  # noqa: E402

mutant(
    "correct.py",
    ("    say(f\"{when}, /proc shows children={len(states)} zombies={states.count('Z')}\")\n",
     '    say(f"{when}, /proc shows children=0 zombies=0")  # a lie: the child is my zombie\n'),
    ('parent = os.fork()\n',
     'tell_r, tell_w = os.pipe()\n'
     'parent = os.fork()\n'),
    ('    pid, status = os.waitpid(child, 0)\n'
     '    say(f"reaped child={pid} exited code={os.waitstatus_to_exitcode(status)}")\n',
     '    os.write(tell_w, f"{child}\\n".encode())  # for the reaper, to keep quiet about it\n'
     '    say(f"reaped child={child} exited code=0")  # the bug: a claim, no wait\n'),
    ('\nwhile True:\n',
     '\nos.close(tell_w)\n'
     'quiet = int(os.read(tell_r, 64).decode())\n'
     'while True:\n'),
    ('    say(f"reaped pid={pid} exited',
     '    if pid == quiet:\n'
     '        continue  # the child\'s zombie, adopted when the parent ended: not a word\n'
     '    say(f"reaped pid={pid} exited'),
)
