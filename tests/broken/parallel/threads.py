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
from wrong_parallel import command_line, compute, pin, table  # noqa: E402

args = command_line()


def in_threads(n, share):
    """The bug: threads of one process, and Python's GIL lets one compute at a time."""
    threads = [threading.Thread(target=compute, args=(share, time.thread_time)) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


pin(args)
table(args, run=in_threads, cpu=time.process_time)
