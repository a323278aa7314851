"""What the wrong programs in tests/broken/<lab>/ share: the plumbing around
a program's flow (the `[role PID]` tag, the command line, durations, /proc
readings, a subreaper that reaps and reports), written once, so that each
wrong program holds only its flow and its bug.

A wrong program imports it from the folder above its own (or from its own
folder, where it is handed in beside it), whatever the current folder:

    import os, sys
    sys.dont_write_bytecode = True  # keep tests/broken free of __pycache__
    sys.path.insert(1, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    from wrong import options, say  # noqa: E402

Most wrong programs are a control with one bug: `mutant` runs the
control of the program's own folder with a few edits made to its source,
so the file holds only the bug, as `old -> new`, and nothing else can
differ from the control:

    mutant("correct.py", ("pid_match={'yes' if said == str(pid) else 'no'}",
                          "pid_match=yes"))

What only one lab's wrong programs share is in its folder, as
wrong_<lab>.py (imported the same way). The controls (correct.py,
correct.c, student_*.py) import neither: they are written from the handouts
alone, as a student would write them.
"""
import argparse
import ctypes
import os
import signal
import sys
import time

role = "parent"


def become(name):
    """From now on, this process's lines are tagged `[name PID]`."""
    global role
    role = name


def tag():
    return f"[{role} {os.getpid()}]"


def say(msg, err=False):
    """One tagged line on stdout (stderr with `err`), flushed at once."""
    out = sys.stderr if err else sys.stdout
    out.write(f"{tag()} {msg}\n")
    out.flush()


def seconds(text):
    """A duration as the labs write it (`250ms`, `1s`, `1.5`) in seconds."""
    return float(text[:-2]) / 1000 if text.endswith("ms") else float(text.rstrip("s"))


def options(*positional, **defaults):
    """The command line: `--name VALUE` for each default (`child_value`
    is `--child-value`), typed as its default: an int; a duration (`"1s"`,
    given in seconds); a string (or None); False for a flag. Then the
    positional arguments named. Bad input is a usage error (exit 2)."""
    p = argparse.ArgumentParser()
    for name, default in defaults.items():
        flag = "--" + name.replace("_", "-")
        if default is False:
            p.add_argument(flag, action="store_true")
        elif isinstance(default, int):
            p.add_argument(flag, type=int, default=default)
        elif isinstance(default, str) and default[:1].isdigit() and default.endswith("s"):
            p.add_argument(flag, type=seconds, default=seconds(default))
        else:
            p.add_argument(flag, default=default)
    for name in positional:
        p.add_argument(name)
    return p.parse_args()


def stat(pid):
    """`(state, ppid, comm)` of a process from /proc/<pid>/stat, or None
    when it has no entry (comm with its spaces as `_`)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            text = f.read()
    except OSError:
        return None
    state, ppid = text[text.rindex(")") + 2:].split()[:2]
    return state, int(ppid), text[text.index("(") + 1:text.rindex(")")].replace(" ", "_")


def described(pid):
    """`pid=P state=S comm=C ppid=Q` from /proc, or None when it has no entry."""
    s = stat(pid)
    return s and f"pid={pid} state={s[0]} comm={s[2]} ppid={s[1]}"


def children_states(pid=None):
    """The states of the live and zombie children of `pid` (this process)."""
    pid = pid or os.getpid()
    found = (stat(p) for p in filter(str.isdigit, os.listdir("/proc")))
    return [s[0] for s in found if s and s[1] == pid]


def count_children(when=""):
    """Say how many children /proc shows, and how many are zombies."""
    states = children_states()
    say(f"{when}{', ' if when else ''}/proc shows children={len(states)} zombies={states.count('Z')}")


def sigchld_ignored():
    """Whether this process ignores SIGCHLD, from /proc/self/status."""
    with open("/proc/self/status") as f:
        mask = next(int(l.split()[1], 16) for l in f if l.startswith("SigIgn:"))
    return mask >> (signal.SIGCHLD - 1) & 1 == 1


def become_subreaper():
    """Make this process the subreaper of its descendants (PR_SET_CHILD_SUBREAPER), as `[reaper PID]`."""
    become("reaper")
    if ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0) != 0:
        sys.exit("prctl failed")
    say("subreaper=yes")


def reap_all(forked, quiet=(), before_echild=()):
    """As the subreaper: reap every process until wait() fails with ECHILD,
    saying for each whether it was adopted (not the child `forked`); the
    PIDs in `quiet` are reaped without a word, and the lines in
    `before_echild` are said just before ECHILD."""
    while True:
        try:
            pid, status = os.wait()
        except ChildProcessError:
            for line in before_echild:
                say(line)
            say("wait() errno=ECHILD")
            return
        if pid not in quiet:
            say(f"reaped pid={pid} exited code={os.waitstatus_to_exitcode(status)} "
                f"adopted={'no' if pid == forked else 'yes'}")


def wait_until(cond, limit):
    """Poll `cond` every millisecond until it holds or `limit` seconds pass."""
    end = time.time() + limit
    while not cond() and time.time() < end:
        time.sleep(0.001)


def mutated(control, *edits):
    """The source of `control` (a file in the folder of the program being
    run) with each edit `(old, new)` made: `old` must stand exactly once in
    the source as the earlier edits left it, or the program stops at once
    (exit 3) saying so, so that an edit the control no longer fits can
    never make a program that silently lacks its bug."""
    main = os.path.abspath(sys.modules["__main__"].__file__)
    path = os.path.join(os.path.dirname(main), control)
    with open(path) as f:
        source = f.read()
    for old, new in edits:
        count = source.count(old)
        if count != 1:
            sys.stderr.write(f"wrong.py: {os.path.basename(main)}: the edit's text stands {count} times "
                             f"in {control}, not once: {old!r}\n")
            sys.exit(3)
        source = source.replace(old, new)
    return path, source


def mutant(control, *edits):
    """Run `control` (see `mutated`) with the edits made, as the main
    program: its own command line, its `__name__ == "__main__"`. With
    WRONG_SOURCE=1 in the environment, print the edited source instead: a
    standalone program, as a student would hand it in (bench/class.sh)."""
    path, source = mutated(control, *edits)
    if os.environ.get("WRONG_SOURCE") == "1":
        sys.stdout.write(source)
        sys.exit(0)
    code = compile(source, path, "exec")
    exec(code, {"__name__": "__main__", "__file__": path, "__builtins__": __builtins__})
