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

use super::watch::watched;
use super::{Check, Grader, Pace, Program, RUNS_CLEAN, Transcript, Verdict, expect, random_in};
use crate::out::Tagged;
use crate::procfs;

const BASIC: Check = Check::new(1, RUNS_CLEAN, basic);

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

/// One run of the program, `--runs N --lines 3 --gap G` and `flags`, and,
/// if the grader watched it, the CPUs each of its processes may use.
struct Scene {
    run: Transcript,
    runs: u32,
    /// The CPUs each process of the family may use, as the grader last
    /// read them in `/proc` (nothing unless it watched).
    masks: HashMap<i32, String>,
}

/// How often the grader reads the CPUs of the program's processes, when it watches.
const LOOK_EVERY: Duration = Duration::from_millis(2);

fn scenario(g: &Grader, p: &Program, runs: u32, gap: Duration, flags: &[&str], watch: bool) -> Result<Scene, String> {
    let (n, gap) = (runs.to_string(), format!("{}ms", gap.as_millis()));
    let mut args = vec!["--runs", &n, "--lines", "3", "--gap", &gap];
    args.extend(flags);
    let mut masks: HashMap<i32, String> = HashMap::new();
    let run = if watch {
        watched(g, p, &args, Some(LOOK_EVERY), |_, family| {
            for pid in family {
                if let Ok(m) = procfs::cpus_allowed(pid) {
                    masks.insert(pid, m);
                }
            }
        })?
    } else {
        g.run(p, &args)?
    };
    Ok(Scene { run, runs, masks })
}

/// One run's facts: who the program says was first, and whose line the grader read first in the pipe's lines.
#[derive(Debug, Default, Clone)]
struct RunFacts {
    first: Option<String>,
    piped_first: Option<String>,
    child: Option<i32>,
}

impl Scene {
    /// Every run `1..=runs`: `first=` from the parent's summary line, and
    /// the role of the first of the run's two lines as the program printed
    /// them from its pipe (`... [ROLE PID] run=I ...` on a line of its own);
    /// checked against the printed totals.
    fn each_run(&self) -> Result<Vec<RunFacts>, String> {
        let (run, runs) = (&self.run, self.runs);
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
        let facts = (1..=runs)
            .map(|i| {
                let f = facts.remove(&i).unwrap_or_default();
                match (&f.first, &f.piped_first) {
                    (Some(first), Some(_)) if first == "parent" || first == "child" => Ok(f),
                    _ => Err(format!(
                        "run={i}: expected the run's lines as read from the pipe (`... [parent PID] run={i} ...`, `... [child PID] run={i} ...`) and a line `run={i} child=PID first=parent|child`"
                    )),
                }
            })
            .collect::<Result<Vec<_>, _>>()?;
        self.expect_totals(&facts)?;
        Ok(facts)
    }

    /// The printed totals agree with the runs' `first=`.
    fn expect_totals(&self, facts: &[RunFacts]) -> Verdict {
        let runs = self.runs;
        let child_first = facts.iter().filter(|f| f.first.as_deref() == Some("child")).count();
        let parent_first = facts.len() - child_first;
        let total = |key: &str| self.run.lines.iter().find_map(|l| l.fact(key)).map(str::to_string);
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
            format!(
                "each run forks a new child: expected {} different child= PIDs, got {}",
                facts.len(),
                children.len()
            )
        })
    }
}

/// The usual gap between a run's lines.
const GAP: Duration = Duration::from_millis(5);

fn basic(g: &Grader, p: &Program) -> Verdict {
    scenario(g, p, 10, GAP, &[], false)?.run.expect_basic()
}

fn histogram(g: &Grader, p: &Program) -> Verdict {
    let s = scenario(g, p, random_in(40, 120) as u32, GAP, &[], false)?;
    let facts = s.each_run()?;
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
            "first= must be measured: the process whose line arrived first in the pipe. {} of {} runs disagree, e.g. {}",
            wrong.len(),
            s.runs,
            wrong.iter().take(3).cloned().collect::<Vec<_>>().join("; ")
        )
    })
}

fn one_cpu(g: &Grader, p: &Program) -> Verdict {
    g.timed(|pace: Pace| {
        let runs = random_in(20, 60) as u32;
        let s = scenario(g, p, runs, pace.of(Duration::from_millis(30)), &["--one-cpu"], true)?;
        s.each_run()?;
        let main = s.run.pid_of("parent")?;
        let mask = s.masks.get(&main).cloned();
        let single = |m: &str| !m.is_empty() && !m.contains([',', '-']);
        expect(mask.as_deref().is_some_and(single), || {
            format!(
                "with --one-cpu the grader should find one CPU in /proc/{main}/status's Cpus_allowed_list at the end; it read {}",
                mask.as_deref().unwrap_or("nothing (the parent was never seen)")
            )
        })?;
        let children: Vec<String> =
            s.masks.iter().filter(|(pid, m)| **pid != main && !single(m)).map(|(pid, m)| format!("{pid}: {m}")).collect();
        expect(children.is_empty(), || {
            format!("with --one-cpu every child inherits the one CPU; the grader read: {}", children.join(", "))
        })
    })
}

fn synced(g: &Grader, p: &Program) -> Verdict {
    let s = scenario(g, p, random_in(20, 60) as u32, GAP, &["--sync"], false)?;
    let wrong: Vec<String> = s
        .each_run()?
        .iter()
        .enumerate()
        .filter(|(_, f)| f.first.as_deref() != Some("child") || f.piped_first.as_deref() != Some("child"))
        .map(|(i, _)| (i + 1).to_string())
        .collect();
    expect(wrong.is_empty(), || {
        format!(
            "with --sync the parent writes only after its child ended: the child's line must come first in the pipe, and first=child, in every run; not in run(s) {}",
            wrong.join(", ")
        )
    })
}
