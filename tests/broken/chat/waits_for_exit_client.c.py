#!/usr/bin/env python3
"""Broken, in C: after `Q name` the sender waits for its receiver for as
long as it takes, trusting the server's EXIT to end it: when that datagram
is lost (UDP), the client never ends.

Expect: fails "ends cleanly even when EXIT is lost"
"""
import os
import sys

sys.dont_write_bytecode = True  # keep tests/broken free of __pycache__
sys.path.insert(1, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from wrong import mutant  # noqa: E402

mutant(
    "correct_client.c",
    ('''        if (waited >= EXIT_WAIT_MS) {
''',
     '''        if (0) { /* the bug: no limit: waits for the server's EXIT forever */
'''),
)
