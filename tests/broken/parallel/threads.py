#!/usr/bin/env python3
"""Broken: uses threads, not processes: in Python the GIL lets one thread compute at
a time, so the wall time never drops, and the grader sees no worker processes.

Expect: fails "the same CPU time whatever the number of processes, which really run at once"; "with as many processes as CPUs the wall time drops, and no more CPUs are busy than exist"; "--one-core: pinned to one CPU, the wall time does not drop"
"""
import os
import sys
import threading
import time

sys.dont_write_bytecode = True  # keep tests/broken free of __pycache__
sys.path.insert(1, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from wrong_parallel import compute  # noqa: E402
from wrong import options, say  # noqa: E402

args = options(procs="1,2,4", work="2s", one_core=False)
if args.one_core:
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
say(f"nproc={os.cpu_count()} allowed={sorted(os.sched_getaffinity(0))}")
base = None
for n in [int(x) for x in args.procs.split(",")]:
    share = args.work / n
    before = time.process_time()
    start = time.monotonic()
    # the bug: threads of one process, and Python's GIL lets one compute at a time
    threads = [threading.Thread(target=compute, args=(share, time.thread_time)) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = (time.monotonic() - start) * 1000
    cpu = (time.process_time() - before) * 1000
    base = base or wall
    say(f"procs={n} wall_ms={wall:.0f} cpu_ms={cpu:.0f} speedup={base / wall:.2f} busy_cpus={cpu / wall:.2f}")
