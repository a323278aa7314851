//! Checks for lab 14, priority. See `labs/14-priority.md`, "Grading contract".
//!
//! The grader reads the two children in `/proc` itself while they compete:
//! their CPU (`Cpus_allowed_list`), their nice value, and the CPU time the
//! scheduler gave each (`/proc/PID/schedstat`). Both children are pinned to
//! one CPU, so their ratio follows their weights even when other programs
//! use that CPU too.

use std::collections::HashMap;
use std::time::Duration;

use super::watch::watched;
use super::{Check, Grader, Pace, Program, RUNS_CLEAN, Transcript, Verdict, expect, random_in};
use crate::procfs;

const BASIC: Check = Check::new(1, RUNS_CLEAN, basic);

pub const CHECKS: &[Check] = &[
    BASIC,
    Check::new(2, "both children pinned to one CPU, at nice 0 and nice N (seen in /proc)", pinned).after(&BASIC),
    Check::new(3, "CPU times follow the scheduler's weights (within 2x), measured by the grader too", shares)
        .after(&BASIC),
    Check::new(1, "NI and PRI as ps shows them", ps_columns).after(&BASIC),
    Check::new(2, "a negative --nice without privilege fails with EACCES, leaving nothing behind", refused)
        .after(&BASIC),
];

/// How far the measured ratio may be from the weights' ratio (stated in the contract).
const TOLERANCE: f64 = 2.0;

/// One run of the program at `--nice N` for `--duration D`, and what the
/// grader read of its processes in `/proc` while they ran (if it watched).
struct Scene {
    run: Transcript,
    nice: i32,
    seen: HashMap<i32, Seen>,
    /// For each pair of processes seen at the same look: (first, last) CPU nanoseconds of both.
    both: HashMap<(i32, i32), Window>,
}

/// What the grader read of one process, each time it looked.
#[derive(Debug, Default, Clone)]
struct Seen {
    /// Every `Cpus_allowed_list` read, in order.
    cpus: Vec<String>,
    nices: Vec<i64>,
}

/// Two processes' CPU nanoseconds, at the first and at the last look that saw both running.
type Window = ((u64, u64), (u64, u64));

/// How often the grader reads the program's processes, when it watches.
const LOOK_EVERY: Duration = Duration::from_millis(5);

fn scenario(g: &Grader, p: &Program, nice: i32, duration: Duration, watch: bool) -> Result<Scene, String> {
    let (n, d) = (nice.to_string(), format!("{}ms", duration.as_millis()));
    let args = ["--nice", &n, "--duration", &d];
    let mut seen: HashMap<i32, Seen> = HashMap::new();
    let mut both: HashMap<(i32, i32), Window> = HashMap::new();
    if !watch {
        return Ok(Scene { run: g.run(p, &args)?, nice, seen, both });
    }
    let run = watched(g, p, &args, Some(LOOK_EVERY), |_, family| {
        let mut ns: Vec<(i32, u64)> = Vec::new();
        for pid in family {
            let Ok(Some(s)) = procfs::sched(pid) else { continue };
            if "ZX".contains(s.state) {
                continue;
            }
            let e = seen.entry(pid).or_default();
            if let Ok(c) = procfs::cpus_allowed(pid) {
                if !e.cpus.contains(&c) {
                    e.cpus.push(c);
                }
            }
            if e.nices.last() != Some(&s.nice) {
                e.nices.push(s.nice);
            }
            if let Ok(n) = procfs::run_ns(pid) {
                ns.push((pid, n));
            }
        }
        for &(a, na) in &ns {
            for &(b, nb) in &ns {
                if a < b {
                    both.entry((a, b)).and_modify(|(_, last)| *last = (na, nb)).or_insert(((na, nb), (na, nb)));
                }
            }
        }
    })?;
    Ok(Scene { run, nice, seen, both })
}

impl Scene {
    /// What the grader read of process `pid` (nothing, if it never saw it).
    fn seen(&self, pid: i32) -> Seen {
        self.seen.get(&pid).cloned().unwrap_or_default()
    }

    /// The `pid=` on the line with `who=WHO`, and its `key=`.
    fn who(&self, who: &str, key: &str) -> Result<(i32, String), String> {
        self.run
            .lines
            .iter()
            .filter(|l| l.fact("who") == Some(who))
            .find_map(|l| Some((l.fact("pid")?.parse().ok()?, l.fact(key)?.to_string())))
            .ok_or_else(|| format!("expected a line `... who={who} pid=PID ... {key}=...`"))
    }

    /// Both children were only ever seen pinned to the same single CPU.
    fn expect_one_cpu(&self, normal: i32, low: i32) -> Verdict {
        let (sn, sl) = (self.seen(normal), self.seen(low));
        let single = |s: &Seen| s.cpus.len() == 1 && !s.cpus[0].contains([',', '-']);
        expect(single(&sn) && single(&sl) && sn.cpus == sl.cpus, || {
            let shown = |s: &Seen| if s.cpus.is_empty() { "nothing".to_string() } else { s.cpus.join(" then ") };
            format!(
                "both children should be pinned to the same single CPU, or they do not compete; the grader read Cpus_allowed_list {} for the nice-0 child (pid {normal}) and {} for the other (pid {low})",
                shown(&sn),
                shown(&sl)
            )
        })
    }
}

/// The two children competing for about `base` (longer at a slower pace,
/// at most 8 times), the second at a random nice from 8 to 12, watched by
/// the grader: the run, and each child's `pid=` and `key=` (the nice-0 one
/// first), once the grader saw both pinned to the same single CPU.
fn compete(
    g: &Grader,
    p: &Program,
    pace: Pace,
    base: Duration,
    key: &str,
) -> Result<(Scene, [(i32, String); 2]), String> {
    let nice = random_in(8, 12) as i32;
    let s = scenario(g, p, nice, Pace(pace.0.min(MAX_PACE)).of(base), true)?;
    let normal = s.who("normal", key)?;
    let low = s.who("nice", key)?;
    s.expect_one_cpu(normal.0, low.0)?;
    Ok((s, [normal, low]))
}

/// At most how many times longer the measuring runs last on a retry: on a
/// busy machine the pinned CPU is shared with other work, and the children
/// need time enough for the nice one to get some of it (40 x 200 ms stays
/// well within the run timeout).
const MAX_PACE: u32 = 40;

/// How long each of the other runs lasts.
const SHORT: Duration = Duration::from_millis(50);

fn basic(g: &Grader, p: &Program) -> Verdict {
    scenario(g, p, 10, SHORT, false)?.run.expect_basic()
}

fn pinned(g: &Grader, p: &Program) -> Verdict {
    g.timed(|pace: Pace| {
        let (c, [(normal, _), (low, _)]) = compete(g, p, pace, Duration::from_millis(120), "pid")?;
        let (sn, sl) = (c.seen(normal), c.seen(low));
        expect(sn.nices.iter().all(|&n| n == 0), || {
            format!("the first child should stay at nice 0; the grader read nice {}", super::listed(&sn.nices))
        })?;
        expect(sl.nices.last() == Some(&i64::from(c.nice)), || {
            format!(
                "with --nice {}, the second child should end at nice {}; the grader read nice {}",
                c.nice,
                c.nice,
                super::listed(&sl.nices)
            )
        })
    })
}

fn shares(g: &Grader, p: &Program) -> Verdict {
    g.timed(|pace: Pace| {
        let (c, [(normal, normal_ms), (low, low_ms)]) = compete(g, p, pace, Duration::from_millis(200), "cpu_ms")?;
        let expected = f64::from(procfs::nice_weight(0)) / f64::from(procfs::nice_weight(c.nice));
        let within = |r: f64| r >= expected / TOLERANCE && r <= expected * TOLERANCE;
        let (nm, lm): (f64, f64) = (normal_ms.parse().unwrap_or(0.0), low_ms.parse().unwrap_or(0.0));
        let printed = if lm > 0.0 { nm / lm } else { f64::INFINITY };
        expect(within(printed), || {
            format!(
                "with --nice {}, the weights give a ratio of {expected:.2}; the program's cpu_ms={normal_ms} and cpu_ms={low_ms} give {printed:.2}, not within {TOLERANCE}x",
                c.nice
            )
        })?;
        let key = (normal.min(low), normal.max(low));
        let Some(((a0, b0), (a1, b1))) = c.both.get(&key).copied() else {
            return Err(format!("the grader never saw both children (pids {normal} and {low}) running at once"));
        };
        let (d_normal, d_low) = if normal < low { (a1 - a0, b1 - b0) } else { (b1 - b0, a1 - a0) };
        let seen = if d_low > 0 { d_normal as f64 / d_low as f64 } else { f64::INFINITY };
        expect(within(seen), || {
            format!(
                "with --nice {}, the weights give a ratio of {expected:.2}; the grader read /proc/PID/schedstat itself: {:.1} ms for the nice-0 child, {:.1} ms for the other, a ratio of {seen:.2}, not within {TOLERANCE}x",
                c.nice,
                d_normal as f64 / 1e6,
                d_low as f64 / 1e6
            )
        })
    })
}

fn ps_columns(g: &Grader, p: &Program) -> Verdict {
    let s = scenario(g, p, random_in(1, 19) as i32, SHORT, false)?;
    for (role, n) in [("normal", 0), ("nice", s.nice)] {
        let (_, ni) = s.who(role, "ps_ni")?;
        let (_, pri) = s.who(role, "ps_pri")?;
        expect(ni == n.to_string() && pri == (19 - n).to_string(), || {
            format!(
                "for the child at nice {n}, `ps -o ni,pri` shows NI {n} and PRI {}; the {role} line says ps_ni={ni} ps_pri={pri}",
                19 - n
            )
        })?;
    }
    Ok(())
}

fn refused(g: &Grader, p: &Program) -> Verdict {
    let mut prog = p.clone();
    let root = g.programs_run_as_root();
    if root {
        // root may lower nice: run the program as user nobody instead.
        let ok = std::process::Command::new("setpriv").arg("--version").output().is_ok_and(|o| o.status.success());
        expect(ok, || {
            "the grader runs as root, so it runs this check as user nobody with setpriv (util-linux), which cannot be run".into()
        })?;
        prog.argv.splice(0..0, ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--"].map(String::from));
    }
    let nice = -(random_in(1, 20) as i32);
    let run = scenario(g, &prog, nice, SHORT, false)?.run;
    let as_nobody = if root { " (run as user nobody, since the grader is root)" } else { "" };
    expect(run.code() != 0 && run.code() != 126 && run.code() != 127, || {
        format!(
            "--nice {nice}{as_nobody} cannot be granted: the program should fail (non-zero exit code), got exit {}",
            run.code()
        )
    })?;
    let said = run.stdout.lines().chain(run.stderr.lines()).any(|l| crate::out::fact(l, "errno") == Some("EACCES"));
    expect(said, || format!("--nice {nice}{as_nobody}: the program should say errno=EACCES"))?;
    run.expect_clean()
}
