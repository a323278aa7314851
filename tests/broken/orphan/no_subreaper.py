#!/usr/bin/env python3
"""Broken: forgets prctl(PR_SET_CHILD_SUBREAPER) (yet says subreaper=yes),
so the orphan is adopted by whatever subreaper is above the program (under
the grader: the grader's own reaper; in a terminal: often PID 1), and the
program's reaper never reaps it: the orphan is left to the grader's reaper.

Expect: fails "runs and exits 0, leaving no process behind"
"""
import argparse, ctypes, os, sys, time

p = argparse.ArgumentParser()
p.add_argument("--delay", default="1s")
args = p.parse_args()
delay = float(args.delay[:-2]) / 1000 if args.delay.endswith("ms") else float(args.delay.rstrip("s"))
role = "reaper"


def say(msg):
    sys.stdout.write(f"[{role} {os.getpid()}] {msg}\n")
    sys.stdout.flush()


def comm(pid):
    with open(f"/proc/{pid}/comm") as f:
        return f.read().strip().replace(" ", "_")


PR_SET_CHILD_SUBREAPER = 36
libc = ctypes.CDLL(None, use_errno=True)
say("subreaper=yes")
reaper = os.getpid()

parent = os.fork()
if parent == 0:
    role = "parent"
    say(f"getpid()={os.getpid()} getppid()={os.getppid()}")
    me = os.getpid()
    child = os.fork()
    if child == 0:
        role = "child"
        say(f"ppid_before={os.getppid()}")
        deadline = time.time() + delay + 10
        while os.getppid() == me and time.time() < deadline:
            time.sleep(0.001)
        adopter = os.getppid()
        say(f"ppid_after={adopter} adopted_by={adopter} comm={comm(adopter)} "
            f"subreaper={'yes' if adopter == reaper else 'no'}")
        os._exit(0)
    say(f"forked child={child}; exiting without waiting for it")
    time.sleep(delay)
    os._exit(0)

while True:
    try:
        pid, status = os.wait()
    except ChildProcessError:
        say("wait() errno=ECHILD")
        break
    say(f"reaped pid={pid} exited code={os.waitstatus_to_exitcode(status)} "
        f"adopted={'no' if pid == parent else 'yes'}")
