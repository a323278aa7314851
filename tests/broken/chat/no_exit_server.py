#!/usr/bin/env python3
"""Broken: student_server.py with one bug: on `Q name` it tells the others
but never sends EXIT to the one who leaves. Like it, it binds the fixed
port $CHAT_PORT (else 8888).
Expect: fails "quit: EXIT to the one who leaves, a notice to the others"; "SIGTERM stops it with its admin child, leaving nothing behind"; "survives empty, unknown, non-UTF-8 and cut datagrams"; "refuses bad names: none, empty, spaces, control characters, too long"; "rejects datagrams longer than its buffer, even cut inside a character"; "ignores C and Q naming someone not logged in"; "rejects C and Q for a logged-in name from another address"; "nobody on the network can log in or speak as the administrator"; "a killed client's name is freed and the others are told"
"""
import os
import sys

sys.dont_write_bytecode = True  # keep tests/broken free of __pycache__
sys.path.insert(1, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from wrong import mutant  # noqa: E402

mutant(
    "student_server.py",
    ('s.sendto(b"EXIT", users.pop(rest))',
     'users.pop(rest)  # the bug: no EXIT for the leaving client'),
)
