//! Checks for lab 5, orphan. See `labs/05-orphan.md`, "Grading contract".
//!
//! Three roles: the `reaper` (the program's top process) makes itself a
//! subreaper and forks the `parent`, which forks the `child` and exits at
//! once; the orphaned child shows its PPID before and after, and must be
//! adopted by the reaper (not by PID 1), which reaps both and then finds
//! nothing left (`errno=ECHILD`). The lab's reaper is the program's own
//! process, not the grader's supervisor (`labkit reap`) above it.

use std::time::Duration;

use super::{
    Check, Grader, Pace, Program, RUNS_CLEAN, Transcript, Verdict, expect, expect_reaper_reaped_exactly, random_in,
};

const BASIC: Check = Check::new(1, RUNS_CLEAN, basic);

pub const CHECKS: &[Check] = &[
    BASIC,
    Check::new(2, "the child's PPID is first its parent's PID", ppid_before).after(&BASIC),
    Check::new(4, "the orphan is adopted by the reaper, not by PID 1", adopted_by_reaper).after(&BASIC),
    Check::new(2, "the reaper reaps the parent and the orphan, then wait() says ECHILD", reaper_reaps).after(&BASIC),
];

/// Run with a random short `--delay` (which no check reads back).
fn scenario(g: &Grader, p: &Program) -> Result<Transcript, String> {
    scenario_at(g, p, Pace::USUAL)
}

/// The run with its delay at `pace` (see [`Grader::timed`]).
fn scenario_at(g: &Grader, p: &Program, pace: Pace) -> Result<Transcript, String> {
    let delay = pace.flag(Duration::from_millis(random_in(10, 50)));
    g.run(p, &["--delay", &delay])
}

fn basic(g: &Grader, p: &Program) -> Verdict {
    scenario(g, p)?.expect_basic()
}

/// About time: the child must read its PPID within the parent's --delay;
/// on a busy machine (or under a tracer, where a new child waits for it),
/// it may start later through no fault of the program, so a failure is
/// tried once more at a slower pace.
fn ppid_before(g: &Grader, p: &Program) -> Verdict {
    g.timed(|pace| ppid_before_at(g, p, pace))
}

fn ppid_before_at(g: &Grader, p: &Program, pace: Pace) -> Verdict {
    let run = scenario_at(g, p, pace)?;
    let [_, parent, child] = run.role_pids(["reaper", "parent", "child"])?;
    let forked = run.number("parent", "child")?;
    expect(forked == child, || format!("the parent says it forked child={forked}, but the child prints as {child}"))?;
    let before = run.number("child", "ppid_before")?;
    expect(before == parent, || format!("the child's ppid_before= should be its parent's PID {parent}, got {before}"))
}

fn adopted_by_reaper(g: &Grader, p: &Program) -> Verdict {
    let run = scenario(g, p)?;
    let (reaper, parent) = (run.pid_of("reaper")?, run.pid_of("parent")?);
    let after = run.number("child", "ppid_after")?;
    let by = run.number("child", "adopted_by")?;
    expect(after == by, || format!("ppid_after={after} and adopted_by={by} should be the same PID"))?;
    expect(after != parent, || format!("ppid_after={after} is still the parent's PID: no adoption seen"))?;
    expect(after == reaper, || {
        format!("the orphan should be adopted by the reaper (its nearest subreaper) {reaper}, got {after}")
    })?;
    let (_, flag) = run.fact("child", "subreaper")?;
    expect(flag == "yes", || format!("the child should say subreaper=yes for its adopter, got {flag}"))
}

fn reaper_reaps(g: &Grader, p: &Program) -> Verdict {
    let run = scenario(g, p)?;
    let (parent, child) = (run.pid_of("parent")?, run.pid_of("child")?);
    expect_reaper_reaped_exactly(&run, &[("parent", parent, false), ("orphan", child, true)])
}
