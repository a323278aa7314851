#!/usr/bin/env python3
"""Control: a correct parallel lab in Python, as a student could write it from
labs/15-parallel.md. The wrong programs beside it import it and change one step.

Expect: full marks
"""
import argparse, os, resource, sys, threading, time


def say(msg):
    os.write(1, f"[parent {os.getpid()}] {msg}\n".encode())


def seconds(text):
    return float(text[:-2]) / 1000 if text.endswith("ms") else float(text.rstrip("s"))


def compute(share, clock=time.process_time):
    start = clock()
    while clock() - start < share:
        sum(range(1000))


def children_cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def main(bug=None):
    p = argparse.ArgumentParser()
    p.add_argument("--procs", default="1,2,4")
    p.add_argument("--work", default="2s")
    p.add_argument("--one-core", action="store_true")
    args = p.parse_args()
    work = seconds(args.work)
    if args.one_core and bug != "ignores-one-core":
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    say(f"nproc={os.cpu_count()} allowed={sorted(os.sched_getaffinity(0))}")
    base = None
    for n in [int(x) for x in args.procs.split(",")]:
        share = work if bug == "no-split" else work / n
        before = time.process_time() if bug == "threads" else children_cpu()
        start = time.monotonic()
        if bug == "threads":   # threads of one process: Python's GIL lets one compute at a time
            threads = [threading.Thread(target=compute, args=(share, time.thread_time)) for _ in range(n)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
        else:
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
        cpu = ((time.process_time() if bug == "threads" else children_cpu()) - before) * 1000
        base = base or wall
        say(f"procs={n} wall_ms={wall:.0f} cpu_ms={cpu:.0f} speedup={base / wall:.2f} busy_cpus={cpu / wall:.2f}")

if __name__ == "__main__":
    main()
