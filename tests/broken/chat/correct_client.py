#!/usr/bin/env python3
"""Control: a correct chat client in Python, written from labs/09-chat.md
alone (the protocol and the grading contract), as a student would.
Expect: full marks

Run: python3 correct_client.py HOST PORT

Its socket is connected to the server, so an ICMP "port unreachable" (no
server) shows as ConnectionRefusedError. It asks for a name until the
server says OK (3 tries per name, 1 s each), then forks: the child
receives and prints every notice until EXIT, the parent reads stdin and
sends each line as `C name text`. `quit`, end of input and Ctrl-C send
`Q name`; the parent then waits up to 1 s for the child to end on EXIT,
else stops it, and reaps it either way.
"""
import os
import signal
import socket
import sys
import time

TRIES = 3
TIMEOUT = 1.0
EXIT_WAIT = 1.0


def say(role, text):
    print(f"[{role} {os.getpid()}] {text}", flush=True)


def fail(text):
    print(f"[client {os.getpid()}] error: {text}", file=sys.stderr, flush=True)
    sys.exit(1)


def login(sock, server):
    while True:
        say("client", "your name?")
        name = sys.stdin.readline()
        if not name:
            fail("end of input before the server accepted a name")
        name = name.strip()
        reply = None
        for attempt in range(1, TRIES + 1):
            try:
                sock.send(f"L {name}".encode())
                sock.settimeout(TIMEOUT)
                reply = sock.recv(4096)
                break
            except socket.timeout:
                say("client", f"no answer within {TIMEOUT}s, try={attempt}/{TRIES}")
            except ConnectionRefusedError:
                say("client", f"no server at {server[0]}:{server[1]}, try={attempt}/{TRIES}")
                time.sleep(TIMEOUT / 4)
        if reply is None:
            fail(f"no server answered at {server[0]}:{server[1]} after {TRIES} tries")
        if reply == b"OK":
            return name
        say("client", "refused by the server: " + reply.decode(errors="replace").strip())


def receiver(sock):
    sock.settimeout(None)
    while True:
        try:
            data = sock.recv(65536)
        except ConnectionRefusedError:
            continue
        if data == b"EXIT":
            say("receiver", "got EXIT")
            os._exit(0)
        text = data.decode(errors="replace").strip()
        say("receiver", "".join(c if c.isprintable() else repr(c)[1:-1] for c in text))


def main():
    if len(sys.argv) != 3:
        print("usage: correct_client.py HOST PORT", file=sys.stderr)
        sys.exit(2)
    server = (sys.argv[1], int(sys.argv[2]))
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.connect(server)
    name = login(sock, server)
    say("client", f"logged in name={name}")
    # Ctrl-C reaches both processes: blocked across the fork, so that it
    # lands in the parent's `try` below, and is dropped by the child.
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    child = os.fork()
    if child == 0:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
        receiver(sock)
    why = "end of input"
    try:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
        say("sender", f"forked receiver={child}")
        for line in sys.stdin:
            line = line.rstrip("\r\n")
            if line.strip() == "quit":
                why = "quit"
                break
            if line:
                sock.send(f"C {name} {line}".encode())
    except KeyboardInterrupt:
        why = "SIGINT"
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    say("sender", f"leaving on {why}")
    try:
        sock.send(f"Q {name}".encode())
    except OSError as e:
        say("sender", f"could not send Q: {e}")
    end = time.monotonic() + EXIT_WAIT
    while time.monotonic() < end:
        pid, status = os.waitpid(child, os.WNOHANG)
        if pid:
            break
        time.sleep(0.01)
    else:
        say("sender", f"no EXIT within {EXIT_WAIT}s: stopping receiver {child}")
        os.kill(child, signal.SIGTERM)
        _, status = os.waitpid(child, 0)
    say("sender", f"receiver {child} ended status={status}")


if __name__ == "__main__":
    main()
