//! The graders run on the kit's own binaries: each lab's reference
//! implementation must pass every one of its checks. One test per lab, so
//! labs are graded in parallel.

mod common;
use common::{grade_kit, run_check};
use labkit::grade::Program;

#[test]
fn lab01_fork_copy() {
    grade_kit("fork-copy", "fork-copy");
}

#[test]
fn lab05_orphan() {
    grade_kit("orphan", "orphan");
}

#[test]
fn lab06_double_fork() {
    grade_kit("double-fork", "double-fork");
}

#[test]
fn lab07_sigchld_ignore() {
    grade_kit("sigchld-ignore", "sigchld-ignore");
}

// Deliberately wrong programs (tiny shell scripts that print the grading
// contract's lines) must fail the check aimed at their mistake, and only it:
// proof that the checks can fail.

/// A shell script as a program; the grader's arguments become `$1 $2 ...`.
fn script(text: &str) -> Program {
    Program::new(["sh", "-c", text, "wrong-program"])
}

#[test]
fn orphan_check_fails_when_the_orphan_claims_adoption_by_pid_1() {
    let wrong = script(
        r#"echo "[reaper $$] subreaper=yes"
           echo "[parent 20001] forked child=20002"
           echo "[child 20002] ppid_before=20001"
           echo "[reaper $$] reaped pid=20001 exited code=0 adopted=no"
           echo "[child 20002] ppid_after=1 adopted_by=1 comm=init subreaper=yes"
           echo "[reaper $$] reaped pid=20002 exited code=0 adopted=yes"
           echo "[reaper $$] wait() errno=ECHILD""#,
    );
    run_check("orphan", "orphan", "runs and exits 0, leaving no process behind", &wrong).unwrap();
    run_check("orphan", "orphan", "the child's PPID is first its parent's PID", &wrong).unwrap();
    let err = run_check("orphan", "orphan", "the orphan is adopted by the reaper, not by PID 1", &wrong).unwrap_err();
    assert!(err.contains("should be adopted by the reaper"), "{err}");
}

#[test]
fn double_fork_basic_check_fails_when_a_process_is_left_running() {
    let wrong = script(r#"sleep 5 & echo "[parent $$] forked child=$! and never waits for it""#);
    let err =
        run_check("double-fork", "double-fork", "runs and exits 0, leaving no process behind", &wrong).unwrap_err();
    assert!(err.contains("left processes behind") && err.contains("sleep"), "{err}");
}

#[test]
fn sigchld_ignore_check_fails_on_a_zombie_count_of_1() {
    // Called as `--children N --delay D --code C`: $2 is N, $6 is C.
    let wrong = script(
        r#"echo "[reaper $$] subreaper=yes"
           echo "[parent 29999] SIGCHLD ignored=yes"
           pids=""; i=1
           while [ $i -le $2 ]; do
               echo "[child $((30000 + i))] exiting with code=$6"
               pids="$pids${pids:+,}$((30000 + i))"; i=$((i + 1))
           done
           echo "[parent 29999] forked children=$2 pids=$pids"
           echo "[parent 29999] /proc entries gone=$2"
           echo "[parent 29999] /proc shows children=0 zombies=1"
           echo "[parent 29999] wait() errno=ECHILD""#,
    );
    let (id, bin) = ("sigchld-ignore", "sigchld-ignore");
    run_check(id, bin, "SIG_IGN: wait() then fails with ECHILD", &wrong).unwrap();
    let err = run_check(id, bin, "SIG_IGN: the children vanish from /proc, zombies=0", &wrong).unwrap_err();
    assert!(err.contains("children=0 zombies=0") && err.contains("zombies=1"), "{err}");
}
