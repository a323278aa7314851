#!/usr/bin/env python3
"""Broken: the parent never checks what its child reported: it prints what it
read from the pipe and pid_match=yes without comparing it with what fork
returned. With --lie N the child sends getpid() + N, and the parent still
says yes.

Expect: fails "the parent checks what the child said: --lie N gives pid_match=no"
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
    os._exit(0)
os.close(w)
say(f"fork() returned child={pid}")
said = os.read(r, 100).decode()
os.close(r)
say(f"child_said={said} pid_match=yes")  # the bug: no comparison
done, status = os.waitpid(pid, 0)
say(f"waitpid returned={done} code={os.WEXITSTATUS(status)}")
