"""The course's group chat client (UDP), as the course writes it.

After the login the process forks: the child sends what is typed, the
parent prints what arrives. Kept faithful on purpose (output untagged, the
parent never waits for the child): the kit's tests use it to check that the
kit's server works with a client written this way.

Run: python3 -u client.py HOST PORT
"""
import os
import sys
from socket import AF_INET, SOCK_DGRAM, socket

if len(sys.argv) < 3:
    print("argv is error")
    sys.exit(1)
ADDR = (sys.argv[1], int(sys.argv[2]))


def send_msg(s, name):
    while True:
        try:
            text = input("发言:")
        except (KeyboardInterrupt, EOFError):
            text = "quit"
        if text.strip() == "quit":
            msg = "Q " + name
            s.sendto(msg.encode(), ADDR)
            sys.exit("退出聊天室")
        msg = "C %s %s" % (name, text)
        s.sendto(msg.encode(), ADDR)


def recv_msg(s):
    while True:
        data, addr = s.recvfrom(2048)
        if data.decode() == "EXIT":
            sys.exit()
        print(data.decode() + "\n发言:", end="")


def main():
    s = socket(AF_INET, SOCK_DGRAM)
    while True:
        name = input("请输入姓名:")
        msg = "L " + name
        s.sendto(msg.encode(), ADDR)
        data, addr = s.recvfrom(1024)
        if data.decode() == "OK":
            print("您已进入聊天室")
            break
        else:
            print(data.decode())
    pid = os.fork()
    if pid < 0:
        sys.exit("Error!")
    elif pid == 0:
        send_msg(s, name)
    else:
        recv_msg(s)


if __name__ == "__main__":
    main()
