#!/usr/bin/env python3
"""Control: a correct priority lab in Python, as a student could write it from
labs/14-priority.md.

Expect: full marks
"""
import argparse, os, subprocess, sys, time

role = "parent"
WEIGHT = {0: 1024, 1: 820, 2: 655, 3: 526, 4: 423, 5: 335, 6: 272, 7: 215, 8: 172, 9: 137,
          10: 110, 11: 87, 12: 70, 13: 56, 14: 45, 15: 36, 16: 29, 17: 23, 18: 18, 19: 15}


def say(msg, err=False):
    os.write(2 if err else 1, f"[{role} {os.getpid()}] {msg}\n".encode())


def seconds(text):
    return float(text[:-2]) / 1000 if text.endswith("ms") else float(text.rstrip("s"))


def run_ns(pid):
    with open(f"/proc/{pid}/schedstat") as f:
        return int(f.read().split()[0])


def main():
    global role
    p = argparse.ArgumentParser()
    p.add_argument("--nice", type=int, default=10)
    p.add_argument("--duration", default="3s")
    args = p.parse_args()
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    r, w = os.pipe()
    os.set_blocking(r, False)

    def spin(name):
        global role
        pid = os.fork()
        if pid == 0:
            role = name
            os.close(w)
            while True:
                try:
                    os.read(r, 1)
                    break
                except BlockingIOError:
                    for _ in range(10000):
                        pass
            say(f"cpu_s={time.process_time():.3f}")
            os._exit(0)
        return pid
    normal, low = spin("normal"), spin("nice")
    try:
        os.setpriority(os.PRIO_PROCESS, low, args.nice)
    except PermissionError as e:
        say(f"setpriority({args.nice}) failed: errno=EACCES ({e.strerror}): only root may lower nice", err=True)
        os.close(w)
        os.waitpid(normal, 0)
        os.waitpid(low, 0)
        sys.exit(1)
    for who, pid in (("normal", normal), ("nice", low)):
        ni, pri = subprocess.run(["ps", "-o", "ni=,pri=", "-p", str(pid)], capture_output=True, text=True).stdout.split()
        say(f"who={who} pid={pid} ps_ni={ni} ps_pri={pri}")
    n0, l0 = run_ns(normal), run_ns(low)
    time.sleep(seconds(args.duration))
    n1, l1 = run_ns(normal), run_ns(low)
    os.close(w)
    say(f"who=normal pid={normal} cpu_ms={(n1 - n0) / 1e6:.1f}")
    say(f"who=nice pid={low} cpu_ms={(l1 - l0) / 1e6:.1f}")
    expected = WEIGHT[0] / WEIGHT.get(args.nice, 1024)
    say(f"ratio={(n1 - n0) / max(l1 - l0, 1):.2f} expected_ratio={expected:.2f}")
    os.waitpid(normal, 0)
    os.waitpid(low, 0)


if __name__ == "__main__":
    main()
