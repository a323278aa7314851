#!/usr/bin/env python3
"""Broken: student_server.py with one bug: it accepts a name already in use
(the newcomer takes the name over). Like it, it binds the fixed port
$CHAT_PORT (else 8888).
Expect: fails "refuses a name already in use, then accepts another"; "SIGTERM stops it with its admin child, leaving nothing behind"; "survives empty, unknown, non-UTF-8 and cut datagrams"; "refuses bad names: none, empty, spaces, control characters, too long"; "rejects datagrams longer than its buffer, even cut inside a character"; "ignores C and Q naming someone not logged in"; "rejects C and Q for a logged-in name from another address"; "nobody on the network can log in or speak as the administrator"; "a killed client's name is freed and the others are told"
"""
import os
import sys

sys.dont_write_bytecode = True  # keep tests/broken free of __pycache__
sys.path.insert(1, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from wrong import mutant  # noqa: E402

mutant(
    "student_server.py",
    ('''        if rest in users:
            s.sendto("name taken, try another".encode(), addr)
            continue
''',
     '        # the bug: no check that the name is free\n'),
)
