#!/usr/bin/env python3
"""Broken: prints the course's exit code 2 (raw=512) whatever the child
exited with. The grader must fail "raw status is code * 256 and WEXITSTATUS
is the code" (its --code is random).

Expect: fails "raw status is code * 256 and WEXITSTATUS is the code"; "--nohang polls return 0 until the child is reaped"
"""
import os
import sys

sys.dont_write_bytecode = True  # keep tests/broken free of __pycache__
sys.path.insert(1, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from wrong import mutant  # noqa: E402

mutant(
    "correct.py",
    ('say(f"wait returned={pid} raw={raw}")',
     'say(f"wait returned={pid} raw={512 if os.WIFEXITED(raw) else raw}")  # the bug, 1/2: the course\'s 2 * 256'),
    ('say(f"WIFEXITED=true WEXITSTATUS={os.WEXITSTATUS(raw)} WIFSIGNALED=false")',
     'say("WIFEXITED=true WEXITSTATUS=2 WIFSIGNALED=false")  # the bug, 2/2: the course\'s constant'),
)
