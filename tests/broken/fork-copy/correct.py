#!/usr/bin/env python3
"""Control: a correct fork-copy in Python, as a student could write it.

Not broken: the grader must give it full marks, which shows that the broken
programs beside it fail for their bug only. ctypes gives values that stay at
one address when changed (a Python int would be a new object each time).
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
    say(f"{what}: a={a.value} &a={hex(ctypes.addressof(a))} s={s.value.decode()} "
        f"s.as_ptr={hex(ctypes.addressof(s))} v=[{','.join(map(str, v))}] v.as_ptr={hex(ctypes.addressof(v))}")


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
