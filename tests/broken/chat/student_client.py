#!/usr/bin/env python3
"""A student's chat client in the course's style, written from the handout,
run as `client.py HOST PORT`: asks for a name until the server says OK,
then forks: the child receives and prints (tagged lines), the parent reads
lines and sends them; `quit` sends `Q name` and the receiver stops at EXIT.
It has the course's features and none of the capstone's robustness: a
notice that is not UTF-8 kills its receiver; end of input or Ctrl-C end it
with a traceback and no `Q`; a lost EXIT or no server hangs it. The broken
clients beside it are this one with one feature bug each.
Expect: fails "shows a notice that is not UTF-8 lossily, and goes on"; "end of input sends `Q name` and ends cleanly"; "Ctrl-C sends `Q name` and ends cleanly"; "ends cleanly even when EXIT is lost"; "no server: a clear error after a few tries, not a hang"
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

receiver = os.fork()
if receiver == 0:
    while True:
        data, _ = s.recvfrom(4096)
        if data == b"EXIT":
            os._exit(0)
        say("receiver", data.decode())

while True:
    line = input()
    if line == "quit":
        s.sendto(f"Q {name}".encode(), server)
        os.waitpid(receiver, 0)
        break
    s.sendto(f"C {name} {line}".encode(), server)
