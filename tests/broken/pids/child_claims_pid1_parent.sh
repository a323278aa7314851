#!/bin/sh
# Wrong: a real child, which claims its parent is PID 1.
# Expect: fails "runs and exits 0, leaving no process behind"; "child's getppid() equals the parent's getpid()"
# Because: "getppid()= should be the parent's getpid()"
echo "[parent $$] getpid()=$$ getppid()=$PPID"
sh -c 'echo "[child $$] getpid()=$$ getppid()=1 ppid_match=yes"' & c=$!
wait $c
echo "[parent $$] fork() returned child=$c child_said=$c pid_match=yes"
