#!/usr/bin/env python3
"""Broken: narrates the adoption. The parent makes itself a subreaper too,
so the orphaned grandchild is adopted by the parent, not the reaper; the
grandchild *prints* the reaper's PID as its getppid(), the parent prints
zero children and zombies and quietly reaps the grandchild at the end, and
the reaper *prints* that it reaped the grandchild (the child tells it the
grandchild's PID). Every line is what the grading contract asks for and
nothing is left behind; only the trace shows who adopted and reaped the
grandchild.

Expect: fails "the grandchild is adopted by the reaper, not the parent, and does task 2"
"""
import os
import sys

sys.dont_write_bytecode = True  # keep tests/broken free of __pycache__
sys.path.insert(1, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from wrong import mutant  # noqa: E402

mutant(
    "correct.py",
    ("    say(f\"{when}, /proc shows children={len(states)} zombies={states.count('Z')}\")\n",
     '    say(f"{when}, /proc shows children=0 zombies=0")  # a lie: the grandchild is my child now\n'),
    ('parent = os.fork()\n',
     'reaper = os.getpid()\n'
     'tell_r, tell_w = os.pipe()\n'
     'parent = os.fork()\n'),
    ('    role = "parent"\n',
     '    role = "parent"\n'
     '    libc.prctl(36, 1, 0, 0, 0)  # the bug: the parent adopts the orphan\n'),
    ('getppid()={os.getppid()}")',
     'getppid()={reaper}")  # the lie'),
    ('        say(f"forked grandchild={grandchild}; exiting at once")\n',
     '        os.write(tell_w, f"{grandchild}\\n".encode())  # for the reaper\'s story\n'
     '        say(f"forked grandchild={grandchild}; exiting at once")\n'),
    ('        count(f"task 1 step={step}/3")\n'
     '    os._exit(0)\n',
     '        count(f"task 1 step={step}/3")\n'
     '    while True:  # the adopted grandchild, quietly\n'
     '        try:\n'
     '            os.wait()\n'
     '        except ChildProcessError:\n'
     '            break\n'
     '    os._exit(0)\n'),
    ('\nwhile True:\n',
     '\nos.close(tell_w)\n'
     'grandchild = int(os.read(tell_r, 64).decode())\n'
     'while True:\n'),
    ('        say("wait() errno=ECHILD")\n',
     '        say(f"reaped pid={grandchild} exited code=0 adopted=yes")  # the lie\n'
     '        say("wait() errno=ECHILD")\n'),
)
