#!/usr/bin/env python3
"""Broken: a refused negative --nice is ignored: the program goes on at nice 0 and
exits 0, as if it had the priority it asked for.

Expect: fails "a negative --nice without privilege fails with EACCES, leaving nothing behind"
"""
import os
import sys
import time

sys.dont_write_bytecode = True  # keep tests/broken free of __pycache__
sys.path.insert(1, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from wrong_priority import WEIGHT, run_ns, show_ps, spin  # noqa: E402
from wrong import options, say  # noqa: E402

args = options(nice=10, duration="3s")
os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
r, w = os.pipe()
os.set_blocking(r, False)
normal, low = spin("normal", r, w), spin("nice", r, w)
try:
    os.setpriority(os.PRIO_PROCESS, low, args.nice)
except PermissionError:
    pass  # the bug: the program goes on as if it had worked
for who, pid in (("normal", normal), ("nice", low)):
    show_ps(who, pid)
n0, l0 = run_ns(normal), run_ns(low)
time.sleep(args.duration)
n1, l1 = run_ns(normal), run_ns(low)
os.close(w)
say(f"who=normal pid={normal} cpu_ms={(n1 - n0) / 1e6:.1f}")
say(f"who=nice pid={low} cpu_ms={(l1 - l0) / 1e6:.1f}")
say(f"ratio={(n1 - n0) / max(l1 - l0, 1):.2f} expected_ratio={WEIGHT[0] / WEIGHT.get(args.nice, 1024):.2f}")
os.waitpid(normal, 0)
os.waitpid(low, 0)
