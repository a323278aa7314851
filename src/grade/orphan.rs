//! Checks for lab 5, orphan. See `labs/05-orphan.md`, "Grading contract".

use super::{Check, Grader, Program, Run, Verdict, expect, random_in, reaper_reaped};

pub const CHECKS: &[Check] = &[
    Check { name: "runs and exits 0, leaving no process behind", points: 1, run: runs_clean },
    Check { name: "the child's PPID is first its parent's PID", points: 2, run: ppid_before },
    Check { name: "the orphan is adopted by the reaper, not by PID 1", points: 4, run: adopted_by_reaper },
    Check { name: "the reaper reaps the parent and the orphan, then wait() says ECHILD", points: 2, run: reaper_reaps },
];

/// Run with a random short delay.
fn run_random(g: &Grader, p: &Program) -> Result<Run, String> {
    let delay = format!("{}ms", random_in(10, 50));
    g.run(p, &["--delay", &delay])
}

/// A PID fact printed by `role`, as a number.
fn pid_fact(run: &Run, role: &str, key: &str) -> Result<i32, String> {
    let (_, v) = run.fact(role, key)?;
    v.parse().map_err(|_| format!("`{key}=` of the {role} should be a PID, got {v:?}\n{}", run.excerpt()))
}

fn runs_clean(g: &Grader, p: &Program) -> Verdict {
    let run = run_random(g, p)?;
    run.expect_success()?;
    run.expect_clean()?;
    let untagged = run.untagged();
    expect(untagged.is_empty(), || format!("every line must start with `[role PID]`; these do not: {untagged:?}"))
}

fn ppid_before(g: &Grader, p: &Program) -> Verdict {
    let run = run_random(g, p)?;
    let (reaper, parent, child) = (run.pid_of("reaper")?, run.pid_of("parent")?, run.pid_of("child")?);
    let distinct = reaper != parent && parent != child && reaper != child;
    expect(distinct, || format!("reaper, parent and child must be three processes, got {reaper}, {parent}, {child}"))?;
    let forked = pid_fact(&run, "parent", "child")?;
    expect(forked == child, || {
        format!("the parent says it forked child={forked}, but the child prints as {child}\n{}", run.excerpt())
    })?;
    let before = pid_fact(&run, "child", "ppid_before")?;
    expect(before == parent, || {
        format!("the child's ppid_before= should be its parent's PID {parent}, got {before}\n{}", run.excerpt())
    })
}

fn adopted_by_reaper(g: &Grader, p: &Program) -> Verdict {
    let run = run_random(g, p)?;
    let (reaper, parent) = (run.pid_of("reaper")?, run.pid_of("parent")?);
    let after = pid_fact(&run, "child", "ppid_after")?;
    let by = pid_fact(&run, "child", "adopted_by")?;
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
    let reaped = reaper_reaped(&run)?;
    for (who, pid, adopted) in [("parent", parent, false), ("orphan", child, true)] {
        let found = reaped.iter().find(|r| r.pid == pid);
        expect(found.is_some_and(|r| r.adopted == adopted && r.line.fact("code") == Some("0")), || {
            let want = if adopted { "yes" } else { "no" };
            format!(
                "the reaper should show `reaped pid={pid} ... code=0 adopted={want}` for the {who}\n{}",
                run.excerpt()
            )
        })?;
    }
    expect(reaped.len() == 2, || {
        format!("the reaper should reap exactly 2 processes, reaped {}\n{}", reaped.len(), run.excerpt())
    })
}
