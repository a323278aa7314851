#!/usr/bin/env python3
"""Broken: output duplicated by exit after fork.

Expect: fails "runs and exits 0, leaving no process behind"

Written as the course writes it: plain print() (block-buffered when stdout
is a pipe, as under the grader) and a child that ends with sys.exit(0)
instead of os._exit(0). The parent's "before fork" line is still in the
buffer when it forks, so the child's copy of the buffer holds it too, and
the child's exit flushes it: the line comes out twice, once written by the
child under the parent's tag. Every fact is right otherwise.
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


def show(role, what):
    print(f"[{role} {os.getpid()}] {what}: a={a.value} a_addr={hex(ctypes.addressof(a))} "
          f"s={s.value.decode()} s_addr={hex(ctypes.addressof(s))} "
          f"v={list(v)} v_addr={hex(ctypes.addressof(v))}")


show("parent", "before fork")
pid = os.fork()
if pid == 0:
    show("child", "my copies after fork")
    a.value = child_value
    s.value = s.value.upper()
    v[0] = child_value
    show("child", "changed my copies")
    time.sleep(delay)
    sys.exit(0)  # the bug: exit() flushes the copied buffer

print(f"[parent {os.getpid()}] fork() returned child={pid}")
pid, status = os.waitpid(pid, 0)
print(f"[parent {os.getpid()}] child {pid} ended, code={os.WEXITSTATUS(status)}")
show("parent", "after the child ended")
