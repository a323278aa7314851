#!/usr/bin/env python3
"""Control: a correct fork-copy, written from labs/01-fork-copy.md alone.

Expect: full marks

The values live in ctypes objects, as the handout shows: id() would not do,
because `a = 10000` makes the name point at another object; ctypes.addressof
gives the address of memory that the child changes in place.
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
          f"v={list(v)} v_addr={hex(ctypes.addressof(v))}", flush=True)


show("parent", "before fork")
pid = os.fork()
if pid == 0:
    show("child", "my copies after fork")
    a.value = child_value
    s.value = s.value.upper()
    v[0] = child_value
    show("child", "changed my copies")
    time.sleep(delay)
    os._exit(0)

print(f"[parent {os.getpid()}] fork() returned child={pid}", flush=True)
pid, status = os.waitpid(pid, 0)
print(f"[parent {os.getpid()}] child {pid} ended, code={os.WEXITSTATUS(status)}", flush=True)
show("parent", "after the child ended")
