#!/usr/bin/env python3
"""Broken: ignores SIGCHLD only for show. It sets SIG_IGN before forking
(so /proc shows SIGCHLD ignored while the children live), but puts the
default back before they end and reaps each one quietly with waitpid; then
its wait() really fails with ECHILD. Every line it prints is what the
grading contract asks for, and every /proc look agrees; only the trace
shows that wait() returned the children and the kernel reaped none.

Expect: fails "SIG_IGN: wait() then fails with ECHILD"
"""
import os
import signal
import sys
import time

sys.dont_write_bytecode = True  # keep tests/broken free of __pycache__
sys.path.insert(1, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from wrong import become, count_children, options, say, sigchld_ignored, stat, wait_until  # noqa: E402

args = options(children=3, delay="1s", code=0, default=False)
if not 1 <= args.children <= 64:
    print(f"--children {args.children}: must be 1 to 64", file=sys.stderr)
    sys.exit(2)
if not args.default:
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)
say(f"SIGCHLD ignored={'yes' if sigchld_ignored() else 'no'}")
go_r, go_w = os.pipe()
pids = []
for i in range(1, args.children + 1):
    pid = os.fork()
    if pid == 0:
        become("child")
        os.close(go_w)
        say(f"child {i}/{args.children}: exiting in {args.delay}s with code={args.code}")
        time.sleep(args.delay)
        os.read(go_r, 1)  # ends only once the parent has put SIG_DFL back
        os._exit(args.code)
    pids.append(pid)
say(f"forked children={len(pids)} pids={','.join(map(str, pids))}")
if not args.default:
    time.sleep(args.delay / 2)  # SIGCHLD ignored while the children live...
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)  # the bug: ...but not when they end
    os.close(go_w)
    for p in pids:
        os.waitpid(p, 0)  # quietly reaped
    say(f"/proc entries gone={sum(1 for p in pids if not stat(p))} of {len(pids)} children")
else:
    os.close(go_w)
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
