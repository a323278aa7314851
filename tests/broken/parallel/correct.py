#!/usr/bin/env python3
"""Control: a correct parallel lab in Python, as a student could write it from
labs/15-parallel.md.

Expect: full marks
"""
import argparse, os, resource, time


def say(msg):
    os.write(1, f"[parent {os.getpid()}] {msg}\n".encode())


def seconds(text):
    return float(text[:-2]) / 1000 if text.endswith("ms") else float(text.rstrip("s"))


def compute(share):
    start = time.process_time()
    while time.process_time() - start < share:
        sum(range(1000))


def children_cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--procs", default="1,2,4")
    p.add_argument("--work", default="2s")
    p.add_argument("--one-core", action="store_true")
    args = p.parse_args()
    work = seconds(args.work)
    if args.one_core:
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    say(f"nproc={os.cpu_count()} allowed={sorted(os.sched_getaffinity(0))}")
    base = None
    for n in [int(x) for x in args.procs.split(",")]:
        share = work / n
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

if __name__ == "__main__":
    main()
