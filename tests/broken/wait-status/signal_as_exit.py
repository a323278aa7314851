#!/usr/bin/env python3
"""Broken: decodes every status as a normal exit (WEXITSTATUS = raw >> 8), so
a child killed by a signal shows WIFEXITED=true. The grader must fail "a
signal shows as WIFSIGNALED and WTERMSIG".

Expect: fails "a signal shows as WIFSIGNALED and WTERMSIG"
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
say(f"wait returned={pid} raw={raw}")
if True:  # the bug: never looks at WIFSIGNALED
    say(f"WIFEXITED=true WEXITSTATUS={os.WEXITSTATUS(raw)} WIFSIGNALED=false")
else:
    say(f"WIFEXITED=false WIFSIGNALED=true WTERMSIG={os.WTERMSIG(raw)}")
