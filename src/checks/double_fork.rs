//! Checks for lab 6, double-fork. See `labs/06-double-fork.md`, "Grading contract".
//!
//! Four roles: the `reaper` (the program's top process, a subreaper) forks
//! the `parent`; the parent forks a `child` that forks the `grandchild` and
//! exits at once; the parent reaps the child and goes on with task 1,
//! counting its children and zombies in `/proc` (none left); the orphaned
//! grandchild is adopted by the reaper and does task 2; the reaper reaps
//! everything and then finds nothing left (`errno=ECHILD`). The lab's
//! reaper is the program's own process, not the grader's supervisor
//! (`labkit reap`) above it. Two checks' runs are traced (see
//! [`crate::trace`]): the parent's own `wait` reaps the child before the
//! grandchild ends; the reaper adopts the grandchild and reaps it.

use std::time::{Duration, Instant};

use super::{
    Check, Grader, Program, RUNS_CLEAN, Transcript, Verdict, expect, expect_counted_none, expect_reaper_reaped_exactly,
    random_in,
};
use crate::harness::traced_label;
use crate::trace::{Proc, ReapedBy, Trace};

const BASIC: Check = Check::new(1, RUNS_CLEAN, basic);

pub const CHECKS: &[Check] = &[
    BASIC,
    Check::new(2, "the parent reaps its child, which exits at once", child_reaped).after(&BASIC),
    Check::new(3, "the grandchild is adopted by the reaper, not the parent, and does task 2", adopted).after(&BASIC),
    Check::new(3, "zombies=0 on every parent line after the reap", no_zombies).after(&BASIC),
    Check::new(1, "the reaper reaps the grandchild, then wait() says ECHILD", reaper_reaps).after(&BASIC),
];

/// The four roles, each its own process.
const FAMILY: [&str; 4] = ["reaper", "parent", "child", "grandchild"];

/// Run with random short task durations (which no check reads back).
fn scenario(g: &Grader, p: &Program) -> Result<Transcript, String> {
    let (t1, t2) = scenario_tasks();
    g.run(p, &["--task1", &t1, "--task2", &t2])
}

/// [`scenario`] under the kit's tracer.
fn traced_scenario(g: &Grader, p: &Program) -> Result<(Transcript, Trace), String> {
    let (t1, t2) = scenario_tasks();
    g.run_traced(p, &["--task1", &t1, "--task2", &t2])
}

/// The scenario's random short task durations.
fn scenario_tasks() -> (String, String) {
    (format!("{}ms", random_in(10, 50)), format!("{}ms", random_in(10, 50)))
}

/// The traced process `pid` (a PID the program printed for `who`).
fn process(trace: &Trace, who: &str, pid: i32) -> Result<Proc, String> {
    trace.process(pid).ok_or_else(|| format!("the trace shows no process {pid} (the {who}'s PID as printed)"))
}

/// Who reaped `p`, for a message: `reaper 12`, `the kernel`, `nobody`.
fn reaped_by(trace: &Trace, p: &Proc) -> String {
    match &p.reaped {
        Some((_, ReapedBy::Process { pid, .. })) => traced_label(trace, *pid),
        Some((_, ReapedBy::Kernel)) => "the kernel".into(),
        None => "nobody".into(),
    }
}

/// Whether `p` was reaped by a `wait` of process `by`.
fn reaped_by_pid(p: &Proc, by: i32) -> bool {
    matches!(&p.reaped, Some((_, ReapedBy::Process { pid, .. })) if *pid == by)
}

fn basic(g: &Grader, p: &Program) -> Verdict {
    scenario(g, p)?.expect_basic()
}

/// The child must exit *at once*. The grader's own evidence: it looks at
/// the program's processes in `/proc` about every millisecond while the
/// grandchild does task 2 (drawn long here, 300 to 600 ms), and measures how
/// long the child stayed alive after the grandchild first showed up. That
/// must be under half of task 2: forking and exiting takes milliseconds; a
/// child that waits for its grandchild, or keeps it company during its task,
/// lingers for all of it. The run is traced too, and the trace's exact
/// times say the same however often the grader could look (a busy machine
/// may leave gaps between its looks): the child's exit must come less than
/// half of task 2 after it forked the grandchild, and the parent's own
/// `wait` must reap it before the grandchild ends. Timed (see
/// [`Pace`](super::Pace)): a busy machine gets a second, slower try.
fn child_reaped(g: &Grader, p: &Program) -> Verdict {
    g.timed(|pace| {
        let t1 = format!("{}ms", random_in(10, 50));
        // At most a quarter of the run's time limit, even on a second try:
        // a lingering child makes the run last two task 2s.
        let task2 = pace.of(Duration::from_millis(random_in(300, 600))).min(g.timeout / 4);
        let t2 = format!("{}ms", task2.as_millis());
        let mut traced = g.spawn_traced(p, &["--task1", &t1, "--task2", &t2])?;
        let running = &mut traced.spawned;
        // Every look: when, and the live (not zombie) processes of the program.
        let mut looks: Vec<(Instant, Vec<i32>)> = Vec::new();
        running.watch(pace.of(Duration::from_secs(10)), |procs| {
            looks.push((Instant::now(), procs.iter().filter(|s| !s.is_zombie()).map(|s| s.pid).collect()));
            false
        });
        let (run, trace) = traced.finish()?;
        let [_, parent, child, grandchild] = run.role_pids(FAMILY)?;
        let said = run.facts("parent", "child");
        expect(!said.is_empty() && said.iter().all(|(_, v)| *v == child.to_string()), || {
            format!("every parent line with `child=` should name the child's PID {child}")
        })?;
        expect(said.iter().any(|(l, _)| l.fact("code") == Some("0")), || {
            format!("the parent should show `child={child} ... code=0` when it reaps the child")
        })?;
        let (_, g) = run.fact("child", "grandchild")?;
        expect(g == grandchild.to_string(), || {
            format!("the child says grandchild={g}, but the grandchild prints as {grandchild}")
        })?;
        let seen = |pid: i32| looks.iter().filter(move |(_, live)| live.contains(&pid)).map(|(t, _)| *t);
        let Some(born) = seen(grandchild).next() else {
            return Err(format!(
                "the grader never saw the grandchild {grandchild} running in /proc during its task 2 (--task2 {t2})"
            ));
        };
        let lingered = seen(child).next_back().map_or(Duration::ZERO, |last| last.saturating_duration_since(born));
        expect(lingered < task2 / 2, || {
            format!(
                "the child {child} must exit at once after forking the grandchild {grandchild}; the grader saw it \
                 in /proc still running {}ms after the grandchild appeared (task 2 takes {t2}): the child \
                 lingered (did it wait for the grandchild, or sleep?)",
                lingered.as_millis()
            )
        })?;
        // The trace: the child ended at once after the fork (its exact times, however often
        // the grader could look at /proc), and the parent's own wait reaped it while the
        // grandchild still ran.
        let (c, gc) = (process(&trace, "child", child)?, process(&trace, "grandchild", grandchild)?);
        let Some((exit, _)) = c.exit else {
            return Err(format!("the trace shows no exit of the child {child}"));
        };
        let lingered = trace.event(exit).t.saturating_sub(trace.event(gc.born).t);
        expect(lingered < task2 / 2, || {
            format!(
                "the child {child} must exit at once after forking the grandchild {grandchild}; the trace shows \
                 it exit {}ms after the fork (task 2 takes {t2}): the child lingered (did it wait for the \
                 grandchild, or sleep?)",
                lingered.as_millis()
            )
        })?;
        expect(reaped_by_pid(&c, parent), || {
            format!(
                "the trace shows the child {child} reaped by {}, not by the parent {parent}: the parent's own \
                 wait() must reap it",
                reaped_by(&trace, &c)
            )
        })?;
        let (reaped_at, ended_at) = (c.reaped.as_ref().map(|r| r.0), gc.exit.map(|e| e.0));
        expect(reaped_at.zip(ended_at).is_some_and(|(r, e)| r < e), || {
            format!(
                "the trace shows the grandchild {grandchild} ended before the parent reaped the child {child}: \
                 the parent should reap it at once, before its task 1"
            )
        })
    })
}

fn adopted(g: &Grader, p: &Program) -> Verdict {
    let (run, trace) = traced_scenario(g, p)?;
    let [reaper, parent, child, grandchild] = run.role_pids(FAMILY)?;
    let (_, ppid) = run.fact("grandchild", "getppid()")?;
    expect(ppid != parent.to_string() && ppid != child.to_string(), || {
        format!("the grandchild's getppid()={ppid} should be neither the parent {parent} nor the child {child}")
    })?;
    expect(ppid == reaper.to_string(), || {
        format!("the grandchild should be adopted by the reaper {reaper}, got getppid()={ppid}")
    })?;
    let steps = run.facts("grandchild", "step");
    expect(!steps.is_empty(), || "the grandchild should print task 2 progress (`step=`)".to_string())?;
    // The trace: the reaper adopted the grandchild and reaped it.
    let gc = process(&trace, "grandchild", grandchild)?;
    expect(gc.adopted.iter().any(|&(_, by)| by == reaper), || {
        let by: Vec<String> = gc.adopted.iter().map(|&(_, by)| traced_label(&trace, by)).collect();
        format!(
            "the trace shows the grandchild {grandchild} adopted by {}, not by the reaper {reaper}",
            if by.is_empty() { "nobody".to_string() } else { by.join(", then ") }
        )
    })?;
    expect(reaped_by_pid(&gc, reaper), || {
        format!(
            "the trace shows the grandchild {grandchild} reaped by {}, not by the reaper {reaper}",
            reaped_by(&trace, &gc)
        )
    })
}

fn no_zombies(g: &Grader, p: &Program) -> Verdict {
    let run = scenario(g, p)?;
    let [_, _, child, _] = run.role_pids(FAMILY)?;
    let reaped_at = run
        .lines
        .iter()
        .position(|l| l.role == "parent" && l.fact("child") == Some(&child.to_string()) && l.fact("code").is_some());
    let Some(reaped_at) = reaped_at else {
        return Err(format!("no parent line `child={child} ... code=N` (the reap) found"));
    };
    let counts: Vec<_> =
        run.lines[reaped_at..].iter().filter(|l| l.role == "parent" && l.fact("zombies").is_some()).collect();
    expect(counts.len() >= 2, || {
        "the parent should count zombies (`zombies=`) right after the reap and during task 1, at least 2 lines"
            .to_string()
    })?;
    let stray = run.facts("parent", "zombies").len() - counts.len();
    expect(stray == 0, || format!("{stray} `zombies=` line(s) of the parent come before the reap"))?;
    expect_counted_none(&counts, "after the reap")
}

fn reaper_reaps(g: &Grader, p: &Program) -> Verdict {
    let run = scenario(g, p)?;
    let [_, parent, _, grandchild] = run.role_pids(FAMILY)?;
    expect_reaper_reaped_exactly(&run, &[("parent", parent, false), ("grandchild", grandchild, true)])
}
