//! Checks for lab 7, sigchld-ignore. See `labs/07-sigchld-ignore.md`, "Grading contract".

use crate::procfs::ignores_signal;
use std::time::Duration;

use super::{Check, Grader, Program, RUNS_CLEAN, Transcript, Verdict, expect, random_in};
use crate::out::Tagged;

const BASIC: Check = Check::new(1, RUNS_CLEAN, runs_clean);

pub const CHECKS: &[Check] = &[
    BASIC,
    Check::new(3, "SIG_IGN: the children vanish from /proc, zombies=0", ignored_no_zombies).after(&BASIC),
    Check::new(2, "SIG_IGN: wait() then fails with ECHILD", ignored_echild).after(&BASIC),
    Check::new(2, "SIG_IGN: the grader sees SIGCHLD ignored in /proc while the children live", kernel_sees_sig_ign)
        .after(&BASIC),
    Check::new(3, "default disposition: zombies=N until the parent reaps them", default_zombies).after(&BASIC),
    Check::new(1, "a bad --children is a usage error (exit 2)", bad_children).after(&BASIC),
];

/// Run with `n` children exiting with `code` after a random short delay; `--default` if `default`.
fn run_with(g: &Grader, p: &Program, n: u64, code: u64, default: bool) -> Result<Transcript, String> {
    let (n, code, delay) = (n.to_string(), code.to_string(), format!("{}ms", random_in(10, 30)));
    let mut args = vec!["--children", &n, "--delay", &delay, "--code", &code];
    if default {
        args.push("--default");
    }
    g.run(p, &args)
}

/// The distinct PIDs of the `child` lines, in order of appearance.
fn child_pids(run: &Transcript) -> Vec<i32> {
    let mut pids: Vec<i32> = Vec::new();
    for l in run.by("child") {
        if !pids.contains(&l.pid) {
            pids.push(l.pid);
        }
    }
    pids
}

/// Check that `n` children printed and that the parent's `pids=` list names exactly them.
fn expect_children(run: &Transcript, n: u64) -> Result<Vec<i32>, String> {
    let kids = child_pids(run);
    expect(kids.len() as u64 == n, || {
        format!("expected {n} children (--children {n}), saw {}\n{}", kids.len(), run.excerpt())
    })?;
    let (_, list) = run.fact("parent", "pids")?;
    let mut said: Vec<i32> = list.split(',').filter_map(|p| p.parse().ok()).collect();
    let mut seen = kids.clone();
    said.sort_unstable();
    seen.sort_unstable();
    expect(said == seen, || {
        format!("the parent's pids={list} are not the children's PIDs {}\n{}", pid_list(&kids), run.excerpt())
    })?;
    Ok(kids)
}

/// PIDs as text: `4242, 4243`.
fn pid_list(pids: &[i32]) -> String {
    pids.iter().map(i32::to_string).collect::<Vec<_>>().join(", ")
}

/// The parent's `/proc` counting lines: those with `zombies=`.
fn zombie_lines(run: &Transcript) -> Vec<&Tagged> {
    run.by("parent").filter(|l| l.fact("zombies").is_some()).collect()
}

fn runs_clean(g: &Grader, p: &Program) -> Verdict {
    let run = run_with(g, p, random_in(1, 6), random_in(1, 255), false)?;
    run.expect_basic()
}

fn ignored_no_zombies(g: &Grader, p: &Program) -> Verdict {
    let n = random_in(2, 8);
    let run = run_with(g, p, n, random_in(1, 255), false)?;
    let (_, ignored) = run.fact("parent", "ignored")?;
    expect(ignored == "yes", || {
        format!("with SIG_IGN the parent should show ignored=yes, got {ignored}\n{}", run.excerpt())
    })?;
    expect_children(&run, n)?;
    let (_, gone) = run.fact("parent", "gone")?;
    expect(gone == n.to_string(), || {
        format!("all {n} children should be gone from /proc, gone={gone}\n{}", run.excerpt())
    })?;
    let counts = zombie_lines(&run);
    expect(!counts.is_empty(), || {
        format!("the parent should count zombies from /proc (`zombies=`)\n{}", run.excerpt())
    })?;
    for l in counts {
        expect(l.fact("zombies") == Some("0") && l.fact("children") == Some("0"), || {
            format!("with SIG_IGN the parent should see children=0 zombies=0, got `{}`\n{}", l.text, run.excerpt())
        })?;
    }
    Ok(())
}

/// The grader's own evidence, not the program's word: while the children
/// live (a longer `--delay` gives it time to look), some process of the
/// program that has live children has SIGCHLD in its `SigIgn` mask.
fn kernel_sees_sig_ign(g: &Grader, p: &Program) -> Verdict {
    let (n, code) = (random_in(2, 6).to_string(), random_in(1, 255).to_string());
    let args = ["--children", n.as_str(), "--delay", "400ms", "--code", code.as_str()];
    let mut running = g.spawn(p, &args).map_err(|e| format!("cannot start the program: {e}"))?;
    let seen = running.watch(Duration::from_secs(5), |procs| {
        procs.iter().any(|parent| {
            let has_live_child = procs.iter().any(|c| c.ppid == parent.pid && !c.is_zombie());
            has_live_child && ignores_signal(parent.pid, libc::SIGCHLD).unwrap_or(false)
        })
    });
    let run = running.finish()?;
    expect(seen, || {
        format!(
            "while the children lived, no process of the program that had children ignored SIGCHLD \
             (SigIgn in /proc/<pid>/status): the parent must call signal(SIGCHLD, SIG_IGN) before forking\n{}",
            run.excerpt()
        )
    })?;
    run.expect_success()
}

fn ignored_echild(g: &Grader, p: &Program) -> Verdict {
    let n = random_in(1, 8);
    let run = run_with(g, p, n, random_in(1, 255), false)?;
    expect_children(&run, n)?;
    let (_, errno) = run.fact("parent", "errno")?;
    expect(errno == "ECHILD", || {
        format!("the parent's wait() should fail with errno=ECHILD, got {errno}\n{}", run.excerpt())
    })?;
    let reaped: Vec<_> = run.by("parent").filter(|l| l.fact("code").is_some()).collect();
    expect(reaped.is_empty(), || {
        format!("with SIG_IGN no exit code can reach the parent, yet it shows `{}`\n{}", reaped[0].text, run.excerpt())
    })
}

fn default_zombies(g: &Grader, p: &Program) -> Verdict {
    let (n, code) = (random_in(2, 8), random_in(1, 255));
    let run = run_with(g, p, n, code, true)?;
    let (_, ignored) = run.fact("parent", "ignored")?;
    expect(ignored == "no", || {
        format!("with --default the parent should show ignored=no, got {ignored}\n{}", run.excerpt())
    })?;
    let kids = expect_children(&run, n)?;
    let counts = zombie_lines(&run);
    let (first, last) = (counts.first(), counts.last());
    let want = n.to_string();
    expect(first.is_some_and(|l| l.fact("zombies") == Some(&want) && l.fact("children") == Some(&want)), || {
        format!("before reaping, the parent should see children={n} zombies={n} in /proc\n{}", run.excerpt())
    })?;
    expect(
        counts.len() >= 2 && last.is_some_and(|l| l.fact("zombies") == Some("0") && l.fact("children") == Some("0")),
        || format!("after reaping, the parent should see children=0 zombies=0 in /proc\n{}", run.excerpt()),
    )?;
    let mut reaped: Vec<i32> = Vec::new();
    for (l, pid) in run.facts("parent", "pid") {
        expect(l.fact("code") == Some(&code.to_string()), || {
            format!("every child exits with --code {code}; the parent shows `{}`\n{}", l.text, run.excerpt())
        })?;
        reaped.extend(pid.parse::<i32>().ok());
    }
    let mut want_pids = kids;
    reaped.sort_unstable();
    want_pids.sort_unstable();
    expect(reaped == want_pids, || {
        format!(
            "the parent should reap each child once (`pid=P ... code={code}`): children {}, reaped {}\n{}",
            pid_list(&want_pids),
            if reaped.is_empty() { "none".to_string() } else { pid_list(&reaped) },
            run.excerpt()
        )
    })
}

fn bad_children(g: &Grader, p: &Program) -> Verdict {
    for bad in ["0", "65"] {
        let run = g.run(p, &["--children", bad, "--delay", "10ms"])?;
        expect(run.code() == 2, || {
            format!("--children {bad} should exit 2 (usage), got {}\n{}", run.code(), run.excerpt())
        })?;
        expect(!run.stderr.trim().is_empty(), || format!("--children {bad} should explain the error on stderr"))?;
        expect(run.by("child").next().is_none(), || format!("--children {bad} must fork nothing\n{}", run.excerpt()))?;
        run.expect_clean()?;
    }
    Ok(())
}
