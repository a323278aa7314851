#!/usr/bin/env python3
"""Broken: in the before-fork case the child opens the file again by its name: a new
open file description with its own offset, so the parent's records overwrite the child's.

Expect: fails "a file opened before fork has one offset: the parent's records follow the child's"
"""
import os
import sys

sys.dont_write_bytecode = True  # keep tests/broken free of __pycache__
sys.path.insert(1, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from wrong_inherit import bind_after, child, command_line, file_after, socket_before, write_records  # noqa: E402

args = command_line()


def file_before():
    """The same file, but opened anew by the child: its own offset."""
    before = os.path.join(args.dir, "inherit-before.txt")
    fd = os.open(before, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o644)
    # the bug: "the same file", but a new open, with an offset of its own
    os.waitpid(child(lambda: write_records(os.open(before, os.O_WRONLY), args.writes, "before")), 0)
    write_records(fd, args.writes, "before")
    os.close(fd)


file_before()
file_after(args)
socket_before(args)
bind_after()
