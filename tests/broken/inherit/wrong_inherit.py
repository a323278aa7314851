"""What the wrong inherit programs beside it share: the command line, the
records and the receiving, and the lab's four steps done right. Each
program runs the four steps in order and writes the one it gets wrong
itself.
"""
import os
import socket
import tempfile
import time

import wrong
from wrong import become, options, say

RECORD = 32


def command_line():
    return options(writes=3, datagrams=6, dir=tempfile.gettempdir(), hold="1s")


def write_records(fd, n, which):
    """Write `n` records of RECORD bytes through `fd` and say where they went."""
    start = os.lseek(fd, 0, os.SEEK_CUR)
    for i in range(1, n + 1):
        os.write(fd, f"{wrong.role} pid={os.getpid()} n={i}".ljust(RECORD - 1).encode() + b"\n")
    say(f"file={which} writes={n} from={start} now={os.lseek(fd, 0, os.SEEK_CUR)}")


def inode(sock):
    return os.readlink(f"/proc/self/fd/{sock.fileno()}")[len("socket:["):-1]


def receive(sock):
    """Say each datagram `sock` receives, until `end` (or, with a timeout set, silence)."""
    while True:
        try:
            data = sock.recv(64).decode()
        except socket.timeout:
            return
        if data == "end":
            return
        say(f"received {data} socket_inode={inode(sock)}")


def child(body):
    """Fork a child that runs `body` and exits; the parent gets its PID."""
    pid = os.fork()
    if pid == 0:
        become("child")
        try:
            body()
        finally:
            os._exit(0)
    return pid


def file_before(args):
    """A file opened before fork: one offset, the parent's records after the child's."""
    before = os.path.join(args.dir, "inherit-before.txt")
    fd = os.open(before, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o644)
    os.waitpid(child(lambda: write_records(fd, args.writes, "before")), 0)
    write_records(fd, args.writes, "before")
    os.close(fd)


def file_after(args):
    """The same file opened after fork by each: two offsets, the parent's records over the child's."""
    after = os.path.join(args.dir, "inherit-after.txt")
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
    os.waitpid(child(lambda: write_records(os.open(after, flags, 0o644), args.writes, "after")), 0)
    fd = os.open(after, os.O_WRONLY)
    write_records(fd, args.writes, "after")
    os.close(fd)


def send_datagrams(args, port):
    """After --hold, K datagrams to `port`, then two `end`s (one for each receiver)."""
    time.sleep(args.hold)
    sender = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    for i in range(1, args.datagrams + 1):
        sender.sendto(f"datagram={i}".encode(), ("127.0.0.1", port))
    sender.sendto(b"end", ("127.0.0.1", port))
    sender.sendto(b"end", ("127.0.0.1", port))


def socket_before(args):
    """A UDP socket bound before fork: one socket, each datagram read by one of the two."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    c = child(lambda: receive(sock))
    say(f"bound port={port} socket_inode={inode(sock)}")
    send_datagrams(args, port)
    receive(sock)
    os.waitpid(c, 0)
    sock.close()


def bind_after():
    """A socket bound after fork to the parent's port: EADDRINUSE in the child."""
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
