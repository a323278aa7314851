#!/usr/bin/env python3
"""Broken: student_client.py with one bug: when the server refuses the name
it prints the reason and gives up instead of asking for another name.
Expect: fails "shows a refusal's reason and asks for another name"; "shows a notice that is not UTF-8 lossily, and goes on"; "end of input sends `Q name` and ends cleanly"; "Ctrl-C sends `Q name` and ends cleanly"; "ends cleanly even when EXIT is lost"; "no server: a clear error after a few tries, not a hang"
"""
import os
import sys

sys.dont_write_bytecode = True  # keep tests/broken free of __pycache__
sys.path.insert(1, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from wrong import mutant  # noqa: E402

mutant(
    "student_client.py",
    ('    say("client", f"refused: {reply.decode()}")\n',
     '    say("client", f"refused: {reply.decode()}")\n'
     '    sys.exit(1)  # the bug: does not ask again\n'),
)
