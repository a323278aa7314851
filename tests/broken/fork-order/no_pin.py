#!/usr/bin/env python3
"""Broken: ignores --one-cpu: the family may use every CPU, as the grader reads in
/proc/PID/status's Cpus_allowed_list.

Expect: fails "--one-cpu pins the family to one CPU (seen in /proc)"
"""
import sys

sys.dont_write_bytecode = True  # keep tests/broken free of __pycache__
import correct  # noqa: E402

correct.main(bug="no-pin")
