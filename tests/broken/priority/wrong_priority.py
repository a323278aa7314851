"""What the wrong priority programs beside it share: the scheduler's
weights, a spinning child, and reading CPU time and ps's NI and PRI.
"""
import os
import subprocess
import time

from wrong import become, say

# The kernel's weight of each nice value (sched_prio_to_weight).
WEIGHT = {0: 1024, 1: 820, 2: 655, 3: 526, 4: 423, 5: 335, 6: 272, 7: 215, 8: 172, 9: 137,
          10: 110, 11: 87, 12: 70, 13: 56, 14: 45, 15: 36, 16: 29, 17: 23, 18: 18, 19: 15}


def run_ns(pid):
    """The CPU time `pid` has had, from /proc/<pid>/schedstat."""
    with open(f"/proc/{pid}/schedstat") as f:
        return int(f.read().split()[0])


def spin(name, stop, writer):
    """Fork a child `name` that computes until it can read from the
    non-blocking pipe end `stop` (it closes its copy of the `writer` end:
    once the parent closes its own, the read returns), then says its CPU time."""
    pid = os.fork()
    if pid == 0:
        become(name)
        os.close(writer)
        while True:
            try:
                os.read(stop, 1)
                break
            except BlockingIOError:
                for _ in range(10000):
                    pass
        say(f"cpu_s={time.process_time():.3f}")
        os._exit(0)
    return pid


def show_ps(who, pid):
    ni, pri = subprocess.run(["ps", "-o", "ni=,pri=", "-p", str(pid)], capture_output=True, text=True).stdout.split()
    say(f"who={who} pid={pid} ps_ni={ni} ps_pri={pri}")
