//! The labs' own programs beyond their graded checks: `orphan
//! --adopt-by-init` names the process that really adopted the orphan, and
//! says so when that adopter does not reap it. (Every lab's checks are run
//! on the kit's programs and on the programs under `tests/broken/` by
//! `tests/homework.rs`.)

mod common;
use labkit::harness::Program;

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
