"""What the wrong parallel programs beside it share: the command line,
computing for a given CPU time, and the lab's steps done right (pinning
with --one-core, one row of the table per number of processes). Each
program runs the steps and writes the one it gets wrong itself, or hands
it to `table`.
"""
import os
import resource
import time

from wrong import options, say


def command_line():
    return options(procs="1,2,4", work="2s", one_core=False)


def compute(share, clock=time.process_time):
    """Compute until `clock` (this process's CPU time) has advanced by `share` seconds."""
    start = clock()
    while clock() - start < share:
        sum(range(1000))


def children_cpu():
    """The CPU time, in seconds, of this process's children that were waited for."""
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def pin(args):
    """With --one-core, pin this process (and the children it will fork) to one CPU."""
    if args.one_core:
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    say(f"nproc={os.cpu_count()} allowed={sorted(os.sched_getaffinity(0))}")


def in_processes(n, share):
    """`n` child processes, each computing for `share` seconds of CPU."""
    kids = []
    for _ in range(n):
        pid = os.fork()
        if pid == 0:
            compute(share)
            os._exit(0)
        kids.append(pid)
    for pid in kids:
        os.waitpid(pid, 0)


def table(args, share_of=lambda args, n: args.work / n, run=in_processes, cpu=children_cpu):
    """For each number of processes N of --procs: split the work, `run` it,
    and say the wall time, the CPU time (`cpu` before and after), the speed-up."""
    base = None
    for n in [int(x) for x in args.procs.split(",")]:
        share = share_of(args, n)
        before = cpu()
        start = time.monotonic()
        run(n, share)
        wall = (time.monotonic() - start) * 1000
        used = (cpu() - before) * 1000
        base = base or wall
        say(f"procs={n} wall_ms={wall:.0f} cpu_ms={used:.0f} speedup={base / wall:.2f} busy_cpus={used / wall:.2f}")
