//! Checks for lab 15, parallel. See `labs/15-parallel.md`, "Grading contract".
//!
//! The grader watches the program's workers in `/proc` while it runs: when
//! each appears and disappears (so it times every round itself), how many
//! run at once, and the CPUs they may use. A round's wall time can only drop
//! while there are free CPUs: the speedup can never exceed the number of
//! CPUs, and pinned to one CPU it cannot exceed 1.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use super::watch::watched;
use super::{Check, Grader, Pace, Program, RUNS_CLEAN, Transcript, Verdict, expect};
use crate::procfs;

const BASIC: Check = Check::new(1, RUNS_CLEAN, basic);

pub const CHECKS: &[Check] = &[
    BASIC,
    Check::new(2, "the same CPU time whatever the number of processes, which really run at once", same_cpu)
        .after(&BASIC),
    Check::new(3, "with as many processes as CPUs the wall time drops, and no more CPUs are busy than exist", speedup)
        .after(&BASIC),
    Check::new(2, "--one-core: pinned to one CPU, the wall time does not drop", one_core).after(&BASIC),
];

/// Tolerances, stated in the contract: a round's CPU time within 0.8 to 1.3
/// times `--work`; with as many processes as CPUs, at least 1.2 CPUs busy
/// (CPU time over wall time; 1.2 times faster than one CPU could be);
/// `busy_cpus` (CPU time over wall time) at most 1.2 times the CPUs allowed
/// (it cannot really exceed them: the margin is for the clocks' rounding).
const CPU_LOW: f64 = 0.8;
const CPU_HIGH: f64 = 1.3;
const MIN_BUSY: f64 = 1.2;
/// The CPUs other programs must leave free for the parallel round's verdict to require parallelism.
const ROOM: f64 = 1.5;
const OVER: f64 = 1.2;

/// One run of the program, a round for each count of `--procs`, and the
/// grader's own view of it: its workers as it saw them, each round's
/// figures beside what it saw, and the machine's CPU use meanwhile.
struct Scene {
    run: Transcript,
    work: Duration,
    rounds: Vec<Round>,
    /// The most workers the grader saw alive at one look.
    most_at_once: usize,
    /// The machine's CPU use at each look, from `/proc/stat`: (when, busy
    /// clock ticks of all CPUs, all ticks).
    machine: Vec<(Instant, u64, u64)>,
    /// Whether the grader saw two workers each run for more than half of the
    /// time between two of its looks: then they ran at the same moment, on
    /// two CPUs (two stretches longer than half of one span must overlap).
    parallel_seen: bool,
}

/// One `procs=P` line and the grader's own view of that round.
#[derive(Debug, Clone)]
struct Round {
    procs: u32,
    wall: f64,
    cpu: f64,
    speedup: f64,
    busy: f64,
    /// The grader's wall time for the round: first worker seen to last worker gone, ms.
    seen_wall: f64,
    seen: Vec<Worker>,
}

/// One worker as the grader saw it.
#[derive(Debug, Clone)]
struct Worker {
    first: Instant,
    last: Instant,
    cpus: String,
}

/// How often the grader looks at the program's processes.
const LOOK_EVERY: Duration = Duration::from_millis(4);

/// Run with `--procs` (the rounds' counts) and `--work`, and `--one-core`
/// if asked, watching the workers every few milliseconds.
fn scenario(g: &Grader, p: &Program, procs: &[u32], work: Duration, one_core: bool) -> Result<Scene, String> {
    let list: Vec<String> = procs.iter().map(u32::to_string).collect();
    let (list, w) = (list.join(","), format!("{}ms", work.as_millis()));
    let mut args = vec!["--procs", &list, "--work", &w];
    if one_core {
        args.push("--one-core");
    }
    let mut workers: HashMap<i32, Worker> = HashMap::new();
    let mut main: Option<i32> = None;
    let mut most_at_once = 0;
    let mut parallel_seen = false;
    let mut ran: HashMap<i32, (Instant, u64)> = HashMap::new();
    let mut machine = Vec::new();
    let run = watched(g, p, &args, Some(LOOK_EVERY), |supervisor, family| {
        let now = Instant::now();
        if let Some((busy, total)) = machine_ticks() {
            machine.push((now, busy, total));
        }
        let mut alive = 0;
        let mut busy_now = 0;
        for pid in family {
            let Ok(Some(s)) = procfs::sched(pid) else { continue };
            if s.ppid == supervisor {
                main.get_or_insert(pid);
                continue;
            }
            if Some(s.ppid) != main || "ZX".contains(s.state) {
                continue;
            }
            alive += 1;
            if let Ok(ns) = procfs::run_ns(pid) {
                if let Some((then, before)) = ran.insert(pid, (now, ns)) {
                    let span = (now - then).as_nanos() as u64;
                    busy_now += usize::from(span > 0 && ns - before > span / 2);
                }
            }
            let cpus = procfs::cpus_allowed(pid).unwrap_or_default();
            workers.entry(pid).and_modify(|w| w.last = now).or_insert(Worker { first: now, last: now, cpus });
        }
        most_at_once = most_at_once.max(alive);
        parallel_seen |= busy_now >= 2;
    })?;
    let mut rounds = Vec::new();
    let mut seen: Vec<Worker> = workers.into_values().collect();
    seen.sort_by_key(|w| w.first);
    let mut rest = seen.as_slice();
    for l in run.lines.iter().filter(|l| l.fact("procs").is_some()) {
        let num = |k: &str| l.fact(k).and_then(|v| v.parse::<f64>().ok());
        let (Some(n), Some(wall), Some(cpu), Some(speedup), Some(busy)) =
            (num("procs"), num("wall_ms"), num("cpu_ms"), num("speedup"), num("busy_cpus"))
        else {
            return Err(format!(
                "each round's line should say procs=P wall_ms=W cpu_ms=C speedup=S busy_cpus=B as numbers: `{}`",
                l.text
            ));
        };
        let take = (n as usize).min(rest.len());
        let (mine, more) = rest.split_at(take);
        rest = more;
        let seen_wall = match (mine.iter().map(|w| w.first).min(), mine.iter().map(|w| w.last).max()) {
            (Some(a), Some(b)) => (b - a).as_secs_f64() * 1000.0,
            _ => 0.0,
        };
        rounds.push(Round { procs: n as u32, wall, cpu, speedup, busy, seen_wall, seen: mine.to_vec() });
    }
    let got: Vec<u32> = rounds.iter().map(|r| r.procs).collect();
    expect(got == procs, || {
        let show = |v: &[u32]| v.iter().map(u32::to_string).collect::<Vec<_>>().join(",");
        format!(
            "with --procs {}, expected one procs= line per count in that order, got procs={}",
            show(procs),
            show(&got)
        )
    })?;
    Ok(Scene { run, work, rounds, most_at_once, machine, parallel_seen })
}

/// The CPUs this machine has.
fn cpus() -> u32 {
    std::thread::available_parallelism().map_or(1, |n| n.get() as u32)
}

/// The busy and total clock ticks of all CPUs so far, from `/proc/stat`'s first line.
fn machine_ticks() -> Option<(u64, u64)> {
    let text = std::fs::read_to_string("/proc/stat").ok()?;
    let ticks: Vec<u64> = text.lines().next()?.split_whitespace().skip(1).filter_map(|t| t.parse().ok()).collect();
    let total: u64 = ticks.iter().take(8).sum();
    let idle = ticks.get(3)? + ticks.get(4)?;
    Some((total - idle, total))
}

/// How many CPUs, on average, programs other than the round's workers kept
/// busy while the round ran (the grader itself included), from
/// `/proc/stat`: the CPUs the round could not have.
fn others_busy(o: &Scene, r: &Round) -> f64 {
    let (Some(start), Some(end)) = (r.seen.iter().map(|w| w.first).min(), r.seen.iter().map(|w| w.last).max()) else {
        return 0.0;
    };
    let at = |t: Instant| o.machine.iter().min_by_key(|(when, _, _)| if *when > t { *when - t } else { t - *when });
    let (Some(&(t0, b0, _)), Some(&(t1, b1, _))) = (at(start), at(end)) else { return 0.0 };
    let span = (t1 - t0).as_secs_f64();
    if span <= 0.0 {
        return 0.0;
    }
    let busy = (b1 - b0) as f64 / procfs::ticks_per_second() as f64;
    ((busy - r.cpu / 1000.0) / span).max(0.0)
}

/// The printed figures agree with each other and with what the grader saw.
fn expect_consistent(o: &Scene) -> Verdict {
    let base = o.rounds[0].wall;
    for r in &o.rounds {
        expect((r.speedup - base / r.wall).abs() <= 0.05 * r.speedup + 0.02, || {
            format!(
                "procs={}: speedup= should be the first round's wall_ms / this one's ({base:.0} / {:.0}), got {:.2}",
                r.procs, r.wall, r.speedup
            )
        })?;
        expect((r.busy - r.cpu / r.wall).abs() <= 0.05 * r.busy + 0.02, || {
            format!(
                "procs={}: busy_cpus= should be cpu_ms / wall_ms ({:.0} / {:.0}), got {:.2}",
                r.procs, r.cpu, r.wall, r.busy
            )
        })?;
        expect(r.seen.len() == r.procs as usize, || {
            format!("procs={}: the grader saw {} worker(s) of the program in that round", r.procs, r.seen.len())
        })?;
        // The grader sees a worker from its first look to its last: up to a few ms short, never long.
        expect(r.wall >= r.seen_wall * 0.9 - 5.0 && r.wall <= r.seen_wall * 1.25 + 30.0, || {
            format!(
                "procs={}: the program says wall_ms={:.0}; the grader saw the round's workers live for {:.0} ms",
                r.procs, r.wall, r.seen_wall
            )
        })?;
    }
    Ok(())
}

fn basic(g: &Grader, p: &Program) -> Verdict {
    scenario(g, p, &[1, 2], Duration::from_millis(40), false)?.run.expect_basic()
}

fn same_cpu(g: &Grader, p: &Program) -> Verdict {
    g.timed(|pace: Pace| {
        let o = scenario(g, p, &[1, 2, 4], Pace(pace.0.min(4)).of(Duration::from_millis(80)), false)?;
        expect_consistent(&o)?;
        let work = o.work.as_secs_f64() * 1000.0;
        for r in &o.rounds {
            expect(r.cpu >= CPU_LOW * work && r.cpu <= CPU_HIGH * work, || {
                format!(
                    "--work {work:.0}ms is the CPU time of the whole round, split among the processes; procs={} used cpu_ms={:.0}, not within {CPU_LOW}x to {CPU_HIGH}x of it",
                    r.procs, r.cpu
                )
            })?;
        }
        expect(o.most_at_once >= 4, || {
            format!("with procs=4 the 4 workers should all exist at once; the grader saw at most {} at one look", o.most_at_once)
        })
    })
}

fn speedup(g: &Grader, p: &Program) -> Verdict {
    let n = cpus();
    g.timed(|pace: Pace| {
        let o = scenario(g, p, &[1, n, 2 * n], Pace(pace.0.min(4)).of(Duration::from_millis(120)), false)?;
        expect_consistent(&o)?;
        for r in &o.rounds {
            expect(r.busy <= f64::from(n) * OVER, || {
                format!(
                    "this machine has {n} CPU(s): procs={} cannot keep busy_cpus={:.2} of them busy (cpu_ms={:.0} in wall_ms={:.0})",
                    r.procs, r.busy, r.cpu, r.wall
                )
            })?;
        }
        // Parallel: CPU time over wall time above one CPU (the wall time
        // dropped), or the grader saw two workers run at the same moment;
        // required when the machine had room: other programs left the round
        // at least 1.5 CPUs (stated in the contract).
        let at_n = &o.rounds[1];
        let others = others_busy(&o, at_n);
        let room = f64::from(n) - others >= ROOM;
        expect(n == 1 || !room || at_n.busy >= MIN_BUSY || o.parallel_seen, || {
            format!(
                "with procs={n} on {n} CPUs, other programs using only {others:.1} CPU(s) meanwhile, the processes should run at the same time: busy_cpus at least {MIN_BUSY} (the wall time drops to {:.0} ms or less), got {:.2} (cpu_ms={:.0} in wall_ms={:.0}), and the grader never saw two workers run at one moment",
                at_n.cpu / MIN_BUSY,
                at_n.busy,
                at_n.cpu,
                at_n.wall
            )
        })
    })
}

fn one_core(g: &Grader, p: &Program) -> Verdict {
    g.timed(|pace: Pace| {
        let o = scenario(g, p, &[1, 2, 4], Pace(pace.0.min(4)).of(Duration::from_millis(60)), true)?;
        expect_consistent(&o)?;
        for r in &o.rounds {
            let unpinned: Vec<String> = r.seen.iter().filter(|w| w.cpus.is_empty() || w.cpus.contains([',', '-'])).map(|w| w.cpus.clone()).collect();
            expect(unpinned.is_empty(), || {
                format!("with --one-core every worker may use one CPU only; the grader read Cpus_allowed_list {}", unpinned.join(", "))
            })?;
            expect(r.busy <= OVER, || {
                format!(
                    "pinned to one CPU, procs={} cannot keep more than one CPU busy: busy_cpus={:.2} (cpu_ms={:.0} in wall_ms={:.0})",
                    r.procs, r.busy, r.cpu, r.wall
                )
            })?;
        }
        Ok(())
    })
}
