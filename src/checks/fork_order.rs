//! Checks for lab 12, fork-order. See `labs/12-fork-order.md`, "Grading contract".
//!
//! Who runs first is not determined, so no check asks for a particular
//! winner. They check that each run's `first=` is the order in which the two
//! lines really arrived in the pipe (the program prints them as they came,
//! and the grader reads that order itself), that the histogram counts them,
//! that `--one-cpu` really pins the family (the grader reads
//! `Cpus_allowed_list` in `/proc`), and that `--sync` makes the order the
//! same every time.

use std::collections::HashMap;
use std::time::Duration;

use super::{Check, Grader, Pace, Program, RUNS_CLEAN, Transcript, Verdict, expect, random_in};
use crate::out::Tagged;
use crate::procfs;

const BASIC: Check = Check::new(1, RUNS_CLEAN, runs_clean);

pub const CHECKS: &[Check] = &[
    BASIC,
    Check::new(
        3,
        "each run's first= is the order the two lines arrived in the pipe, and the histogram counts them",
        histogram,
    )
    .after(&BASIC),
    Check::new(2, "--one-cpu pins the family to one CPU (seen in /proc)", one_cpu).after(&BASIC),
    Check::new(2, "--sync: the parent waits, so the child is first in every run", synced).after(&BASIC),
];

/// One run's facts: who the program says was first, and whose line the grader read first in the pipe's lines.
#[derive(Debug, Default, Clone)]
struct RunFacts {
    first: Option<String>,
    piped_first: Option<String>,
    child: Option<i32>,
}

/// Every run `1..=runs`: `first=` from the parent's summary line, and the
/// role of the first of the run's two lines as the program printed them
/// from its pipe (`... [ROLE PID] run=I ...` on a line of its own).
fn runs_of(run: &Transcript, runs: u32) -> Result<Vec<RunFacts>, String> {
    let mut facts: HashMap<u32, RunFacts> = HashMap::new();
    for l in &run.lines {
        let nested = l.text.find('[').and_then(|at| Tagged::parse(&l.text[at..]));
        if let Some(n) = nested {
            let Some(i) = n.fact("run").and_then(|v| v.parse::<u32>().ok()) else { continue };
            let f = facts.entry(i).or_default();
            if f.piped_first.is_none() && (n.role == "parent" || n.role == "child") {
                f.piped_first = Some(n.role.clone());
            }
        } else if let Some(first) = l.fact("first") {
            let Some(i) = l.fact("run").and_then(|v| v.parse::<u32>().ok()) else { continue };
            let f = facts.entry(i).or_default();
            f.first = Some(first.to_string());
            f.child = l.fact("child").and_then(|c| c.parse().ok());
        }
    }
    (1..=runs)
        .map(|i| {
            let f = facts.remove(&i).unwrap_or_default();
            match (&f.first, &f.piped_first) {
                (Some(first), Some(_)) if first == "parent" || first == "child" => Ok(f),
                _ => Err(format!(
                    "run={i}: expected the run's lines as read from the pipe (`... [parent PID] run={i} ...`, `... [child PID] run={i} ...`) and a line `run={i} child=PID first=parent|child`\n{}",
                    run.excerpt()
                )),
            }
        })
        .collect()
}

/// The printed totals agree with the runs' `first=`.
fn expect_totals(run: &Transcript, runs: u32, facts: &[RunFacts]) -> Verdict {
    let child_first = facts.iter().filter(|f| f.first.as_deref() == Some("child")).count();
    let parent_first = facts.len() - child_first;
    let total = |key: &str| run.lines.iter().find_map(|l| l.fact(key)).map(str::to_string);
    let (p, c) = (total("parent_first"), total("child_first"));
    expect(p == Some(parent_first.to_string()) && c == Some(child_first.to_string()), || {
        format!(
            "over runs={runs}, the runs' first= lines give parent_first={parent_first} child_first={child_first}; the program's totals say parent_first={} child_first={}",
            p.unwrap_or_else(|| "(none)".into()),
            c.unwrap_or_else(|| "(none)".into())
        )
    })?;
    let mut children: Vec<i32> = facts.iter().filter_map(|f| f.child).collect();
    children.sort_unstable();
    children.dedup();
    expect(children.len() == facts.len(), || {
        format!("each run forks a new child: expected {} different child= PIDs, got {}", facts.len(), children.len())
    })
}

fn args(runs: u32, gap: Duration, extra: &[&'static str]) -> Vec<String> {
    let mut a = vec!["--runs".to_string(), runs.to_string(), "--lines".into(), "3".into(), "--gap".into()];
    a.push(format!("{}ms", gap.as_millis()));
    a.extend(extra.iter().map(|s| s.to_string()));
    a
}

fn go(g: &Grader, p: &Program, a: &[String]) -> Result<Transcript, String> {
    let a: Vec<&str> = a.iter().map(String::as_str).collect();
    g.run(p, &a)
}

fn runs_clean(g: &Grader, p: &Program) -> Verdict {
    go(g, p, &args(10, Duration::from_millis(5), &[]))?.expect_basic()
}

fn histogram(g: &Grader, p: &Program) -> Verdict {
    let runs = random_in(40, 120) as u32;
    let run = go(g, p, &args(runs, Duration::from_millis(5), &[]))?;
    let facts = runs_of(&run, runs)?;
    expect_totals(&run, runs, &facts)?;
    let wrong: Vec<String> = facts
        .iter()
        .enumerate()
        .filter(|(_, f)| f.first != f.piped_first)
        .map(|(i, f)| {
            format!(
                "run={} says first={} but the {}'s line came first",
                i + 1,
                f.first.as_deref().unwrap_or("?"),
                f.piped_first.as_deref().unwrap_or("?")
            )
        })
        .collect();
    expect(wrong.is_empty(), || {
        format!(
            "first= must be measured: the process whose line arrived first in the pipe. {} of {runs} runs disagree, e.g. {}\n{}",
            wrong.len(),
            wrong.iter().take(3).cloned().collect::<Vec<_>>().join("; "),
            run.excerpt()
        )
    })
}

fn one_cpu(g: &Grader, p: &Program) -> Verdict {
    g.timed(|pace: Pace| {
        let runs = random_in(20, 60) as u32;
        let a = args(runs, pace.of(Duration::from_millis(30)), &["--one-cpu"]);
        let a: Vec<&str> = a.iter().map(String::as_str).collect();
        let mut running = g.spawn(p, &a).map_err(|e| format!("cannot start the reaper: {e}"))?;
        let reaper = running.reaper_pid();
        // The CPUs each process of the family may use, as the grader last read them.
        let mut masks: HashMap<i32, String> = HashMap::new();
        while matches!(running.child.try_wait(), Ok(None)) {
            for pid in procfs::family(reaper) {
                if let Ok(m) = procfs::cpus_allowed(pid) {
                    masks.insert(pid, m);
                }
            }
            std::thread::sleep(Duration::from_millis(2));
        }
        let run = running.finish()?;
        let facts = runs_of(&run, runs)?;
        expect_totals(&run, runs, &facts)?;
        let main = run.pid_of("parent")?;
        let mask = masks.get(&main).cloned();
        let single = |m: &str| !m.is_empty() && !m.contains([',', '-']);
        expect(mask.as_deref().is_some_and(single), || {
            format!(
                "with --one-cpu the grader should find one CPU in /proc/{main}/status's Cpus_allowed_list at the end; it read {}",
                mask.as_deref().unwrap_or("nothing (the parent was never seen)")
            )
        })?;
        let children: Vec<String> =
            masks.iter().filter(|(pid, m)| **pid != main && !single(m)).map(|(pid, m)| format!("{pid}: {m}")).collect();
        expect(children.is_empty(), || {
            format!("with --one-cpu every child inherits the one CPU; the grader read: {}", children.join(", "))
        })
    })
}

fn synced(g: &Grader, p: &Program) -> Verdict {
    let runs = random_in(20, 60) as u32;
    let run = go(g, p, &args(runs, Duration::from_millis(5), &["--sync"]))?;
    let facts = runs_of(&run, runs)?;
    expect_totals(&run, runs, &facts)?;
    let wrong: Vec<String> = facts
        .iter()
        .enumerate()
        .filter(|(_, f)| f.first.as_deref() != Some("child") || f.piped_first.as_deref() != Some("child"))
        .map(|(i, _)| (i + 1).to_string())
        .collect();
    expect(wrong.is_empty(), || {
        format!(
            "with --sync the parent writes only after its child ended: the child's line must come first in the pipe, and first=child, in every run; not in run(s) {}\n{}",
            wrong.join(", "),
            run.excerpt()
        )
    })
}
