#!/usr/bin/env python3
"""Broken: narrates the adoption. The parent makes itself a subreaper too,
so the orphaned grandchild is adopted by the parent, not the reaper; the
grandchild *prints* the reaper's PID as its getppid(), the parent prints
zero children and zombies and quietly reaps the grandchild at the end, and
the reaper *prints* that it reaped the grandchild. Every line is what the
grading contract asks for and nothing is left behind; only the trace shows
who adopted and reaped the grandchild.

Expect: fails "the grandchild is adopted by the reaper, not the parent, and does task 2"
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

reaper = os.getpid()
tell_r, tell_w = os.pipe()
parent = os.fork()
if parent == 0:
    role = "parent"
    libc.prctl(36, 1, 0, 0, 0)  # the bug: the parent adopts the orphan
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
            say(f"my parent {me} exited: getppid()={reaper}")  # the lie
            for step in (1, 2, 3):
                time.sleep(task2 / 3)
                say(f"task 2 step={step}/3")
            os._exit(0)
        os.write(tell_w, f"{grandchild}\n".encode())  # for the reaper's story
        say(f"forked grandchild={grandchild}; exiting at once")
        os._exit(0)
    say(f"forked child={child}; waiting for it")
    pid, status = os.waitpid(child, 0)
    say(f"reaped child={pid} exited code={os.waitstatus_to_exitcode(status)}")
    say("after the reap, /proc shows children=0 zombies=0")
    for step in (1, 2, 3):
        time.sleep(task1 / 3)
        say(f"task 1 step={step}/3, /proc shows children=0 zombies=0")
    while True:  # the adopted grandchild, quietly
        try:
            os.wait()
        except ChildProcessError:
            break
    os._exit(0)

os.close(tell_w)
grandchild = int(os.read(tell_r, 64).decode().split()[0])
while True:
    try:
        pid, status = os.wait()
    except ChildProcessError:
        say(f"reaped pid={grandchild} exited code=0 adopted=yes")  # the lie
        say("wait() errno=ECHILD")
        break
    say(f"reaped pid={pid} exited code={os.waitstatus_to_exitcode(status)} "
        f"adopted={'no' if pid == parent else 'yes'}")
