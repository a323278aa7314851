#!/usr/bin/env python3
"""Control: a correct exit-flush lab in Python, as a student could write it from
labs/11-exit-flush.md.

Expect: full marks
"""
import argparse, os, sys

role = "parent"


def tag():
    return f"[{role} {os.getpid()}]"


def say(msg):
    sys.stdout.write(f"{tag()} {msg}\n")
    sys.stdout.flush()


def now(fd, msg):
    """One line straight into the pipe with os.write: no buffer."""
    os.write(fd, f"{tag()} {msg}\n".encode())


def writer(w, child_exit, line_buffered, text):
    """Fill a buffered stream on the pipe, fork, let the child end as asked, then flush."""
    global role
    stream = open(w, "w", buffering=1 if line_buffered else -1)
    line = f"{tag()} text={text} written once, before fork(), into my buffer\n"
    stream.write(line)
    child = os.fork()
    if child == 0:
        role = "child"
        if child_exit:
            now(w, "ending with sys.exit(0): the interpreter flushes my buffers")
            sys.exit(0)
        now(w, "ending with os._exit(0): nothing is flushed")
        os._exit(0)
    os.waitpid(child, 0)
    now(w, f"child {child} ended; now I flush my own buffer")
    stream.close()


def case(ending, args):
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        global role
        role = "writer"
        os.close(r)
        writer(w, ending == "exit", args.line_buffered, args.text)
        os._exit(0)
    os.close(w)
    data = b""
    while chunk := os.read(r, 65536):
        data += chunk
    os.close(r)
    os.waitpid(pid, 0)
    lines = data.decode().splitlines()
    for i, l in enumerate(lines, 1):
        say(f"pipe line {i}: {l}")
    copies = sum(1 for l in lines if f"text={args.text}" in l.split())
    say(f"ending={ending} copies={copies}")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--ending", choices=["exit", "_exit", "both"], default="both")
    p.add_argument("--line-buffered", action="store_true")
    p.add_argument("--text", default="hello-before-fork")
    args = p.parse_args()
    for ending in ["exit", "_exit"]:
        if args.ending in (ending, "both"):
            case(ending, args)


if __name__ == "__main__":
    main()
