#!/usr/bin/env python3
"""Broken, in C: a chat line `C name text` is forwarded for any logged-in
name, whoever sends it: the server never checks that the datagram comes
from that name's address, so anyone on the network can speak as anyone.

Expect: fails "rejects C and Q for a logged-in name from another address"
"""
import os
import sys

sys.dont_write_bytecode = True  # keep tests/broken free of __pycache__
sys.path.insert(1, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from wrong import mutant  # noqa: E402

mutant(
    "correct_server.c",
    ('''        if (i < 0 || !same_addr(&users[i].addr, from)) return; /* not logged in, or someone else */
''',
     '''        if (i < 0) return; /* the bug: not checked that the sender is that user */
'''),
)
