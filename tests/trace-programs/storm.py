"""For tests/trace.rs: a storm of forks. The boss forks 40 middles; each
middle forks 3 grandchildren that end after a short nap, then either exits
at once (orphaning them) or reaps them; the boss SIGKILLs every third
middle right after forking it (sometimes in the middle of its own forks),
then reaps all its middles."""
import os, signal, time

kids = []
for i in range(40):
    p = os.fork()
    if p == 0:
        for j in range(3):
            if os.fork() == 0:
                time.sleep(0.001 * (i % 7))
                os._exit(j)
        if i % 2:
            os._exit(0)  # the grandchildren are orphans now
        while True:
            try:
                os.wait()
            except ChildProcessError:
                break
        os._exit(1)
    kids.append(p)
    if i % 3 == 0:
        os.kill(p, signal.SIGKILL)
for p in kids:
    os.waitpid(p, 0)
print(f"[boss {os.getpid()}] reaped middles={len(kids)}", flush=True)
