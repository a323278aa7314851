#!/usr/bin/env python3
"""Broken: the child falls through into the parent's code.

Its branch has no os._exit(code) at the end, so after its delay the child
goes on with the parent's part: it prints a parent line under its own tag,
then calls os.wait() with no child of its own, and dies with a traceback and
exit code 1 instead of the code asked for. The parent's decoding is right,
so the codes it shows are 1, never C (130 to 254).

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
    # the bug: no os._exit(args.code) here
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
say(f"wait returned={pid} raw={raw}")
if os.WIFEXITED(raw):
    say(f"WIFEXITED=true WEXITSTATUS={os.WEXITSTATUS(raw)} WIFSIGNALED=false")
else:
    say(f"WIFEXITED=false WIFSIGNALED=true WTERMSIG={os.WTERMSIG(raw)}")
