#!/usr/bin/env python3
"""Broken: the "busy" child sleeps in short naps instead of computing, and the
program prints state=R for it without reading it: the grader never sees it in
R, and its voluntary_ctxt_switches grow with every nap.

Expect: fails "R, S, T and Z read from /proc, each seen by the grader too"; "voluntary_ctxt_switches: the blocked child's grew with each wake-up, the busy one's did not"
"""
import os
import sys
import time

sys.dont_write_bytecode = True  # keep tests/broken free of __pycache__
sys.path.insert(1, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from wrong_states import (  # noqa: E402
    args,
    child,
    finish,
    greedy_step,
    leader_step,
    nice_step,
    sleeper_step,
    stat,
    status,
    stop_r,
    threads_step,
    vfork_step,
    zombie_step,
)
from wrong import say  # noqa: E402


def busy_step():
    """The bug: the "busy" child naps, and its line is made up, not read."""
    def busy():
        os.set_blocking(stop_r, False)
        while True:
            time.sleep(0.01)
            try:
                os.read(stop_r, 1)
                return
            except BlockingIOError:
                pass
    b = child("busy", busy)
    time.sleep(0.05)
    f = stat(b)
    say(f"who=busy pid={b} state=R ps_stat=R nice={f[19]} threads={f[20]}")
    busy_before = status(b, "voluntary_ctxt_switches")
    time.sleep(args.hold)
    return b, busy_before


b, busy_before = busy_step()
sleeper_step(b, busy_before)
zombie_step()
vfork_step()
leader_step()
threads_step()
nice_step()
greedy_step()
finish()
