#!/usr/bin/env python3
"""Broken: the child falls through into the parent's code.

Expect: fails "runs and exits 0, leaving no process behind"

The child's branch has no os._exit() at its end, so the child goes on with
the code after the `if`: it prints the parent's lines under its own tag
(fork() returned child=0) and waits for a child it does not have. Each
process prints its own lines and flushes them, so nothing is printed twice.
"""
import ctypes
import os
import sys
import time


def arg(name, default):
    return sys.argv[sys.argv.index(name) + 1] if name in sys.argv else default


def seconds(text):
    return float(text[:-2]) / 1000 if text.endswith("ms") else float(text.rstrip("s"))


start = int(arg("--start", "1"))
child_value = int(arg("--child-value", "10000"))
delay = seconds(arg("--delay", "1s"))

a = ctypes.c_long(start)
s = ctypes.create_string_buffer(b"made-by-parent")
v = (ctypes.c_long * 3)(start, 2, 3)
role = "parent"


def show(what):
    print(f"[{role} {os.getpid()}] {what}: a={a.value} a_addr={hex(ctypes.addressof(a))} "
          f"s={s.value.decode()} s_addr={hex(ctypes.addressof(s))} "
          f"v={list(v)} v_addr={hex(ctypes.addressof(v))}", flush=True)


show("before fork")
pid = os.fork()
if pid == 0:
    role = "child"
    show("my copies after fork")
    a.value = child_value
    s.value = s.value.upper()
    v[0] = child_value
    show("changed my copies")
    time.sleep(delay)
    # the bug: no os._exit(0) here

print(f"[{role} {os.getpid()}] fork() returned child={pid}", flush=True)
try:
    pid, status = os.waitpid(pid, 0)
    print(f"[{role} {os.getpid()}] child {pid} ended, code={os.WEXITSTATUS(status)}", flush=True)
except ChildProcessError as e:
    print(f"[{role} {os.getpid()}] waitpid failed: {e}", flush=True)
show("after the child ended")
