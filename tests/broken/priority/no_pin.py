#!/usr/bin/env python3
"""Broken: never pins the children to one CPU: on a machine with two CPUs each gets
a CPU of its own, and nice makes no difference (a ratio near 1, not 9).

Expect: fails "both children pinned to one CPU, at nice 0 and nice N (seen in /proc)"; "CPU times follow the scheduler's weights (within 2x), measured by the grader too"
"""
import os
import sys
import time

sys.dont_write_bytecode = True  # keep tests/broken free of __pycache__
sys.path.insert(1, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from wrong_priority import WEIGHT, run_ns, show_ps, spin  # noqa: E402
from wrong import options, say  # noqa: E402

args = options(nice=10, duration="3s")
# the bug: the children are not pinned to one CPU
r, w = os.pipe()
os.set_blocking(r, False)
normal, low = spin("normal", r, w), spin("nice", r, w)
try:
    os.setpriority(os.PRIO_PROCESS, low, args.nice)
except PermissionError as e:
    say(f"setpriority({args.nice}) failed: errno=EACCES ({e.strerror}): only root may lower nice", err=True)
    os.close(w)
    os.waitpid(normal, 0)
    os.waitpid(low, 0)
    sys.exit(1)
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
