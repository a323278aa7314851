#!/usr/bin/env python3
"""Control: a correct pids lab in Python, as a student could write it.

Not broken: the grader must give it full marks, which shows that the broken
programs beside it fail for their bug only.
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
say(f"fork() returned child={child}")
told = os.read(r, 64).decode()
say(f"child_said={told} pid_match={'yes' if told == str(child) else 'no'}")
pid, status = os.waitpid(child, 0)
say(f"waitpid returned={pid} exited code={os.waitstatus_to_exitcode(status)}")
