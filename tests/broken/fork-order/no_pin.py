#!/usr/bin/env python3
"""Broken: ignores --one-cpu: the family may use every CPU, as the grader reads in
/proc/PID/status's Cpus_allowed_list.

Expect: fails "--one-cpu pins the family to one CPU (seen in /proc)"
"""
import os
import sys

sys.dont_write_bytecode = True  # keep tests/broken free of __pycache__
sys.path.insert(1, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from wrong import say  # noqa: E402
from wrong_fork_order import command_line, last_lines, runs  # noqa: E402

args = command_line()
say(f"cpus_allowed={sorted(os.sched_getaffinity(0))}")  # the bug: --one-cpu is ignored
runs(args)
last_lines(args)
