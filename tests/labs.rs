//! The graders run on the kit's own binaries: each lab's reference
//! implementation must pass every one of its checks. One test per lab, so
//! labs are graded in parallel.

mod common;
use common::{grade_kit, run_check};
use labkit::harness::Program;

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
fn script(text: &str) -> Program {
    Program::new(["sh", "-c", text, "wrong-program"])
}

/// Sets `$code` from the `--code N` among the grader's arguments.
const READ_CODE: &str = r#"code=0; while [ $# -gt 0 ]; do [ "$1" = --code ] && code=$2; shift; done"#;

#[test]
fn pids_check_fails_on_a_narrated_child() {
    // A believable story, but no child process exists.
    let wrong = script(
        r#"echo "[parent $$] getpid()=$$ getppid()=$PPID"
           echo "[parent $$] fork() returned child=4243"
           echo "[child 4243] getpid()=4243 getppid()=$$ ppid_match=yes"
           echo "[parent $$] child_said=4243 pid_match=yes""#,
    );
    // The grader knows who wrote each line: the shell wrote the child's.
    let err = run_check("pids", "pids", "runs and exits 0, leaving no process behind", &wrong).unwrap_err();
    assert!(err.contains("tagged with PID 4243 but was written by process"), "{err}");
    run_check("pids", "pids", "parent shows its own getpid() and getppid()", &wrong).unwrap();
    let err = run_check("pids", "pids", "the child is real: the grader sees it in /proc under the parent", &wrong)
        .unwrap_err();
    assert!(err.contains("saw no live child"), "{err}");
}

#[test]
fn pids_check_fails_on_a_wrong_ppid() {
    // A real child, which claims its parent is PID 1.
    let wrong = script(
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
    let raw_is_code = script(&format!(
        r#"{READ_CODE}
           sh -c 'echo "[child $$] getpid()=$$"; exit '$code & c=$!
           wait $c
           echo "[parent $$] wait() returned=$c raw=$code WIFEXITED=true WEXITSTATUS=$code""#
    ));
    run_check(id, bin, "wait returns the child's PID", &raw_is_code).unwrap();
    let err = run_check(id, bin, "raw status is code * 256 and WEXITSTATUS is the code", &raw_is_code).unwrap_err();
    assert!(err.contains("raw status should be"), "{err}");

    // The right status, but it blocks instead of polling, and takes any --code.
    let blocks = script(&format!(
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
    let narrated = script(&format!(
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
    let leaves = script(&format!(
        r#"{READ_CODE}
           sleep 1 & c=$!
           echo "[child $c] getpid()=$c"
           echo "[parent $$] wait() returned=$c exited code=$code"
           echo "[parent $$] gone=yes""#
    ));
    let err = run_check("zombie", "zombie", "after wait the /proc entry is gone", &leaves).unwrap_err();
    assert!(err.contains("left processes behind"), "{err}");
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

/// `orphan --adopt-by-init` under a subreaper that reaps (`labkit reap`,
/// as the grader runs programs): the watcher must name that subreaper as the
/// adopter (`pid1=no`), read the orphan's PPID in /proc, and see it
/// vanish. The test does not rely on what this machine's PID 1 does: the
/// orphan never reaches it.
#[test]
fn orphan_adopt_by_init_names_the_real_adopter_and_sees_it_reap() {
    let g = common::grader();
    let orphan = Program::kit(common::labkit_bin(), "orphan");
    let run = g.run(&orphan, &["--adopt-by-init", "--delay", "20ms", "--watch", "10s"]).unwrap();
    let reaper = g.runs()[0].supervisor_pid;
    let child = run.pid_of("child").unwrap();
    assert_eq!(run.code(), 0, "{}", run.excerpt());
    let (_, by) = run.fact("child", "adopted_by").unwrap();
    let (_, pid1) = run.fact("child", "pid1").unwrap();
    assert_eq!(pid1, "no", "{}", run.excerpt());
    // The watcher read the orphan's PPID in /proc: as a zombie, or (the
    // reaper reaps within milliseconds) as the last thing it saw alive.
    assert!(run.by("watcher").any(|l| l.fact("ppid") == Some(by)), "{}", run.excerpt());
    let (_, reaped) = run.fact("watcher", "reaped_by_adopter").unwrap();
    assert_eq!(reaped, "yes", "{}", run.excerpt());
    // The adopter is the `labkit reap` above the program: it reports the orphan as left to it.
    let left: Vec<i32> = run.report.adopted.iter().map(|e| e.pid).collect();
    assert_eq!(left, [child], "{}", run.excerpt());
    assert_eq!(by, reaper.to_string(), "the adopter is the `labkit reap` above the program\n{}", run.excerpt());
    assert_eq!(run.report.adopted[0].how, "exited code=0");
}

/// `orphan --adopt-by-init` under an adopter that does not reap in time: a
/// Python subreaper that waits only for the orphan lab's own process, then
/// sleeps past the lab's `--watch`, then reaps everything. The watcher must
/// see the orphan a zombie under that adopter and say `reaped_by_adopter=no`
/// (exit 1); the adopter then reaps it, so nothing is left.
#[test]
fn orphan_adopt_by_init_says_so_when_the_adopter_does_not_reap() {
    let adopter = r#"
import ctypes, os, subprocess, sys, time
ctypes.CDLL(None).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
lab = subprocess.run([sys.argv[1], "--adopt-by-init", "--delay", "20ms", "--watch", "300ms"])
time.sleep(0.2)
while True:
    try:
        pid, status = os.wait()
    except ChildProcessError:
        break
    print(f"[adopter {os.getpid()}] reaped pid={pid} late", flush=True)
sys.exit(lab.returncode)
"#;
    let orphan = common::labkit_bin().with_file_name("orphan");
    let program = Program::new([common::python3(), "-c", adopter, &orphan.to_string_lossy()]);
    let run = common::grader().run(&program, &[]).unwrap();
    let me = run.pid_of("adopter").unwrap();
    let child = run.pid_of("child").unwrap();
    assert_eq!(run.code(), 1, "{}", run.excerpt());
    assert_eq!(run.number("child", "adopted_by").unwrap(), me, "{}", run.excerpt());
    assert!(run.by("watcher").any(|l| l.fact("ppid") == Some(&me.to_string()) && l.text.contains("state=Z")));
    let (_, reaped) = run.fact("watcher", "reaped_by_adopter").unwrap();
    assert_eq!(reaped, "no", "{}", run.excerpt());
    assert_eq!(run.number("adopter", "pid").unwrap(), child, "{}", run.excerpt());
    run.expect_clean().unwrap();
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
    // Its lines would pass the ECHILD check; the trace of its run does not (no child of 29999 ever ran).
    let err = run_check(id, bin, "SIG_IGN: wait() then fails with ECHILD", &wrong).unwrap_err();
    assert!(err.contains("the trace shows no child of the parent 29999"), "{err}");
    let err = run_check(id, bin, "SIG_IGN: the children vanish from /proc, zombies=0", &wrong).unwrap_err();
    assert!(err.contains("children=0 zombies=0") && err.contains("zombies=1"), "{err}");
}

#[test]
fn lab08_half_copy() {
    grade_kit("half-copy", "half-copy");
}

/// Run the half-copy check `check` on a deliberately wrong program: it must
/// fail, and its message must say `why`.
fn half_copy_check_fails(argv: &[&str], check: &str, why: &str) -> Result<(), String> {
    let program = Program::new(argv.iter().copied());
    match run_check("half-copy", "half-copy", check, &program) {
        Ok(()) => Err(format!("check `{check}` passed `{}`, a wrong program", program.display())),
        Err(e) if e.contains(why) => Ok(()),
        Err(e) => Err(format!("check `{check}` failed `{}` but not saying `{why}`:\n{e}", program.display())),
    }
}

#[test]
fn half_copy_checks_catch_wrong_programs() {
    // One process copies everything (cp).
    let cp = ["cp"];
    // Writes DST directly: truncates, overwrites, leaves partial files.
    let naive = ["sh", "-c", r#"cat "$1" > "$2" || { echo "[naive $$] failed" >&2; exit 1; }"#, "naive"];
    // A child that writes DST directly; the parent ignores how it ended.
    let background = ["sh", "-c", r#"cat "$1" > "$2" & wait; exit 0"#, "background"];
    let naive_force = ["sh", "-c", r#"shift; cat "$1" > "$2""#, "naive"];
    // Two processes, one the parent of the other, each writing one half with
    // dd, but the parent waits for the child before copying its own half.
    let serial = [
        "sh",
        "-c",
        r#"h=$(( $(stat -c %s "$1") / 2 ))
           dd if="$1" of="$2" bs=64K iflag=count_bytes count=$h conv=notrunc status=none & wait
           exec dd if="$1" of="$2" bs=64K iflag=skip_bytes skip=$h oflag=seek_bytes seek=$h conv=notrunc status=none"#,
        "serial",
    ];
    // Copies exactly, then claims wrong bytes it never counted.
    let liar = ["sh", "-c", r#"cp "$2" "$3"; echo "[parent $$] wrong_bytes=7""#, "liar"];
    // The same, but DST is opened once before the fork: the child writes
    // through the parent's descriptor (and its shared offset).
    let prefork = [
        "sh",
        "-c",
        r#"h=$(( $(stat -c %s "$1") / 2 )); exec 3<>"$2"
           dd if="$1" bs=64K iflag=count_bytes count=$h conv=notrunc status=none >&3 & wait
           exec dd if="$1" bs=64K iflag=skip_bytes skip=$h conv=notrunc status=none >&3"#,
        "prefork",
    ];
    let cases: &[(&[&str], &str, &str)] = &[
        (&cp, "two processes each wrote one half (seen by strace)", "exactly two processes, strace saw 1"),
        (&cp, "each process reports its role, PID, byte range and time", "from=A to=B"),
        (&cp, "Ctrl-C during the copy leaves no DST and no temp file", "must be empty afterwards"),
        (&background, "a killed child makes the parent fail and remove the temp file", "expected exit code 1"),
        (&naive, "refuses a missing SRC", "exit code 2"),
        (&naive, "refuses an existing DST without --force", "exit code 2"),
        (&naive_force, "refuses DST that is SRC, even with --force", "exit code 2"),
        (&naive, "a failed write (file size limit) leaves no DST and no temp file", "must be empty afterwards"),
        (&serial, "the parent copies its half before waiting for the child (seen by strace)", "before writing"),
        (&liar, "--shared-offset reports the wrong bytes it really got", "but comparing DST with SRC finds 0"),
        (&prefork, "each process opens SRC and DST itself after the fork (seen by strace)", "opened by process"),
    ];
    let failures: Vec<String> =
        cases.iter().filter_map(|(argv, check, why)| half_copy_check_fails(argv, check, why).err()).collect();
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// The grading contract's table in the handouts of labs 1 to 4 lists
/// exactly the checks the grader runs, in order, with their points.
#[test]
fn handout_tables_of_labs_1_to_4_match_the_checks() {
    for id in ["fork-copy", "pids", "wait-status", "zombie"] {
        let lab = labkit::labs::find(id).unwrap();
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(lab.handout());
        let text = std::fs::read_to_string(&path).unwrap();
        let contract = &text[text.find("## Grading contract").expect("a grading contract")..];
        let rows: Vec<(String, u32)> = contract
            .lines()
            .filter(|l| l.starts_with("| ") && !l.starts_with("| check ") && !l.starts_with("| ---"))
            .map(|l| {
                let cells: Vec<&str> = l.split(" | ").collect();
                (cells[0].trim_start_matches("| ").to_string(), cells[1].trim().parse().expect("points"))
            })
            .collect();
        let checks: Vec<(String, u32)> =
            lab.bin(id).unwrap().checks.iter().map(|c| (c.title.to_string(), c.points)).collect();
        assert_eq!(rows, checks, "{}", path.display());
    }
}
