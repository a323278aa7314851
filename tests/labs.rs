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
fn lab02_pids() {
    grade_kit("pids", "pids");
}

// Deliberately wrong programs (tiny shell scripts that print the grading
// contract's lines) must fail the check aimed at their mistake: proof that
// the checks can fail.

/// A shell script as a program; the grader's arguments become `$1 $2 ...`.
fn sh_program(text: &str) -> Program {
    Program::new(["sh", "-c", text, "wrong-program"])
}

/// Sets `$code` from the `--code N` among the grader's arguments.
const READ_CODE: &str = r#"code=0; while [ $# -gt 0 ]; do [ "$1" = --code ] && code=$2; shift; done"#;

#[test]
fn pids_check_fails_on_a_narrated_child() {
    // A believable story, but no child process exists.
    let wrong = sh_program(
        r#"echo "[parent $$] getpid()=$$ getppid()=$PPID"
           echo "[parent $$] fork() returned child=4243"
           echo "[child 4243] getpid()=4243 getppid()=$$ ppid_match=yes"
           echo "[parent $$] child_said=4243 pid_match=yes""#,
    );
    run_check("pids", "pids", "runs and exits 0, leaving no process behind", &wrong).unwrap();
    run_check("pids", "pids", "parent shows its own getpid() and getppid()", &wrong).unwrap();
    let err = run_check("pids", "pids", "the child is real: the grader sees it in /proc under the parent", &wrong)
        .unwrap_err();
    assert!(err.contains("saw no child"), "{err}");
}

#[test]
fn pids_check_fails_on_a_wrong_ppid() {
    // A real child, which claims its parent is PID 1.
    let wrong = sh_program(
        r#"echo "[parent $$] getpid()=$$ getppid()=$PPID"
           sh -c 'echo "[child $$] getpid()=$$ getppid()=1 ppid_match=yes"' & c=$!
           wait $c
           echo "[parent $$] fork() returned child=$c child_said=$c pid_match=yes""#,
    );
    run_check("pids", "pids", "child's getpid() equals the PID fork returned", &wrong).unwrap();
    let err = run_check("pids", "pids", "child's getppid() equals the parent's getpid()", &wrong).unwrap_err();
    assert!(err.contains("getppid()= should be the parent's getpid()"), "{err}");
}

#[test]
fn lab03_wait_status() {
    grade_kit("wait-status", "wait-status");
}

#[test]
fn wait_status_checks_fail_on_a_raw_status_without_256_and_on_no_polling() {
    let (id, bin) = ("wait-status", "wait-status");
    // Forgets that the raw status is code * 256.
    let raw_is_code = sh_program(&format!(
        r#"{READ_CODE}
           sh -c 'echo "[child $$] getpid()=$$"; exit '$code & c=$!
           wait $c
           echo "[parent $$] wait() returned=$c raw=$code WIFEXITED=true WEXITSTATUS=$code""#
    ));
    run_check(id, bin, "wait returns the child's PID", &raw_is_code).unwrap();
    let err = run_check(id, bin, "raw status is code * 256 and WEXITSTATUS is the code", &raw_is_code).unwrap_err();
    assert!(err.contains("raw status should be"), "{err}");

    // The right status, but it blocks instead of polling, and takes any --code.
    let blocks = sh_program(&format!(
        r#"{READ_CODE}
           sh -c 'echo "[child $$] getpid()=$$"; exit '$code & c=$!
           wait $c
           echo "[parent $$] wait() returned=$c raw=$((code * 256)) WIFEXITED=true WEXITSTATUS=$code""#
    ));
    run_check(id, bin, "raw status is code * 256 and WEXITSTATUS is the code", &blocks).unwrap();
    let err = run_check(id, bin, "--nohang polls return 0 until the child is reaped", &blocks).unwrap_err();
    assert!(err.contains("expected returned=0 answers"), "{err}");
    let err = run_check(id, bin, "a bad --code or --signal is a usage error (exit 2)", &blocks).unwrap_err();
    assert!(err.contains("expected exit code 2"), "{err}");
}

#[test]
fn lab04_zombie() {
    grade_kit("zombie", "zombie");
}

#[test]
fn zombie_checks_fail_on_a_claimed_zombie_and_on_a_child_left_behind() {
    // Claims a zombie that never existed.
    let narrated = sh_program(&format!(
        r#"{READ_CODE}
           echo "[child 4243] getpid()=4243"
           echo "[parent $$] pid=4243 state=Z comm=zombie ppid=$$"
           echo "[parent $$] wait() returned=4243 exited code=$code"
           echo "[parent $$] gone=yes""#
    ));
    run_check("zombie", "zombie", "parent reads the child's state Z, comm and ppid from /proc", &narrated).unwrap();
    let err =
        run_check("zombie", "zombie", "the zombie is real: the grader sees it in /proc too", &narrated).unwrap_err();
    assert!(err.contains("saw no zombie"), "{err}");

    // Says gone=yes, but leaves its child for someone else to reap.
    let leaves = sh_program(&format!(
        r#"{READ_CODE}
           sleep 1 & c=$!
           echo "[child $c] getpid()=$c"
           echo "[parent $$] wait() returned=$c exited code=$code"
           echo "[parent $$] gone=yes""#
    ));
    let err = run_check("zombie", "zombie", "after wait the /proc entry is gone", &leaves).unwrap_err();
    assert!(err.contains("left processes behind"), "{err}");
}
