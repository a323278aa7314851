#!/usr/bin/env python3
"""Control: a correct inherit lab in Python, as a student could write it from
labs/13-inherit.md.

Expect: full marks
"""
import argparse, os, socket, sys, tempfile, time

role = "parent"
RECORD = 32


def say(msg):
    os.write(1, f"[{role} {os.getpid()}] {msg}\n".encode())


def seconds(text):
    return float(text[:-2]) / 1000 if text.endswith("ms") else float(text.rstrip("s"))


def write_records(fd, n, which):
    start = os.lseek(fd, 0, os.SEEK_CUR)
    for i in range(1, n + 1):
        os.write(fd, f"{role} pid={os.getpid()} n={i}".ljust(RECORD - 1).encode() + b"\n")
    say(f"file={which} writes={n} from={start} now={os.lseek(fd, 0, os.SEEK_CUR)}")


def inode(sock):
    return os.readlink(f"/proc/self/fd/{sock.fileno()}")[len("socket:["):-1]


def receive(sock):
    while True:
        data = sock.recv(64).decode()
        if data == "end":
            return
        say(f"received {data} socket_inode={inode(sock)}")


def child(body):
    global role
    pid = os.fork()
    if pid == 0:
        role = "child"
        try:
            body()
        finally:
            os._exit(0)
    return pid


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--writes", type=int, default=3)
    p.add_argument("--datagrams", type=int, default=6)
    p.add_argument("--dir", default=tempfile.gettempdir())
    p.add_argument("--hold", default="1s")
    args = p.parse_args()
    n = args.writes

    before = os.path.join(args.dir, "inherit-before.txt")
    fd = os.open(before, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o644)

    os.waitpid(child(lambda: write_records(fd, n, "before")), 0)
    write_records(fd, n, "before")
    os.close(fd)

    after = os.path.join(args.dir, "inherit-after.txt")
    os.waitpid(child(lambda: write_records(os.open(after, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644), n, "after")), 0)
    fd = os.open(after, os.O_WRONLY)
    write_records(fd, n, "after")
    os.close(fd)

    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    c = child(lambda: receive(sock))
    say(f"bound port={port} socket_inode={inode(sock)}")
    time.sleep(seconds(args.hold))
    sender = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    for i in range(1, args.datagrams + 1):
        sender.sendto(f"datagram={i}".encode(), ("127.0.0.1", port))
    sender.sendto(b"end", ("127.0.0.1", port))
    sender.sendto(b"end", ("127.0.0.1", port))
    receive(sock)
    os.waitpid(c, 0)
    sock.close()

    r, w = os.pipe()

    def child_bind():
        port = int(os.read(r, 16))
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            s.bind(("127.0.0.1", port))
            say(f"bind port={port} succeeded")
        except OSError as e:
            say(f"bind port={port} errno={'EADDRINUSE' if e.errno == 98 else e.errno}")
    c = child(child_bind)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    say(f"bound after fork: port={port}")
    os.write(w, str(port).encode())
    os.waitpid(c, 0)


if __name__ == "__main__":
    main()
