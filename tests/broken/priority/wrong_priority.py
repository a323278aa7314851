"""What the wrong priority programs beside it share: the scheduler's
weights, reading CPU time and ps's NI and PRI, and the lab's steps done
right (pinning, two spinning children, renicing one, measuring them). Each
program runs the steps and writes the one it gets wrong itself.
"""
import os
import subprocess
import sys
import time

from wrong import become, options, say

# The kernel's weight of each nice value (sched_prio_to_weight).
WEIGHT = {0: 1024, 1: 820, 2: 655, 3: 526, 4: 423, 5: 335, 6: 272, 7: 215, 8: 172, 9: 137,
          10: 110, 11: 87, 12: 70, 13: 56, 14: 45, 15: 36, 16: 29, 17: 23, 18: 18, 19: 15}


def command_line():
    return options(nice=10, duration="3s")


def pin():
    """Pin this process (and the children it will fork) to one CPU."""
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})


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


def children():
    """Two spinning children, `normal` and `nice`; their PIDs and the pipe's write end that stops them."""
    r, w = os.pipe()
    os.set_blocking(r, False)
    return spin("normal", r, w), spin("nice", r, w), w


def renice(args, normal, low, w):
    """Set the `nice` child's nice value to --nice; without the privilege, say why and stop."""
    try:
        os.setpriority(os.PRIO_PROCESS, low, args.nice)
    except PermissionError as e:
        say(f"setpriority({args.nice}) failed: errno=EACCES ({e.strerror}): only root may lower nice", err=True)
        os.close(w)
        os.waitpid(normal, 0)
        os.waitpid(low, 0)
        sys.exit(1)


def measure(args, normal, low, w):
    """ps's NI and PRI of each child, their CPU times over --duration and their ratio; then stop them."""
    for who, pid in (("normal", normal), ("nice", low)):
        ni, pri = subprocess.run(["ps", "-o", "ni=,pri=", "-p", str(pid)], capture_output=True, text=True).stdout.split()
        say(f"who={who} pid={pid} ps_ni={ni} ps_pri={pri}")
    n0, l0 = run_ns(normal), run_ns(low)
    time.sleep(args.duration)
    n1, l1 = run_ns(normal), run_ns(low)
    os.close(w)
    say(f"who=normal pid={normal} cpu_ms={(n1 - n0) / 1e6:.1f}")
    say(f"who=nice pid={low} cpu_ms={(l1 - l0) / 1e6:.1f}")
    say(f"ratio={(n1 - n0) / max(l1 - l0, 1):.2f} expected_ratio={WEIGHT[0] / WEIGHT.get(args.nice, 1024):.2f}")
    os.waitpid(normal, 0)
    os.waitpid(low, 0)
