#!/usr/bin/env python3
"""Broken: prints the course's exit code 2 (raw=512) whatever the child
exited with. The grader must fail "raw status is code * 256 and WEXITSTATUS
is the code" (its --code is random).

Expect: fails "raw status is code * 256 and WEXITSTATUS is the code"; "--nohang polls return 0 until the child is reaped"
"""
import os
import sys
import time

sys.dont_write_bytecode = True  # keep tests/broken free of __pycache__
sys.path.insert(1, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from wrong_wait_status import command_line, die_by  # noqa: E402
from wrong import become, say  # noqa: E402

args = command_line()
child = os.fork()
if child == 0:
    become("child")
    say(f"getpid()={os.getpid()}")
    time.sleep(args.delay)
    if args.sig is not None:
        die_by(args.sig)
    os._exit(args.code)
say(f"fork() returned child={child}")
if args.nohang:
    while True:
        pid, raw = os.waitpid(-1, os.WNOHANG)
        if pid:
            break
        say("waitpid(-1, WNOHANG) returned=0 (still running)")
        time.sleep(args.poll)
else:
    pid, raw = os.wait()
say(f"wait returned={pid} raw={512 if os.WIFEXITED(raw) else raw}")
if os.WIFEXITED(raw):
    say("WIFEXITED=true WEXITSTATUS=2 WIFSIGNALED=false")  # the bug: the course's constant
else:
    say(f"WIFEXITED=false WIFSIGNALED=true WTERMSIG={os.WTERMSIG(raw)}")
