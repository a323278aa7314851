//! Checks for lab 2, pids. See `labs/02-pids.md`, "Grading contract".
//!
//! PIDs differ on every run, so the checks compare relationships with what
//! the operating system says: the PID the reaper started, the reaper's own
//! PID (the program's parent), and the processes the grader itself sees in
//! `/proc` while the program runs.

use std::time::{Duration, Instant};

use super::{Check, Grader, Pace, Program, RUNS_CLEAN, Transcript, Verdict, expect, random_in};

const BASIC: Check = Check::new(1, RUNS_CLEAN, runs_clean);

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

/// When one process was seen alive (not a zombie) in `/proc`, and under which parent.
#[derive(Debug, Clone, Copy)]
struct Sighting {
    pid: i32,
    ppid: i32,
    first: Instant,
    last: Instant,
}

/// Run with `--delay delay` and `extra` under the reaper: `(run, reaper
/// PID)`. With `watch`, also what the grader saw in `/proc` while the
/// program ran: every process below the program's main process that was
/// alive (running or sleeping, not a zombie), from when to when (a program
/// started through a wrapper, such as a pyenv `python3` shim, may have had
/// other short-lived children before the real one).
fn run(
    g: &Grader,
    p: &Program,
    delay: &str,
    extra: &[&str],
    watch: bool,
) -> Result<(Transcript, i32, Vec<Sighting>), String> {
    let mut args = vec!["--delay", delay];
    args.extend_from_slice(extra);
    let mut running = g.spawn_watched(p, &args).map_err(|e| format!("cannot start the reaper: {e}"))?;
    let reaper = running.reaper_pid();
    let mut seen: Vec<Sighting> = Vec::new();
    if watch {
        running.watch(Duration::from_secs(5), |procs| {
            let now = Instant::now();
            for s in procs.iter().filter(|s| s.ppid != reaper && !s.is_zombie()) {
                match seen.iter_mut().find(|o| o.pid == s.pid && o.ppid == s.ppid) {
                    Some(o) => o.last = now,
                    None => seen.push(Sighting { pid: s.pid, ppid: s.ppid, first: now, last: now }),
                }
            }
            false // watch until the program ends
        });
    }
    Ok((running.finish()?, reaper, seen))
}

fn runs_clean(g: &Grader, p: &Program) -> Verdict {
    let (run, _, _) = run(g, p, "10ms", &[], false)?;
    run.expect_basic()?;
    run.expect_one_process_per_role(&["parent", "child"])?;
    run.expect_parent_only(PARENT_FACTS)?;
    expect_reaped(&run)
}

/// The parent reports what its waitpid returned: the child's PID
/// (`returned=`) and its exit code, `code=0` (a child that crashed, or ran
/// on past its part, ends otherwise).
fn expect_reaped(run: &Transcript) -> Verdict {
    let child = run.pid_of("child")?;
    let line = run.by("parent").find(|l| l.fact("returned").is_some());
    let Some(line) = line else {
        return Err(format!(
            "expected a parent line `... returned=PID code=N` (what waitpid returned), found none\n{}",
            run.excerpt()
        ));
    };
    let (returned, code) = (line.fact("returned").unwrap_or_default(), line.fact("code"));
    expect(returned == child.to_string() && code == Some("0"), || {
        format!(
            "the parent's waitpid should return the child {child} with code=0:\n  | [parent {}] {}\n{}",
            line.pid,
            line.text,
            run.excerpt()
        )
    })
}

fn parent_ids(g: &Grader, p: &Program) -> Verdict {
    let (run, reaper, _) = run(g, p, "10ms", &[], false)?;
    let tag = run.pid_of("parent")?;
    let main = run.report.main.as_ref().map_or(0, |m| m.pid);
    let pid = run.number("parent", "getpid()")?;
    expect(pid == tag && pid == main, || {
        format!(
            "the parent's getpid()= should be its real PID {main} (the process the grader started), \
             as in its tag; got getpid()={pid}, tag {tag}\n{}",
            run.excerpt()
        )
    })?;
    let ppid = run.number("parent", "getppid()")?;
    expect(ppid == reaper, || {
        format!(
            "the parent's getppid()= should be {reaper}, the PID of the process that started it; got {ppid}\n{}",
            run.excerpt()
        )
    })
}

fn child_pid_is_forks_answer(g: &Grader, p: &Program) -> Verdict {
    let (run, _, _) = run(g, p, "10ms", &[], false)?;
    let parent = run.pid_of("parent")?;
    let tag = run.pid_of("child")?;
    let pid = run.number("child", "getpid()")?;
    expect(pid == tag && pid != parent, || {
        format!(
            "the child's getpid()= should be its own PID {tag} (not the parent's {parent}); got {pid}\n{}",
            run.excerpt()
        )
    })?;
    let forked = run.number("parent", "child")?;
    expect(forked == pid, || {
        format!(
            "the parent's child= (what fork returned) should equal the child's getpid() {pid}; got {forked}\n{}",
            run.excerpt()
        )
    })?;
    let said = run.number("parent", "child_said")?;
    expect(said == pid, || {
        format!("the parent's child_said= should be the child's getpid() {pid}; got {said}\n{}", run.excerpt())
    })?;
    let (_, m) = run.fact("parent", "pid_match")?;
    expect(m.eq_ignore_ascii_case("yes"), || {
        format!("the parent should find pid_match=yes; it printed pid_match={m}\n{}", run.excerpt())
    })
}

fn child_ppid_is_parent(g: &Grader, p: &Program) -> Verdict {
    let (run, _, _) = run(g, p, "10ms", &[], false)?;
    let parent = run.number("parent", "getpid()")?;
    let ppid = run.number("child", "getppid()")?;
    expect(ppid == parent, || {
        format!("the child's getppid()= should be the parent's getpid() {parent}; got {ppid}\n{}", run.excerpt())
    })?;
    let (_, m) = run.fact("child", "ppid_match")?;
    expect(m.eq_ignore_ascii_case("yes"), || {
        format!("the child should find ppid_match=yes; it printed ppid_match={m}\n{}", run.excerpt())
    })
}

fn catches_a_lie(g: &Grader, p: &Program) -> Verdict {
    let lie = random_in(1, 999) as i32;
    let (run, _, _) = run(g, p, "10ms", &["--lie", &lie.to_string()], false)?;
    run.expect_clean()?;
    let pid = run.number("child", "getpid()")?;
    let said = run.number("parent", "child_said")?;
    expect(said == pid + lie, || {
        format!(
            "with --lie {lie} the child sends getpid() + {lie} = {}; the parent's child_said= should be what it \
             read, got {said}\n{}",
            pid + lie,
            run.excerpt()
        )
    })?;
    let (_, m) = run.fact("parent", "pid_match")?;
    expect(m.eq_ignore_ascii_case("no"), || {
        format!(
            "the child said {said} but fork returned {pid}: the parent's comparison should give pid_match=no; \
             it printed pid_match={m}\n{}",
            run.excerpt()
        )
    })
}

/// The child must be seen alive (not a zombie) under the parent for a good
/// part of its `--delay`: a child that ignores `--delay` ends at once, and
/// at most a zombie of it is left to see until the parent reaps it.
fn child_in_proc(g: &Grader, p: &Program) -> Verdict {
    g.timed(|pace: Pace| {
        let delay = Duration::from_millis(300);
        let need = pace.of(Duration::from_millis(100));
        let (run, _, seen) = run(g, p, &pace.flag(delay), &[], true)?;
        let parent = run.number("parent", "getpid()")?;
        let child = run.number("child", "getpid()")?;
        if seen.is_empty() {
            return Err(format!(
                "with --delay {} the grader saw no live child of the program in /proc while it ran \
                 (the child must stay alive for --delay; a zombie does not count)\n{}",
                pace.flag(delay),
                run.excerpt()
            ));
        }
        let saw: Vec<String> = seen
            .iter()
            .map(|s| format!("{} (PPID {}, alive for {} ms)", s.pid, s.ppid, (s.last - s.first).as_millis()))
            .collect();
        expect(seen.iter().any(|s| s.pid == child && s.ppid == parent && s.last - s.first >= need), || {
            format!(
                "with --delay {} the grader should see the child {child} alive under the parent {parent} \
                 for at least {} ms; it saw {}\n{}",
                pace.flag(delay),
                need.as_millis(),
                saw.join(", "),
                run.excerpt()
            )
        })
    })
}
