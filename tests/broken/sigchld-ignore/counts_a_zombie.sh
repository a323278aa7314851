#!/bin/sh
# Wrong: a made-up family whose parent says it saw one zombie with SIGCHLD
# ignored.
# Expect: fails "SIG_IGN: wait() then fails with ECHILD"; "SIG_IGN: the children vanish from /proc, zombies=0"; "SIG_IGN: the grader sees SIGCHLD ignored in /proc while the children live"; "default disposition: zombies=N until the parent reaps them"; "a bad --children is a usage error (exit 2)"
# Because: "children=0 zombies=0"; "zombies=1"; "the trace shows no child of the parent 29999"
. "${0%/*}/../wrong.sh"
arg n --children 0 "$@"
arg code --code 0 "$@"
echo "[reaper $$] subreaper=yes"
echo "[parent 29999] SIGCHLD ignored=yes"
pids=""; i=1
while [ $i -le $n ]; do
    echo "[child $((30000 + i))] exiting with code=$code"
    pids="$pids${pids:+,}$((30000 + i))"; i=$((i + 1))
done
echo "[parent 29999] forked children=$n pids=$pids"
echo "[parent 29999] /proc entries gone=$n"
echo "[parent 29999] /proc shows children=0 zombies=1"
echo "[parent 29999] wait() errno=ECHILD"
