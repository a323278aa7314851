#!/usr/bin/env python3
"""Broken: student_client.py done in one process: it waits for typed lines
and for datagrams with select() instead of forking a receiver. It chats;
it is not two processes.
Expect: fails "runs as two processes after the login"; "shows a notice that is not UTF-8 lossily, and goes on"; "end of input sends `Q name` and ends cleanly"; "Ctrl-C sends `Q name` and ends cleanly"; "ends cleanly even when EXIT is lost"; "no server: a clear error after a few tries, not a hang"
"""
import os
import select
import socket
import sys

sys.dont_write_bytecode = True  # keep tests/broken free of __pycache__
sys.path.insert(1, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from wrong import become, options, say  # noqa: E402

args = options("host", "port")
server = (args.host, int(args.port))
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
become("client")
while True:
    say("your name?")
    name = input()
    s.sendto(f"L {name}".encode(), server)
    reply, _ = s.recvfrom(4096)
    if reply == b"OK":
        break
    say(f"refused: {reply.decode()}")

while True:  # the bug: one process, no fork
    ready, _, _ = select.select([sys.stdin, s], [], [])
    if s in ready:
        data, _ = s.recvfrom(4096)
        if data == b"EXIT":
            break
        say(data.decode())
    if sys.stdin in ready:
        line = sys.stdin.readline().rstrip("\n")
        if line == "quit":
            s.sendto(f"Q {name}".encode(), server)
        else:
            s.sendto(f"C {name} {line}".encode(), server)
