#!/usr/bin/env python3
"""Broken: not one socket: parent and child each bind their own socket to the port
with SO_REUSEPORT. The datagrams are shared out, but there are two sockets,
two inodes in /proc/PID/fd.

Expect: fails "a UDP socket bound before fork is one socket: each datagram reaches exactly one process"
"""
import sys

sys.dont_write_bytecode = True  # keep tests/broken free of __pycache__
import correct  # noqa: E402

correct.main(bug="reuseport")
