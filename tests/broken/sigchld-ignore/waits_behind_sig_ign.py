#!/usr/bin/env python3
"""Broken: ignores SIGCHLD only for show. It sets SIG_IGN before forking
(so /proc shows SIGCHLD ignored while the children live), but puts the
default back before they end and reaps each one quietly with waitpid; then
its wait() really fails with ECHILD. Every line it prints is what the
grading contract asks for, and every /proc look agrees; only the trace
shows that wait() returned the children and the kernel reaped none.

Expect: fails "SIG_IGN: wait() then fails with ECHILD"
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


if not args.default:
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)
say(f"SIGCHLD ignored={'yes' if sigchld_ignored() else 'no'}")
go_r, go_w = os.pipe()
pids = []
for i in range(1, args.children + 1):
    pid = os.fork()
    if pid == 0:
        role = "child"
        os.close(go_w)
        say(f"child {i}/{args.children}: exiting in {args.delay} with code={args.code}")
        time.sleep(delay)
        os.read(go_r, 1)  # ends only once the parent has put SIG_DFL back
        os._exit(args.code)
    pids.append(pid)
say(f"forked children={len(pids)} pids={','.join(map(str, pids))}")
deadline = time.time() + delay + 5
if not args.default:
    time.sleep(delay / 2)  # SIGCHLD ignored while the children live...
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)  # ...but not when they end
    os.close(go_w)
    for p in pids:
        os.waitpid(p, 0)  # quietly reaped
    say(f"/proc entries gone={sum(1 for p in pids if not stat(p))} of {len(pids)} children")
else:
    os.close(go_w)
    while not all(stat(p) and stat(p)[0] == "Z" for p in pids) and time.time() < deadline:
        time.sleep(0.001)
    count()
    for p in pids:
        _, status = os.waitpid(p, 0)
        say(f"reaped pid={p} exited code={os.waitstatus_to_exitcode(status)}")
count()
try:
    os.wait()
    say("wait() returned a child")
except ChildProcessError:
    say("wait() errno=ECHILD")
