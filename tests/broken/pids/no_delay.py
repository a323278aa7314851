#!/usr/bin/env python3
"""Broken: the child ignores --delay: it ends as soon as it has written its
PID, so while the program runs there is no live child to see in /proc, at
most a zombie until the parent reaps it.

Expect: fails "the child is real: the grader sees it in /proc under the parent"
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
print(f"[parent {me}] getpid()={me} getppid()={os.getppid()}", flush=True)
r, w = os.pipe()
pid = os.fork()
if pid == 0:
    os.close(r)
    mine, ppid = os.getpid(), os.getppid()
    print(f"[child {mine}] getpid()={mine} getppid()={ppid}", flush=True)
    print(f"[child {mine}] ppid_match={'yes' if ppid == me else 'no'}", flush=True)
    os.write(w, str(mine + lie).encode())
    os.close(w)
    # the bug: no time.sleep(delay)
    os._exit(0)

os.close(w)
print(f"[parent {me}] fork() returned child={pid}", flush=True)
said = os.read(r, 100).decode()
os.close(r)
print(f"[parent {me}] child_said={said} pid_match={'yes' if said == str(pid) else 'no'}", flush=True)
done, status = os.waitpid(pid, 0)
print(f"[parent {me}] waitpid returned={done} code={os.WEXITSTATUS(status)}", flush=True)
