#!/bin/sh
# Benchmark for `labkit grade-class`: a synthetic class of N submissions
# (default 100) built from the correct and wrong programs in tests/broken/,
# graded across every lab with --jobs 1 and then --jobs 2. Prints, for each,
# the submissions per minute and the CPU time per check: the grader's own
# (the `labkit grade` processes) and everything's (the students' programs
# and their reapers included), as `labkit grade-class` measures them.
#
#   bench/class.sh [N] [JOBS...]        e.g. bench/class.sh 100 1 2
#
# Student i hands in, for each program of each lab (`labkit list
# --programs`), the i-th program (round robin) of tests/broken/<lab>/
# written in Python or C (*.py, *.c), under the name grade-class looks for
# (half_copy.py, chat_client.c). A wrong program that is a mutant of its
# control (wrong.mutant) is handed in as the standalone program it runs
# (WRONG_SOURCE=1 prints it), in its control's language. In
# a lab of several programs, a file is a candidate for the program its name
# holds the role of (`server`, `client`). Chat servers that bind the
# course's fixed port (they read CHAT_PORT) are left out: students graded
# side by side cannot share one port, and grade-class starts every server
# with --port 0, as the handout's contract says.
# The class and its grades go to a temporary folder, removed at the end
# (KEEP=1 keeps it).
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
n=${1:-100}
shift || true
jobs=${*:-1 2}

cargo build --release --quiet --manifest-path "$top/Cargo.toml" --bins
labkit="$top/target/release/labkit"
work=$(mktemp -d "${TMPDIR:-/tmp}/labkit-class-bench.XXXXXX")
[ -n "${KEEP:-}" ] || trap 'rm -rf "$work"' EXIT INT TERM

# Each candidate program of tests/broken/, as a student would hand it in:
# $work/pool/<program>/<k>.<py|c>.
"$labkit" list --programs > "$work/programs"
while read -r lab program; do
    pool="$work/pool/$program"
    mkdir -p "$pool"
    role=${program##*-}
    several=$(grep -c "^$lab " "$work/programs")
    k=0
    for f in "$top/tests/broken/$lab/"*.py "$top/tests/broken/$lab/"*.c; do
        [ -f "$f" ] || continue
        name=$(basename "$f")
        if [ "$several" -gt 1 ]; then
            case "$name" in *"$role"*) ;; *) continue ;; esac
        fi
        ext=${name##*.}
        if [ "$ext" = py ] && grep -q '^mutant(' "$f"; then
            # The program a mutant makes is in its control's language:
            # the first quoted name after `mutant(` (correct.py, correct.c).
            control=$(sed -n '/^mutant(/,$p' "$f" | grep -o '"[^"]*"' | head -n 1)
            case "$control" in *.c\") ext=c ;; esac
            WRONG_SOURCE=1 python3 "$f" > "$pool/$k.$ext"
        else
            cp "$f" "$pool/$k.$ext"
        fi
        if grep -q CHAT_PORT "$pool/$k.$ext"; then
            rm "$pool/$k.$ext"
            continue
        fi
        k=$((k + 1))
    done
done < "$work/programs"

i=0
while [ "$i" -lt "$n" ]; do
    s=$(printf '%s/class/student%03d' "$work" "$i")
    mkdir -p "$s"
    while read -r lab program; do
        pool="$work/pool/$program"
        count=$(ls "$pool" | grep -c '\.\(py\|c\)$')
        f=$(ls "$pool" | grep '\.\(py\|c\)$' | sort -n | sed -n "$((i % count + 1))p")
        stem=$(echo "$program" | tr - _)
        cp "$pool/$f" "$s/$stem.${f##*.}"
    done < "$work/programs"
    i=$((i + 1))
done
echo "bench/class.sh: $n submissions of $(wc -l < "$work/programs") programs each in $work/class," \
    "$(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"

for j in $jobs; do
    echo
    echo "=== --jobs $j"
    start=$(date +%s)
    "$labkit" grade-class "$work/class" --jobs "$j" --seed 1 -o "$work/grades-$j" \
        > "$work/grade-$j.txt" 2>&1 || true
    end=$(date +%s)
    grep -E '^(Graded|CPU over|Gradebook)' "$work/grade-$j.txt" || tail -20 "$work/grade-$j.txt"
    echo "wall: $((end - start)) s; load after: $(cut -d' ' -f1-3 /proc/loadavg)"
done
set -- $jobs
if [ $# -ge 2 ] && [ -f "$work/grades-$1/gradebook.csv" ] && [ -f "$work/grades-$2/gradebook.csv" ]; then
    if cmp -s "$work/grades-$1/gradebook.csv" "$work/grades-$2/gradebook.csv"; then
        echo; echo "gradebooks of --jobs $1 and --jobs $2: identical"
    else
        echo; echo "gradebooks of --jobs $1 and --jobs $2 differ:"
        diff "$work/grades-$1/gradebook.csv" "$work/grades-$2/gradebook.csv" || true
    fi
fi
