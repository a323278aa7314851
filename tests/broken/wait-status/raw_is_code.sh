#!/bin/sh
# Wrong: forgets that the raw status is the exit code * 256.
# Expect: fails "raw status is code * 256 and WEXITSTATUS is the code"; "a signal shows as WIFSIGNALED and WTERMSIG"; "--nohang polls return 0 until the child is reaped"; "a bad --code or --signal is a usage error (exit 2)"
# Because: "raw status should be"
. "${0%/*}/../wrong.sh"
arg code --code 0 "$@"
sh -c 'echo "[child $$] getpid()=$$"; exit '$code & c=$!
wait $c
echo "[parent $$] wait() returned=$c raw=$code WIFEXITED=true WEXITSTATUS=$code"
