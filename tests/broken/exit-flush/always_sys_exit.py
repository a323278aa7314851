#!/usr/bin/env python3
"""Broken: the child always ends with sys.exit(), whatever --ending says, so
the copied buffer is flushed by the child with --ending _exit too.

Expect: fails "_exit() in the child: the line arrives once"
"""
import os
import sys

sys.dont_write_bytecode = True  # keep tests/broken free of __pycache__
sys.path.insert(1, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from wrong_exit_flush import cases, command_line, now  # noqa: E402
from wrong import become, tag  # noqa: E402


def writer(w, child_exit, args):
    """Fill a buffered stream on the pipe, fork, let the child end as asked, then flush."""
    stream = open(w, "w", buffering=1 if args.line_buffered else -1)
    stream.write(f"{tag()} text={args.text} written once, before fork(), into my buffer\n")
    child = os.fork()
    if child == 0:
        become("child")
        now(w, "ending with sys.exit(0): the interpreter flushes my buffers")
        sys.exit(0)  # the bug: whatever --ending says
    os.waitpid(child, 0)
    now(w, f"child {child} ended; now I flush my own buffer")
    stream.close()


cases(command_line(), writer)
