"""A replica of the course's chat server, second published version (UDP).

What it reproduces, from the course's wire facts: requests `L name`,
`C name text`, `Q name`, split on single spaces, at most 1024 bytes read;
replies `OK`, the refusal `该用户存在`, `EXIT` to the one who quits;
notices that start with a newline: `\n欢迎'NAME'进入聊天室`, `\nNAME: TEXT`,
`\nNAME 退出聊天室`. The administrator is a forked child that reads lines
with `input("管理员消息:")` and sends `C 管理员 TEXT` over UDP to the
server's own address; this version words it like any chat line,
`\n管理员: TEXT` (the wire facts quote the first version's wording,
`\n管理员 说:TEXT`). Only the exact name `管理员` is refused.

The known bugs it keeps, on purpose (the graders must catch each one):
- `L` without a name, bytes that are not UTF-8, or a datagram longer than
  1024 bytes cut inside a character crash it (IndexError, UnicodeDecodeError);
- `Q` for a name nobody uses crashes it (`del user[name]`: KeyError), after
  telling everyone that name left;
- anyone can speak or quit as anyone (`C bob ...`, `Q bob` are believed);
- anyone can log in as `admin`, and anyone can send `C 管理员 ...`;
- a killed client keeps its name forever (nothing notices it is gone);
- no name check: spaces are cut off by the split, control characters pass;
- SIGTERM kills the server and leaves its admin child behind.

One change from the course, for the tests only: an optional first argument
is the port (the course's is fixed, 8888); with no argument this is the
course's program, bound to 0.0.0.0:8888.

Run: python3 server_v2.py [PORT]
"""
import os
import sys
from socket import AF_INET, SOCK_DGRAM, socket

ADDR = ("0.0.0.0", int(sys.argv[1]) if len(sys.argv) > 1 else 8888)

user = {}  # name -> address


def do_login(s, name, addr):
    if name in user or name == "管理员":
        s.sendto("该用户存在".encode(), addr)
        return
    s.sendto(b"OK", addr)
    msg = "\n欢迎'%s'进入聊天室" % name
    for i in user:
        s.sendto(msg.encode(), user[i])
    user[name] = addr


def do_chat(s, name, text):
    msg = "\n%s: %s" % (name, text)
    for i in user:
        if i != name:
            s.sendto(msg.encode(), user[i])


def do_quit(s, name):
    msg = "\n%s 退出聊天室" % name
    for i in user:
        if i != name:
            s.sendto(msg.encode(), user[i])
        else:
            s.sendto(b"EXIT", user[i])
    del user[name]


def do_request(s):
    while True:
        data, addr = s.recvfrom(1024)
        tmp = data.decode().split(" ")
        if tmp[0] == "L":
            do_login(s, tmp[1], addr)
        elif tmp[0] == "C":
            text = " ".join(tmp[2:])
            do_chat(s, tmp[1], text)
        elif tmp[0] == "Q":
            do_quit(s, tmp[1])


def main():
    s = socket(AF_INET, SOCK_DGRAM)
    s.bind(ADDR)
    pid = os.fork()
    if pid < 0:
        return
    elif pid == 0:
        while True:
            msg = input("管理员消息:")
            msg = "C 管理员 " + msg
            s.sendto(msg.encode(), ADDR)
    else:
        do_request(s)


if __name__ == "__main__":
    main()
