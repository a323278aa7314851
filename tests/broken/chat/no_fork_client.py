#!/usr/bin/env python3
"""Broken: student_client.py done in one process: it waits for typed lines
and for datagrams with select() instead of forking a receiver. It chats;
it is not two processes.
Expect: fails "runs as two processes after the login"; "shows a notice that is not UTF-8 lossily, and goes on"; "end of input sends `Q name` and ends cleanly"; "Ctrl-C sends `Q name` and ends cleanly"; "ends cleanly even when EXIT is lost"; "no server: a clear error after a few tries, not a hang"
"""
import os, socket, sys

server = (sys.argv[1], int(sys.argv[2]))
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)


def say(role, msg):
    print(f"[{role} {os.getpid()}] {msg}", flush=True)


while True:
    say("client", "your name?")
    name = input()
    s.sendto(f"L {name}".encode(), server)
    reply, _ = s.recvfrom(4096)
    if reply == b"OK":
        break
    say("client", f"refused: {reply.decode()}")

import select  # the bug: one process, no fork

while True:
    ready, _, _ = select.select([sys.stdin, s], [], [])
    if s in ready:
        data, _ = s.recvfrom(4096)
        if data == b"EXIT":
            break
        say("client", data.decode())
    if sys.stdin in ready:
        line = sys.stdin.readline().rstrip("\n")
        if line == "quit":
            s.sendto(f"Q {name}".encode(), server)
        else:
            s.sendto(f"C {name} {line}".encode(), server)
