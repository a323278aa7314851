#!/usr/bin/env python3
"""Broken: no vfork (nor posix_spawn): the "vforker" is a plain child blocked in
read(), state S, and the program prints state=D for it anyway.

Expect: fails "D: the parent of a vfork waits in D, seen by the grader"
"""
import os
import sys
import time

sys.dont_write_bytecode = True  # keep tests/broken free of __pycache__
sys.path.insert(1, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from wrong_states import (  # noqa: E402
    args,
    block,
    busy_step,
    child,
    finish,
    greedy_step,
    leader_step,
    nice_step,
    rel_r,
    sleeper_step,
    threads_step,
    zombie_step,
)
from wrong import say  # noqa: E402


def vfork_step():
    """The bug: a plain child that blocks in read() (state S), said to be in D."""
    v = child("vforker", lambda: block(rel_r))
    time.sleep(0.05)
    say(f"who=vforker pid={v} state=D ps_stat=D")
    time.sleep(args.hold)


b, busy_before = busy_step()
sleeper_step(b, busy_before)
zombie_step()
vfork_step()
leader_step()
threads_step()
nice_step()
greedy_step()
finish()
