#!/usr/bin/env python3
"""Broken: student_client.py done in one process: it waits for typed lines
and for datagrams with select() instead of forking a receiver. It chats;
it is not two processes.
Expect: fails "runs as two processes after the login"; "shows a notice that is not UTF-8 lossily, and goes on"; "end of input sends `Q name` and ends cleanly"; "Ctrl-C sends `Q name` and ends cleanly"; "ends cleanly even when EXIT is lost"; "no server: a clear error after a few tries, not a hang"
"""
import os
import sys

sys.dont_write_bytecode = True  # keep tests/broken free of __pycache__
sys.path.insert(1, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from wrong import mutant  # noqa: E402

mutant(
    "student_client.py",
    ('import os, socket, sys\n',
     'import os, select, socket, sys\n'),
    # the bug: one process, no fork: select() waits for a datagram or a typed line
    ('receiver = os.fork()\nif receiver == 0:\n    while True:\n',
     'while True:\n    ready, _, _ = select.select([sys.stdin, s], [], [])\n    if s in ready:\n'),
    ('        say("receiver", data.decode())\n',
     '        say("client", data.decode())\n'),
    ('\nwhile True:\n    line = input()\n',
     '    if sys.stdin in ready:\n        line = sys.stdin.readline().rstrip("\\n")\n'),
    ('''    if line == "quit":
        s.sendto(f"Q {name}".encode(), server)
        os.waitpid(receiver, 0)
        break
    s.sendto(f"C {name} {line}".encode(), server)
''',
     '''        if line == "quit":
            s.sendto(f"Q {name}".encode(), server)
        else:
            s.sendto(f"C {name} {line}".encode(), server)
'''),
)
