#!/usr/bin/env python3
"""Broken: output duplicated by exit after fork, in the pids lab.

Written with plain print() (block-buffered when stdout is a pipe, as under
the grader) and a child that ends with sys.exit(0) instead of os._exit(0).
The parent's first line is still in its buffer at the fork, so the child's
copy of the buffer holds it too and the child's exit writes it again: the
parent's line appears twice, once written by the child. Every fact is right.

Expect: fails "runs and exits 0, leaving no process behind"
"""
import os
import sys
import time

sys.dont_write_bytecode = True  # keep tests/broken free of __pycache__
sys.path.insert(1, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from wrong import become, options, say, tag  # noqa: E402

args = options(delay="1s", lie=0)
me = os.getpid()
print(f"{tag()} getpid()={me} getppid()={os.getppid()}")
r, w = os.pipe()
pid = os.fork()
if pid == 0:
    become("child")
    os.close(r)
    mine, ppid = os.getpid(), os.getppid()
    print(f"{tag()} getpid()={mine} getppid()={ppid}")
    print(f"{tag()} ppid_match={'yes' if ppid == me else 'no'}")
    os.write(w, str(mine + args.lie).encode())
    os.close(w)
    time.sleep(args.delay)
    sys.exit(0)  # the bug: exit() flushes the buffer copied from the parent
os.close(w)
print(f"{tag()} fork() returned child={pid}")
said = os.read(r, 100).decode()
os.close(r)
print(f"{tag()} child_said={said} pid_match={'yes' if said == str(pid) else 'no'}")
done, status = os.waitpid(pid, 0)
print(f"{tag()} waitpid returned={done} code={os.WEXITSTATUS(status)}")
