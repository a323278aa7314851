//! Checks for lab 5, orphan. See `labs/05-orphan.md`, "Grading contract".

use super::{Check, Grader, Program, RUNS_CLEAN, Transcript, Verdict, expect, expect_reaper_reaped_exactly, random_in};

const BASIC: Check = Check::new(1, RUNS_CLEAN, runs_clean);

pub const CHECKS: &[Check] = &[
    BASIC,
    Check::new(2, "the child's PPID is first its parent's PID", ppid_before).after(&BASIC),
    Check::new(4, "the orphan is adopted by the reaper, not by PID 1", adopted_by_reaper).after(&BASIC),
    Check::new(2, "the reaper reaps the parent and the orphan, then wait() says ECHILD", reaper_reaps).after(&BASIC),
];

/// Run with a random short delay.
fn run_random(g: &Grader, p: &Program) -> Result<Transcript, String> {
    let delay = format!("{}ms", random_in(10, 50));
    g.run(p, &["--delay", &delay])
}

fn runs_clean(g: &Grader, p: &Program) -> Verdict {
    let run = run_random(g, p)?;
    run.expect_basic()
}

fn ppid_before(g: &Grader, p: &Program) -> Verdict {
    let run = run_random(g, p)?;
    let (reaper, parent, child) = (run.pid_of("reaper")?, run.pid_of("parent")?, run.pid_of("child")?);
    let distinct = reaper != parent && parent != child && reaper != child;
    expect(distinct, || format!("reaper, parent and child must be three processes, got {reaper}, {parent}, {child}"))?;
    let forked = run.number("parent", "child")?;
    expect(forked == child, || {
        format!("the parent says it forked child={forked}, but the child prints as {child}\n{}", run.excerpt())
    })?;
    let before = run.number("child", "ppid_before")?;
    expect(before == parent, || {
        format!("the child's ppid_before= should be its parent's PID {parent}, got {before}\n{}", run.excerpt())
    })
}

fn adopted_by_reaper(g: &Grader, p: &Program) -> Verdict {
    let run = run_random(g, p)?;
    let (reaper, parent) = (run.pid_of("reaper")?, run.pid_of("parent")?);
    let after = run.number("child", "ppid_after")?;
    let by = run.number("child", "adopted_by")?;
    expect(after == by, || {
        format!("ppid_after={after} and adopted_by={by} should be the same PID\n{}", run.excerpt())
    })?;
    expect(after != parent, || {
        format!("ppid_after={after} is still the parent's PID: no adoption seen\n{}", run.excerpt())
    })?;
    expect(after == reaper, || {
        format!(
            "the orphan should be adopted by the reaper (its nearest subreaper) {reaper}, got {after}\n{}",
            run.excerpt()
        )
    })?;
    let (_, flag) = run.fact("child", "subreaper")?;
    expect(flag == "yes", || {
        format!("the child should say subreaper=yes for its adopter, got {flag}\n{}", run.excerpt())
    })
}

fn reaper_reaps(g: &Grader, p: &Program) -> Verdict {
    let run = run_random(g, p)?;
    let (parent, child) = (run.pid_of("parent")?, run.pid_of("child")?);
    expect_reaper_reaped_exactly(&run, &[("parent", parent, false), ("orphan", child, true)])
}
