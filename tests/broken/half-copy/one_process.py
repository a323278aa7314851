#!/usr/bin/env python3
"""Broken: copies everything in one process (no fork), yet prints a child
line and a parent line with the two halves' ranges, as if two processes had
copied. The copy is exact; the grader must fail "two processes each wrote
one half (seen by strace)".
"""
import argparse, os, signal, stat, sys, time

p = argparse.ArgumentParser()
p.add_argument("--force", action="store_true")
p.add_argument("--shared-offset", action="store_true")
p.add_argument("--chunk", type=int, default=65536)
p.add_argument("--delay", default="1ms")
p.add_argument("src")
p.add_argument("dst")
args = p.parse_args()
delay = float(args.delay[:-2]) / 1000 if args.delay.endswith("ms") else float(args.delay.rstrip("s"))
role = "parent"


def say(msg):
    sys.stdout.write(f"[{role} {os.getpid()}] {msg}\n")
    sys.stdout.flush()


def warn(msg):
    sys.stderr.write(f"[{role} {os.getpid()}] {msg}\n")
    sys.stderr.flush()


def refuse(msg):
    warn(f"refused: {msg}")
    sys.exit(2)


try:
    st = os.stat(args.src)
except OSError as e:
    refuse(f"SRC {args.src}: {e.strerror}")
if not stat.S_ISREG(st.st_mode):
    refuse(f"SRC {args.src} is not a regular file")
try:
    os.close(os.open(args.src, os.O_RDONLY))
except OSError as e:
    refuse(f"SRC {args.src}: {e.strerror}")
folder = os.path.dirname(os.path.abspath(args.dst))
if not os.path.isdir(folder):
    refuse(f"DST's folder {folder} does not exist")
try:
    dst_st = os.stat(args.dst)
    if (dst_st.st_dev, dst_st.st_ino) == (st.st_dev, st.st_ino):
        refuse(f"DST {args.dst} is SRC itself")
    if not args.force:
        refuse(f"DST {args.dst} exists (--force replaces it)")
except FileNotFoundError:
    pass

size, half = st.st_size, st.st_size // 2
tmp = os.path.join(folder, f".{os.path.basename(args.dst)}.tmp-{os.getpid()}")


def give_up(msg, code=1):
    try:
        os.unlink(tmp)
    except OSError:
        pass
    warn(msg)
    sys.exit(code)


def copy(src, dst, start, end):
    """Copy the data extents of src[start:end] to the same offsets of dst."""
    pos = start
    while pos < end:
        try:
            data = os.lseek(src, pos, os.SEEK_DATA)
        except OSError:  # ENXIO: no data after pos
            return
        if data >= end:
            return
        hole = min(os.lseek(src, data, os.SEEK_HOLE), end)
        while data < hole:
            buf = os.pread(src, min(1 << 20, hole - data), data)
            if not buf:
                return
            done = 0
            while done < len(buf):
                done += os.pwrite(dst, buf[done:], data + done)
            data += len(buf)
        pos = hole


def shared(src, dst, start, end):
    """The classic mistake: read/write through offsets shared with the other process."""
    pos = start
    while pos < end:
        n = min(args.chunk, end - pos)
        os.lseek(src, pos, os.SEEK_SET)
        time.sleep(delay)
        buf = os.read(src, n)
        os.lseek(dst, pos, os.SEEK_SET)
        os.write(dst, buf)
        pos += n


def half_copy(start, end, fds=None):
    began = time.monotonic()
    if fds is None:
        src, dst = os.open(args.src, os.O_RDONLY), os.open(tmp, os.O_WRONLY)
        copy(src, dst, start, end)
    else:
        shared(*fds, start, end)
    say(f"copied from={start} to={end} bytes={end - start} time={time.monotonic() - began:.6f}s")


child = None
try:
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    os.ftruncate(fd, size)
    os.close(fd)
    fds = (os.open(args.src, os.O_RDONLY), os.open(tmp, os.O_WRONLY)) if args.shared_offset else None
    # Ctrl-C must not land between fork and `child = ...`: block it across the fork.
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    child = 0
    if False:  # the bug: no fork, one process copies both halves
        role = "child"
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
        try:
            half_copy(0, half, fds)
        except BaseException as e:
            warn(f"copying bytes 0..{half} failed: {e}")
            os._exit(1)
        os._exit(0)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    role = "child"
    half_copy(0, half, fds)
    role = "parent"
    half_copy(half, size, fds)
    status = 0
except BaseException as e:
    if child:
        os.kill(child, signal.SIGKILL)
        os.waitpid(child, 0)
    interrupted = isinstance(e, KeyboardInterrupt)
    give_up(f"copying bytes {half}..{size} failed: {'interrupted' if interrupted else e}", 130 if interrupted else 1)
if os.waitstatus_to_exitcode(status) != 0:
    give_up(f"the child failed (status {os.waitstatus_to_exitcode(status)}): no DST")
os.rename(tmp, args.dst)
say(f"both halves written: {args.dst} has {size} bytes")
if args.shared_offset:
    with open(args.src, "rb") as a, open(args.dst, "rb") as b:
        x, y = a.read(), b.read()
    wrong = sum(1 for i, j in zip(x, y) if i != j) + abs(len(x) - len(y))
    say(f"compared DST with SRC: wrong_bytes={wrong}")
    sys.exit(1 if wrong else 0)
