//! Checks for lab 7, sigchld-ignore. See `labs/07-sigchld-ignore.md`, "Grading contract".
//!
//! The parent sets SIGCHLD to `SIG_IGN` (or keeps the default with
//! `--default`), forks `--children N` children that exit with `--code C`,
//! and counts its children and zombies in `/proc`: with `SIG_IGN` the
//! kernel reaps them (no zombies, and `wait()` fails with `ECHILD`); with
//! the default they stay zombies until the parent reaps each one. One
//! check reads `/proc/<pid>/status` itself to see SIGCHLD ignored; the
//! ECHILD check's run is traced (see [`crate::trace`]): the kernel must have
//! reaped every child, and no `wait` call may have returned one.

use std::ops::RangeInclusive;
use std::time::Duration;

use super::{Check, Grader, Program, RUNS_CLEAN, Transcript, Verdict, expect, expect_counted_none, listed, random_in};
use crate::harness::traced_label;
use crate::out::Tagged;
use crate::procfs::ignores_signal;
use crate::trace::{Kind, ReapedBy, Trace};

const BASIC: Check = Check::new(1, RUNS_CLEAN, basic);

pub const CHECKS: &[Check] = &[
    BASIC,
    Check::new(3, "SIG_IGN: the children vanish from /proc, zombies=0", ignored_no_zombies).after(&BASIC),
    Check::new(2, "SIG_IGN: wait() then fails with ECHILD", ignored_echild).after(&BASIC),
    Check::new(2, "SIG_IGN: the grader sees SIGCHLD ignored in /proc while the children live", kernel_sees_sig_ign)
        .after(&BASIC),
    Check::new(3, "default disposition: zombies=N until the parent reaps them", default_zombies).after(&BASIC),
    Check::new(1, "a bad --children is a usage error (exit 2)", bad_children).after(&BASIC),
];

/// One run, and the inputs drawn for it.
struct Scene {
    run: Transcript,
    /// `--children`.
    n: u64,
    /// `--code`: every child's exit code.
    code: u64,
    /// The run's trace, for a traced scenario.
    trace: Option<Trace>,
}

/// Run with a random number of children (in `children`) that exit with a
/// random code after a random short delay; `--default` if `default`;
/// under the kit's tracer if `traced`.
fn scenario(
    g: &Grader,
    p: &Program,
    children: RangeInclusive<u64>,
    default: bool,
    traced: bool,
) -> Result<Scene, String> {
    let (n, code) = (random_in(*children.start(), *children.end()), random_in(1, 255));
    let (n_s, code_s, delay) = (n.to_string(), code.to_string(), format!("{}ms", random_in(10, 30)));
    let mut args = vec!["--children", &n_s, "--delay", &delay, "--code", &code_s];
    if default {
        args.push("--default");
    }
    if traced {
        let (run, trace) = g.run_traced(p, &args)?;
        return Ok(Scene { run, n, code, trace: Some(trace) });
    }
    Ok(Scene { run: g.run(p, &args)?, n, code, trace: None })
}

/// Check that `n` children printed and that the parent's `pids=` list names exactly them.
fn expect_children(run: &Transcript, n: u64) -> Result<Vec<i32>, String> {
    let kids = run.pids("child");
    expect(kids.len() as u64 == n, || format!("expected {n} children (--children {n}), saw {}", kids.len()))?;
    let (_, list) = run.fact("parent", "pids")?;
    let mut said: Vec<i32> = list.split(',').filter_map(|p| p.parse().ok()).collect();
    let mut seen = kids.clone();
    said.sort_unstable();
    seen.sort_unstable();
    expect(said == seen, || format!("the parent's pids={list} are not the children's PIDs {}", listed(&kids)))?;
    Ok(kids)
}

/// The parent's `/proc` counting lines: those with `zombies=`.
fn zombie_lines(run: &Transcript) -> Vec<&Tagged> {
    run.by("parent").filter(|l| l.fact("zombies").is_some()).collect()
}

fn basic(g: &Grader, p: &Program) -> Verdict {
    scenario(g, p, 1..=6, false, false)?.run.expect_basic()
}

fn ignored_no_zombies(g: &Grader, p: &Program) -> Verdict {
    let Scene { run, n, .. } = scenario(g, p, 2..=8, false, false)?;
    let (_, ignored) = run.fact("parent", "ignored")?;
    expect(ignored == "yes", || format!("with SIG_IGN the parent should show ignored=yes, got {ignored}"))?;
    expect_children(&run, n)?;
    let (_, gone) = run.fact("parent", "gone")?;
    expect(gone == n.to_string(), || format!("all {n} children should be gone from /proc, gone={gone}"))?;
    let counts = zombie_lines(&run);
    expect(!counts.is_empty(), || "the parent should count zombies from /proc (`zombies=`)".to_string())?;
    expect_counted_none(&counts, "with SIG_IGN")
}

fn ignored_echild(g: &Grader, p: &Program) -> Verdict {
    let Scene { run, n, trace, .. } = scenario(g, p, 1..=8, false, true)?;
    expect_children(&run, n)?;
    let (_, errno) = run.fact("parent", "errno")?;
    expect(errno == "ECHILD", || format!("the parent's wait() should fail with errno=ECHILD, got {errno}"))?;
    let reaped: Vec<_> = run.by("parent").filter(|l| l.fact("code").is_some()).collect();
    expect(reaped.is_empty(), || {
        format!("with SIG_IGN no exit code can reach the parent, yet it shows `{}`", reaped[0].text)
    })?;
    kernel_reaped_all(trace.as_ref(), run.pid_of("parent")?)
}

/// The trace's evidence: the kernel reaped every child of the parent
/// (`SIGCHLD` ignored), so no `wait` call returned one. Only the children
/// the parent forked after its last `exec` count: a program started
/// through a wrapper (a pyenv `python3` shim is a shell script) may fork and
/// reap helpers before it becomes the parent.
fn kernel_reaped_all(trace: Option<&Trace>, parent: i32) -> Verdict {
    let trace = trace.ok_or("the run was not traced (a bug in the kit)")?;
    let exec = trace.events.iter().rfind(|e| e.pid == parent && matches!(e.kind, Kind::Exec { .. })).map(|e| e.seq);
    let children: Vec<_> =
        trace.processes().into_iter().filter(|c| c.parent == parent && exec.is_none_or(|x| c.born > x)).collect();
    expect(!children.is_empty(), || format!("the trace shows no child of the parent {parent}"))?;
    for c in &children {
        match &c.reaped {
            Some((_, ReapedBy::Kernel)) => {}
            Some((_, ReapedBy::Process { pid, call })) => {
                let by = traced_label(trace, *pid);
                return Err(format!(
                    "with SIG_IGN the kernel reaps every child, but the trace shows {by}'s {call} return the \
                     child {}: no wait() may return a child (was SIGCHLD ignored while they ended?)",
                    c.pid
                ));
            }
            None => return Err(format!("the trace shows the child {} never reaped", c.pid)),
        }
    }
    Ok(())
}

/// The grader's own evidence, not the program's word: while the children
/// live (a longer `--delay` gives it time to look), some process of the
/// program that has live children has SIGCHLD in its `SigIgn` mask. Timed
/// (see [`Pace`](super::Pace)): a machine too busy to let the grader look
/// while the children live gets a second try with a longer `--delay`.
fn kernel_sees_sig_ign(g: &Grader, p: &Program) -> Verdict {
    let (n, code) = (random_in(2, 6).to_string(), random_in(1, 255).to_string());
    g.timed(|pace| {
        // At most a quarter of the run's time limit, even on a second try.
        let delay = format!("{}ms", pace.of(Duration::from_millis(400)).min(g.timeout / 4).as_millis());
        let args = ["--children", n.as_str(), "--delay", delay.as_str(), "--code", code.as_str()];
        let mut running = g.spawn(p, &args)?;
        let seen = running.watch(pace.of(Duration::from_secs(5)), |procs| {
            procs.iter().any(|parent| {
                let has_live_child = procs.iter().any(|c| c.ppid == parent.pid && !c.is_zombie());
                has_live_child && ignores_signal(parent.pid, libc::SIGCHLD).unwrap_or(false)
            })
        });
        let run = running.finish()?;
        expect(seen, || {
            "while the children lived, no process of the program that had children ignored SIGCHLD \
             (SigIgn in /proc/<pid>/status): the parent must call signal(SIGCHLD, SIG_IGN) before forking"
                .to_string()
        })?;
        run.expect_success()
    })
}

fn default_zombies(g: &Grader, p: &Program) -> Verdict {
    let Scene { run, n, code, .. } = scenario(g, p, 2..=8, true, false)?;
    let (_, ignored) = run.fact("parent", "ignored")?;
    expect(ignored == "no", || format!("with --default the parent should show ignored=no, got {ignored}"))?;
    let kids = expect_children(&run, n)?;
    let counts = zombie_lines(&run);
    let (first, last) = (counts.first(), counts.last());
    let want = n.to_string();
    expect(first.is_some_and(|l| l.fact("zombies") == Some(&want) && l.fact("children") == Some(&want)), || {
        format!("before reaping, the parent should see children={n} zombies={n} in /proc")
    })?;
    expect(
        counts.len() >= 2 && last.is_some_and(|l| l.fact("zombies") == Some("0") && l.fact("children") == Some("0")),
        || "after reaping, the parent should see children=0 zombies=0 in /proc".to_string(),
    )?;
    let mut reaped: Vec<i32> = Vec::new();
    for (l, pid) in run.facts("parent", "pid") {
        expect(l.fact("code") == Some(&code.to_string()), || {
            format!("every child exits with --code {code}; the parent shows `{}`", l.text)
        })?;
        reaped.extend(pid.parse::<i32>().ok());
    }
    let mut want_pids = kids;
    reaped.sort_unstable();
    want_pids.sort_unstable();
    expect(reaped == want_pids, || {
        format!(
            "the parent should reap each child once (`pid=P ... code={code}`): children {}, reaped {}",
            listed(&want_pids),
            listed(&reaped)
        )
    })
}

fn bad_children(g: &Grader, p: &Program) -> Verdict {
    for bad in ["0", "65"] {
        let run = g.run(p, &["--children", bad, "--delay", "10ms"])?;
        expect(run.code() == 2, || format!("--children {bad} should exit 2 (usage), got {}", run.code()))?;
        expect(!run.stderr.trim().is_empty(), || format!("--children {bad} should explain the error on stderr"))?;
        expect(run.by("child").next().is_none(), || format!("--children {bad} must fork nothing"))?;
        run.expect_clean()?;
    }
    Ok(())
}
