"""A replica of the course's chat client (UDP); the wire facts give no
difference between its two published versions.

What it reproduces, from the course's wire facts: it asks for a name with
`input()`, sends `L name` and reads one reply: `OK` enters the room, any
other reply is printed and the name asked again. Then it forks, and the
roles are the reverse of the kit's: the *parent receives* (prints each
datagram as `print(data.decode() + "\n发言:", end="")`, no newline after,
no flush; stops with `sys.exit()` on `EXIT`) and the *child sends* (each
line typed at `input("发言:")` as `C name text`; `quit` sends `Q name` and
ends the child with `sys.exit("退出聊天室")`).

The known bugs and habits it keeps, on purpose:
- its output is untagged, and the notices go to a block-buffered stdout
  when stdout is a pipe (no flush): they show when the buffer fills or the
  parent ends. In a terminal each notice, which starts with a newline,
  shows on its own line after the `发言:` prompt;
- the sender, the child, ends first and nobody waits for it: it stays a
  zombie until the parent ends, then whoever adopts it must reap it;
- a notice that is not UTF-8 kills the receiver (UnicodeDecodeError);
- end of input (EOFError) or Ctrl-C (KeyboardInterrupt) ends it with a
  traceback and no `Q`: the server keeps the name;
- a lost `EXIT` leaves the receiver waiting forever; with no server, the
  login waits forever (an unconnected socket never hears of an ICMP error).

Run: python3 client.py HOST PORT
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
        text = input("发言:")
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
