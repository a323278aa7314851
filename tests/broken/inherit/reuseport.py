#!/usr/bin/env python3
"""Broken: not one socket: parent and child each bind their own socket to the port
with SO_REUSEPORT. The datagrams are shared out, but there are two sockets,
two inodes in /proc/PID/fd.

Expect: fails "a UDP socket bound before fork is one socket: each datagram reaches exactly one process"
"""
import os
import sys

sys.dont_write_bytecode = True  # keep tests/broken free of __pycache__
sys.path.insert(1, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import socket  # noqa: E402

from wrong_inherit import bind_after, child, command_line, file_after, file_before, inode, receive, send_datagrams  # noqa: E402
from wrong import say  # noqa: E402

args = command_line()


def socket_before():
    """The bug: two sockets sharing a port (SO_REUSEPORT), each bound after fork."""
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()

    def bound():
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        s.bind(("127.0.0.1", port))
        s.settimeout(1)  # an `end` may never come to one of the two
        return s

    def child_sock():
        s = bound()
        say(f"socket_inode={inode(s)}")
        receive(s)
    c = child(child_sock)
    sock = bound()
    say(f"bound port={port} socket_inode={inode(sock)}")
    send_datagrams(args, port)
    receive(sock)
    os.waitpid(c, 0)
    sock.close()


file_before(args)
file_after(args)
socket_before()
bind_after()
