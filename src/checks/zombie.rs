//! Checks for lab 4, zombie. See `labs/04-zombie.md`, "Grading contract".
//!
//! The child exits with `--code N` after `--delay`; before waiting, the
//! parent reads the child's entry in `/proc` (state `Z`, its name and
//! parent), then waits, prints what wait returned, and shows the entry gone.
//! Besides reading what the program prints, the grader looks at `/proc`
//! itself while the program runs: the zombie must really be there, with the
//! PID, parent and name the program reports; and that run is traced (see
//! [`crate::trace`]): the trace must show the child's exit, a zombie span of
//! a good part of `--delay`, and the reap by the parent's own `wait`.

use std::time::Duration;

use super::{Check, Grader, Pace, Program, RUNS_CLEAN, Transcript, Verdict, expect, own_getpid, random_in};
use crate::harness::traced_label;
use crate::out::Tagged;
use crate::procfs::Stat;
use crate::trace::{ReapedBy, Trace};

const BASIC: Check = Check::new(1, RUNS_CLEAN, basic);

pub const CHECKS: &[Check] = &[
    BASIC,
    Check::new(3, "parent reads the child's state Z, comm and ppid from /proc", parent_sees_zombie).after(&BASIC),
    Check::new(2, "the zombie is real: the grader sees it in /proc too", grader_sees_zombie).after(&BASIC),
    Check::new(2, "wait returns the zombie's PID and its exit code", wait_reaps).after(&BASIC),
    Check::new(2, "after wait the /proc entry is gone", gone_after_wait).after(&BASIC),
];

/// The facts only the parent states (what wait returned, what it saw after).
const PARENT_FACTS: &[&str] = &["returned", "gone"];

/// One run with a random exit code, the code, and (when watched) the
/// zombies the grader saw.
struct Scene {
    run: Transcript,
    code: i32,
    /// Every zombie the grader saw below the program's main process (a
    /// program started through a wrapper, such as a pyenv `python3` shim,
    /// may leave other short-lived zombies before the real one).
    zombies: Vec<Stat>,
    /// The run's trace, when watched.
    trace: Option<Trace>,
}

/// Run with a random code and `--delay delay`; with `watch`, trace the run
/// ([`Grader::spawn_traced`]) and watch `/proc` for zombies while it runs. The code is never 0, 1 (a crash), 3
/// (the kit's default), 255, nor below 128: a program that prints the
/// default, or keeps 7 bits, fails on every run.
fn scenario(g: &Grader, p: &Program, delay: &str, watch: bool) -> Result<Scene, String> {
    let code = random_in(130, 254) as i32;
    let args = ["--code", &code.to_string(), "--delay", delay];
    if !watch {
        return Ok(Scene { run: g.spawn_watched(p, &args)?.finish()?, code, zombies: Vec::new(), trace: None });
    }
    let mut traced = g.spawn_traced(p, &args)?;
    let supervisor = traced.spawned.supervisor_pid();
    let mut zombies: Vec<Stat> = Vec::new();
    traced.spawned.watch(Duration::from_secs(5), |procs| {
        for s in procs.iter().filter(|s| s.is_zombie() && s.ppid != supervisor) {
            if !zombies.iter().any(|z| z.pid == s.pid) {
                zombies.push(s.clone());
            }
        }
        false // watch until the program ends
    });
    let (run, trace) = traced.finish()?;
    Ok(Scene { run, code, zombies, trace: Some(trace) })
}

/// The fact `key=` of `line`, as a PID.
fn pid_fact(line: &Tagged, key: &str) -> Result<i32, String> {
    let v = line.fact(key).unwrap_or_default();
    v.parse().map_err(|_| format!("expected {key}=PID on the line `{}`", line.text))
}

/// Index in `run.lines` of the parent's line with `returned=`, and that line.
fn wait_line(run: &Transcript) -> Result<(usize, &Tagged), String> {
    run.lines
        .iter()
        .enumerate()
        .find(|(_, l)| l.role == "parent" && l.fact("returned").is_some())
        .ok_or_else(|| "expected a parent line `... returned=PID ... code=N`, found none".to_string())
}

fn basic(g: &Grader, p: &Program) -> Verdict {
    let Scene { run, .. } = scenario(g, p, "20ms", false)?;
    run.expect_basic()?;
    run.expect_one_process_per_role(&["parent", "child"])?;
    run.expect_parent_only(PARENT_FACTS)
}

fn parent_sees_zombie(g: &Grader, p: &Program) -> Verdict {
    let Scene { run, .. } = scenario(g, p, "20ms", false)?;
    let parent = run.pid_of("parent")?;
    let child = own_getpid(&run, "child")?;
    let (reaped_at, _) = wait_line(&run)?;
    let zombie_line = run.lines[..reaped_at].iter().find(|l| l.role == "parent" && l.fact("state") == Some("Z"));
    let Some(line) = zombie_line else {
        return Err("before the wait line, expected a parent line with state=Z read from /proc".into());
    };
    let pid = pid_fact(line, "pid")?;
    let ppid = pid_fact(line, "ppid")?;
    expect(pid == child, || format!("the state=Z line is about pid={pid}, not the child {child}: `{}`", line.text))?;
    expect(ppid == parent, || {
        format!("the zombie's ppid= should be the parent's PID {parent} (it is still its child), got {ppid}")
    })?;
    expect(line.fact("comm").is_some_and(|c| !c.is_empty()), || {
        format!("the state=Z line should show comm= from /proc: `{}`", line.text)
    })
}

fn grader_sees_zombie(g: &Grader, p: &Program) -> Verdict {
    g.timed(|pace: Pace| {
        let wait = pace.of(Duration::from_millis(300));
        let delay = format!("{}ms", wait.as_millis());
        let Scene { run, zombies, trace, .. } = scenario(g, p, &delay, true)?;
        let parent = run.pid_of("parent")?;
        let child = own_getpid(&run, "child")?;
        if zombies.is_empty() {
            return Err(format!("with --delay {delay} the grader saw no zombie child of the program in /proc"));
        }
        let Some(seen) = zombies.iter().find(|s| s.pid == child && s.ppid == parent) else {
            let saw: Vec<String> = zombies.iter().map(|s| format!("{} (PPID {})", s.pid, s.ppid)).collect();
            return Err(format!(
                "the grader saw zombie {}; the program printed child {child}, parent {parent}",
                saw.join(", ")
            ));
        };
        let (_, comm) = run.fact("parent", "comm")?;
        expect(comm == seen.comm.replace(' ', "_"), || {
            format!("the grader read comm={} in /proc; the parent printed comm={comm}", seen.comm)
        })?;
        traced_zombie(trace.as_ref(), parent, child, wait)
    })
}

/// The trace's evidence that the child was a zombie and the parent reaped
/// it: it exited, stayed unreaped for at least half of `--delay`, and the
/// parent's own `wait` reaped it (not the kernel, not the process above the
/// parent: a reaper that narrates its reaps for it).
fn traced_zombie(trace: Option<&Trace>, parent: i32, child: i32, delay: Duration) -> Verdict {
    let trace = trace.ok_or("the run was not traced (a bug in the kit)")?;
    let Some(proc) = trace.process(child) else {
        return Err(format!("the trace shows no process {child} (the child's PID as printed)"));
    };
    expect(proc.parent == parent, || {
        format!("the trace shows the child {child} forked by process {}, not by the parent {parent}", proc.parent)
    })?;
    expect(proc.exit.is_some(), || format!("the trace shows no exit of the child {child}"))?;
    match &proc.reaped {
        Some((_, ReapedBy::Process { pid, .. })) if *pid == parent => {}
        Some((_, ReapedBy::Process { pid, call })) => {
            let by = traced_label(trace, *pid);
            return Err(format!(
                "the trace shows the child {child} reaped by {by} ({call}), not by the parent {parent}: \
                 the parent's own wait() must reap it"
            ));
        }
        Some((_, ReapedBy::Kernel)) => {
            return Err(format!(
                "the trace shows the child {child} reaped by the kernel (SIGCHLD ignored): it was never a zombie"
            ));
        }
        None => return Err(format!("the trace shows the child {child} never reaped")),
    }
    let span = proc.zombie.unwrap_or_default();
    expect(span >= delay / 2, || {
        format!(
            "the trace shows the child {child} a zombie for only {}ms; with --delay {}ms the parent should \
             leave it unreaped for about that long",
            span.as_millis(),
            delay.as_millis()
        )
    })
}

fn wait_reaps(g: &Grader, p: &Program) -> Verdict {
    let Scene { run, code, .. } = scenario(g, p, "20ms", false)?;
    let child = own_getpid(&run, "child")?;
    let (_, line) = wait_line(&run)?;
    let got = pid_fact(line, "returned")?;
    expect(got == child, || format!("wait should return the zombie's PID {child}, got returned={got}"))?;
    let shown = line.fact("code");
    expect(shown == Some(code.to_string().as_str()), || {
        format!("the child exited with --code {code}; the wait line should say code={code}:\n  | {}", line.text)
    })
}

fn gone_after_wait(g: &Grader, p: &Program) -> Verdict {
    let Scene { run, .. } = scenario(g, p, "20ms", false)?;
    let (reaped_at, _) = wait_line(&run)?;
    let gone = run.lines[reaped_at..].iter().filter(|l| l.role == "parent").find_map(|l| l.fact("gone"));
    expect(gone.is_some_and(|g| g.eq_ignore_ascii_case("yes")), || {
        let seen = gone.map_or("no gone=".to_string(), |g| format!("gone={g}"));
        format!("after the wait line, expected the parent's gone=yes (read /proc again), got {seen}")
    })?;
    // The parent reaped it itself: nothing was left for the supervisor.
    run.expect_clean()
}
