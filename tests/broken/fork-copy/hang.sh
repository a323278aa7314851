#!/bin/sh
# Broken: hangs. A background subshell loops forever and the script waits
# Expect: fails "runs and exits 0, leaving no process behind"
# for it, so the program never ends. The grader must kill it (and its
# subshell) at the timeout, say "timed out", and leave nothing running.
# Extra arguments (the test passes a unique token first) are ignored.
echo "[parent $$] waiting for a child that never ends"
( while :; do sleep 1; done ) &
wait
