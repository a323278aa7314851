#!/usr/bin/env python3
"""Broken: does not split the work: every process does all of --work, so the CPU time
grows with the number of processes (and the wall time does not drop).

Expect: fails "the same CPU time whatever the number of processes, which really run at once"
"""
import os
import sys
import time

sys.dont_write_bytecode = True  # keep tests/broken free of __pycache__
sys.path.insert(1, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from wrong_parallel import children_cpu, compute  # noqa: E402
from wrong import options, say  # noqa: E402

args = options(procs="1,2,4", work="2s", one_core=False)
if args.one_core:
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
say(f"nproc={os.cpu_count()} allowed={sorted(os.sched_getaffinity(0))}")
base = None
for n in [int(x) for x in args.procs.split(",")]:
    share = args.work  # the bug: every process does all the work
    before = children_cpu()
    start = time.monotonic()
    kids = []
    for _ in range(n):
        pid = os.fork()
        if pid == 0:
            compute(share)
            os._exit(0)
        kids.append(pid)
    for pid in kids:
        os.waitpid(pid, 0)
    wall = (time.monotonic() - start) * 1000
    cpu = (children_cpu() - before) * 1000
    base = base or wall
    say(f"procs={n} wall_ms={wall:.0f} cpu_ms={cpu:.0f} speedup={base / wall:.2f} busy_cpus={cpu / wall:.2f}")
