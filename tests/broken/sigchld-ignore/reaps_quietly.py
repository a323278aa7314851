#!/usr/bin/env python3
"""Broken: never sets SIGCHLD to SIG_IGN; instead it reaps each child with
waitpid as soon as it ends, and *prints* ignored=yes. Every line it prints is
what the grading contract asks for, so only the grader's own evidence can
tell: its look at /proc/<pid>/status (SigIgn) while it runs, and the trace
(wait() returned the children; the kernel reaped none).

Expect: fails "SIG_IGN: wait() then fails with ECHILD"; "SIG_IGN: the grader sees SIGCHLD ignored in /proc while the children live"
"""
import os
import sys
import time

sys.dont_write_bytecode = True  # keep tests/broken free of __pycache__
sys.path.insert(1, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from wrong import become, count_children, options, say, stat, wait_until  # noqa: E402

args = options(children=3, delay="1s", code=0, default=False)
if not 1 <= args.children <= 64:
    print(f"--children {args.children}: must be 1 to 64", file=sys.stderr)
    sys.exit(2)
say(f"SIGCHLD ignored={'no' if args.default else 'yes'}")  # the lie, without --default
pids = []
for i in range(1, args.children + 1):
    pid = os.fork()
    if pid == 0:
        become("child")
        say(f"child {i}/{args.children}: exiting in {args.delay}s with code={args.code}")
        time.sleep(args.delay)
        os._exit(args.code)
    pids.append(pid)
say(f"forked children={len(pids)} pids={','.join(map(str, pids))}")
if args.default:  # right: wait until all are zombies, count, reap
    wait_until(lambda: all(stat(p) and stat(p)[0] == "Z" for p in pids), args.delay + 5)
    count_children()
    for p in pids:
        _, status = os.waitpid(p, 0)
        say(f"reaped pid={p} exited code={os.waitstatus_to_exitcode(status)}")
    count_children()
else:
    for pid in pids:
        os.waitpid(pid, 0)  # the bug: quietly reaped, no SIG_IGN; no zombie ever shows
    say(f"/proc entries gone={len(pids)} of {len(pids)} children")
    say("/proc shows children=0 zombies=0")
try:
    os.wait()
    say("wait() returned a child")
except ChildProcessError:
    say("wait() errno=ECHILD")
