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
# Student i hands in, for each program of each lab, the i-th program (round
# robin) of tests/broken/<lab>/ written in Python or C (*.py, *.c; the
# wrong programs take the modules they share along: tests/broken/wrong.py
# and their lab's wrong_<lab>.py). The chat servers
# there bind the course's fixed port 8888, which students graded side by
# side cannot share: the class is graded on every program but chat-server.
# The class and its grades go to a temporary folder, removed at the end
# (KEEP=1 keeps it).
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
n=${1:-100}
shift || true
jobs=${*:-1 2}

cargo build --release --quiet --manifest-path "$top/Cargo.toml" --bin labkit
labkit="$top/target/release/labkit"
work=$(mktemp -d "${TMPDIR:-/tmp}/labkit-class-bench.XXXXXX")
# Graded as root, each student's programs run as a user of their own, in a
# copy of the submission; the class itself stays root's.
[ -n "${KEEP:-}" ] || trap 'rm -rf "$work"' EXIT INT TERM

# The programs to grade: every program of every lab but chat-server.
programs="fork-copy pids wait-status zombie orphan double-fork sigchld-ignore half-copy chat-client"

# The candidates for program $1 of lab $2, one per line.
candidates() {
    for f in "$top/tests/broken/$2/"*.py "$top/tests/broken/$2/"*.c; do
        [ -f "$f" ] || continue
        case "$(basename "$f")" in
            wrong_*.py) continue ;;
        esac
        case "$1" in
            chat-client) case "$f" in *client*) echo "$f" ;; esac ;;
            *) echo "$f" ;;
        esac
    done
}

i=0
while [ "$i" -lt "$n" ]; do
    s=$(printf '%s/class/student%03d' "$work" "$i")
    mkdir -p "$s"
    for p in $programs; do
        lab=$p
        [ "$p" = chat-client ] && lab=chat
        list=$(candidates "$p" "$lab")
        count=$(echo "$list" | wc -l)
        f=$(echo "$list" | sed -n "$((i % count + 1))p")
        stem=$(echo "$p" | tr - _)
        case "$f" in
            *.py) cp "$f" "$s/$stem.py" ;;
            *.c) cp "$f" "$s/$stem.c" ;;
        esac
        cp "$top/tests/broken/wrong.py" "$s/"
        for m in "$top/tests/broken/$lab/"wrong_*.py; do if [ -f "$m" ]; then cp "$m" "$s/"; fi; done
    done
    i=$((i + 1))
done
echo "bench/class.sh: $n submissions in $work/class, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"

for j in $jobs; do
    echo
    echo "=== --jobs $j"
    start=$(date +%s)
    "$labkit" grade-class "$work/class" $programs --jobs "$j" --seed 1 -o "$work/grades-$j" \
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
