"""What the wrong exit-flush programs beside it share: the command line,
and the parent's side of each case: a pipe, a writer process forked with it
as its stdout's stand-in, every line that came through the pipe shown, and
how many copies of the line written before fork arrived. Each program
writes the writer itself (its buffer, its fork, how its child ends).
"""
import os

from wrong import become, options, say, tag


def command_line():
    return options(ending="both", line_buffered=False, text="hello-before-fork")


def now(fd, msg):
    """One line straight into the pipe with os.write: no buffer."""
    os.write(fd, f"{tag()} {msg}\n".encode())


def cases(args, writer):
    """For each ending --ending asks for (`exit`, `_exit`): fork a writer
    process that runs `writer(w, child_exit, args)` on a pipe's end `w`,
    then show what came through the pipe and count the copies."""
    for ending in ["exit", "_exit"]:
        if args.ending not in (ending, "both"):
            continue
        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:
            become("writer")
            os.close(r)
            writer(w, ending == "exit", args)
            os._exit(0)
        os.close(w)
        data = b""
        while chunk := os.read(r, 65536):
            data += chunk
        os.close(r)
        os.waitpid(pid, 0)
        lines = data.decode().splitlines()
        for i, line in enumerate(lines, 1):
            say(f"pipe line {i}: {line}")
        copies = sum(1 for line in lines if f"text={args.text}" in line.split())
        say(f"ending={ending} copies={copies}")
