#!/usr/bin/env python3
"""Control: a correct chat server in Python, written from labs/09-chat.md
alone (the protocol, the kit's rules and the grading contract), as a
student would.
Expect: full marks

Run: python3 correct_server.py [--host ADDR] [--port N]   (--port 0: any free port)

The server forks an administrator child that reads stdin and hands each
line to the server over a socketpair (nobody on the network can reach it).
The server waits on the UDP socket and the socketpair with select(). With
IP_RECVERR on the socket, the ICMP "port unreachable" that comes back for a
datagram sent to a dead client is read from the error queue: that client
is removed and the others are told. SIGTERM or Ctrl-C: the server kills and
reaps the administrator child, then ends.
"""
import argparse
import os
import select
import signal
import socket
import sys
import unicodedata

MAX_DATAGRAM = 4096
MAX_NAME = 32
RESERVED = ("admin", "管理员")
IP_RECVERR = 11  # <linux/in.h>; Python's socket module has no name for it


def say(role, text):
    print(f"[{role} {os.getpid()}] {text}", flush=True)


def name_problem(name):
    """Why a name cannot be used, or None."""
    if not name:
        return "name refused: it is empty"
    if len(name.encode()) > MAX_NAME:
        return f"name refused: longer than {MAX_NAME} bytes"
    if any(c.isspace() for c in name):
        return "name refused: no spaces allowed"
    if any(unicodedata.category(c) == "Cc" for c in name):
        return "name refused: no control characters allowed"
    if name.lower() in RESERVED:
        return "name refused: reserved for the administrator"
    return None


def has_control(text):
    return any(unicodedata.category(c) == "Cc" and c != "\t" for c in text)


class Stop(Exception):
    pass


def on_signal(signo, _frame):
    raise Stop(signal.Signals(signo).name)


def admin_child(pair):
    """Read stdin lines; each goes to the server over the socketpair."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    for line in sys.stdin:
        line = line.rstrip("\r\n")
        if line:
            pair.send(line.encode())
    os._exit(0)


class Room:
    def __init__(self, sock):
        self.sock = sock
        self.users = {}  # name -> address

    def name_of(self, addr):
        for n, a in self.users.items():
            if a == addr:
                return n
        return None

    def tell(self, text, but=None):
        for n, a in list(self.users.items()):
            if n != but:
                self.send(a, "\n" + text)

    def send(self, addr, text):
        try:
            self.sock.sendto(text.encode(), addr)
        except OSError:
            pass  # an ICMP error for someone: read from the error queue

    def login(self, name, addr):
        why = name_problem(name)
        if why is None and name in self.users and self.users[name] != addr:
            why = "name taken: someone in the chat already uses it"
        mine = self.name_of(addr)
        if why is None and mine is not None and mine != name:
            why = f"this address is already in the chat as {mine}"
        if why is not None:
            self.send(addr, why)
            say("server", f"refused login from={addr[0]}:{addr[1]}")
            return
        self.send(addr, "OK")
        if name in self.users:
            return  # the same client again: nothing new to tell
        self.tell(f"{name} joined the chat")
        self.users[name] = addr
        say("server", f"login name={name} clients={len(self.users)}")

    def chat(self, name, text, addr):
        if self.users.get(name) != addr or has_control(text):
            return
        self.tell(f"{name}: {text}", but=name)

    def quit(self, name, addr):
        if self.users.get(name) != addr:
            return
        self.send(addr, "EXIT")
        self.leave(name, "quit")

    def leave(self, name, why):
        del self.users[name]
        self.tell(f"{name} left the chat")
        say("server", f"{why} name={name} clients={len(self.users)}")

    def request(self, data, addr):
        try:
            text = data.decode()
        except UnicodeDecodeError:
            return
        kind, _, rest = text.partition(" ")
        if kind == "L":
            self.login(rest, addr)
        elif kind == "C":
            name, sep, line = rest.partition(" ")
            if sep:
                self.chat(name, line, addr)
        elif kind == "Q":
            self.quit(rest, addr)

    def errors(self):
        """Read the error queue: a dead client's address, from its ICMP error."""
        while True:
            try:
                _, _, _, addr = self.sock.recvmsg(1, 1024, socket.MSG_ERRQUEUE | socket.MSG_DONTWAIT)
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                return
            name = self.name_of(addr)
            if name is not None:
                self.leave(name, "gone")

    def receive(self):
        while True:
            self.errors()
            try:
                data, _, flags, addr = self.sock.recvmsg(MAX_DATAGRAM, 0, socket.MSG_DONTWAIT)
            except (BlockingIOError, InterruptedError):
                return
            except ConnectionRefusedError:
                continue  # an ICMP error: the error queue says for whom
            if flags & socket.MSG_TRUNC:
                continue  # longer than the buffer: rejected whole, never cut
            self.request(data, addr)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=8888)
    args = ap.parse_args()
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        sock.bind((args.host, args.port))
    except OSError as e:
        print(f"cannot listen on {args.host}:{args.port}: {e}", file=sys.stderr)
        sys.exit(1)
    sock.setsockopt(socket.IPPROTO_IP, IP_RECVERR, 1)
    host, port = sock.getsockname()
    say("server", f"listening addr={host}:{port}")
    mine, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    admin = os.fork()
    if admin == 0:
        mine.close()
        sock.close()
        admin_child(theirs)
    theirs.close()
    say("server", f"forked admin child={admin}")
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    room = Room(sock)
    watched = [sock, mine]
    try:
        while True:
            ready, _, _ = select.select(watched, [], [])
            if mine in ready:
                line = mine.recv(MAX_DATAGRAM)
                if line:
                    room.tell("[admin] " + line.decode(errors="replace"))
                else:
                    watched.remove(mine)  # stdin ended: keep serving
                    os.waitpid(admin, 0)
                    admin = 0
                    say("server", "admin input ended")
            if sock in ready:
                room.receive()
    except Stop as e:
        say("server", f"stopping on signal={e}")
    if admin:
        os.kill(admin, signal.SIGTERM)
        os.waitpid(admin, 0)
    for addr in room.users.values():
        room.send(addr, "EXIT")
    say("server", "stopped")


if __name__ == "__main__":
    main()
