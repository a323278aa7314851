#!/usr/bin/env python3
"""Broken: the child prints os.getpid() where getppid() belongs (and compares
that, so it says ppid_match=no). Everything else is right; the grader must
fail "child's getppid() equals the parent's getpid()".
"""
import argparse, os, sys, time

p = argparse.ArgumentParser()
p.add_argument("--delay", default="1s")
args = p.parse_args()
delay = float(args.delay[:-2]) / 1000 if args.delay.endswith("ms") else float(args.delay.rstrip("s"))
role = "parent"


def say(msg):
    sys.stdout.write(f"[{role} {os.getpid()}] {msg}\n")
    sys.stdout.flush()


me = os.getpid()
say(f"getpid()={me} getppid()={os.getppid()}")
r, w = os.pipe()
child = os.fork()
if child == 0:
    role = "child"
    os.close(r)
    pid, ppid = os.getpid(), os.getpid()  # the bug: getpid, not getppid
    say(f"getpid()={pid} getppid()={ppid}")
    say(f"ppid_match={'yes' if ppid == me else 'no'}")
    os.write(w, str(pid).encode())
    os.close(w)
    time.sleep(delay)
    os._exit(0)
os.close(w)
say(f"fork() returned child={child}")
told = os.read(r, 64).decode()
say(f"child_said={told} pid_match={'yes' if told == str(child) else 'no'}")
pid, status = os.waitpid(child, 0)
say(f"waitpid returned={pid} exited code={os.waitstatus_to_exitcode(status)}")
