#!/usr/bin/env python3
"""Broken: the child makes a new integer instead of changing its copy, so
its a= lives at another address. Everything else is right; the grader must
fail "same addresses, different values after the child's change" only.

Expect: fails "same addresses, different values after the child's change"
"""
import argparse, ctypes, os, sys, time

p = argparse.ArgumentParser()
p.add_argument("--start", type=int, default=1)
p.add_argument("--child-value", type=int, default=10000)
p.add_argument("--delay", default="1s")
args = p.parse_args()
delay = float(args.delay[:-2]) / 1000 if args.delay.endswith("ms") else float(args.delay.rstrip("s"))
role = "parent"

def say(msg):
    sys.stdout.write(f"[{role} {os.getpid()}] {msg}\n")
    sys.stdout.flush()


a = ctypes.c_long(args.start)
s = ctypes.create_string_buffer(b"made-by-parent")
v = (ctypes.c_long * 3)(args.start, 2, 3)


def show(what):
    say(f"{what}: a={a.value} a_addr={hex(ctypes.addressof(a))} s={s.value.decode()} "
        f"s_addr={hex(ctypes.addressof(s))} v=[{','.join(map(str, v))}] v_addr={hex(ctypes.addressof(v))}")


show("before fork")
pid = os.fork()
if pid == 0:
    role = "child"
    show("my copies after fork")
    a = ctypes.c_long(args.child_value)  # a new object: a new address
    s.value = s.value.upper()
    v[0] = args.child_value
    show("changed my copies")
    time.sleep(delay)
    os._exit(0)
say(f"fork() returned child={pid}")
_, status = os.waitpid(pid, 0)
say(f"child {pid} exited code={os.waitstatus_to_exitcode(status)}")
show("after the child ended")
