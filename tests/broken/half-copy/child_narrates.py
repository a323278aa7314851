#!/usr/bin/env python3
"""Broken: the child only narrates. It reports copying the first half (its
range and a time, while the copy runs) but writes nothing; the parent
silently copies the first half too, then its own. The copy is exact and
every line is what the grading contract asks for; the trace shows one
process writing all of DST (and so does strace).

Expect: fails "each process reports its role, PID, byte range and time"; "two processes each wrote one half (seen by strace)"; "each process opens SRC and DST itself after the fork (seen by strace)"; "the parent copies its half before waiting for the child (seen by strace)"
"""
import os
import signal
import sys

sys.dont_write_bytecode = True  # keep tests/broken free of __pycache__
sys.path.insert(1, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import wrong_half_copy as hw  # noqa: E402
from wrong_half_copy import args  # noqa: E402

size, folder = hw.check_input()
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
    done_r, done_w = os.pipe()
    child = os.fork()
    if child == 0:
        hw.become("child")
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
        os.close(done_w)
        try:
            if fds:  # --shared-offset: really copies
                hw.my_half(0, half, tmp, fds)
            else:  # the bug: reports the first half, copies nothing
                hw.half_copy(0, half, (done_r, None), lambda r, *_: os.read(r, 1))
        except BaseException as e:
            hw.warn(f"copying bytes 0..{half} failed: {e}")
            os._exit(1)
        os._exit(0)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    os.close(done_r)
    if not fds:  # the child's half, silently
        hw.copy(os.open(args.src, os.O_RDONLY), os.open(tmp, os.O_WRONLY), 0, half)
    os.close(done_w)
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
