#!/bin/sh
# Wrong: the right status, but it blocks instead of polling with --nohang,
# and takes any --code (no usage error).
# Expect: fails "a signal shows as WIFSIGNALED and WTERMSIG"; "--nohang polls return 0 until the child is reaped"; "a bad --code or --signal is a usage error (exit 2)"
# Because: "expected returned=0 answers"; "expected exit code 2"
. "${0%/*}/../wrong.sh"
arg code --code 0 "$@"
sh -c 'echo "[child $$] getpid()=$$"; exit '$code & c=$!
wait $c
echo "[parent $$] wait() returned=$c raw=$((code * 256)) WIFEXITED=true WEXITSTATUS=$code"
