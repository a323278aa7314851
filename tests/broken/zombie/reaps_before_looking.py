#!/usr/bin/env python3
"""Broken: waits for the child first and only then reads its /proc entry,
which is gone by then: it never sees the zombie (and says so honestly). The
grader must fail "parent reads the child's state Z, comm and ppid from
/proc" and "the zombie is real: the grader sees it in /proc too".

Expect: fails "parent reads the child's state Z, comm and ppid from /proc"; "the zombie is real: the grader sees it in /proc too"
"""
import os
import sys

sys.dont_write_bytecode = True  # keep tests/broken free of __pycache__
sys.path.insert(1, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from wrong import become, described, options, say, stat  # noqa: E402

args = options(code=3, delay="3s")
child = os.fork()
if child == 0:
    become("child")
    say(f"getpid()={os.getpid()}")
    os._exit(args.code)
say(f"fork() returned child={child}; not calling wait() for {args.delay}s")
pid, status = os.waitpid(child, 0)  # the bug: reaps before looking
say(f"wait() returned={pid} code={os.waitstatus_to_exitcode(status)}")
say(f"after wait: {described(child) or f'pid={child} state=none'}")
say(f"gone={'yes' if stat(child) is None else 'no'}")
