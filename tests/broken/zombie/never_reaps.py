#!/usr/bin/env python3
"""Broken: shows the zombie but never waits for it: the parent exits and
leaves it to be adopted and reaped by someone else. The grader must fail the
basic check "runs and exits 0, leaving no process behind".

Expect: fails "runs and exits 0, leaving no process behind"
"""
import argparse, os, sys, time

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
pid, status = child, args.code << 8  # the bug: no wait(); "it will be cleaned up"
say(f"wait() returned={pid} code={os.waitstatus_to_exitcode(status)}")
say("gone=yes")
