#!/usr/bin/env python3
"""Broken: the child ignores --delay: it ends as soon as it has written its
PID, so while the program runs there is no live child to see in /proc, at
most a zombie until the parent reaps it.

Expect: fails "the child is real: the grader sees it in /proc under the parent"
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
    # the bug: no time.sleep(args.delay)
    os._exit(0)
os.close(w)
say(f"fork() returned child={pid}")
said = os.read(r, 100).decode()
os.close(r)
say(f"child_said={said} pid_match={'yes' if said == str(pid) else 'no'}")
done, status = os.waitpid(pid, 0)
say(f"waitpid returned={done} code={os.WEXITSTATUS(status)}")
