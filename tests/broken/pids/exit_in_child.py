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


def arg(name, default):
    return sys.argv[sys.argv.index(name) + 1] if name in sys.argv else default


def seconds(text):
    return float(text[:-2]) / 1000 if text.endswith("ms") else float(text.rstrip("s"))


delay = seconds(arg("--delay", "1s"))
lie = int(arg("--lie", "0"))

me = os.getpid()
print(f"[parent {me}] getpid()={me} getppid()={os.getppid()}")
r, w = os.pipe()
pid = os.fork()
if pid == 0:
    os.close(r)
    mine, ppid = os.getpid(), os.getppid()
    print(f"[child {mine}] getpid()={mine} getppid()={ppid}")
    print(f"[child {mine}] ppid_match={'yes' if ppid == me else 'no'}")
    os.write(w, str(mine + lie).encode())
    os.close(w)
    time.sleep(delay)
    sys.exit(0)  # the bug: exit() flushes the buffer copied from the parent

os.close(w)
print(f"[parent {me}] fork() returned child={pid}")
said = os.read(r, 100).decode()
os.close(r)
print(f"[parent {me}] child_said={said} pid_match={'yes' if said == str(pid) else 'no'}")
done, status = os.waitpid(pid, 0)
print(f"[parent {me}] waitpid returned={done} code={os.WEXITSTATUS(status)}")
