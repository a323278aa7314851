#!/usr/bin/env python3
"""Control: a correct fork-order lab in Python, as a student could write it from
labs/12-fork-order.md.

Expect: full marks
"""
import argparse, os, sys, time

role = "parent"


def say(msg):
    os.write(1, f"[{role} {os.getpid()}] {msg}\n".encode())   # one write per line, at once


def seconds(text):
    return float(text[:-2]) / 1000 if text.endswith("ms") else float(text.rstrip("s"))


def main():
    global role
    p = argparse.ArgumentParser()
    p.add_argument("--runs", type=int, default=100)
    p.add_argument("--one-cpu", action="store_true")
    p.add_argument("--sync", action="store_true")
    p.add_argument("--lines", type=int, default=5)
    p.add_argument("--gap", default="200ms")
    args = p.parse_args()
    if args.one_cpu:
        os.sched_setaffinity(0, {os.sched_getcpu() if hasattr(os, "sched_getcpu") else min(os.sched_getaffinity(0))})
    say(f"cpus_allowed={sorted(os.sched_getaffinity(0))}")
    counts = {"parent": 0, "child": 0}
    for run in range(1, args.runs + 1):
        r, w = os.pipe()

        def mark(who):   # one write of one tagged line into the shared pipe
            os.write(w, f"[{role} {os.getpid()}] run={run} {who} wrote\n".encode())
        child = os.fork()
        if child == 0:
            role = "child"
            mark("child")
            os._exit(0)
        if args.sync:
            os.waitpid(child, 0)
        mark("parent")
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
    gap = seconds(args.gap)
    child = os.fork()
    if child == 0:
        role = "child"
    for i in range(1, args.lines + 1):
        say(f"line={i}")
        time.sleep(gap)
    if child == 0:
        os._exit(0)
    os.waitpid(child, 0)


if __name__ == "__main__":
    main()
