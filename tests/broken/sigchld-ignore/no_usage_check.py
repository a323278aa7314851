#!/usr/bin/env python3
"""Broken: does not check --children: 0 forks nothing and exits 0, 65 forks
65 children. Everything else is right.

Expect: fails "a bad --children is a usage error (exit 2)"
"""
import os
import signal
import sys
import time

sys.dont_write_bytecode = True  # keep tests/broken free of __pycache__
sys.path.insert(1, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from wrong import become, count_children, options, say, sigchld_ignored, stat, wait_until  # noqa: E402

args = options(children=3, delay="1s", code=0, default=False)
# the bug: no check that 1 <= --children <= 64
if not args.default:
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)
say(f"SIGCHLD ignored={'yes' if sigchld_ignored() else 'no'}")
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
if not args.default:
    wait_until(lambda: not any(stat(p) for p in pids), args.delay + 5)
    say(f"/proc entries gone={sum(1 for p in pids if not stat(p))} of {len(pids)} children")
else:
    wait_until(lambda: all(stat(p) and stat(p)[0] == "Z" for p in pids), args.delay + 5)
    count_children()
    for p in pids:
        _, status = os.waitpid(p, 0)
        say(f"reaped pid={p} exited code={os.waitstatus_to_exitcode(status)}")
count_children()
try:
    os.wait()
    say("wait() returned a child")
except ChildProcessError:
    say("wait() errno=ECHILD")
