"""What the wrong fork-order programs beside it share: the command line and
the lab's steps done right (pinning, one run of a fork and two lines into a
pipe, which line came first, the histogram, the lines at the end). Each
program runs the steps and writes the one it gets wrong itself, or hands it
to `runs`.
"""
import os
import time

from wrong import become, options, say, tag


def command_line():
    return options(runs=100, one_cpu=False, sync=False, lines=5, gap="200ms")


def pin(args):
    """With --one-cpu, pin this process (and the children it will fork) to the CPU it runs on."""
    if args.one_cpu:
        os.sched_setaffinity(0, {os.sched_getcpu() if hasattr(os, "sched_getcpu") else min(os.sched_getaffinity(0))})
    say(f"cpus_allowed={sorted(os.sched_getaffinity(0))}")


def mark(w, run, who):
    """One write of one tagged line into the pipe `w`."""
    os.write(w, f"{tag()} run={run} {who} wrote\n".encode())


def fork_child(w, run):
    """A child that writes its line into `w` and exits; its PID."""
    child = os.fork()
    if child == 0:
        become("child")
        mark(w, run, "child")
        os._exit(0)
    return child


def one_run(run, args, w):
    """Fork a child; both write a line into `w` (with --sync, the parent only once the child has ended)."""
    child = fork_child(w, run)
    if args.sync:
        os.waitpid(child, 0)
    mark(w, run, "parent")
    if not args.sync:
        os.waitpid(child, 0)
    return child


def first_of(lines):
    """Whose line came first in the pipe."""
    return "child" if lines and lines[0].startswith("[child") else "parent"


def runs(args, one_run=one_run, first_of=first_of):
    """--runs runs: show each run's lines from the pipe and whose came first, then the histogram."""
    counts = {"parent": 0, "child": 0}
    for run in range(1, args.runs + 1):
        r, w = os.pipe()
        child = one_run(run, args, w)
        os.close(w)
        arrived = b""
        while chunk := os.read(r, 4096):
            arrived += chunk
        os.close(r)
        lines = arrived.decode().splitlines()
        for line in lines:
            say(f"pipe: {line}")
        first = first_of(lines)
        counts[first] += 1
        say(f"run={run} child={child} first={first}")
    say(f"runs={args.runs} parent_first={counts['parent']} child_first={counts['child']}")


def last_lines(args):
    """A child and the parent each say --lines lines, --gap apart."""
    child = os.fork()
    if child == 0:
        become("child")
    for i in range(1, args.lines + 1):
        say(f"line={i}")
        time.sleep(args.gap)
    if child == 0:
        os._exit(0)
    os.waitpid(child, 0)
