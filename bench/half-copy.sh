#!/bin/sh
# Benchmark for lab 8: copy a 1 GiB file with `half-copy` (parent and child
# each copy one half) and with `cp`, in the same run, page cache warm.
#
#   bench/half-copy.sh [FOLDER] [REPETITIONS]
#
# FOLDER (default: a new folder in $TMPDIR or /tmp) gets a 1 GiB source file
# of random-looking data (not sparse) and the copies; all are removed at the
# end (SIZE_MIB=256 makes a smaller file). Each repetition times `cp SRC DST` and `half-copy SRC DST`
# (order alternating), after `sync` so that writing back the previous copy
# does not land in the next measurement. Prints every time, the best and
# the median of each, and the ratio half-copy / cp.
#
# Then, if python3 is there, a control experiment that shows the bottleneck:
# the same in-kernel copy (os.copy_file_range, 4 MiB per call) done by one
# process, by two processes writing the two halves into ONE file (what
# half-copy does), and by two processes writing them into TWO files.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
reps=${2:-5}
size_mib=${SIZE_MIB:-1024}

cargo build --release --quiet --manifest-path "$top/Cargo.toml" --bin half-copy
bin="$top/target/release/half-copy"

if [ -n "${1:-}" ]; then
    dir=$1
    mkdir -p "$dir"
    made=""
else
    dir=$(mktemp -d "${TMPDIR:-/tmp}/half-copy-bench.XXXXXX")
    made=yes
fi
src="$dir/src.bin"
dst="$dir/dst.bin"
trap 'rm -f "$src" "$dst" "$dir"/.dst.bin.half-copy-* "$dir"/x1 "$dir"/x2; [ -z "$made" ] || rmdir "$dir"' EXIT INT TERM

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
best() { tr ' ' '\n' | grep . | sort -n | head -1; }
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
cp_best=$(echo "$cp_times" | best)
hc_best=$(echo "$hc_times" | best)
ratio() { awk "BEGIN { printf \"%.2f\", $1 / $2 }"; }
echo "best of $reps:   cp ${cp_best}ms  half-copy ${hc_best}ms  ratio half-copy/cp $(ratio "$hc_best" "$cp_best")"
echo "median of $reps: cp ${cp_med}ms  half-copy ${hc_med}ms  ratio half-copy/cp $(ratio "$hc_med" "$cp_med")"

command -v python3 > /dev/null || exit 0
echo "control: the same copy_file_range copy, $reps repetitions each"
python3 - "$src" "$reps" << 'EOF'
import os, statistics, sys, time

src, reps = sys.argv[1], int(sys.argv[2])
folder, size = os.path.dirname(src), os.path.getsize(src)
half = size // 2

def copy(dst, start, end):
    fi, fo = os.open(src, os.O_RDONLY), os.open(dst, os.O_WRONLY | os.O_CREAT, 0o600)
    while start < end:
        start += os.copy_file_range(fi, fo, min(4 << 20, end - start), start, start)
    os.close(fi)
    os.close(fo)

def once(how):
    x1, x2 = os.path.join(folder, "x1"), os.path.join(folder, "x2")
    for f in (x1, x2):
        if os.path.exists(f):
            os.unlink(f)
    os.sync()
    t = time.perf_counter()
    if how == "one process":
        copy(x1, 0, size)
    else:
        pid = os.fork()
        if pid == 0:
            copy(x1, 0, half)
            os._exit(0)
        copy(x1 if how == "two processes, one file" else x2, half, size)
        os.waitpid(pid, 0)
    return (time.perf_counter() - t) * 1000

times = {"one process": [], "two processes, one file": [], "two processes, two files": []}
for _ in range(reps):
    for how in times:
        times[how].append(once(how))
for how, t in times.items():
    print(f"  {how:26} best {min(t):5.0f}ms  median {statistics.median(t):5.0f}ms")
EOF
