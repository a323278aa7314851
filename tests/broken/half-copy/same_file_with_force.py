#!/usr/bin/env python3
"""Broken: checks that DST is not SRC only without --force; with --force it
copies SRC onto itself (through its temp file, so SRC is replaced by a new
file).

Expect: fails "refuses DST that is SRC, even with --force"
"""

import os
import signal
import sys

sys.dont_write_bytecode = True  # keep tests/broken free of __pycache__
sys.path.insert(1, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import wrong_half_copy as hw  # noqa: E402
from wrong_half_copy import args  # noqa: E402

size, folder = hw.check_input(same_file_ok_with_force=True)  # the bug
half = size // 2
tmp = hw.temp_beside(folder)


child = None
try:
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    os.ftruncate(fd, size)
    os.close(fd)
    fds = (os.open(args.src, os.O_RDONLY), os.open(tmp, os.O_WRONLY)) if args.shared_offset else None
    # Ctrl-C must not land between fork and `child = ...`: block it across the fork.
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    child = os.fork()
    if child == 0:
        hw.become("child")
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
        try:
            hw.my_half(0, half, tmp, fds)
        except BaseException as e:
            hw.warn(f"copying bytes 0..{half} failed: {e}")
            os._exit(1)
        os._exit(0)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    hw.my_half(half, size, tmp, fds)
    _, status = os.waitpid(child, 0)
except BaseException as e:
    if child:
        os.kill(child, signal.SIGKILL)
        os.waitpid(child, 0)
    interrupted = isinstance(e, KeyboardInterrupt)
    why = "interrupted" if interrupted else e
    hw.give_up(f"copying bytes {half}..{size} failed: {why}", 130 if interrupted else 1, remove=tmp)
if os.waitstatus_to_exitcode(status) != 0:
    hw.give_up(f"the child failed (status {os.waitstatus_to_exitcode(status)}): no DST", remove=tmp)
os.rename(tmp, args.dst)
hw.say(f"both halves written: {args.dst} has {size} bytes")
hw.compare_if_shared_offset()
