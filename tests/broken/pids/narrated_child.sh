#!/bin/sh
# Wrong: a believable story, but no child process exists: the shell writes
# the "child" lines itself, under a made-up PID. The grader knows who wrote
# each line.
# Expect: fails "runs and exits 0, leaving no process behind"; "the child is real: the grader sees it in /proc under the parent"
# Because: "tagged with PID 4243 but was written by process"
echo "[parent $$] getpid()=$$ getppid()=$PPID"
echo "[parent $$] fork() returned child=4243"
echo "[child 4243] getpid()=4243 getppid()=$$ ppid_match=yes"
echo "[parent $$] child_said=4243 pid_match=yes"
