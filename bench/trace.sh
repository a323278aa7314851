#!/bin/sh
# Benchmark for `labkit trace`: how much does tracing slow a program down?
#
#   bench/trace.sh [REPETITIONS]
#
# In one run, with release builds: the wall time of a fork-heavy program
# (1000 times fork + _exit + waitpid, in C and in Python) untraced and under
# `labkit trace --quiet`, best and median of REPETITIONS (default 5); then
# each lab at its classroom defaults (half-copy on a 64 MiB file), once
# untraced and once traced. Untraced runs go through `labkit reap` (the same
# subreaper a traced run has), so the difference is the tracing alone.
# Prints every time and the ratio traced / untraced. Needs cc and python3.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
reps=${1:-5}
cargo build --release --quiet --manifest-path "$top/Cargo.toml" --bins
bin="$top/target/release"
dir=$(mktemp -d "${TMPDIR:-/tmp}/labkit-trace-bench.XXXXXX")
trap 'rm -rf "$dir"' EXIT

cat > "$dir/forks.c" <<'EOF'
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>
int main(int argc, char **argv) {
    int n = argc > 1 ? atoi(argv[1]) : 1000;
    for (int i = 0; i < n; i++) {
        pid_t p = fork();
        if (p < 0) { perror("fork"); return 1; }
        if (p == 0) _exit(0);
        int st;
        if (waitpid(p, &st, 0) != p) { perror("waitpid"); return 1; }
    }
    printf("[parent %d] forked, ended and reaped n=%d children\n", getpid(), n);
    return 0;
}
EOF
cc -O2 -o "$dir/forks" "$dir/forks.c"
cat > "$dir/forks.py" <<'EOF'
import os, sys
n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
for _ in range(n):
    p = os.fork()
    if p == 0:
        os._exit(0)
    os.waitpid(p, 0)
print(f"[parent {os.getpid()}] forked, ended and reaped n={n} children")
EOF

# Wall time of a command, in milliseconds (its output is thrown away).
ms() {
    t0=$(date +%s%N)
    "$@" > /dev/null 2>&1 || { echo "failed: $*" >&2; exit 1; }
    t1=$(date +%s%N)
    echo $(( (t1 - t0) / 1000000 ))
}

# best and median of a list of numbers
stats() {
    printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {printf "best=%d median=%d", a[1], a[int((NR+1)/2)]}'
}

ratio() {
    awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0) b = 1; printf "%.2f", a / b }'
}

echo "labkit trace benchmark: $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg), $reps repetitions"
echo
echo "fork-heavy: 1000 x (fork, _exit, waitpid)"
py=python3
[ -x /usr/bin/python3 ] && py=/usr/bin/python3 # a version manager's shim would be timed too
for prog in "$dir/forks" "$py $dir/forks.py"; do
    plain=""
    traced=""
    i=0
    while [ "$i" -lt "$reps" ]; do
        # shellcheck disable=SC2086 # $prog holds an interpreter and a file
        plain="$plain $(ms "$bin/labkit" reap -- $prog)"
        # shellcheck disable=SC2086
        traced="$traced $(ms "$bin/labkit" trace --quiet -- $prog)"
        i=$((i + 1))
    done
    # shellcheck disable=SC2086
    p=$(stats $plain | sed 's/.*median=//')
    # shellcheck disable=SC2086
    t=$(stats $traced | sed 's/.*median=//')
    name=$(basename "${prog##* }")
    # shellcheck disable=SC2086
    echo "  $name untraced ms:$plain  ($(stats $plain))"
    # shellcheck disable=SC2086
    echo "  $name traced   ms:$traced  ($(stats $traced))"
    echo "  $name traced/untraced (medians): $(ratio "$t" "$p")x"
done

echo
echo "labs at their classroom defaults (ms, one run each)"
head -c $((64 << 20)) /dev/urandom > "$dir/src.bin"
"$bin/half-copy" "$dir/src.bin" "$dir/dst.bin" > /dev/null # warm the page cache first
printf '  %-16s %9s %9s %7s\n' lab untraced traced ratio
for lab in fork-copy pids wait-status zombie orphan double-fork sigchld-ignore half-copy; do
    args=""
    if [ "$lab" = half-copy ]; then
        rm -f "$dir/dst.bin"
        args="$dir/src.bin $dir/dst.bin"
    fi
    # shellcheck disable=SC2086
    p=$(ms "$bin/labkit" reap -- "$bin/$lab" $args)
    rm -f "$dir/dst.bin"
    # shellcheck disable=SC2086
    t=$(ms "$bin/labkit" trace --quiet -- "$bin/$lab" $args)
    printf '  %-16s %9d %9d %6sx\n' "$lab" "$p" "$t" "$(ratio "$t" "$p")"
done
echo "  (chat is interactive: its server and client are traced by the grade test instead)"
