#!/usr/bin/env python3
"""Broken: the child falls through into the parent's code. Its branch has no
os._exit() at the end, so after its delay the child goes on with the
parent's part: it closes the pipe end it already closed, and dies there
with a Python traceback and exit code 1, which the parent's waitpid shows.

Expect: fails "runs and exits 0, leaving no process behind"
"""
import os
import sys
import time

sys.dont_write_bytecode = True  # keep tests/broken free of __pycache__
sys.path.insert(1, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from wrong import become, options, say  # noqa: E402

args = options(delay="1s", lie=0)
me = os.getpid()
say(f"getpid()={me} getppid()={os.getppid()}")
r, w = os.pipe()
pid = os.fork()
if pid == 0:
    become("child")
    os.close(r)
    mine, ppid = os.getpid(), os.getppid()
    say(f"getpid()={mine} getppid()={ppid}")
    say(f"ppid_match={'yes' if ppid == me else 'no'}")
    os.write(w, str(mine + args.lie).encode())
    os.close(w)
    time.sleep(args.delay)
    # the bug: no os._exit(0) here
os.close(w)
say(f"fork() returned child={pid}")
said = os.read(r, 100).decode()
os.close(r)
say(f"child_said={said} pid_match={'yes' if said == str(pid) else 'no'}")
done, status = os.waitpid(pid, 0)
say(f"waitpid returned={done} code={os.WEXITSTATUS(status)}")
