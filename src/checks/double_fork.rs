//! Checks for lab 6, double-fork. See `labs/06-double-fork.md`, "Grading contract".

use std::time::{Duration, Instant};

use super::{Check, Grader, Program, RUNS_CLEAN, Transcript, Verdict, expect, expect_reaper_reaped_exactly, random_in};

const BASIC: Check = Check::new(1, RUNS_CLEAN, runs_clean);

pub const CHECKS: &[Check] = &[
    BASIC,
    Check::new(2, "the parent reaps its child, which exits at once", child_reaped).after(&BASIC),
    Check::new(3, "the grandchild is adopted by the reaper, not the parent, and does task 2", adopted).after(&BASIC),
    Check::new(3, "zombies=0 on every parent line after the reap", no_zombies).after(&BASIC),
    Check::new(1, "the reaper reaps the grandchild, then wait() says ECHILD", reaper_reaps).after(&BASIC),
];

/// Run with random short task durations.
fn run_random(g: &Grader, p: &Program) -> Result<Transcript, String> {
    let (t1, t2) = (format!("{}ms", random_in(10, 50)), format!("{}ms", random_in(10, 50)));
    g.run(p, &["--task1", &t1, "--task2", &t2])
}

/// The four roles' PIDs: `(reaper, parent, child, grandchild)`, all different.
fn family(run: &Transcript) -> Result<(i32, i32, i32, i32), String> {
    let pids = (run.pid_of("reaper")?, run.pid_of("parent")?, run.pid_of("child")?, run.pid_of("grandchild")?);
    let mut all = [pids.0, pids.1, pids.2, pids.3];
    all.sort_unstable();
    let distinct = all.windows(2).all(|w| w[0] != w[1]);
    expect(distinct, || {
        format!(
            "reaper, parent, child and grandchild must be four processes, got the PIDs {}, {}, {} and {}\n{}",
            pids.0,
            pids.1,
            pids.2,
            pids.3,
            run.excerpt()
        )
    })?;
    Ok(pids)
}

fn runs_clean(g: &Grader, p: &Program) -> Verdict {
    let run = run_random(g, p)?;
    run.expect_basic()
}

/// The child must exit *at once*. The grader's own evidence: it looks at
/// the program's processes in `/proc` about every millisecond while the
/// grandchild does task 2 (drawn long here, 300 to 600 ms), and measures how
/// long the child stayed alive after the grandchild first showed up. That
/// must be under half of task 2: forking and exiting takes milliseconds; a
/// child that waits for its grandchild, or keeps it company during its task,
/// lingers for all of it. Timed (see [`Pace`](super::Pace)): a busy machine
/// gets a second, slower try.
fn child_reaped(g: &Grader, p: &Program) -> Verdict {
    g.timed(|pace| {
        let t1 = format!("{}ms", random_in(10, 50));
        // At most a quarter of the run's time limit, even on a second try:
        // a lingering child makes the run last two task 2s.
        let task2 = pace.of(Duration::from_millis(random_in(300, 600))).min(g.timeout / 4);
        let t2 = format!("{}ms", task2.as_millis());
        let mut running =
            g.spawn(p, &["--task1", &t1, "--task2", &t2]).map_err(|e| format!("cannot start the program: {e}"))?;
        // Every look: when, and the live (not zombie) processes of the program.
        let mut looks: Vec<(Instant, Vec<i32>)> = Vec::new();
        running.watch(pace.of(Duration::from_secs(10)), |procs| {
            looks.push((Instant::now(), procs.iter().filter(|s| !s.is_zombie()).map(|s| s.pid).collect()));
            false
        });
        let run = running.finish()?;
        let (_, _, child, grandchild) = family(&run)?;
        let said = run.facts("parent", "child");
        expect(!said.is_empty() && said.iter().all(|(_, v)| *v == child.to_string()), || {
            format!("every parent line with `child=` should name the child's PID {child}\n{}", run.excerpt())
        })?;
        expect(said.iter().any(|(l, _)| l.fact("code") == Some("0")), || {
            format!("the parent should show `child={child} ... code=0` when it reaps the child\n{}", run.excerpt())
        })?;
        let (_, g) = run.fact("child", "grandchild")?;
        expect(g == grandchild.to_string(), || {
            format!("the child says grandchild={g}, but the grandchild prints as {grandchild}\n{}", run.excerpt())
        })?;
        let seen = |pid: i32| looks.iter().filter(move |(_, live)| live.contains(&pid)).map(|(t, _)| *t);
        let Some(born) = seen(grandchild).next() else {
            return Err(format!(
                "the grader never saw the grandchild {grandchild} running in /proc during its task 2 (--task2 {t2})\n{}",
                run.excerpt()
            ));
        };
        let lingered = seen(child).next_back().map_or(Duration::ZERO, |last| last.saturating_duration_since(born));
        expect(lingered < task2 / 2, || {
            format!(
                "the child {child} must exit at once after forking the grandchild {grandchild}; the grader saw it \
                 in /proc still running {}ms after the grandchild appeared (task 2 takes {t2}): the child \
                 lingered (did it wait for the grandchild, or sleep?)\n{}",
                lingered.as_millis(),
                run.excerpt()
            )
        })
    })
}

fn adopted(g: &Grader, p: &Program) -> Verdict {
    let run = run_random(g, p)?;
    let (reaper, parent, child, _) = family(&run)?;
    let (_, ppid) = run.fact("grandchild", "getppid()")?;
    expect(ppid != parent.to_string() && ppid != child.to_string(), || {
        format!(
            "the grandchild's getppid()={ppid} should be neither the parent {parent} nor the child {child}\n{}",
            run.excerpt()
        )
    })?;
    expect(ppid == reaper.to_string(), || {
        format!("the grandchild should be adopted by the reaper {reaper}, got getppid()={ppid}\n{}", run.excerpt())
    })?;
    let steps = run.facts("grandchild", "step");
    expect(!steps.is_empty(), || format!("the grandchild should print task 2 progress (`step=`)\n{}", run.excerpt()))
}

fn no_zombies(g: &Grader, p: &Program) -> Verdict {
    let run = run_random(g, p)?;
    let (_, _, child, _) = family(&run)?;
    let reaped_at = run
        .lines
        .iter()
        .position(|l| l.role == "parent" && l.fact("child") == Some(&child.to_string()) && l.fact("code").is_some());
    let Some(reaped_at) = reaped_at else {
        return Err(format!("no parent line `child={child} ... code=N` (the reap) found\n{}", run.excerpt()));
    };
    let counts: Vec<_> =
        run.lines[reaped_at..].iter().filter(|l| l.role == "parent" && l.fact("zombies").is_some()).collect();
    expect(counts.len() >= 2, || {
        format!(
            "the parent should count zombies (`zombies=`) right after the reap and during task 1, at least 2 lines\n{}",
            run.excerpt()
        )
    })?;
    let stray = run.facts("parent", "zombies").len() - counts.len();
    expect(stray == 0, || format!("{stray} `zombies=` line(s) of the parent come before the reap\n{}", run.excerpt()))?;
    for l in counts {
        expect(l.fact("zombies") == Some("0") && l.fact("children") == Some("0"), || {
            format!("after the reap the parent should show children=0 zombies=0, got `{}`\n{}", l.text, run.excerpt())
        })?;
    }
    Ok(())
}

fn reaper_reaps(g: &Grader, p: &Program) -> Verdict {
    let run = run_random(g, p)?;
    let (_, parent, _, grandchild) = family(&run)?;
    expect_reaper_reaped_exactly(&run, &[("parent", parent, false), ("grandchild", grandchild, true)])
}
