#!/usr/bin/env python3
"""Broken: no vfork (nor posix_spawn): the "vforker" is a plain child blocked in
read(), state S, and the program prints state=D for it anyway.

Expect: fails "D: the parent of a vfork waits in D, seen by the grader"
"""
import os
import sys

sys.dont_write_bytecode = True  # keep tests/broken free of __pycache__
sys.path.insert(1, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from wrong import mutant  # noqa: E402

mutant(
    "correct.py",
    ('        pid = os.posix_spawn("/bin/true", ["true"], {}, file_actions=[(os.POSIX_SPAWN_OPEN, 0, fifo, os.O_RDONLY, 0)])\n'
     '        say(f"posix_spawn() returned child={pid}")\n'
     '        os.waitpid(pid, 0)\n',
     '        block(rel_r)  # the bug, 1/2: no posix_spawn, a plain child blocked in read() (state S)\n'),
    ('    show("vforker", v, "D")\n',
     '    time.sleep(0.05)\n'
     '    say(f"who=vforker pid={v} state=D ps_stat=D")  # the bug, 2/2: said to be in D, not read\n'),
    ('    os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))\n',
     ''),  # no one waits on the FIFO now (opening it would fail: ENXIO)
)
