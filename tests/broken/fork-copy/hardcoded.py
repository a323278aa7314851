#!/usr/bin/env python3
"""Broken: prints the course's numbers (a=1, a=10000) whatever --start and
--child-value say. It runs cleanly; the grader must fail "child starts with
the parent's values", and every check after it (the random --start and
--child-value are not what it prints).

Expect: fails "child starts with the parent's values"; "same addresses, different values after the child's change"; "parent's values unchanged after the child ends"
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


a = ctypes.c_long(1)
s = ctypes.create_string_buffer(b"made-by-parent")
v = (ctypes.c_long * 3)(1, 2, 3)
args.child_value = 10000


def show(what):
    say(f"{what}: a={a.value} a_addr={hex(ctypes.addressof(a))} s={s.value.decode()} "
        f"s_addr={hex(ctypes.addressof(s))} v=[{','.join(map(str, v))}] v_addr={hex(ctypes.addressof(v))}")


show("before fork")
pid = os.fork()
if pid == 0:
    role = "child"
    show("my copies after fork")
    a.value = args.child_value
    s.value = s.value.upper()
    v[0] = args.child_value
    show("changed my copies")
    time.sleep(delay)
    os._exit(0)
say(f"fork() returned child={pid}")
_, status = os.waitpid(pid, 0)
say(f"child {pid} exited code={os.waitstatus_to_exitcode(status)}")
show("after the child ended")
