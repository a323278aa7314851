#!/usr/bin/env python3
"""Broken: the parent opens the after-fork file with O_APPEND (Python's "a" mode): its
records go after the child's, hiding that its own offset started at 0.

Expect: fails "a file opened after fork has two offsets: the parent overwrites the child's records"
"""
import os
import sys

sys.dont_write_bytecode = True  # keep tests/broken free of __pycache__
sys.path.insert(1, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from wrong_inherit import bind_after, child, command_line, file_before, socket_before, write_records  # noqa: E402

args = command_line()


def file_after():
    """The file opened after fork by each, the parent's with O_APPEND."""
    after = os.path.join(args.dir, "inherit-after.txt")
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
    os.waitpid(child(lambda: write_records(os.open(after, flags, 0o644), args.writes, "after")), 0)
    fd = os.open(after, os.O_WRONLY | os.O_APPEND)  # the bug: appends after the child's records
    write_records(fd, args.writes, "after")
    os.close(fd)


file_before(args)
file_after()
socket_before(args)
bind_after()
