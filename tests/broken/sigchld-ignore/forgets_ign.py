#!/usr/bin/env python3
"""Broken: never sets SIGCHLD to SIG_IGN, so its ended children stay zombies
(its honest /proc readings show them); it reaps them at the end.

Expect: fails "SIG_IGN: the children vanish from /proc, zombies=0"; "SIG_IGN: wait() then fails with ECHILD"; "SIG_IGN: the grader sees SIGCHLD ignored in /proc while the children live"
"""
import argparse, os, signal, sys, time

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
    zombies = sum(1 for s in mine if s[0] == "Z")
    say(f"/proc shows children={len(mine)} zombies={zombies}")


def sigchld_ignored():
    with open("/proc/self/status") as f:
        mask = next(int(l.split()[1], 16) for l in f if l.startswith("SigIgn:"))
    return mask >> (signal.SIGCHLD - 1) & 1 == 1


say(f"SIGCHLD ignored={'yes' if sigchld_ignored() else 'no'}")
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
deadline = time.time() + delay + 0.2
if not args.default:
    while any(stat(p) for p in pids) and time.time() < deadline:
        time.sleep(0.001)
    say(f"/proc entries gone={sum(1 for p in pids if not stat(p))} of {len(pids)} children")
else:
    while not all(stat(p) and stat(p)[0] == "Z" for p in pids) and time.time() < deadline:
        time.sleep(0.001)
    count()
    for p in pids:
        _, status = os.waitpid(p, 0)
        say(f"reaped pid={p} exited code={os.waitstatus_to_exitcode(status)}")
count()
for p in pids if not args.default else []:
    _, status = os.waitpid(p, 0)
    say(f"reaped pid={p} exited code={os.waitstatus_to_exitcode(status)}")
try:
    os.wait()
    say("wait() returned a child")
except ChildProcessError:
    say("wait() errno=ECHILD")
