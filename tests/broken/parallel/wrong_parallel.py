"""What the wrong parallel programs beside it share: computing for a given
CPU time, and the CPU time of the children that ended.
"""
import resource
import time


def compute(share, clock=time.process_time):
    """Compute until `clock` (this process's CPU time) has advanced by `share` seconds."""
    start = clock()
    while clock() - start < share:
        sum(range(1000))


def children_cpu():
    """The CPU time, in seconds, of this process's children that were waited for."""
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime
