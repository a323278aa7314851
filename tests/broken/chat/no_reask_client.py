#!/usr/bin/env python3
"""Broken: student_client.py with one bug: when the server refuses the name
it prints the reason and gives up instead of asking for another name.
Expect: fails "shows a refusal's reason and asks for another name"; "shows a notice that is not UTF-8 lossily, and goes on"; "end of input sends `Q name` and ends cleanly"; "Ctrl-C sends `Q name` and ends cleanly"; "ends cleanly even when EXIT is lost"; "no server: a clear error after a few tries, not a hang"
"""
import os
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
    sys.exit(1)  # the bug: does not ask again

receiver = os.fork()
if receiver == 0:
    become("receiver")
    while True:
        data, _ = s.recvfrom(4096)
        if data == b"EXIT":
            os._exit(0)
        say(data.decode())

while True:
    line = input()
    if line == "quit":
        s.sendto(f"Q {name}".encode(), server)
        os.waitpid(receiver, 0)
        break
    s.sendto(f"C {name} {line}".encode(), server)
