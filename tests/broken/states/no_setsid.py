#!/usr/bin/env python3
"""Broken: the "leader" child forgets setsid(): it is no session leader, and
`ps -o stat` shows no s for it.

Expect: fails "ps -o stat shows s, l, N (and < only at negative nice) for real causes"
"""
import os
import sys

sys.dont_write_bytecode = True  # keep tests/broken free of __pycache__
sys.path.insert(1, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from wrong_states import (  # noqa: E402
    block,
    busy_step,
    child,
    finish,
    greedy_step,
    nice_step,
    rel_r,
    show,
    sleeper_step,
    threads_step,
    vfork_step,
    zombie_step,
)


def leader_step():
    """The bug: the "leader" never calls setsid()."""
    ld = child("leader", lambda: block(rel_r))
    show("leader", ld, "S")


b, busy_before = busy_step()
sleeper_step(b, busy_before)
zombie_step()
vfork_step()
leader_step()
threads_step()
nice_step()
greedy_step()
finish()
