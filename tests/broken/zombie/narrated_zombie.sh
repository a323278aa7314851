#!/bin/sh
# Wrong: claims a zombie that never existed.
# Expect: fails "runs and exits 0, leaving no process behind"; "the zombie is real: the grader sees it in /proc too"
# Because: "saw no zombie"
. "${0%/*}/../wrong.sh"
arg code --code 0 "$@"
echo "[child 4243] getpid()=4243"
echo "[parent $$] pid=4243 state=Z comm=zombie ppid=$$"
echo "[parent $$] wait() returned=4243 exited code=$code"
echo "[parent $$] gone=yes"
