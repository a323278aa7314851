#!/usr/bin/env python3
"""Broken: waits for the child first and only then reads its /proc entry,
which is gone by then: it never sees the zombie (and says so honestly). The
grader must fail "parent reads the child's state Z, comm and ppid from
/proc" and "the zombie is real: the grader sees it in /proc too".

Expect: fails "parent reads the child's state Z, comm and ppid from /proc"; "the zombie is real: the grader sees it in /proc too"
"""
import argparse, os, sys, time

p = argparse.ArgumentParser()
p.add_argument("--code", type=int, default=3)
p.add_argument("--delay", default="3s")
args = p.parse_args()
delay = float(args.delay[:-2]) / 1000 if args.delay.endswith("ms") else float(args.delay.rstrip("s"))
role = "parent"


def say(msg):
    sys.stdout.write(f"[{role} {os.getpid()}] {msg}\n")
    sys.stdout.flush()


def stat(pid):
    """pid=, state=, comm=, ppid= from /proc/<pid>/stat, or None when it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            text = f.read()
    except OSError:
        return None
    comm = text[text.index("(") + 1:text.rindex(")")].replace(" ", "_")
    state, ppid = text[text.rindex(")") + 1:].split()[:2]
    return f"pid={pid} state={state} comm={comm} ppid={ppid}"


child = os.fork()
if child == 0:
    role = "child"
    say(f"getpid()={os.getpid()}")
    os._exit(args.code)
say(f"fork() returned child={child}; not calling wait() for {args.delay}")
pid, status = os.waitpid(child, 0)  # the bug: reaps before looking
say(f"wait() returned={pid} code={os.waitstatus_to_exitcode(status)}")
say(f"after wait: {stat(child) or f'pid={child} state=none'}")
say(f"gone={'yes' if stat(child) is None else 'no'}")
