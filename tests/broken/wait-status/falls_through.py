#!/usr/bin/env python3
"""Broken: the child falls through into the parent's code.

Its branch has no os._exit(code) at the end, so after its delay the child
goes on with the parent's part: it prints a parent line under its own tag,
then calls os.wait() with no child of its own, and dies with a traceback and
exit code 1 instead of the code asked for. The parent's decoding is right,
so the codes it shows are 1, never C (130 to 254).

Expect: fails "raw status is code * 256 and WEXITSTATUS is the code"; "--nohang polls return 0 until the child is reaped"
"""
import argparse, os, signal, sys, time

p = argparse.ArgumentParser()
p.add_argument("--code", type=int, default=2)
p.add_argument("--signal")
p.add_argument("--delay", default="1s")
p.add_argument("--nohang", action="store_true")
p.add_argument("--poll", default="250ms")
args = p.parse_args()
secs = lambda d: float(d[:-2]) / 1000 if d.endswith("ms") else float(d.rstrip("s"))
delay, poll = secs(args.delay), secs(args.poll)


def usage(msg):
    print(f"wait-status: {msg}", file=sys.stderr)
    sys.exit(2)


if not 0 <= args.code <= 255:
    usage(f"--code {args.code}: must be 0 to 255")
sig = None
if args.signal is not None:
    name = args.signal.upper().removeprefix("SIG")
    try:
        sig = signal.Signals(int(name)) if name.isdigit() else signal.Signals["SIG" + name]
    except (KeyError, ValueError):
        usage(f"--signal {args.signal}: no such signal")
    if sig in (signal.SIGCHLD, signal.SIGCONT, signal.SIGSTOP, signal.SIGTSTP, signal.SIGTTIN,
               signal.SIGTTOU, signal.SIGURG, signal.SIGWINCH):
        usage(f"--signal {args.signal}: does not end a process")
role = "parent"


def say(msg):
    sys.stdout.write(f"[{role} {os.getpid()}] {msg}\n")
    sys.stdout.flush()


child = os.fork()
if child == 0:
    role = "child"
    say(f"getpid()={os.getpid()}")
    time.sleep(delay)
    if sig is not None:
        if sig not in (signal.SIGKILL, signal.SIGSTOP):
            signal.signal(sig, signal.SIG_DFL)  # Python ignores SIGPIPE and catches SIGINT
        os.kill(os.getpid(), sig)
    # the bug: no os._exit(args.code) here
say(f"fork() returned child={child}")
if args.nohang:
    while True:
        pid, raw = os.waitpid(-1, os.WNOHANG)
        if pid:
            break
        say("waitpid(-1, WNOHANG) returned=0 (still running)")
        time.sleep(poll)
else:
    pid, raw = os.wait()
say(f"wait returned={pid} raw={raw}")
if os.WIFEXITED(raw):
    say(f"WIFEXITED=true WEXITSTATUS={os.WEXITSTATUS(raw)} WIFSIGNALED=false")
else:
    say(f"WIFEXITED=false WIFSIGNALED=true WTERMSIG={os.WTERMSIG(raw)}")
