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
from wrong import mutant  # noqa: E402

mutant(
    "correct.py",
    ('''    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    c = child(lambda: receive(sock))
''',
     '''    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()

    def bound():  # the bug: two sockets sharing a port (SO_REUSEPORT), each bound after fork
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        s.bind(("127.0.0.1", port))
        s.settimeout(1)
        return s

    def child_sock():
        s = bound()
        say(f"socket_inode={inode(s)}")
        receive(s)
    c = child(child_sock)
    sock = bound()
'''),
    ('''        data = sock.recv(64).decode()
''',
     '''        try:
            data = sock.recv(64).decode()
        except socket.timeout:  # an `end` may never come to one of the two sockets
            return
'''),
)
