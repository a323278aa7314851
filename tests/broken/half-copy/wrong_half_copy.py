"""What the wrong half-copy programs in this folder have in common: the
command line, the refusals, copying one byte range, the final comparison.

Each wrong program beside it imports this (and, through it, the plumbing
all wrong programs share: tests/broken/wrong.py) and writes its own flow
(fork, who copies what, wait, rename), so each one's bug stands in its own
text.
"""
import argparse
import os
import stat
import sys
import time

from wrong import become, say, seconds  # noqa: F401 (become: for the programs)

p = argparse.ArgumentParser()
p.add_argument("--force", action="store_true")
p.add_argument("--shared-offset", action="store_true")
p.add_argument("--chunk", type=int, default=65536)
p.add_argument("--delay", default="1ms")
p.add_argument("src")
p.add_argument("dst")
args = p.parse_args()
delay = seconds(args.delay)


def warn(msg):
    say(msg, err=True)


def refuse(msg):
    warn(f"refused: {msg}")
    sys.exit(2)


def check_input(same_file_ok_with_force=False):
    """Refuse bad input before creating anything; return (size, DST's folder)."""
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
        same = (dst_st.st_dev, dst_st.st_ino) == (st.st_dev, st.st_ino)
        if same and not (same_file_ok_with_force and args.force):
            refuse(f"DST {args.dst} is SRC itself")
        if not args.force:
            refuse(f"DST {args.dst} exists (--force replaces it)")
    except FileNotFoundError:
        pass
    return st.st_size, folder


def temp_beside(folder):
    """A temp file's name beside DST."""
    return os.path.join(folder, f".{os.path.basename(args.dst)}.tmp-{os.getpid()}")


def give_up(msg, code=1, remove=None):
    """Remove `remove` (the temp file) if given, say why, and exit."""
    if remove:
        try:
            os.unlink(remove)
        except OSError:
            pass
    warn(msg)
    sys.exit(code)


def copy(src, dst, start, end):
    """Copy the data extents of src[start:end] to the same offsets of dst (pread/pwrite)."""
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


def half_copy(start, end, fds, how=copy):
    """Copy src[start:end] with `how` through the descriptors `fds` = (src, dst); report it."""
    began = time.monotonic()
    how(*fds, start, end)
    say(f"copied from={start} to={end} bytes={end - start} time={time.monotonic() - began:.6f}s")


def my_half(start, end, tmp, shared_fds=None):
    """Copy one half into `tmp`; each process opens both files itself, after
    the fork (with --shared-offset, through `shared_fds`, opened before it)."""
    if shared_fds:
        half_copy(start, end, shared_fds, shared)
    else:
        half_copy(start, end, (os.open(args.src, os.O_RDONLY), os.open(tmp, os.O_WRONLY)))


def compare_if_shared_offset():
    """With --shared-offset: count the bytes of DST that differ from SRC, and exit with it."""
    if not args.shared_offset:
        return
    with open(args.src, "rb") as a, open(args.dst, "rb") as b:
        x, y = a.read(), b.read()
    wrong = sum(1 for i, j in zip(x, y) if i != j) + abs(len(x) - len(y))
    say(f"compared DST with SRC: wrong_bytes={wrong}")
    sys.exit(1 if wrong else 0)
