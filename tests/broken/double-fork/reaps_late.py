#!/usr/bin/env python3
"""Broken: the parent does task 1 first and reaps its child only at the end,
so the child is a zombie during task 1 (which the parent's honest /proc
counts show).

Expect: fails "zombies=0 on every parent line after the reap"
"""
import argparse, ctypes, os, sys, time

p = argparse.ArgumentParser()
p.add_argument("--task1", default="3s")
p.add_argument("--task2", default="2s")
args = p.parse_args()
secs = lambda d: float(d[:-2]) / 1000 if d.endswith("ms") else float(d.rstrip("s"))
task1, task2 = secs(args.task1), secs(args.task2)
role = "reaper"


def say(msg):
    sys.stdout.write(f"[{role} {os.getpid()}] {msg}\n")
    sys.stdout.flush()


def my_children():
    """The states of my children, from /proc/*/stat."""
    states = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == os.getpid():
            states.append(fields[0])
    return states


def count(when):
    states = my_children()
    say(f"{when}, /proc shows children={len(states)} zombies={states.count('Z')}")


libc = ctypes.CDLL(None, use_errno=True)
if libc.prctl(36, 1, 0, 0, 0) != 0:  # PR_SET_CHILD_SUBREAPER
    sys.exit("prctl failed")
say("subreaper=yes")

parent = os.fork()
if parent == 0:
    role = "parent"
    child = os.fork()
    if child == 0:
        role = "child"
        me = os.getpid()
        grandchild = os.fork()
        if grandchild == 0:
            role = "grandchild"
            deadline = time.time() + 10
            while os.getppid() == me and time.time() < deadline:
                time.sleep(0.001)
            say(f"my parent {me} exited: getppid()={os.getppid()}")
            for step in (1, 2, 3):
                time.sleep(task2 / 3)
                say(f"task 2 step={step}/3")
            os._exit(0)
        say(f"forked grandchild={grandchild}; exiting at once")
        os._exit(0)
    say(f"forked child={child}; reaping it after task 1")
    for step in (1, 2, 3):
        time.sleep(task1 / 3)
        count(f"task 1 step={step}/3")
    pid, status = os.waitpid(child, 0)
    say(f"reaped child={pid} exited code={os.waitstatus_to_exitcode(status)}")
    count("after the reap")
    count("at the end")
    os._exit(0)

while True:
    try:
        pid, status = os.wait()
    except ChildProcessError:
        say("wait() errno=ECHILD")
        break
    say(f"reaped pid={pid} exited code={os.waitstatus_to_exitcode(status)} "
        f"adopted={'no' if pid == parent else 'yes'}")
