#!/usr/bin/env python3
"""Broken: never sets SIGCHLD to SIG_IGN; instead it reaps each child with
waitpid as soon as it ends, and *prints* ignored=yes. Every line it prints is
what the grading contract asks for, so only the grader's own evidence can
tell: its look at /proc/<pid>/status (SigIgn) while it runs, and the trace
(wait() returned the children; the kernel reaped none).

Expect: fails "SIG_IGN: wait() then fails with ECHILD"; "SIG_IGN: the grader sees SIGCHLD ignored in /proc while the children live"
"""
import argparse, os, sys, time

p = argparse.ArgumentParser()
p.add_argument("--children", type=int, default=3)
p.add_argument("--delay", default="1s")
p.add_argument("--code", type=int, default=0)
p.add_argument("--default", action="store_true")
args = p.parse_args()
delay = float(args.delay[:-2]) / 1000 if args.delay.endswith("ms") else float(args.delay.rstrip("s"))
if not 1 <= args.children <= 64:
    print(f"--children {args.children}: must be 1 to 64", file=sys.stderr)
    sys.exit(2)
role = "parent"


def say(msg):
    sys.stdout.write(f"[{role} {os.getpid()}] {msg}\n")
    sys.stdout.flush()


def stat(pid):
    """(state, ppid) of a process, or None when /proc has no entry."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return fields[0], int(fields[1])
    except OSError:
        return None


def count():
    mine = [s for s in map(stat, filter(str.isdigit, os.listdir("/proc"))) if s and s[1] == os.getpid()]
    say(f"/proc shows children={len(mine)} zombies={sum(1 for s in mine if s[0] == 'Z')}")


say(f"SIGCHLD ignored={'no' if args.default else 'yes'}")  # the lie, without --default
pids = []
for i in range(1, args.children + 1):
    pid = os.fork()
    if pid == 0:
        role = "child"
        say(f"child {i}/{args.children}: exiting in {args.delay} with code={args.code}")
        time.sleep(delay)
        os._exit(args.code)
    pids.append(pid)
say(f"forked children={len(pids)} pids={','.join(map(str, pids))}")
if args.default:  # right: wait until all are zombies, count, reap
    deadline = time.time() + delay + 5
    while not all(stat(p) and stat(p)[0] == "Z" for p in pids) and time.time() < deadline:
        time.sleep(0.001)
    count()
    for p in pids:
        _, status = os.waitpid(p, 0)
        say(f"reaped pid={p} exited code={os.waitstatus_to_exitcode(status)}")
    count()
else:
    for pid in pids:
        os.waitpid(pid, 0)  # quietly reaped: no zombie ever shows
    say(f"/proc entries gone={len(pids)} of {len(pids)} children")
    say("/proc shows children=0 zombies=0")
try:
    os.wait()
    say("wait() returned a child")
except ChildProcessError:
    say("wait() errno=ECHILD")
