"""What the wrong states programs beside it share: reading a process's
state and flags in /proc and beside `ps -o stat`, children that block on a
pipe, and the lab's steps done right, one per state or flag. Each program
runs the steps in order and writes the one it gets wrong itself.
"""
import os
import signal
import subprocess
import sys
import threading
import time

from wrong import become, options, say

args = options(hold="1s", wakes=3, nice=10)
wake_r, wake_w = os.pipe()  # the sleeper reads one byte per wake-up
stop_r, stop_w = os.pipe()  # the busy child stops when it can read
rel_r, rel_w = os.pipe()  # the blocked children end when it closes
WRITERS = [wake_w, stop_w, rel_w]


def stat(pid):
    """The fields of /proc/<pid>/stat after the command name, numbered as in proc(5) (f[3] is the state)."""
    with open(f"/proc/{pid}/stat") as f:
        text = f.read()
    return [None, str(pid), "comm"] + text[text.rindex(")") + 2:].split()


def status(pid, name):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(name + ":"):
                return int(line.split()[1])


def flags(f, pid):
    """ps's flags from the stat fields `f` of `pid`: < N s l +."""
    nice, threads = int(f[19]), int(f[20])
    return ("<" if nice < 0 else "") + ("N" if nice > 0 else "") + ("s" if int(f[6]) == pid else "") + \
        ("l" if threads > 1 else "") + ("+" if f[8] != "-1" and f[5] == f[8] else "")


def wait_state(pid, state, more=lambda f: True):
    end = time.time() + 10
    while time.time() < end:
        f = stat(pid)
        if f[3] == state and more(f):
            return f
        time.sleep(0.001)
    raise SystemExit(f"pid {pid} never reached state {state}")


def show(who, pid, state, more=lambda f: True):
    """Once `pid` is in `state` (and `more` holds), say so, beside `ps -o stat`."""
    f = wait_state(pid, state, more)
    ps = subprocess.run(["ps", "-o", "stat=", "-p", str(pid)], capture_output=True, text=True).stdout.strip()
    say(f"who={who} pid={pid} state={f[3]} ps_stat={ps} from_proc={f[3]}{flags(f, pid)} nice={f[19]} threads={f[20]}")


def child(name, body):
    """Fork a child `name` that runs `body` and exits (closing its copies of the pipes' write ends first)."""
    pid = os.fork()
    if pid == 0:
        become(name)
        for fd in WRITERS:
            os.close(fd)
        try:
            body()
        finally:
            sys.stdout.flush()
            os._exit(0)
    return pid


def block(fd):
    """Read `fd` one byte at a time until its end; how many bytes came."""
    n = 0
    while os.read(fd, 1):
        n += 1
    return n


def busy_step():
    """A child that computes, in R; returns its PID and its voluntary context switches."""
    def busy():
        os.set_blocking(stop_r, False)
        while True:
            sum(range(1000))
            try:
                os.read(stop_r, 1)
                return
            except BlockingIOError:
                pass
    b = child("busy", busy)
    show("busy", b, "R")
    busy_before = status(b, "voluntary_ctxt_switches")
    time.sleep(args.hold)
    return b, busy_before


def sleeper_step(b, busy_before):
    """A child blocked in read(), in S, woken --wakes times; then stopped (T) and continued."""
    s = child("sleeper", lambda: say(f"read() returned {block(wake_r)} times"))
    show("sleeper", s, "S")
    before = status(s, "voluntary_ctxt_switches")
    time.sleep(args.hold)
    for i in range(1, args.wakes + 1):
        os.write(wake_w, b"w")
        wait_state(s, "S", lambda f: status(s, "voluntary_ctxt_switches") >= before + i)
    after = status(s, "voluntary_ctxt_switches")
    busy_after = status(b, "voluntary_ctxt_switches")
    say(f"who=sleeper pid={s} woken={args.wakes} voluntary_grew={after - before}")
    say(f"who=busy pid={b} voluntary_grew={busy_after - busy_before}")
    os.kill(s, signal.SIGSTOP)
    show("sleeper", s, "T")
    time.sleep(args.hold)
    os.kill(s, signal.SIGCONT)
    show("sleeper", s, "S")


def zombie_step():
    z = child("zombie", lambda: None)
    show("zombie", z, "Z")
    time.sleep(args.hold)
    os.waitpid(z, 0)


def vfork_step():
    """Python has no os.vfork: posix_spawn is a vfork (CLONE_VFORK) underneath,
    and its child blocks in a file action, opening a FIFO no one writes yet,
    before its exec: its parent waits in D."""
    fifo = f"/tmp/states-fifo-{os.getpid()}"
    os.mkfifo(fifo)

    def vforker():
        pid = os.posix_spawn("/bin/true", ["true"], {}, file_actions=[(os.POSIX_SPAWN_OPEN, 0, fifo, os.O_RDONLY, 0)])
        say(f"posix_spawn() returned child={pid}")
        os.waitpid(pid, 0)
    v = child("vforker", vforker)
    show("vforker", v, "D")
    time.sleep(args.hold)
    os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
    os.unlink(fifo)


def leader_step():
    """A child that leads a session of its own (s)."""
    def leader():
        os.setsid()
        block(rel_r)
    ld = child("leader", leader)
    show("leader", ld, "S", lambda f: int(f[6]) == ld)


def threads_step():
    """A child with two threads (l)."""
    def threads():
        t = threading.Thread(target=block, args=(rel_r,))
        t.start()
        block(rel_r)
        t.join()
    show("threads", child("threads", threads), "S", lambda f: int(f[20]) >= 2)


def nice_step():
    """A child at nice --nice (N)."""
    def nice():
        os.setpriority(os.PRIO_PROCESS, 0, args.nice)
        block(rel_r)
    show("nice", child("nice", nice), "S", lambda f: int(f[19]) == args.nice)


def greedy_step():
    """A child that asks for nice -5 (<, if it may)."""
    def greedy():
        try:
            os.setpriority(os.PRIO_PROCESS, 0, -5)
        except OSError as e:
            say(f"setpriority(-5) failed: errno={e.errno} {e.strerror}")
        block(rel_r)
    show("greedy", child("greedy", greedy), "S")
    time.sleep(args.hold)


def finish():
    """Release the blocked children and reap them all."""
    for fd in WRITERS:
        os.close(fd)
    while True:
        try:
            pid, st = os.wait()
        except ChildProcessError:
            break
        say(f"reaped pid={pid} code={os.waitstatus_to_exitcode(st)}")
