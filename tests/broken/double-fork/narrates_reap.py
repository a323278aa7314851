#!/usr/bin/env python3
"""Broken: narrates the parent's reap. The parent never waits for its child:
it *prints* `reaped child=C exited code=0` and zero zombies while the child
stays its zombie, and when the parent ends, the reaper adopts the zombie and
reaps it without a word (the parent tells it the child's PID). Every line it
prints is what the grading contract asks for, the child exits at once, and
nothing is left behind; only the trace shows who reaped the child.

Expect: fails "the parent reaps its child, which exits at once"
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

tell_r, tell_w = os.pipe()
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
    say(f"forked child={child}; waiting for it")
    os.write(tell_w, f"{child}\n".encode())  # for the reaper, to keep quiet about it
    say(f"reaped child={child} exited code=0")  # the lie: no wait
    say("after the reap, /proc shows children=0 zombies=0")
    for step in (1, 2, 3):
        time.sleep(task1 / 3)
        say(f"task 1 step={step}/3, /proc shows children=0 zombies=0")
    os._exit(0)

os.close(tell_w)
quiet = int(os.read(tell_r, 64).decode().split()[0])
while True:
    try:
        pid, status = os.wait()
    except ChildProcessError:
        say("wait() errno=ECHILD")
        break
    if pid == quiet:
        continue
    say(f"reaped pid={pid} exited code={os.waitstatus_to_exitcode(status)} "
        f"adopted={'no' if pid == parent else 'yes'}")
