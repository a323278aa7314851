#!/bin/sh
# Wrong: says gone=yes, but leaves its child for someone else to reap.
# Expect: fails "runs and exits 0, leaving no process behind"; "after wait the /proc entry is gone"
# Because: "left processes behind"
. "${0%/*}/../wrong.sh"
arg code --code 0 "$@"
sleep 1 & c=$!
echo "[child $c] getpid()=$c"
echo "[parent $$] wait() returned=$c exited code=$code"
echo "[parent $$] gone=yes"
