//! The graders run on the kit's own binaries: each lab's reference
//! implementation must pass every one of its checks. One test per lab, so
//! labs are graded in parallel.

mod common;
use common::grade_kit;
use labkit::grade::{Program, Verdict};

#[test]
fn lab01_fork_copy() {
    grade_kit("fork-copy", "fork-copy");
}

#[test]
fn lab02_pids() {
    grade_kit("pids", "pids");
}

#[test]
fn lab03_wait_status() {
    grade_kit("wait-status", "wait-status");
}

#[test]
fn lab04_zombie() {
    grade_kit("zombie", "zombie");
}

// The checks can fail: deliberately wrong programs (small `sh` scripts,
// which get the grader's arguments as "$@") must not pass them.

/// Run the check `name` of lab `id` on `program`.
fn check(id: &str, name: &str, program: &Program) -> Verdict {
    let lab = labkit::labs::find(id).expect("lab in the manifest");
    let check = lab.bins[0].checks.iter().find(|c| c.name == name).expect("check name");
    (check.run)(&common::grader(), program)
}

/// A shell script as the program under test.
fn sh(script: &str) -> Program {
    Program::new(["sh", "-c", script, "sh"])
}

/// Sets `$code` from the `--code N` the grader passes.
const READ_CODE: &str = r#"code=0; while [ $# -gt 0 ]; do [ "$1" = --code ] && code=$2; shift; done"#;

#[test]
fn lab02_pids_checks_catch_a_narrated_child() {
    // Prints a believable story, but no child process exists.
    let fake = sh(r#"
        echo "[parent $$] getpid()=$$ getppid()=$PPID"
        echo "[parent $$] fork() returned child=4243"
        echo "[child 4243] getpid()=4243 getppid()=$$ ppid_match=yes"
        echo "[parent $$] child_said=4243 pid_match=yes""#);
    assert_eq!(check("pids", "runs and exits 0, leaving no process behind", &fake), Ok(()));
    assert_eq!(check("pids", "parent shows its own getpid() and getppid()", &fake), Ok(()));
    let err = check("pids", "the child is real: the grader sees it in /proc under the parent", &fake).unwrap_err();
    assert!(err.contains("saw no child"), "{err}");
}

#[test]
fn lab02_pids_checks_catch_a_wrong_ppid() {
    // A real child, which claims its parent is PID 1.
    let fake = sh(r#"
        echo "[parent $$] getpid()=$$ getppid()=$PPID"
        sh -c 'echo "[child $$] getpid()=$$ getppid()=1 ppid_match=yes"' & c=$!
        wait $c
        echo "[parent $$] fork() returned child=$c child_said=$c pid_match=yes""#);
    assert_eq!(check("pids", "child's getpid() equals the PID fork returned", &fake), Ok(()));
    let err = check("pids", "child's getppid() equals the parent's getpid()", &fake).unwrap_err();
    assert!(err.contains("getppid()= should be the parent's getpid()"), "{err}");
}

#[test]
fn lab03_wait_status_checks_catch_wrong_status_and_no_polling() {
    // Forgets that the raw status is code * 256.
    let raw_is_code = sh(&format!(
        r#"{READ_CODE}
        sh -c 'echo "[child $$] getpid()=$$"; exit '$code & c=$!
        wait $c
        echo "[parent $$] wait() returned=$c raw=$code WIFEXITED=true WEXITSTATUS=$code""#
    ));
    assert_eq!(check("wait-status", "wait returns the child's PID", &raw_is_code), Ok(()));
    let err = check("wait-status", "raw status is code * 256 and WEXITSTATUS is the code", &raw_is_code).unwrap_err();
    assert!(err.contains("raw status should be"), "{err}");

    // Right status, but it blocks instead of polling, and accepts any --code.
    let blocks = sh(&format!(
        r#"{READ_CODE}
        sh -c 'echo "[child $$] getpid()=$$"; exit '$code & c=$!
        wait $c
        echo "[parent $$] wait() returned=$c raw=$((code * 256)) WIFEXITED=true WEXITSTATUS=$code""#
    ));
    assert_eq!(check("wait-status", "raw status is code * 256 and WEXITSTATUS is the code", &blocks), Ok(()));
    let err = check("wait-status", "--nohang polls return 0 until the child is reaped", &blocks).unwrap_err();
    assert!(err.contains("expected returned=0 answers"), "{err}");
    let err = check("wait-status", "a bad --code or --signal is a usage error (exit 2)", &blocks).unwrap_err();
    assert!(err.contains("expected exit code 2"), "{err}");
}

#[test]
fn lab04_zombie_checks_catch_a_claimed_zombie_and_a_leftover() {
    // Claims a zombie that never existed.
    let narrated = sh(&format!(
        r#"{READ_CODE}
        echo "[child 4243] getpid()=4243"
        echo "[parent $$] pid=4243 state=Z comm=zombie ppid=$$"
        echo "[parent $$] wait() returned=4243 exited code=$code"
        echo "[parent $$] gone=yes""#
    ));
    assert_eq!(check("zombie", "parent reads the child's state Z, comm and ppid from /proc", &narrated), Ok(()));
    let err = check("zombie", "the zombie is real: the grader sees it in /proc too", &narrated).unwrap_err();
    assert!(err.contains("saw no zombie"), "{err}");

    // Says gone=yes but leaves its child for someone else to reap.
    let leaves = sh(&format!(
        r#"{READ_CODE}
        sleep 1 & c=$!
        echo "[child $c] getpid()=$c"
        echo "[parent $$] wait() returned=$c exited code=$code"
        echo "[parent $$] gone=yes""#
    ));
    let err = check("zombie", "after wait the /proc entry is gone", &leaves).unwrap_err();
    assert!(err.contains("left processes behind"), "{err}");
}
