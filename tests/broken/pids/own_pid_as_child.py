#!/usr/bin/env python3
"""Broken: the parent prints its own PID as "what fork returned" (child=),
mistaking fork's return value. Everything else is right; the grader must
fail "child's getpid() equals the PID fork returned".
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
    pid, ppid = os.getpid(), os.getppid()
    say(f"getpid()={pid} getppid()={ppid}")
    say(f"ppid_match={'yes' if ppid == me else 'no'}")
    os.write(w, str(pid).encode())
    os.close(w)
    time.sleep(delay)
    os._exit(0)
os.close(w)
say(f"fork() returned child={os.getpid()}")  # the bug
told = os.read(r, 64).decode()
say(f"child_said={told} pid_match={'yes' if told == str(os.getpid()) else 'no'}")
pid, status = os.waitpid(child, 0)
say(f"waitpid returned={pid} exited code={os.waitstatus_to_exitcode(status)}")
