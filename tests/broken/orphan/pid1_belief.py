#!/usr/bin/env python3
"""Broken: believes orphans always go to PID 1: prints adopted_by=1 instead
of the adopter it sees.

Expect: fails "the orphan is adopted by the reaper, not by PID 1"
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
if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
    sys.exit("prctl failed")
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
        say(f"ppid_after={adopter} adopted_by=1 comm=init "
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
