#!/usr/bin/env python3
"""Broken: uses threads, not processes: in Python the GIL lets one thread compute at
a time, so the wall time never drops, and the grader sees no worker processes.

Expect: fails "the same CPU time whatever the number of processes, which really run at once"; "with as many processes as CPUs the wall time drops, and no more CPUs are busy than exist"; "--one-core: pinned to one CPU, the wall time does not drop"
"""
import os
import sys

sys.dont_write_bytecode = True  # keep tests/broken free of __pycache__
sys.path.insert(1, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from wrong import mutant  # noqa: E402

mutant(
    "correct.py",
    ('import argparse, os, resource, time\n',
     'import argparse, os, resource, threading, time\n'),
    # each worker computes for its share of its own thread's CPU time
    ('''    start = time.process_time()
    while time.process_time() - start < share:
''',
     '''    start = time.thread_time()
    while time.thread_time() - start < share:
'''),
    ('''            pid = os.fork()
            if pid == 0:
                compute(share)
                os._exit(0)
            kids.append(pid)
''',
     '''            # the bug: threads of one process, and Python's GIL lets one compute at a time
            t = threading.Thread(target=compute, args=(share,))
            t.start()
            kids.append(t)
'''),
    ('''        for pid in kids:
            os.waitpid(pid, 0)
''',
     '''        for t in kids:
            t.join()
'''),
    # no children to measure: the CPU time is this process's own
    ('        before = children_cpu()\n',
     '        before = time.process_time()\n'),
    ('        cpu = (children_cpu() - before) * 1000\n',
     '        cpu = (time.process_time() - before) * 1000\n'),
)
