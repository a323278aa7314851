#!/usr/bin/env python3
"""Control: a correct half-copy in Python, written from the handout alone
(it shares nothing with the broken programs beside it).

Expect: full marks

half-copy [--force] [--shared-offset] SRC DST. Refuses bad input (exit 2)
before creating anything. The child copies bytes 0..size/2 and the parent
size/2..size into a temp file beside DST, each opening both files itself
after the fork and using pread/pwrite on the data extents only (holes stay
holes); the temp file becomes DST only when both halves are in, and is
removed on any failure or Ctrl-C (exit 1). --shared-offset makes the classic
mistake on purpose and counts the wrong bytes.
"""
import argparse, os, signal, stat, sys, time

p = argparse.ArgumentParser()
p.add_argument("--force", action="store_true")
p.add_argument("--shared-offset", action="store_true")
p.add_argument("src")
p.add_argument("dst")
args = p.parse_args()
role = "parent"


def say(msg, out=sys.stdout):
    out.write(f"[{role} {os.getpid()}] {msg}\n")
    out.flush()


def refuse(msg):
    say(f"refused: {msg}", sys.stderr)
    sys.exit(2)


# Refuse bad input before creating anything.
try:
    src_fd = os.open(args.src, os.O_RDONLY | os.O_NONBLOCK)  # a FIFO must not block
except FileNotFoundError:
    refuse(f"SRC {args.src} does not exist")
except OSError as e:
    refuse(f"SRC {args.src} is not readable: {e.strerror}")
st = os.fstat(src_fd)
os.close(src_fd)
if not stat.S_ISREG(st.st_mode):
    refuse(f"SRC {args.src} is not a regular file")
folder = os.path.dirname(args.dst) or "."
if not os.path.isdir(folder):
    refuse(f"DST's folder {folder} does not exist")
if os.path.exists(args.dst):
    d = os.stat(args.dst)
    if (d.st_dev, d.st_ino) == (st.st_dev, st.st_ino):
        refuse(f"DST {args.dst} is SRC {args.src} itself")
    if not args.force:
        refuse(f"DST {args.dst} already exists (use --force to replace it)")

size = st.st_size
half = size // 2
tmp = os.path.join(folder, f".{os.path.basename(args.dst)}.half-copy-{os.getpid()}")
stop = []
signal.signal(signal.SIGINT, lambda *_: stop.append(1))
signal.signal(signal.SIGTERM, lambda *_: stop.append(1))


def copy(src, dst, start, end):
    """Copy the data extents of src[start:end] to the same offsets of dst."""
    pos = start
    while pos < end:
        if stop:
            raise InterruptedError("stopped by a signal")
        try:
            data = os.lseek(src, pos, os.SEEK_DATA)
        except OSError:  # ENXIO: only a hole is left
            return
        if data >= end:
            return
        stop_at = min(os.lseek(src, data, os.SEEK_HOLE), end, data + (4 << 20))
        while data < stop_at:
            buf = os.pread(src, min(1 << 20, stop_at - data), data)
            if not buf:
                raise OSError(f"SRC ended early at {data}")
            done = 0
            while done < len(buf):
                done += os.pwrite(dst, buf[done:], data + done)
            data += len(buf)
        pos = stop_at


def shared(src, dst, start, end):
    """The mistake: offsets shared with the other process, lseek then read/write."""
    pos = start
    while pos < end:
        os.lseek(src, pos, os.SEEK_SET)
        os.lseek(dst, pos, os.SEEK_SET)
        buf = os.read(src, min(65536, end - pos))
        if not buf:
            break
        os.write(dst, buf)
        pos += len(buf)


def my_half(start, end, fds):
    began = time.monotonic()
    if fds:
        shared(*fds, start, end)
    else:
        src, dst = os.open(args.src, os.O_RDONLY), os.open(tmp, os.O_WRONLY)
        copy(src, dst, start, end)
        os.close(src)
        os.close(dst)
    say(f"copied from={start} to={end} time={time.monotonic() - began:.6f}s")


def give_up(why):
    try:
        os.unlink(tmp)
    except OSError:
        pass
    say(f"{why}; removed temp={tmp}, DST was not touched", sys.stderr)
    sys.exit(1)


os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644))
fds = (os.open(args.src, os.O_RDONLY), os.open(tmp, os.O_WRONLY)) if args.shared_offset else None
child = os.fork()
if child == 0:
    role = "child"
    try:
        my_half(0, half, fds)
    except BaseException as e:
        say(f"copying bytes 0..{half} failed: {e}", sys.stderr)
        os._exit(1)
    os._exit(0)
try:
    my_half(half, size, fds)
except BaseException as e:
    os.kill(child, signal.SIGTERM)
    os.waitpid(child, 0)
    give_up(f"copying bytes {half}..{size} failed: {e}")
while True:
    try:
        _, status = os.waitpid(child, 0)
        break
    except InterruptedError:
        pass
    if stop:
        os.kill(child, signal.SIGTERM)
if stop:
    give_up("stopped by a signal")
if os.waitstatus_to_exitcode(status) != 0:
    give_up(f"the child failed (exit status {os.waitstatus_to_exitcode(status)})")
try:
    os.truncate(tmp, size)  # a hole at the end keeps SRC's size
    os.rename(tmp, args.dst)
except OSError as e:
    give_up(f"finishing the copy failed: {e}")
say(f"both halves written: renamed the temp file to DST={args.dst} size={size}")
if args.shared_offset:
    with open(args.src, "rb") as a, open(args.dst, "rb") as b:
        x, y = a.read(), b.read()
    wrong = sum(1 for i, j in zip(x, y) if i != j) + abs(len(x) - len(y))
    say(f"compared DST with SRC byte by byte: wrong_bytes={wrong}")
    sys.exit(1 if wrong else 0)
