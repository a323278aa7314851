#!/bin/sh
# Wrong: a made-up family whose orphan claims it was adopted by PID 1.
# Expect: fails "the orphan is adopted by the reaper, not by PID 1"
# Because: "should be adopted by the reaper"
echo "[reaper $$] subreaper=yes"
echo "[parent 20001] forked child=20002"
echo "[child 20002] ppid_before=20001"
echo "[reaper $$] reaped pid=20001 exited code=0 adopted=no"
echo "[child 20002] ppid_after=1 adopted_by=1 comm=init subreaper=yes"
echo "[reaper $$] reaped pid=20002 exited code=0 adopted=yes"
echo "[reaper $$] wait() errno=ECHILD"
