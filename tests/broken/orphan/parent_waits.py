#!/usr/bin/env python3
"""Broken: the parent waits for its child before exiting, so the child is
never orphaned: its "ppid_after" is still its parent.

Expect: fails "the orphan is adopted by the reaper, not by PID 1"; "the reaper reaps the parent and the orphan, then wait() says ECHILD"
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
        time.sleep(delay)  # "long enough for the parent to be gone"
        adopter = os.getppid()
        say(f"ppid_after={adopter} adopted_by={adopter} comm={comm(adopter)} "
            f"subreaper={'yes' if adopter == reaper else 'no'}")
        os._exit(0)
    say(f"forked child={child}; exiting without waiting for it")
    os.waitpid(child, 0)  # the bug: the parent outlives its child
    os._exit(0)

while True:
    try:
        pid, status = os.wait()
    except ChildProcessError:
        say("wait() errno=ECHILD")
        break
    say(f"reaped pid={pid} exited code={os.waitstatus_to_exitcode(status)} "
        f"adopted={'no' if pid == parent else 'yes'}")
