"""What the wrong wait-status programs beside it share: the command line,
with its usage errors (exit 2), and a child's death by a signal.
"""
import os
import signal
import sys

from wrong import options

# Signals that do not end a process (or only stop it).
NOT_ENDING = (signal.SIGCHLD, signal.SIGCONT, signal.SIGSTOP, signal.SIGTSTP, signal.SIGTTIN, signal.SIGTTOU,
              signal.SIGURG, signal.SIGWINCH)


def usage(msg):
    print(f"wait-status: {msg}", file=sys.stderr)
    sys.exit(2)


def command_line():
    """--code, --signal (as `args.sig`, or None), --delay, --nohang, --poll; a bad one is a usage error."""
    args = options(code=2, signal=None, delay="1s", nohang=False, poll="250ms")
    if not 0 <= args.code <= 255:
        usage(f"--code {args.code}: must be 0 to 255")
    args.sig = None
    if args.signal is not None:
        name = args.signal.upper().removeprefix("SIG")
        try:
            args.sig = signal.Signals(int(name)) if name.isdigit() else signal.Signals["SIG" + name]
        except (KeyError, ValueError):
            usage(f"--signal {args.signal}: no such signal")
        if args.sig in NOT_ENDING:
            usage(f"--signal {args.signal}: does not end a process")
    return args


def die_by(sig):
    """End this process with the signal `sig`, as its default action does."""
    if sig not in (signal.SIGKILL, signal.SIGSTOP):
        signal.signal(sig, signal.SIG_DFL)  # Python ignores SIGPIPE and catches SIGINT
    os.kill(os.getpid(), sig)
