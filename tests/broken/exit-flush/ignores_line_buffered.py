#!/usr/bin/env python3
"""Broken: ignores --line-buffered: its stream on the pipe stays block-buffered,
so with exit() the line still arrives twice.

Expect: fails "line-buffered, as on a terminal: once, even with exit()"
"""
import os
import sys

sys.dont_write_bytecode = True  # keep tests/broken free of __pycache__
sys.path.insert(1, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from wrong_exit_flush import cases, command_line, now  # noqa: E402
from wrong import become, tag  # noqa: E402


def writer(w, child_exit, args):
    """Fill a buffered stream on the pipe, fork, let the child end as asked, then flush."""
    stream = open(w, "w", buffering=-1)  # the bug: block-buffered even with --line-buffered
    stream.write(f"{tag()} text={args.text} written once, before fork(), into my buffer\n")
    child = os.fork()
    if child == 0:
        become("child")
        if child_exit:
            now(w, "ending with sys.exit(0): the interpreter flushes my buffers")
            sys.exit(0)
        now(w, "ending with os._exit(0): nothing is flushed")
        os._exit(0)
    os.waitpid(child, 0)
    now(w, f"child {child} ended; now I flush my own buffer")
    stream.close()


cases(command_line(), writer)
