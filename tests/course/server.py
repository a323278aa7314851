"""The course's group chat server (UDP), as the course writes it.

Kept faithful on purpose, bugs included: the kit's tests use it to check
that the kit's client works with a server written this way, and that the
graders pass its features and catch its bugs (a crash on `L` without a
name or on bytes that are not UTF-8, anyone can speak as anyone, a killed
client keeps its name, the admin child is left behind).

Run: python3 server.py [HOST PORT]   (the course's is fixed: 0.0.0.0 8888)
"""
import os
import sys
from socket import AF_INET, SOCK_DGRAM, socket

HOST = sys.argv[1] if len(sys.argv) > 2 else "0.0.0.0"
PORT = int(sys.argv[2]) if len(sys.argv) > 2 else 8888
ADDR = (HOST, PORT)

user = {}  # name -> address


def do_login(s, name, addr):
    if name in user or "管理员" in name:
        s.sendto("该用户已存在".encode(), addr)
        return
    s.sendto(b"OK", addr)
    msg = "欢迎 %s 进入聊天室" % name
    for i in user:
        s.sendto(msg.encode(), user[i])
    user[name] = addr


def do_chat(s, name, text):
    msg = "%s 说:%s" % (name, text)
    for i in user:
        if i != name:
            s.sendto(msg.encode(), user[i])


def do_quit(s, name):
    msg = "%s退出了聊天室" % name
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
            if tmp[1] not in user:
                s.sendto(b"EXIT", addr)
                continue
            do_quit(s, tmp[1])


def main():
    s = socket(AF_INET, SOCK_DGRAM)
    s.bind(ADDR)
    pid = os.fork()
    if pid < 0:
        return
    elif pid == 0:
        # The administrator: each line typed becomes a chat line from 管理员,
        # sent to the server's own address like any client's.
        while True:
            msg = input("管理员消息:")
            msg = "C 管理员 " + msg
            s.sendto(msg.encode(), ADDR)
    else:
        do_request(s)


if __name__ == "__main__":
    main()
