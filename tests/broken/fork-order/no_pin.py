#!/usr/bin/env python3
"""Broken: ignores --one-cpu: the family may use every CPU, as the grader reads in
/proc/PID/status's Cpus_allowed_list.

Expect: fails "--one-cpu pins the family to one CPU (seen in /proc)"
"""
import os
import sys
import time

sys.dont_write_bytecode = True  # keep tests/broken free of __pycache__
sys.path.insert(1, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from wrong import become, options, say, tag  # noqa: E402

args = options(runs=100, one_cpu=False, sync=False, lines=5, gap="200ms")
# the bug: --one-cpu is ignored
say(f"cpus_allowed={sorted(os.sched_getaffinity(0))}")
counts = {"parent": 0, "child": 0}
for run in range(1, args.runs + 1):
    r, w = os.pipe()
    child = os.fork()
    if child == 0:
        become("child")
        os.write(w, f"{tag()} run={run} child wrote\n".encode())  # one write of one line
        os._exit(0)
    if args.sync:
        os.waitpid(child, 0)
    os.write(w, f"{tag()} run={run} parent wrote\n".encode())
    if not args.sync:
        os.waitpid(child, 0)
    os.close(w)
    arrived = b""
    while chunk := os.read(r, 4096):
        arrived += chunk
    os.close(r)
    lines = arrived.decode().splitlines()
    for line in lines:
        say(f"pipe: {line}")
    first = "child" if lines and lines[0].startswith("[child") else "parent"
    counts[first] += 1
    say(f"run={run} child={child} first={first}")
say(f"runs={args.runs} parent_first={counts['parent']} child_first={counts['child']}")
child = os.fork()
if child == 0:
    become("child")
for i in range(1, args.lines + 1):
    say(f"line={i}")
    time.sleep(args.gap)
if child == 0:
    os._exit(0)
os.waitpid(child, 0)
