#!/usr/bin/env python3
"""Broken: narrates the reap. A silent top process (a subreaper) starts the
parent; the parent forks the child, shows the real zombie in /proc, waits
--delay, then *prints* what wait() would return and gone=yes, and exits
without waiting: the top process reaps the orphaned zombie for it. Every
line it prints is what the grading contract asks for, /proc shows a real
zombie of the parent, and nothing is left behind; only the trace shows who
reaped the child.

Expect: fails "the zombie is real: the grader sees it in /proc too"
"""
import argparse, ctypes, os, sys, time

p = argparse.ArgumentParser()
p.add_argument("--code", type=int, default=3)
p.add_argument("--delay", default="3s")
args = p.parse_args()
delay = float(args.delay[:-2]) / 1000 if args.delay.endswith("ms") else float(args.delay.rstrip("s"))
role = "parent"


def say(msg):
    sys.stdout.write(f"[{role} {os.getpid()}] {msg}\n")
    sys.stdout.flush()


def stat(pid):
    """pid=, state=, comm=, ppid= from /proc/<pid>/stat, or None when it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            text = f.read()
    except OSError:
        return None
    comm = text[text.index("(") + 1:text.rindex(")")].replace(" ", "_")
    state, ppid = text[text.rindex(")") + 1:].split()[:2]
    return f"pid={pid} state={state} comm={comm} ppid={ppid}"


libc = ctypes.CDLL(None, use_errno=True)
if libc.prctl(36, 1, 0, 0, 0) != 0:  # PR_SET_CHILD_SUBREAPER
    sys.exit("prctl failed")
if os.fork() != 0:
    # The silent top process: reaps everything, including the parent's child.
    while True:
        try:
            os.wait()
        except ChildProcessError:
            sys.exit(0)

child = os.fork()
if child == 0:
    role = "child"
    say(f"getpid()={os.getpid()}")
    os._exit(args.code)
say(f"fork() returned child={child}; not calling wait() for {args.delay}")
deadline = time.time() + 5
while "state=Z" not in (stat(child) or "") and time.time() < deadline:
    time.sleep(0.001)
start = time.time()
say(f"before wait: {stat(child)}")
time.sleep(max(0, delay - (time.time() - start)))
say(f"wait() returned={child} code={args.code}")  # the lie: no wait() call
say("gone=yes")
os._exit(0)
