//! Checks for lab 2, pids. See `labs/02-pids.md`, "Grading contract".
//!
//! The parent prints its `getpid()` and `getppid()`, forks, and reads the
//! PID the child sends through a pipe; the child prints its own
//! `getpid()`/`getppid()`. PIDs differ on every run, so the checks compare
//! relationships with what the operating system says: the PID the grader's
//! supervisor started, the supervisor's own PID (the program's parent), and
//! the processes the grader itself sees in `/proc` while the program runs.

use std::time::{Duration, Instant};

use super::{Check, Grader, Pace, Program, RUNS_CLEAN, Transcript, Verdict, expect, random_in};

const BASIC: Check = Check::new(1, RUNS_CLEAN, basic);

pub const CHECKS: &[Check] = &[
    BASIC,
    Check::new(2, "parent shows its own getpid() and getppid()", parent_ids).after(&BASIC),
    Check::new(3, "child's getpid() equals the PID fork returned", child_pid_is_forks_answer).after(&BASIC),
    Check::new(3, "child's getppid() equals the parent's getpid()", child_ppid_is_parent).after(&BASIC),
    Check::new(2, "the parent checks what the child said: --lie N gives pid_match=no", catches_a_lie).after(&BASIC),
    Check::new(2, "the child is real: the grader sees it in /proc under the parent", child_in_proc).after(&BASIC),
];

/// The facts only the parent states (what it learned from fork and the pipe).
const PARENT_FACTS: &[&str] = &["child", "child_said", "pid_match"];

/// One run, the PID of the supervisor that started it, and (when watched)
/// what the grader saw in `/proc` while it ran.
struct Scene {
    run: Transcript,
    /// The program's parent: the grader's supervisor (`labkit reap`).
    supervisor: i32,
    /// Every process below the program's main process that the grader saw
    /// sleeping (state S), from when to when (a
    /// program started through a wrapper, such as a pyenv `python3` shim,
    /// may have had other short-lived children before the real one).
    seen: Vec<Sighting>,
}

/// When one process was seen sleeping (state S) in `/proc`, and under which
/// parent: a child that sleeps for --delay is in S; one that does not sleep
/// is R (or, starved of CPU, still R), so time spent alive is not enough.
#[derive(Debug, Clone, Copy)]
struct Sighting {
    pid: i32,
    ppid: i32,
    first: Instant,
    last: Instant,
}

/// Run with `--delay delay` and `extra`; with `watch`, watch `/proc` while
/// the program runs ([`Scene::seen`]).
fn scenario(g: &Grader, p: &Program, delay: &str, extra: &[&str], watch: bool) -> Result<Scene, String> {
    let mut args = vec!["--delay", delay];
    args.extend_from_slice(extra);
    let mut running = g.spawn_watched(p, &args)?;
    let supervisor = running.supervisor_pid();
    let mut seen: Vec<Sighting> = Vec::new();
    if watch {
        // Until the program ends (at most the run's timeout: a retry's delays are longer).
        running.watch(g.timeout, |procs| {
            let now = Instant::now();
            for s in procs.iter().filter(|s| s.ppid != supervisor && s.state == 'S') {
                match seen.iter_mut().find(|o| o.pid == s.pid && o.ppid == s.ppid) {
                    Some(o) => o.last = now,
                    None => seen.push(Sighting { pid: s.pid, ppid: s.ppid, first: now, last: now }),
                }
            }
            false // watch until the program ends
        });
    }
    Ok(Scene { run: running.finish()?, supervisor, seen })
}

/// The parent reports what its waitpid returned: the child's PID
/// (`returned=`) and its exit code, `code=0` (a child that crashed, or ran
/// on past its part, ends otherwise).
fn expect_reaped(run: &Transcript) -> Verdict {
    let child = run.pid_of("child")?;
    let line = run.by("parent").find(|l| l.fact("returned").is_some());
    let Some(line) = line else {
        return Err("expected a parent line `... returned=PID code=N` (what waitpid returned), found none".into());
    };
    let (returned, code) = (line.fact("returned").unwrap_or_default(), line.fact("code"));
    expect(returned == child.to_string() && code == Some("0"), || {
        format!(
            "the parent's waitpid should return the child {child} with code=0:\n  | [parent {}] {}",
            line.pid, line.text
        )
    })
}

fn basic(g: &Grader, p: &Program) -> Verdict {
    let Scene { run, .. } = scenario(g, p, "10ms", &[], false)?;
    run.expect_basic()?;
    run.expect_one_process_per_role(&["parent", "child"])?;
    run.expect_parent_only(PARENT_FACTS)?;
    expect_reaped(&run)
}

fn parent_ids(g: &Grader, p: &Program) -> Verdict {
    let Scene { run, supervisor, .. } = scenario(g, p, "10ms", &[], false)?;
    let tag = run.pid_of("parent")?;
    let main = run.report.main.as_ref().map_or(0, |m| m.pid);
    let pid = run.number("parent", "getpid()")?;
    expect(pid == tag && pid == main, || {
        format!(
            "the parent's getpid()= should be its real PID {main} (the process the grader started), \
             as in its tag; got getpid()={pid}, tag {tag}"
        )
    })?;
    let ppid = run.number("parent", "getppid()")?;
    expect(ppid == supervisor, || {
        format!("the parent's getppid()= should be {supervisor}, the PID of the process that started it; got {ppid}")
    })
}

fn child_pid_is_forks_answer(g: &Grader, p: &Program) -> Verdict {
    let Scene { run, .. } = scenario(g, p, "10ms", &[], false)?;
    let parent = run.pid_of("parent")?;
    let tag = run.pid_of("child")?;
    let pid = run.number("child", "getpid()")?;
    expect(pid == tag && pid != parent, || {
        format!("the child's getpid()= should be its own PID {tag} (not the parent's {parent}); got {pid}")
    })?;
    let forked = run.number("parent", "child")?;
    expect(forked == pid, || {
        format!("the parent's child= (what fork returned) should equal the child's getpid() {pid}; got {forked}")
    })?;
    let said = run.number("parent", "child_said")?;
    expect(said == pid, || format!("the parent's child_said= should be the child's getpid() {pid}; got {said}"))?;
    let (_, m) = run.fact("parent", "pid_match")?;
    expect(m.eq_ignore_ascii_case("yes"), || format!("the parent should find pid_match=yes; it printed pid_match={m}"))
}

fn child_ppid_is_parent(g: &Grader, p: &Program) -> Verdict {
    let Scene { run, .. } = scenario(g, p, "10ms", &[], false)?;
    let parent = run.number("parent", "getpid()")?;
    let ppid = run.number("child", "getppid()")?;
    expect(ppid == parent, || format!("the child's getppid()= should be the parent's getpid() {parent}; got {ppid}"))?;
    let (_, m) = run.fact("child", "ppid_match")?;
    expect(m.eq_ignore_ascii_case("yes"), || format!("the child should find ppid_match=yes; it printed ppid_match={m}"))
}

fn catches_a_lie(g: &Grader, p: &Program) -> Verdict {
    let lie = random_in(1, 999) as i32;
    let Scene { run, .. } = scenario(g, p, "10ms", &["--lie", &lie.to_string()], false)?;
    run.expect_clean()?;
    let pid = run.number("child", "getpid()")?;
    let said = run.number("parent", "child_said")?;
    expect(said == pid + lie, || {
        format!(
            "with --lie {lie} the child sends getpid() + {lie} = {}; the parent's child_said= should be what it \
             read, got {said}",
            pid + lie
        )
    })?;
    let (_, m) = run.fact("parent", "pid_match")?;
    expect(m.eq_ignore_ascii_case("no"), || {
        format!(
            "the child said {said} but fork returned {pid}: the parent's comparison should give pid_match=no; \
             it printed pid_match={m}"
        )
    })
}

/// The child must be seen sleeping (state S) under the parent for a good
/// part of its `--delay`: a child that ignores `--delay` ends at once (at
/// most a zombie of it is left to see until the parent reaps it), or, on a
/// busy machine, runs late but never sleeps.
fn child_in_proc(g: &Grader, p: &Program) -> Verdict {
    g.timed(|pace: Pace| {
        let delay = Duration::from_millis(300);
        let need = pace.of(Duration::from_millis(100));
        let Scene { run, seen, .. } = scenario(g, p, &pace.flag(delay), &[], true)?;
        let parent = run.number("parent", "getpid()")?;
        let child = run.number("child", "getpid()")?;
        if seen.is_empty() {
            return Err(format!(
                "with --delay {} the grader saw no child of the program sleeping in /proc while it ran \
                 (the child must sleep for --delay; a zombie, or a child that does not sleep, does not count)",
                pace.flag(delay)
            ));
        }
        let saw: Vec<String> = seen
            .iter()
            .map(|s| format!("{} (PPID {}, sleeping for {} ms)", s.pid, s.ppid, (s.last - s.first).as_millis()))
            .collect();
        expect(seen.iter().any(|s| s.pid == child && s.ppid == parent && s.last - s.first >= need), || {
            format!(
                "with --delay {} the grader should see the child {child} sleeping under the parent {parent} \
                 for at least {} ms; it saw {}",
                pace.flag(delay),
                need.as_millis(),
                saw.join(", ")
            )
        })
    })
}
