//! `labkit trace`: the recorded structure of every lab, of broken homework
//! (the trace shows the bug), of programs in Python and C; tracing changes
//! nothing a lab teaches; nothing is left behind; the handouts' pictures are
//! current. Everything runs `labkit` as a subprocess; assertions are about
//! structure (who forked, reaped, adopted whom, in which order), never
//! about fixed PIDs or times.

mod common;
use common::{labkit_bin, python3};
use labkit::checks::RUNS_CLEAN;
use labkit::trace::{Kind, Proc, ReapedBy, Status, Trace, json};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

fn top() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// A kit binary beside `labkit`.
fn kit(name: &str) -> String {
    labkit_bin().with_file_name(name).to_string_lossy().into_owned()
}

/// A fresh scratch folder.
fn scratch(what: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "labkit-trace-test-{what}-{}-{:x}",
        std::process::id(),
        labkit::random::random_u64()
    ));
    std::fs::create_dir_all(&dir).expect("scratch folder");
    dir
}

/// Run `labkit trace --quiet --json FILE -- argv` (Python without
/// `PYTHONUNBUFFERED`, as on a student's laptop); the trace and the output.
fn traced(argv: &[&str]) -> (Trace, Output) {
    traced_in(&std::env::current_dir().unwrap(), argv)
}

/// [`traced`], run in the folder `cwd`.
fn traced_in(cwd: &Path, argv: &[&str]) -> (Trace, Output) {
    let dir = scratch("json");
    let file = dir.join("trace.json");
    let argv: Vec<String> = argv.iter().map(|a| a.to_string()).collect();
    let opts = labkit::trace::Options { timeout: std::time::Duration::from_secs(60), ..Default::default() };
    let out = labkit::trace::command(labkit_bin(), &file, &argv, &opts)
        .current_dir(cwd)
        .env_remove("PYTHONUNBUFFERED")
        .output()
        .expect("run labkit trace");
    let trace =
        labkit::trace::read(&file).unwrap_or_else(|e| panic!("{e}; stderr:\n{}", String::from_utf8_lossy(&out.stderr)));
    let _ = std::fs::remove_dir_all(&dir);
    assert_nothing_left(&trace);
    // Readable on an 80-column screen.
    for line in draw(&trace).lines() {
        assert!(line.chars().count() <= 80, "wider than 80 columns: {line}");
    }
    (trace, out)
}

/// Every process of the trace ended and was reaped, and none is in `/proc` now.
fn assert_nothing_left(t: &Trace) {
    for p in t.processes() {
        assert!(p.exit.is_some(), "{} never ended:\n{}", p.label(), draw(t));
        assert!(p.reaped.is_some(), "{} was never reaped:\n{}", p.label(), draw(t));
        let now = labkit::procfs::stat(p.pid).ok().flatten();
        // A PID can be reused by an unrelated process; ours had the tracer as an ancestor.
        assert!(now.is_none_or(|s| s.ppid != t.tracer && s.ppid != p.parent), "{} is still in /proc", p.label());
    }
}

fn draw(t: &Trace) -> String {
    labkit::trace::draw::draw(t, labkit::trace::draw::Style::default())
}

/// The one process with this role.
fn one(t: &Trace, role: &str) -> Proc {
    let found = t.with_role(role);
    assert_eq!(found.len(), 1, "expected one {role}, found {}:\n{}", found.len(), draw(t));
    found.into_iter().next().unwrap()
}

fn reaper_of(p: &Proc) -> Option<i32> {
    match &p.reaped {
        Some((_, ReapedBy::Process { pid, .. })) => Some(*pid),
        _ => None,
    }
}

fn exit_seq(p: &Proc) -> usize {
    p.exit.expect("ended").0
}

fn reap_seq(p: &Proc) -> usize {
    p.reaped.as_ref().expect("reaped").0
}

/// `parent` reaped `child` with a wait call, after `child` ended.
fn assert_reaped_by(t: &Trace, child: &Proc, parent: &Proc) {
    assert_eq!(
        reaper_of(child),
        Some(parent.pid),
        "{} should be reaped by {}:\n{}",
        child.label(),
        parent.label(),
        draw(t)
    );
    assert!(exit_seq(child) < reap_seq(child));
}

fn wait_failures(t: &Trace, pid: i32) -> Vec<i32> {
    t.events
        .iter()
        .filter_map(|e| match e.kind {
            Kind::WaitFailed { errno, .. } if e.pid == pid => Some(errno),
            _ => None,
        })
        .collect()
}

#[test]
fn zombie_lab_child_is_a_zombie_until_the_parent_reaps_it() {
    let (t, out) = traced(&[&kit("zombie"), "--delay", "150ms", "--code", "5"]);
    assert!(out.status.success(), "{out:?}");
    assert_eq!(t.processes().len(), 2, "{}", draw(&t));
    let (parent, child) = (one(&t, "parent"), one(&t, "child"));
    assert_eq!(parent.pid, t.main);
    assert_eq!(child.parent, parent.pid);
    assert_eq!(child.exit.unwrap().1, Status::Exited(5));
    assert_reaped_by(&t, &child, &parent);
    // The parent waits 150ms from the fork before it reaps.
    let (born, reaped) = (t.event(child.born).t, t.event(reap_seq(&child)).t);
    assert!(reaped - born >= Duration::from_millis(150), "{}", draw(&t));
    assert!(child.zombie.unwrap() > Duration::ZERO, "{}", draw(&t));
    assert_eq!(reaper_of(&parent), Some(t.tracer));
    assert!(child.adopted.is_empty());
}

#[test]
fn double_fork_lab_middle_exits_first_grandchild_is_adopted_by_the_subreaper() {
    let (t, out) = traced(&[&kit("double-fork"), "--task1", "300ms", "--task2", "30ms"]);
    assert!(out.status.success(), "{out:?}");
    assert_eq!(t.processes().len(), 4, "{}", draw(&t));
    let (reaper, parent, child, grand) =
        (one(&t, "reaper"), one(&t, "parent"), one(&t, "child"), one(&t, "grandchild"));
    assert_eq!(reaper.pid, t.main);
    // The reaper made itself a subreaper before forking the parent.
    let sub = t.events.iter().find(|e| e.pid == reaper.pid && e.kind == Kind::Subreaper).expect("subreaper event");
    assert!(sub.seq < parent.born);
    assert_eq!((parent.parent, child.parent, grand.parent), (reaper.pid, parent.pid, child.pid));
    // The middle one exits first, and its parent reaps it.
    assert!(exit_seq(&child) < exit_seq(&grand) && exit_seq(&child) < exit_seq(&parent), "{}", draw(&t));
    assert_reaped_by(&t, &child, &parent);
    // The grandchild is adopted by the reaper when the child ends, and reaped by it.
    assert_eq!(grand.adopted.len(), 1, "{}", draw(&t));
    assert_eq!(grand.adopted[0].1, reaper.pid);
    assert!(grand.adopted[0].0 > exit_seq(&child));
    assert_reaped_by(&t, &grand, &reaper);
    assert_reaped_by(&t, &parent, &reaper);
    assert_eq!(wait_failures(&t, reaper.pid).last(), Some(&libc::ECHILD));
    assert!(wait_failures(&t, parent.pid).is_empty());
}

#[test]
fn orphan_lab_parent_ends_first_and_the_reaper_adopts_the_child() {
    let (t, out) = traced(&[&kit("orphan"), "--delay", "50ms"]);
    assert!(out.status.success(), "{out:?}");
    let (reaper, parent, child) = (one(&t, "reaper"), one(&t, "parent"), one(&t, "child"));
    assert_eq!(t.processes().len(), 3, "{}", draw(&t));
    assert!(exit_seq(&parent) < exit_seq(&child));
    assert_eq!(child.adopted.iter().map(|a| a.1).collect::<Vec<_>>(), [reaper.pid], "{}", draw(&t));
    assert_reaped_by(&t, &child, &reaper);
    assert_reaped_by(&t, &parent, &reaper);
}

#[test]
fn sigchld_ignore_lab_kernel_reaps_and_wait_says_echild() {
    let (t, out) = traced(&[&kit("sigchld-ignore"), "--delay", "30ms", "--children", "4"]);
    assert!(out.status.success(), "the traced lab must still pass its own checks: {out:?}");
    let parent = one(&t, "parent");
    let children = t.with_role("child");
    assert_eq!(children.len(), 4, "{}", draw(&t));
    for c in &children {
        assert_eq!(c.reaped.as_ref().map(|r| &r.1), Some(&ReapedBy::Kernel), "{}", draw(&t));
    }
    assert_eq!(wait_failures(&t, parent.pid), [libc::ECHILD]);
    // Ptrace delays the kernel's reaping until the tracer releases the child: the trace says so.
    assert!(t.notes.iter().any(|n| n.contains("ignores SIGCHLD") && n.contains("untraced")), "{:?}", t.notes);

    // The contrast: with the default disposition the parent reaps them, after they were zombies.
    let (t, out) = traced(&[&kit("sigchld-ignore"), "--delay", "30ms", "--children", "3", "--default"]);
    assert!(out.status.success(), "{out:?}");
    let parent = one(&t, "parent");
    for c in t.with_role("child") {
        assert_reaped_by(&t, &c, &parent);
    }
    assert!(t.notes.is_empty(), "{:?}", t.notes);
}

#[test]
fn wait_status_fork_copy_and_pids_labs_parent_reaps_its_one_child() {
    let (t, out) = traced(&[&kit("wait-status"), "--signal", "TERM", "--delay", "10ms"]);
    assert!(out.status.success(), "{out:?}");
    let (parent, child) = (one(&t, "parent"), one(&t, "child"));
    assert_eq!(child.exit.unwrap().1, Status::Killed { sig: libc::SIGTERM, core: false });
    assert_reaped_by(&t, &child, &parent);
    // The signal: the child sent it to itself, and it was delivered.
    assert!(
        t.events.iter().any(|e| e.pid == child.pid && e.kind == Kind::Kill { target: child.pid, sig: libc::SIGTERM })
    );
    assert!(t.events.iter().any(|e| e.pid == child.pid && e.kind == Kind::Signal { sig: libc::SIGTERM }));

    for argv in
        [vec![kit("fork-copy"), "--delay".into(), "10ms".into()], vec![kit("pids"), "--delay".into(), "10ms".into()]]
    {
        let argv: Vec<&str> = argv.iter().map(String::as_str).collect();
        let (t, out) = traced(&argv);
        assert!(out.status.success(), "{out:?}");
        assert_eq!(t.processes().len(), 2, "{}", draw(&t));
        assert_reaped_by(&t, &one(&t, "child"), &one(&t, "parent"));
    }
}

#[test]
fn half_copy_lab_two_writers_one_half_each() {
    let dir = scratch("half-copy");
    let (src, dst) = (dir.join("src.bin"), dir.join("dst.bin"));
    let data: Vec<u8> = (0..300_000u32).map(|i| (i * 7 % 251) as u8).collect();
    std::fs::write(&src, &data).unwrap();
    let (t, out) = traced(&[&kit("half-copy"), src.to_str().unwrap(), dst.to_str().unwrap()]);
    assert!(out.status.success(), "{out:?}");
    assert_eq!(std::fs::read(&dst).unwrap(), data);
    let (parent, child) = (one(&t, "parent"), one(&t, "child"));
    // Both wrote into the temp file beside DST (renamed to DST at the end), half each.
    let writers = t.writers("/.dst.bin.half-copy-");
    let bytes = |pid| writers.iter().find(|w| w.0 == pid).map_or(0, |w| w.1);
    assert_eq!(writers.len(), 2, "{writers:?}\n{}", draw(&t));
    assert_eq!(bytes(parent.pid) + bytes(child.pid), data.len() as i64);
    assert_eq!(bytes(child.pid), data.len() as i64 / 2);
    let _ = std::fs::remove_dir_all(&dir);
}

/// A broken homework program from `tests/broken/<lab>/<file>`, run with python3 -S.
fn broken(lab: &str, file: &str, args: &[&str]) -> (Trace, Output) {
    let path = top().join("tests/broken").join(lab).join(file);
    let path = path.to_string_lossy().into_owned();
    let mut argv = vec![python3(), "-S", path.as_str()];
    argv.extend_from_slice(args);
    traced(&argv)
}

#[test]
fn broken_zombie_that_never_reaps_is_caught_by_the_trace_though_it_says_it_did() {
    let (t, out) = broken("zombie", "never_reaps.py", &["--delay", "20ms"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("wait() returned="), "the program claims a wait:\n{stdout}");
    let (parent, child) = (one(&t, "parent"), one(&t, "child"));
    // The truth: the parent never reaped it; the subreaper adopted and reaped it.
    assert_ne!(reaper_of(&child), Some(parent.pid), "{}", draw(&t));
    assert_eq!(child.adopted.iter().map(|a| a.1).collect::<Vec<_>>(), [t.tracer]);
    assert_eq!(reaper_of(&child), Some(t.tracer));
    // And its control reaps it itself.
    let (t, _) = broken("zombie", "correct.py", &["--delay", "20ms"]);
    assert_reaped_by(&t, &one(&t, "child"), &one(&t, "parent"));
}

#[test]
fn broken_double_fork_and_orphan_show_no_adoption() {
    let (t, _) = broken("double-fork", "child_waits.py", &["--task1", "50ms", "--task2", "20ms"]);
    let (child, grand) = (one(&t, "child"), one(&t, "grandchild"));
    assert!(grand.adopted.is_empty(), "the grandchild was never orphaned:\n{}", draw(&t));
    assert_reaped_by(&t, &grand, &child);
    let (t, _) = broken("double-fork", "correct.py", &["--task1", "200ms", "--task2", "20ms"]);
    let (reaper, grand) = (one(&t, "reaper"), one(&t, "grandchild"));
    assert_eq!(grand.adopted.iter().map(|a| a.1).collect::<Vec<_>>(), [reaper.pid], "{}", draw(&t));

    let (t, _) = broken("orphan", "parent_waits.py", &["--delay", "20ms"]);
    let (parent, child) = (one(&t, "parent"), one(&t, "child"));
    assert!(child.adopted.is_empty(), "{}", draw(&t));
    assert_reaped_by(&t, &child, &parent);
}

#[test]
fn broken_sigchld_and_half_copy_show_their_bugs() {
    let (t, _) = broken("sigchld-ignore", "forgets_ign.py", &["--delay", "20ms"]);
    let parent = one(&t, "parent");
    let children = t.with_role("child");
    assert!(!children.is_empty());
    for c in &children {
        assert_reaped_by(&t, c, &parent); // not the kernel: SIGCHLD was never ignored
    }
    assert!(t.notes.is_empty(), "no kernel reaping to note: {:?}", t.notes);

    let dir = scratch("one-process");
    let (src, dst) = (dir.join("src.bin"), dir.join("dst.bin"));
    std::fs::write(&src, vec![7u8; 100_000]).unwrap();
    let (t, _) = broken("half-copy", "one_process.py", &[src.to_str().unwrap(), dst.to_str().unwrap()]);
    let dst_name = dir.to_string_lossy().into_owned();
    let writers: Vec<i32> = t
        .events
        .iter()
        .filter_map(|e| match &e.kind {
            Kind::Write { path, .. } if path.starts_with(&dst_name) => Some(e.pid),
            _ => None,
        })
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    assert_eq!(writers.len(), 1, "one process wrote everything, whatever its lines say:\n{}", draw(&t));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn c_program_vfork_exec_signal_and_stop_are_recorded() {
    let bin = common::c_program("tests/trace-programs/family.c");
    let (t, out) = traced(&[bin.to_str().unwrap()]);
    assert!(out.status.success(), "{out:?}");
    let parent = one(&t, "parent");
    let sleeper = one(&t, "sleeper");
    let procs = t.processes();
    let v =
        procs.iter().find(|p| p.program == "true").unwrap_or_else(|| panic!("the vfork child's exec:\n{}", draw(&t)));
    assert!(
        t.events
            .iter()
            .any(|e| matches!(e.kind, Kind::Fork { child, how: labkit::trace::ForkHow::Vfork } if child == v.pid))
    );
    assert_reaped_by(&t, v, &parent);
    let of_sleeper: Vec<&Kind> = t.events.iter().filter(|e| e.pid == sleeper.pid).map(|e| &e.kind).collect();
    let stopped = of_sleeper.iter().position(|k| matches!(k, Kind::Stopped { sig } if *sig == libc::SIGSTOP));
    let continued = of_sleeper.iter().position(|k| matches!(k, Kind::Continued));
    assert!(stopped.is_some() && continued > stopped, "{of_sleeper:?}");
    assert_eq!(sleeper.exit.unwrap().1, Status::Killed { sig: libc::SIGTERM, core: false });
    assert_reaped_by(&t, &sleeper, &parent);
}

#[test]
fn python_output_is_left_as_it_was_buffered_lines_printed_twice_still_are() {
    // Block-buffered stdout (a pipe) copied by fork: the classic double print.
    let dir = scratch("py");
    let prog = dir.join("twice.py");
    std::fs::write(
        &prog,
        "import os\nprint(f'[parent {os.getpid()}] before the fork')\npid = os.fork()\n\
         if pid == 0:\n    raise SystemExit(0)\nos.waitpid(pid, 0)\n",
    )
    .unwrap();
    let plain = Command::new(python3()).arg(&prog).env_remove("PYTHONUNBUFFERED").output().unwrap();
    let (t, out) = traced(&[python3(), prog.to_str().unwrap()]);
    let lines =
        |o: &Output| String::from_utf8_lossy(&o.stdout).lines().filter(|l| l.contains("before the fork")).count();
    assert_eq!(lines(&plain), 2, "untraced, the buffered line is printed by both: {plain:?}");
    assert_eq!(lines(&out), 2, "traced, the same: {out:?}");
    // Both copies name the parent; the child wrote one of them (no line of its own, so no role).
    let parent = one(&t, "parent");
    let child = t.processes().into_iter().find(|p| p.parent == parent.pid).expect("the child");
    assert_eq!(child.role, None);
    assert!(t.events.iter().any(
        |e| e.pid == child.pid && matches!(&e.kind, Kind::Output { text, .. } if text.contains("before the fork"))
    ));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn leftovers_are_killed_and_reaped_and_the_trace_says_so() {
    let (t, out) = traced(&["sh", "-c", "sleep 30 & echo started"]);
    assert!(out.status.success(), "{out:?}");
    let sleeper = t.processes().into_iter().find(|p| p.program == "sleep").expect("sleep");
    assert_eq!(sleeper.exit.unwrap().1, Status::Killed { sig: libc::SIGKILL, core: false });
    assert_eq!(reaper_of(&sleeper), Some(t.tracer));
    assert_eq!(sleeper.adopted.iter().map(|a| a.1).collect::<Vec<_>>(), [t.tracer]);
    assert!(
        t.notes.iter().any(|n| n.contains("labkit trace killed 1 process") && n.contains("after the command ended")),
        "{:?}",
        t.notes
    );
    assert!(!t.timed_out);

    // At the timeout, the command itself is killed, and the trace says why.
    let dir = scratch("timeout");
    let file = dir.join("t.json");
    let opts = labkit::trace::Options { timeout: Duration::from_millis(300), ..Default::default() };
    let out = labkit::trace::command(labkit_bin(), &file, &["sleep".into(), "30".into()], &opts).output().unwrap();
    assert_eq!(out.status.code(), Some(128 + libc::SIGKILL), "{out:?}");
    let t = labkit::trace::read(&file).unwrap();
    assert!(t.timed_out);
    assert!(t.notes.iter().any(|n| n.contains("at the timeout (300ms)")), "{:?}", t.notes);
    assert_nothing_left(&t);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn bad_commands_get_a_clear_error() {
    let out = Command::new(labkit_bin()).args(["trace", "--", "/no/such/program"]).output().unwrap();
    assert_eq!(out.status.code(), Some(125));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("cannot run /no/such/program") && err.contains("No such file"), "{err}");
    assert!(!err.contains("panicked"));
    let out = Command::new(labkit_bin()).args(["trace"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn run_with_trace_draws_the_lab_after_it_runs() {
    for args in [["run", "zombie", "--delay", "10ms", "--trace"], ["run", "--trace", "zombie", "--delay", "10ms"]] {
        let out = Command::new(labkit_bin()).args(args).env_remove("CARGO").output().unwrap();
        assert!(out.status.success(), "{out:?}");
        let text = String::from_utf8_lossy(&out.stdout);
        let lab = text.find("[parent ").expect("the lab's own lines");
        let picture = text.find("labkit trace:").unwrap_or_else(|| panic!("no picture:\n{text}"));
        assert!(lab < picture);
        assert!(text.contains("reaps child") && text.contains("forks child"), "{text}");
        assert!(!text.contains('\x1b'), "no colours when piped");
        for line in text[picture..].lines() {
            assert!(line.chars().count() <= 80, "wider than 80 columns: {line}");
        }
    }
}

/// Checks that cannot pass with `labkit trace` between the grader and the
/// program, for reasons of the wrapper, not of what the lab shows.
const WRAPPER_ARTEFACTS: &[(&str, &str)] = &[
    // The grader compares getpid() with the PID it started: that is labkit trace.
    ("pids", "parent shows its own getpid() and getppid()"),
    // The grader's own tracer (see below) cannot trace what the wrapper traces.
    ("half-copy", "each process reports its role, PID, byte range and time"),
    // strace cannot attach to a process that is already traced (one tracer per process).
    ("half-copy", "two processes each wrote one half (seen by strace)"),
    ("half-copy", "each process opens SRC and DST itself after the fork (seen by strace)"),
    ("half-copy", "the parent copies its half before waiting for the child (seen by strace)"),
    // The grader kills the started process's child: under the wrapper, that is the lab's parent.
    ("half-copy", "a killed child makes the parent fail and remove the temp file"),
    // The grader's own tracer (`Grader::run_traced`) follows the wrapper's child: the wrapper,
    // `labkit trace`, cannot trace it too (one tracer per process).
    ("zombie", "the zombie is real: the grader sees it in /proc too"),
    ("double-fork", "the parent reaps its child, which exits at once"),
    ("double-fork", "the grandchild is adopted by the reaper, not the parent, and does task 2"),
    ("sigchld-ignore", "SIG_IGN: wait() then fails with ECHILD"),
    // The grader reads the CPUs of every process of the family it started but
    // the parent: under the wrapper, labkit trace is one of them, and it is not pinned.
    ("fork-order", "--one-cpu pins the family to one CPU (seen in /proc)"),
    // The grader takes the process it started for the lab's parent and its
    // children for the workers: under the wrapper, the lab's parent is one of
    // those "workers", alive through every round.
    ("parallel", "the same CPU time whatever the number of processes, which really run at once"),
    ("parallel", "with as many processes as CPUs the wall time drops, and no more CPUs are busy than exist"),
    ("parallel", "--one-core: pinned to one CPU, the wall time does not drop"),
    // Not the wrapper but ptrace itself: a traced process stopped by SIGSTOP
    // is in a tracing stop, state `t`, never `T`. The lab waits for `T`, says
    // it never came (`now t`) and exits 1, so its basic check fails and the
    // others are not run. The trace's notes say so.
    ("states", RUNS_CLEAN),
    ("states", "R, S, T and Z read from /proc, each seen by the grader too"),
    ("states", "D: the parent of a vfork waits in D, seen by the grader"),
    ("states", "ps -o stat shows s, l, N (and < only at negative nice) for real causes"),
    ("states", "voluntary_ctxt_switches: the blocked child's grew with each wake-up, the busy one's did not"),
];

/// The labs whose traces these tests know: every lab. (The `states` lab's
/// stopped child shows as `t` under ptrace, not `T`: see `WRAPPER_ARTEFACTS`.)
fn traced_labs() -> impl Iterator<Item = &'static labkit::labs::Lab> {
    labkit::labs::LABS.iter()
}

#[test]
fn every_lab_grades_the_same_traced_as_untraced() {
    let labkit = labkit_bin().to_string_lossy().into_owned();
    let out_dir = scratch("grade");
    let grade = |lab: &labkit::labs::Lab| {
        let mut cmd = Command::new(labkit_bin());
        cmd.args(["grade", lab.id, "--out"]).arg(out_dir.join(lab.id)).env_remove("CARGO");
        for bin in lab.bins {
            cmd.arg("--impl").arg(format!("{}={labkit} trace --quiet -- {}", bin.name, kit(bin.name)));
        }
        let stdio = std::process::Stdio::piped;
        cmd.stdout(stdio()).stderr(stdio()).spawn().expect("run labkit grade")
    };
    // The states lab waits 10 s for a `T` that never comes (see
    // WRAPPER_ARTEFACTS), using no CPU: it is graded meanwhile. The others
    // one after the other: a grade's timing checks are not run against the
    // test's own load (the parallel lab keeps every CPU busy).
    let (idle, rest): (Vec<_>, Vec<_>) = traced_labs().partition(|l| l.id == "states");
    let idle: Vec<_> = idle.into_iter().map(|lab| (lab, grade(lab))).collect();
    let mut grades: Vec<_> =
        rest.into_iter().map(|lab| (lab, grade(lab).wait_with_output().expect("run labkit grade"))).collect();
    grades.extend(idle.into_iter().map(|(lab, g)| (lab, g.wait_with_output().expect("run labkit grade"))));
    for (lab, out) in grades {
        let text = String::from_utf8_lossy(&out.stdout);
        let failed: Vec<&str> = text
            .lines()
            .filter_map(|l| l.trim_start().strip_prefix("FAIL"))
            .map(|l| l.trim_start().split_once("   ").map_or(l, |(_, rest)| rest).trim())
            .map(|l| l.rsplit_once("  (").map_or(l, |(name, _)| name).trim())
            .collect();
        let expected: Vec<&str> = WRAPPER_ARTEFACTS.iter().filter(|(l, _)| *l == lab.id).map(|(_, c)| *c).collect();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(failed, expected, "lab {} under the trace:\n{text}\n{err}", lab.id);
        let code = out.status.code();
        assert_eq!(code, Some(if expected.is_empty() { 0 } else { 1 }), "{text}");
    }
    let _ = std::fs::remove_dir_all(&out_dir);
}

/// The command a handout's trace picture shows, as its marker says
/// (`<!-- labkit trace picture: begin (run: COMMAND; ...`): written once,
/// in the handout.
fn picture_words(lab: &labkit::labs::Lab) -> String {
    let marker = lab.text.find(PICTURE_BEGIN).unwrap_or_else(|| panic!("{}: no trace picture", lab.handout()));
    let rest = &lab.text[marker + PICTURE_BEGIN.len()..];
    let command = rest.strip_prefix(" (run: ").and_then(|rest| rest.split_once(';'));
    command.unwrap_or_else(|| panic!("{}: the picture's marker names no command (run: ...;)", lab.handout())).0.into()
}

/// [`picture_words`] to run in a fresh folder `dir`, the kit's binary
/// first; `dir` then holds what such commands name: `src.bin` (1 MiB)
/// and an empty folder `files`.
fn picture_command(lab: &labkit::labs::Lab, dir: &Path) -> Vec<String> {
    let data: Vec<u8> = (0..1u32 << 20).map(|i| (i % 253) as u8).collect();
    std::fs::write(dir.join("src.bin"), data).unwrap();
    std::fs::create_dir_all(dir.join("files")).unwrap();
    let mut argv: Vec<String> = picture_words(lab).split_whitespace().map(String::from).collect();
    argv[0] = kit(&argv[0]);
    argv
}

const PICTURE_BEGIN: &str = "<!-- labkit trace picture: begin";
const PICTURE_END: &str = "<!-- labkit trace picture: end -->";

/// The handout's picture block for a stored (normalised) trace of `command`.
fn picture_block(stem: &str, number: u32, command: &str, t: &Trace) -> (String, String, String) {
    use labkit::trace::draw::{Style, draw};
    let style = Style { normalised: true, ..Style::default() };
    let text = draw(t, style);
    let svg = labkit::trace::svg::draw(t, style);
    let block = format!(
        "{PICTURE_BEGIN} (run: {command}; drawn from img/{stem}.json by tests/trace.rs; LABKIT_BLESS=1 redraws \
         it) -->\n![The trace of lab {number}, {stem}](img/{stem}.svg)\n\n```text\n{text}```\n{PICTURE_END}"
    );
    (text, svg, block)
}

/// The traced run of a lab's picture command, run once and shared by the
/// handout test and the lab's structure test (the `states` lab takes 10 s
/// under the trace).
fn picture_trace(id: &str) -> (Trace, Output) {
    type Runs = std::sync::Mutex<std::collections::BTreeMap<String, Arc<OnceLock<(Trace, Output)>>>>;
    use std::sync::{Arc, OnceLock};
    static RUNS: Runs = std::sync::Mutex::new(std::collections::BTreeMap::new());
    let cell = RUNS.lock().unwrap_or_else(|e| e.into_inner()).entry(id.to_string()).or_default().clone();
    cell.get_or_init(|| {
        let dir = scratch("picture");
        let argv = picture_command(labkit::labs::find(id).expect("a lab"), &dir);
        let argv: Vec<&str> = argv.iter().map(String::as_str).collect();
        let run = traced_in(&dir, &argv);
        let _ = std::fs::remove_dir_all(&dir);
        run
    })
    .clone()
}

/// Lab 9's picture: the chat server starts, forks its admin child, and
/// stops on SIGTERM (sent to `labkit trace`, which passes it on) with its
/// admin child.
fn chat_server_trace() -> Trace {
    use std::io::BufRead;
    let dir = scratch("chat");
    let file = dir.join("trace.json");
    let argv = picture_command(labkit::labs::find("chat").expect("the chat lab"), &dir);
    let mut child = Command::new(labkit_bin())
        .args(["trace", "--quiet", "--json"])
        .arg(&file)
        .arg("--")
        .args(&argv)
        .current_dir(&dir)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("run labkit trace");
    let stdout = child.stdout.take().unwrap();
    // The admin child reads stdin: keep it open until the end (Child::wait would close it).
    let stdin = child.stdin.take();
    // The server's admin child says it reads stdin: both are up.
    let mut seen = Vec::new();
    let mut lines = std::io::BufReader::new(stdout).lines();
    for line in lines.by_ref() {
        let line = line.unwrap_or_default();
        let admin_up = line.starts_with("[admin ");
        seen.push(line);
        if admin_up {
            break;
        }
    }
    // Keep reading, so that the server's last lines do not meet a closed pipe.
    let drain = std::thread::spawn(move || lines.count());
    assert!(seen.iter().any(|l| l.starts_with("[admin ")), "the admin child never spoke: {seen:?}");
    let pid = nix::unistd::Pid::from_raw(child.id() as i32);
    nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM).unwrap();
    let status = child.wait().unwrap();
    drop(stdin);
    let _ = drain.join();
    assert!(status.success(), "the server stops cleanly on SIGTERM: {status:?}");
    let t = json::from_json(&std::fs::read_to_string(&file).unwrap()).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    assert_nothing_left(&t);
    t
}

/// Each handout shows its lab's trace picture, drawn from a
/// stored normalised trace in `labs/img/`; a fresh trace of the lab has the
/// same shape. `LABKIT_BLESS=1` records the traces afresh and redraws.
#[test]
fn handout_trace_pictures_are_current() {
    let bless = std::env::var_os("LABKIT_BLESS").is_some();
    let img = top().join("labs/img");
    let mut stale = Vec::new();
    // Every lab's picture run at once (each mostly waits on its own delays).
    let mut chat = std::thread::scope(|s| {
        for lab in traced_labs().filter(|l| l.id != "chat") {
            s.spawn(|| picture_trace(lab.id));
        }
        Some(chat_server_trace())
    });
    for lab in traced_labs() {
        let stem = format!("{:02}-{}", lab.number, lab.id);
        let fresh = if lab.id == "chat" {
            chat.take().expect("one chat lab")
        } else {
            let (fresh, out) = picture_trace(lab.id);
            // Under the trace, the states lab never sees `T` (see WRAPPER_ARTEFACTS).
            assert_eq!(out.status.success(), lab.id != "states", "{out:?}");
            fresh
        };
        let fresh = fresh.normalised();
        let json_path = img.join(format!("{stem}.json"));
        if bless {
            std::fs::create_dir_all(&img).unwrap();
            std::fs::write(&json_path, json::to_json(&fresh)).unwrap();
        }
        let stored = std::fs::read_to_string(&json_path).unwrap_or_else(|e| panic!("{}: {e}", json_path.display()));
        let stored = json::from_json(&stored).unwrap_or_else(|e| panic!("{}: {e}", json_path.display()));
        assert_eq!(fresh.shape(), stored.shape(), "lab {}: the trace changed; LABKIT_BLESS=1 redraws", lab.id);
        let command = picture_words(lab);
        let (text, svg, block) = picture_block(&stem, lab.number, &command, &stored);
        assert_eq!(
            text.lines().next(),
            Some(format!("labkit trace: {command}").as_str()),
            "{stem}: the picture's command"
        );
        for line in text.lines() {
            assert!(line.chars().count() <= 80, "{stem}: wider than 80 columns: {line}");
        }
        let handout_path = top().join(lab.handout());
        let handout = std::fs::read_to_string(&handout_path).unwrap();
        if bless {
            std::fs::write(img.join(format!("{stem}.txt")), &text).unwrap();
            std::fs::write(img.join(format!("{stem}.svg")), &svg).unwrap();
            if let (Some(a), Some(b)) = (handout.find(PICTURE_BEGIN), handout.find(PICTURE_END)) {
                let new = format!("{}{block}{}", &handout[..a], &handout[b + PICTURE_END.len()..]);
                std::fs::write(&handout_path, new).unwrap();
            }
        }
        let read = |ext: &str| std::fs::read_to_string(img.join(format!("{stem}.{ext}"))).unwrap_or_default();
        if read("txt") != text || read("svg") != svg {
            stale.push(format!("labs/img/{stem}.txt or .svg"));
        }
        let handout = std::fs::read_to_string(&handout_path).unwrap();
        if !handout.contains(&block) {
            stale.push(format!("{}: its \"What the trace shows\" picture", lab.handout()));
        }
        assert!(handout.contains("## What the trace shows"), "{} has no trace section", lab.handout());
    }
    assert!(stale.is_empty(), "stale (LABKIT_BLESS=1 cargo test --test trace handout redraws them): {stale:?}");
}

#[test]
fn threads_are_not_processes_what_a_thread_does_its_process_does() {
    let dir = scratch("threads");
    let prog = dir.join("threads.py");
    std::fs::write(
        &prog,
        "import os, threading\n\
         def work():\n    pid = os.fork()\n    if pid == 0:\n        os._exit(4)\n    os.waitpid(pid, 0)\n\
         t = threading.Thread(target=work)\nt.start()\nt.join()\n\
         print(f'[parent {os.getpid()}] done', flush=True)\n",
    )
    .unwrap();
    let (t, out) = traced(&[python3(), prog.to_str().unwrap()]);
    assert!(out.status.success(), "{out:?}");
    let procs = t.processes();
    assert_eq!(procs.len(), 2, "the thread is no process of its own:\n{}", draw(&t));
    let parent = one(&t, "parent");
    let child = procs.iter().find(|p| p.pid != parent.pid).unwrap();
    assert_eq!(child.parent, parent.pid, "forked by the process, from its thread");
    assert_eq!(child.exit.unwrap().1, Status::Exited(4));
    assert_reaped_by(&t, child, &parent);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn broken_parents_that_exit_first_and_signals_read_as_exits_show_in_the_trace() {
    // pids: the parent exits without waiting; the child is adopted by the subreaper.
    let (t, _) = broken("pids", "parent_exits_first.py", &["--delay", "50ms"]);
    let (parent, child) = (one(&t, "parent"), one(&t, "child"));
    assert_ne!(reaper_of(&child), Some(parent.pid), "{}", draw(&t));
    assert_eq!(child.adopted.iter().map(|a| a.1).collect::<Vec<_>>(), [t.tracer], "{}", draw(&t));

    // fork-copy: same bug, the child still asleep when the parent ends.
    let (t, _) = broken("fork-copy", "orphan.py", &["--delay", "100ms"]);
    let (parent, child) = (one(&t, "parent"), one(&t, "child"));
    assert!(exit_seq(&parent) < exit_seq(&child), "the parent ends first:\n{}", draw(&t));
    assert_eq!(reaper_of(&child), Some(t.tracer));

    // wait-status: the program says WIFEXITED=true; the kernel says a signal killed it.
    let (t, out) = broken("wait-status", "signal_as_exit.py", &["--signal", "TERM", "--delay", "10ms"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("WIFEXITED=true"), "{out:?}");
    let (parent, child) = (one(&t, "parent"), one(&t, "child"));
    assert_eq!(child.exit.unwrap().1, Status::Killed { sig: libc::SIGTERM, core: false }, "{}", draw(&t));
    assert_reaped_by(&t, &child, &parent);

    // zombie: reaps before looking: the 200ms pause comes after the reap, not
    // before it (lower bounds only: a busy machine makes times longer, not shorter).
    let at = |t: &Trace, seq: usize| t.event(seq).t;
    let (t, _) = broken("zombie", "reaps_before_looking.py", &["--delay", "200ms"]);
    let (parent, child) = (one(&t, "parent"), one(&t, "child"));
    assert_reaped_by(&t, &child, &parent);
    let zombie_for = at(&t, reap_seq(&child)) - at(&t, exit_seq(&child));
    assert!(zombie_for < Duration::from_millis(200), "reaped before the 200ms look, not after:\n{}", draw(&t));
    let (t, _) = broken("zombie", "correct.py", &["--delay", "200ms"]);
    let child = one(&t, "child");
    assert!(at(&t, reap_seq(&child)) - at(&t, child.born) >= Duration::from_millis(200), "{}", draw(&t));
}

#[test]
fn roles_come_from_write_and_writev_lines_alike() {
    let dir = scratch("writev");
    let prog = dir.join("writev.py");
    std::fs::write(
        &prog,
        "import os\npid = os.fork()\nif pid == 0:\n    os.writev(1, [f'[kid {os.getpid()}] '.encode(), b'hello\\n'])\n    os._exit(0)\n\
         os.write(1, f'[boss {os.getpid()}] done\\n'.encode())\nos.waitpid(pid, 0)\n",
    )
    .unwrap();
    let (t, out) = traced(&[python3(), prog.to_str().unwrap()]);
    assert!(out.status.success(), "{out:?}");
    assert_reaped_by(&t, &one(&t, "kid"), &one(&t, "boss"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_storm_of_forks_kills_and_orphans_is_traced_whole_and_nothing_is_held() {
    let storm = top().join("tests/trace-programs/storm.py");
    let (t, out) = traced(&[python3(), storm.to_str().unwrap()]);
    assert!(out.status.success(), "{out:?}");
    let procs = t.processes();
    let boss = one(&t, "boss");
    let middles: Vec<&Proc> = procs.iter().filter(|p| p.parent == boss.pid).collect();
    assert_eq!(middles.len(), 40);
    for m in &middles {
        assert_reaped_by(&t, m, &boss);
    }
    // Every process ended and was reaped (traced() checks), and the tracer
    // never had to kill one: nothing was left waiting for the tracer.
    assert!(!t.events.iter().any(|e| e.pid == t.tracer && matches!(e.kind, Kind::Kill { .. })), "{:?}", t.notes);
    assert!(procs.len() > 40, "the grandchildren are there too: {}", procs.len());
}

/// The graders use the trace as evidence. Each of these programs in
/// `tests/broken` only narrates part of its lab (prints the facts without
/// doing the thing): every line it prints and every `/proc` look agree with
/// the grading contract, and the one check whose run is traced fails it,
/// because of what the trace shows. The failure's feedback carries the
/// drawn trace of that run, in the terminal and in results.json's output.
#[test]
fn narrating_programs_fail_because_of_the_trace_and_the_feedback_draws_it() {
    let cases = [
        ("zombie", "reaped_above.py", "the zombie is real: the grader sees it in /proc too", "not by the parent"),
        ("double-fork", "narrates_reap.py", "the parent reaps its child, which exits at once", "not by the parent"),
        (
            "double-fork",
            "adopted_by_parent.py",
            "the grandchild is adopted by the reaper, not the parent, and does task 2",
            "adopted by parent",
        ),
        (
            "sigchld-ignore",
            "waits_behind_sig_ign.py",
            "SIG_IGN: wait() then fails with ECHILD",
            "wait4 return the child",
        ),
        (
            "half-copy",
            "child_narrates.py",
            "each process reports its role, PID, byte range and time",
            "but the trace shows it writing 0 bytes",
        ),
    ];
    let dir = scratch("narrators");
    for (lab, file, title, why) in cases {
        let path = top().join("tests/broken").join(lab).join(file);
        let json = dir.join(format!("{file}.json"));
        let out = Command::new(labkit_bin())
            .args(["grade", lab, "--seed", "1", "--check", title, "--impl"])
            .arg(format!("{lab}={} {}", python3(), path.display()))
            .arg("--json")
            .arg(&json)
            .arg("--out")
            .arg(dir.join(file))
            .output()
            .expect("run labkit grade");
        let text = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(1), "{lab}/{file}:\n{text}");
        let failed = text.lines().find(|l| l.contains("FAIL") && l.contains(title));
        assert!(failed.is_some(), "{lab}/{file} should fail `{title}`:\n{text}");
        let results: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
        let tests = results["tests"].as_array().unwrap();
        let test = tests.iter().find(|t| t["name"].as_str().unwrap().ends_with(title)).unwrap();
        let output = test["output"].as_str().unwrap();
        // Only the traced check fails (the basic one, which it depends on, passes).
        assert_eq!(tests.iter().filter(|t| t["status"] == "failed").count(), 1, "{lab}/{file}:\n{text}");
        for shown in [&*text, output] {
            let reason = shown.find(title).map_or(shown, |i| &shown[i..]);
            assert!(reason.contains("the trace shows") && reason.contains(why), "{lab}/{file}:\n{reason}");
            let picture = &reason[reason.find("the trace of this run:").unwrap_or_else(|| panic!("{reason}"))..];
            assert!(picture.contains("labkit trace: ") && picture.contains("◀─┘ reap"), "{lab}/{file}:\n{picture}");
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// The seq of the first event of `pid` that `is` picks, after `from`.
fn first_after(t: &Trace, pid: i32, from: usize, is: impl Fn(&Kind) -> bool) -> Option<usize> {
    t.events.iter().find(|e| e.seq > from && e.pid == pid && is(&e.kind)).map(|e| e.seq)
}

/// The processes `parent` forked, in order of birth.
fn children_of(t: &Trace, parent: &Proc) -> Vec<Proc> {
    t.processes().into_iter().filter(|p| p.parent == parent.pid).collect()
}

/// The `n` children of `parent`, forked one at a time: each reaped by
/// `parent` before it forked the next.
fn one_child_at_a_time(t: &Trace, parent: &Proc, n: usize) -> Vec<Proc> {
    let kids = children_of(t, parent);
    assert_eq!(kids.len(), n, "{}", draw(t));
    for k in &kids {
        assert_reaped_by(t, k, parent);
    }
    for pair in kids.windows(2) {
        assert!(reap_seq(&pair[0]) < pair[1].born, "one child at a time:\n{}", draw(t));
    }
    kids
}

#[test]
fn states_lab_stop_and_continue_a_zombie_span_a_vfork_and_a_note_on_the_tracing_stop() {
    let (t, out) = picture_trace("states");
    let parent = one(&t, "parent");
    assert_eq!(parent.pid, t.main);
    let roles = ["busy", "sleeper", "vforker", "leader", "threads", "nice", "greedy"];
    for role in roles {
        assert_reaped_by(&t, &one(&t, role), &parent);
        assert_eq!(one(&t, role).parent, parent.pid, "{}", draw(&t));
    }
    // The stopped sleeper: the parent's SIGSTOP, its stop, the SIGCONT, its continuing, in that order.
    let sleeper = one(&t, "sleeper");
    let kill = |sig| move |k: &Kind| *k == Kind::Kill { target: sleeper.pid, sig };
    let stop_sent = first_after(&t, parent.pid, sleeper.born, kill(libc::SIGSTOP)).expect("SIGSTOP sent");
    let stopped = first_after(&t, sleeper.pid, stop_sent, |k| *k == Kind::Stopped { sig: libc::SIGSTOP });
    let stopped = stopped.unwrap_or_else(|| panic!("the sleeper's stop:\n{}", draw(&t)));
    let cont_sent = first_after(&t, parent.pid, stopped, kill(libc::SIGCONT)).expect("SIGCONT sent");
    assert!(first_after(&t, sleeper.pid, cont_sent, |k| *k == Kind::Continued).is_some(), "{}", draw(&t));
    // The zombie: the one child of the parent that neither printed a role
    // nor ran another program; ended at once, reaped by the parent after
    // the lab's look at it (--hold 100ms), before the vforker was born.
    let zombies: Vec<Proc> =
        children_of(&t, &parent).into_iter().filter(|p| p.role.is_none() && p.program == "states").collect();
    assert_eq!(zombies.len(), 1, "{}", draw(&t));
    assert_reaped_by(&t, &zombies[0], &parent);
    assert!(zombies[0].zombie.unwrap() >= Duration::from_millis(100), "{}", draw(&t));
    assert!(reap_seq(&zombies[0]) < one(&t, "vforker").born);
    // The vforker's child was made by vfork and reaped by the vforker.
    let vforker = one(&t, "vforker");
    let vchild = children_of(&t, &vforker);
    assert_eq!(vchild.len(), 1, "{}", draw(&t));
    assert!(t.events.iter().any(|e| e.kind == Kind::Fork { child: vchild[0].pid, how: labkit::trace::ForkHow::Vfork }));
    assert_reaped_by(&t, &vchild[0], &vforker);
    // What ptrace changes, said twice: by the lab, which waited for T, and by the trace.
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("never reached state=T") && err.contains("(now t)"), "{err}");
    assert_eq!(out.status.code(), Some(1));
    assert!(t.notes.iter().any(|n| n.contains("state t (tracing stop)") && n.contains("untraced")), "{:?}", t.notes);
}

#[test]
fn exit_flush_lab_the_child_flushes_the_copied_line_with_exit_and_not_with_underscore_exit() {
    let (t, out) = picture_trace("exit-flush");
    assert!(out.status.success(), "{out:?}");
    let parent = one(&t, "parent");
    // Two writers, one per ending, each forked and reaped by the parent in turn.
    let writers = one_child_at_a_time(&t, &parent, 2);
    let pipe_writes = |p: &Proc| -> Vec<(usize, i64)> {
        t.events
            .iter()
            .filter_map(|e| match &e.kind {
                Kind::Write { path, bytes, .. } if e.pid == p.pid && path.starts_with("pipe:") => Some((e.seq, *bytes)),
                _ => None,
            })
            .collect()
    };
    for (i, w) in writers.iter().enumerate() {
        let child = &one_child_at_a_time(&t, w, 1)[0];
        // The writer's own copy of the line leaves its buffer last, after its child was reaped.
        let own = pipe_writes(w);
        let (flushed_at, line) = *own.last().expect("the writer's flush");
        assert!(flushed_at > reap_seq(child), "{}", draw(&t));
        // With exit() (the first run), the child wrote the same line from its copy of
        // the buffer, as its last write; with _exit() (the second), it never wrote it.
        let child_writes = pipe_writes(child);
        let copied = child_writes.iter().filter(|w| w.1 == line).count();
        let last = *child_writes.last().expect("the child's own line");
        let want = if i == 0 { (1, true) } else { (0, false) };
        assert_eq!((copied, last.1 == line), want, "{child_writes:?} vs {line}:\n{}", draw(&t));
        assert!(last.0 < exit_seq(child));
    }
}

#[test]
fn fork_order_lab_one_child_per_run_each_reaped_before_the_next_is_forked() {
    let (t, out) = picture_trace("fork-order");
    assert!(out.status.success(), "{out:?}");
    let parent = one(&t, "parent");
    // --runs 3, then one child for the --lines that interleave with the parent's.
    let kids = one_child_at_a_time(&t, &parent, 4);
    for k in &kids {
        assert_eq!(k.exit.unwrap().1, Status::Exited(0));
    }
    let lines = one(&t, "child");
    assert_eq!(lines.pid, kids[3].pid);
    // The parent printed its lines while that child was alive (--gap 100ms each).
    let printed = t.events.iter().filter(|e| {
        e.pid == parent.pid && e.seq > lines.born && e.seq < exit_seq(&lines) && matches!(e.kind, Kind::Output { .. })
    });
    assert!(printed.count() >= 1, "{}", draw(&t));
}

#[test]
fn inherit_lab_the_shared_file_is_written_by_child_then_parent_and_four_children_are_reaped() {
    let (t, out) = picture_trace("inherit");
    assert!(out.status.success(), "{out:?}");
    let parent = one(&t, "parent");
    // File before fork, file after fork, the shared socket, the socket bound after fork.
    let kids = one_child_at_a_time(&t, &parent, 4);
    // --writes 2 records of 32 bytes each, into each file, by the parent and one child.
    for (file, child) in [("inherit-before.txt", &kids[0]), ("inherit-after.txt", &kids[1])] {
        let mut writers = t.writers(file);
        writers.sort();
        let mut want = vec![(parent.pid, 64, 2), (child.pid, 64, 2)];
        want.sort();
        assert_eq!(writers, want, "{file}:\n{}", draw(&t));
        // The child wrote first: the parent writes only after reaping it.
        let last_child_write = t
            .events
            .iter()
            .filter(|e| e.pid == child.pid && matches!(&e.kind, Kind::Write { path, .. } if path.ends_with(file)))
            .map(|e| e.seq)
            .max()
            .unwrap();
        assert!(last_child_write < reap_seq(child));
        assert!(first_after(&t, parent.pid, reap_seq(child), |k| matches!(k, Kind::Write { .. })).is_some());
    }
}

#[test]
fn priority_lab_two_children_compete_at_once_and_the_parent_reaps_both() {
    let (t, out) = picture_trace("priority");
    assert!(out.status.success(), "{out:?}");
    let parent = one(&t, "parent");
    let (normal, nice) = (one(&t, "normal"), one(&t, "nice"));
    assert_eq!((normal.parent, nice.parent), (parent.pid, parent.pid));
    // Both are alive together for the whole --duration: both born before either ends.
    assert!(normal.born.max(nice.born) < exit_seq(&normal).min(exit_seq(&nice)), "{}", draw(&t));
    let (born, ended) = (t.event(nice.born).t, t.event(exit_seq(&nice)).t);
    assert!(ended - born >= Duration::from_millis(300), "{}", draw(&t));
    assert_reaped_by(&t, &normal, &parent);
    assert_reaped_by(&t, &nice, &parent);
    // The parent reads NI and PRI with ps: children that ran ps and were reaped by it.
    for ps in children_of(&t, &parent).iter().filter(|p| p.role.is_none()) {
        assert_eq!(ps.program, "ps", "{}", draw(&t));
        assert_reaped_by(&t, ps, &parent);
    }
    // The normalised trace (the handout's) renumbers the PIDs `ps -p` names, with the family.
    let n = t.normalised();
    let named: std::collections::BTreeSet<String> = n
        .events
        .iter()
        .filter_map(|e| match &e.kind {
            Kind::Exec { argv, .. } if argv[0] == "ps" => argv.last().cloned(),
            _ => None,
        })
        .collect();
    let want = [one(&n, "normal").pid, one(&n, "nice").pid].map(|p| p.to_string());
    assert_eq!(named, want.into_iter().collect(), "{}", draw(&n));
}

#[test]
fn parallel_lab_four_workers_forked_by_the_parent_run_at_once_and_each_is_reaped_by_it() {
    let (t, out) = picture_trace("parallel");
    assert!(out.status.success(), "{out:?}");
    let parent = one(&t, "parent");
    assert_eq!(parent.pid, t.main);
    let workers = children_of(&t, &parent);
    assert_eq!(workers.len(), 4, "--procs 4:\n{}", draw(&t));
    // All four are forked before any of them ends: they run at once.
    let last_born = workers.iter().map(|w| w.born).max().unwrap();
    for w in &workers {
        assert!(last_born < exit_seq(w), "{}", draw(&t));
        assert_eq!(w.exit.unwrap().1, Status::Exited(0));
        assert_reaped_by(&t, w, &parent);
    }
    assert_eq!(t.processes().len(), 5, "{}", draw(&t));
}
