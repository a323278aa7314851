#!/usr/bin/env python3
"""Broken: the parent does not wait for its child: it prints its values and
exits while the child still sleeps, leaving an orphan behind. The grader
must fail the basic check "runs and exits 0, leaving no process behind" (and
so report the other checks as "basic check failed").

Expect: fails "runs and exits 0, leaving no process behind"
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
    time.sleep(0.2 + delay)  # still running when the parent has exited
    show("my copies after fork")
    a.value = args.child_value
    s.value = s.value.upper()
    v[0] = args.child_value
    show("changed my copies")
    time.sleep(delay)
    os._exit(0)
say(f"fork() returned child={pid}; not waiting for it")
show("after the child ended")
