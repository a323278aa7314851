#!/usr/bin/env python3
"""Broken: student_server.py with one bug: on `Q name` it tells the others
but never sends EXIT to the one who leaves.
Expect: fails "quit: EXIT to the one who leaves, a notice to the others"; "SIGTERM stops it with its admin child, leaving nothing behind"; "survives empty, unknown, non-UTF-8 and cut datagrams"; "refuses bad names: none, empty, spaces, control characters, too long"; "rejects datagrams longer than its buffer, even cut inside a character"; "ignores C and Q naming someone not logged in"; "rejects C and Q for a logged-in name from another address"; "nobody on the network can log in or speak as the administrator"; "a killed client's name is freed and the others are told"
"""
import os
import socket
import sys

sys.dont_write_bytecode = True  # keep tests/broken free of __pycache__
sys.path.insert(1, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from wrong import become, say  # noqa: E402

PORT = int(os.environ.get("CHAT_PORT", "8888"))
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("0.0.0.0", PORT))
become("server")
say(f"listening addr=0.0.0.0:{PORT}")

admin = os.fork()
if admin == 0:
    # The administrator: each line typed goes to the server (the parent) as `A text`.
    while True:
        try:
            line = input()
        except EOFError:
            os._exit(0)
        s.sendto(f"A {line}".encode(), ("127.0.0.1", PORT))

users = {}  # name -> address
while True:
    data, addr = s.recvfrom(4096)
    msg = data.decode()
    kind, _, rest = msg.partition(" ")
    if kind == "L":
        if rest in users:
            s.sendto("name taken, try another".encode(), addr)
            continue
        s.sendto(b"OK", addr)
        for a in users.values():
            s.sendto(f"{rest} joined the chat".encode(), a)
        users[rest] = addr
    elif kind == "C":
        name, _, text = rest.partition(" ")
        for n, a in users.items():
            if n != name:
                s.sendto(f"{name}: {text}".encode(), a)
    elif kind == "Q":
        users.pop(rest)  # the bug: no EXIT for the leaving client
        for a in users.values():
            s.sendto(f"{rest} left the chat".encode(), a)
    elif kind == "A":
        for a in users.values():
            s.sendto(f"[admin] {rest}".encode(), a)
