#!/bin/sh
# Benchmark for lab 8: copy a 1 GiB file with `half-copy` (parent and child
# each copy one half) and with `cp`, in the same run, page cache warm.
#
#   bench/half-copy.sh [FOLDER] [REPETITIONS]
#
# FOLDER (default: a new folder in $TMPDIR or /tmp) gets a 1 GiB source file
# of random-looking data (not sparse) and the copies; everything is removed
# at the end. Each repetition times `cp SRC DST` and `half-copy SRC DST`
# (order alternating), after `sync` so that writing back the previous copy
# does not land in the next measurement. Prints every time, the median of
# each, and the ratio half-copy / cp.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
reps=${2:-5}
size_mib=${SIZE_MIB:-1024}

cargo build --release --quiet --manifest-path "$top/Cargo.toml" --bin half-copy
bin="$top/target/release/half-copy"

dir=${1:-$(mktemp -d "${TMPDIR:-/tmp}/half-copy-bench.XXXXXX")}
mkdir -p "$dir"
src="$dir/src.bin"
dst="$dir/dst.bin"
trap 'rm -f "$src" "$dst" "$dir"/.dst.bin.half-copy-*; rmdir "$dir" 2>/dev/null || true' EXIT INT TERM

# 1 GiB of random-looking data: a 16 MiB random block, repeated.
head -c $((16 << 20)) /dev/urandom > "$dir/block"
i=0
while [ $i -lt $((size_mib / 16)) ]; do cat "$dir/block"; i=$((i + 1)); done > "$src"
rm -f "$dir/block"
sync
cat "$src" > /dev/null # warm the page cache

now() { date +%s%N; }
# time_one CMD...: run it, print its wall time in ms.
time_one() {
    rm -f "$dst"
    sync
    t0=$(now)
    "$@" > /dev/null
    t1=$(now)
    echo $(((t1 - t0) / 1000000))
}
check() { cmp -s "$src" "$dst" || { echo "half-copy's copy differs from the source" >&2; exit 1; }; }
median() { tr ' ' '\n' | grep . | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

echo "source: $src, $size_mib MiB, $(nproc) CPUs, $(df -T "$dir" | awk 'NR == 2 { print $2 }') file system"
cp_times=""
hc_times=""
r=1
while [ "$r" -le "$reps" ]; do
    if [ $((r % 2)) -eq 1 ]; then
        c=$(time_one cp "$src" "$dst")
        h=$(time_one "$bin" "$src" "$dst")
        check
    else
        h=$(time_one "$bin" "$src" "$dst")
        check
        c=$(time_one cp "$src" "$dst")
    fi
    echo "repetition $r: cp ${c}ms  half-copy ${h}ms"
    cp_times="$cp_times $c"
    hc_times="$hc_times $h"
    r=$((r + 1))
done
cp_med=$(echo "$cp_times" | median)
hc_med=$(echo "$hc_times" | median)
echo "median of $reps: cp ${cp_med}ms  half-copy ${hc_med}ms  ratio half-copy/cp $(awk "BEGIN { printf \"%.2f\", $hc_med / $cp_med }")"
