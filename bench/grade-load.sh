#!/bin/sh
# Benchmark for fair grading (how grading time grows with load): grade the
# kit's own labs with `labkit grade` on an idle machine, then with N
# CPU-bound processes running beside it, then with the grader and one
# CPU-bound process pinned to one core (`taskset -c 0`). Prints the wall
# time and the score of each grade; every score should be full.
#
#   bench/grade-load.sh [LAB...]        (default: every lab)
#
# LOADS="0 1 2 4" sets the numbers of CPU-bound processes. The numbers
# depend on the machine (`nproc` is printed): with more busy processes than
# cores, each runnable process gets its share of a core, and the checks'
# delays (not the grader's CPU) dominate the time.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
cargo build --quiet --manifest-path "$top/Cargo.toml"
labkit="$top/target/debug/labkit"
loads=${LOADS:-0 1 2 4}
hogs=""
trap 'for p in $hogs; do kill "$p" 2>/dev/null || true; done' EXIT INT TERM

hog() { # start one CPU-bound process (optionally under taskset ARGS...)
    "$@" sh -c 'while :; do :; done' &
    hogs="$hogs $!"
}
stop_hogs() {
    for p in $hogs; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
    hogs=""
}
grade() { # label, then the command prefix (may be empty)
    label=$1; shift
    out=$(mktemp -d)
    start=$(date +%s%N)
    "$@" "$labkit" grade $labs_args --out "$out/o" >"$out/log" 2>&1 && status=ok || status="below full marks"
    end=$(date +%s%N)
    score=$(grep '^Score:' "$out/log" || echo 'Score: ?')
    secs=$(awk "BEGIN { printf \"%.2f\", ($end - $start) / 1e9 }")
    printf '%-36s %7s s   %s (%s)\n' "$label" "$secs" "$score" "$status"
    rm -rf "$out"
}

labs_args="$*"
echo "nproc: $(nproc); labs: ${labs_args:-all}"
for n in $loads; do
    i=0
    while [ "$i" -lt "$n" ]; do hog; i=$((i + 1)); done
    grade "$n CPU-bound process(es) beside it"
    stop_hogs
done
hog taskset -c 0
grade "pinned to one core, 1 beside it" taskset -c 0
stop_hogs
