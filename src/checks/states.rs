//! Checks for lab 10, states. See `labs/10-states.md`, "Grading contract".
//!
//! The program prints one line per observation, `who=ROLE pid=N state=X
//! ps_stat=...`; the grader watches the program's processes in `/proc`
//! itself while it runs and accepts a printed state only for a process it
//! saw in that state, with the attributes (session, threads, nice) that
//! earn each `ps` flag.

use std::collections::HashMap;
use std::time::Duration;

use super::watch::watched;
use super::{Check, Grader, Pace, Program, RUNS_CLEAN, Transcript, Verdict, expect, random_in};
use crate::out::Tagged;
use crate::procfs;

const BASIC: Check = Check::new(1, RUNS_CLEAN, basic);

pub const CHECKS: &[Check] = &[
    BASIC,
    Check::new(3, "R, S, T and Z read from /proc, each seen by the grader too", four_states).after(&BASIC),
    Check::new(2, "D: the parent of a vfork waits in D, seen by the grader", vfork_d).after(&BASIC),
    Check::new(2, "ps -o stat shows s, l, N (and < only at negative nice) for real causes", ps_flags).after(&BASIC),
    Check::new(
        2,
        "voluntary_ctxt_switches: the blocked child's grew with each wake-up, the busy one's did not",
        ctxt_switches,
    )
    .after(&BASIC),
];

/// One run of the program, with random `--wakes` and `--nice`, and what
/// the grader itself saw of its processes in `/proc` while it ran.
struct Scene {
    run: Transcript,
    wakes: u32,
    nice: i32,
    /// Each process as the grader saw it (nothing unless it watched).
    seen: HashMap<i32, Seen>,
}

/// How often the grader reads the program's processes while it runs.
const LOOK_EVERY: Duration = Duration::from_millis(4);

/// Run with random `--wakes` and `--nice`, every state held `hold`; with
/// `watch`, record what the grader itself sees in `/proc`, reading every
/// process of the program's family every few milliseconds until it ends.
fn scenario(g: &Grader, p: &Program, hold: Duration, watch: bool) -> Result<Scene, String> {
    let wakes = random_in(2, 6) as u32;
    let nice = random_in(1, 19) as i32;
    let hold = format!("{}ms", hold.as_millis());
    let args = ["--hold", &hold, "--wakes", &wakes.to_string(), "--nice", &nice.to_string()];
    let mut seen: HashMap<i32, Seen> = HashMap::new();
    let run = watched(g, p, &args, watch.then_some(LOOK_EVERY), |_, family| {
        for pid in family {
            let Ok(Some(x)) = procfs::sched(pid) else { continue };
            let entry = seen.entry(pid).or_default();
            match entry.states.iter_mut().find(|(s, _)| *s == x.state) {
                Some((_, n)) => *n += 1,
                None => entry.states.push((x.state, 1)),
            }
            entry.leader |= x.session == x.pid;
            entry.threads = entry.threads.max(x.num_threads);
            if !entry.nices.contains(&x.nice) {
                entry.nices.push(x.nice);
            }
            if let Ok((v, _)) = procfs::ctxt_switches(pid) {
                entry.voluntary = Some(entry.voluntary.map_or((v, v), |(first, _)| (first, v)));
            }
        }
    })?;
    Ok(Scene { run, wakes, nice, seen })
}

/// What the grader saw of one process in `/proc` while the program ran.
#[derive(Debug, Default, Clone)]
struct Seen {
    /// How many readings found it in each state, in the order first seen.
    states: Vec<(char, u32)>,
    leader: bool,
    threads: i64,
    nices: Vec<i64>,
    /// `voluntary_ctxt_switches`, first and last seen.
    voluntary: Option<(u64, u64)>,
}

impl Seen {
    fn saw(&self, state: char) -> bool {
        self.states.iter().any(|&(s, _)| s == state)
    }

    /// How many readings found it in `state`.
    fn readings(&self, state: char) -> u32 {
        self.states.iter().filter(|(s, _)| *s == state).map(|(_, n)| n).sum()
    }

    /// The share of the readings (before it ended) that found it in `state`.
    fn share(&self, state: char) -> f64 {
        let alive: u32 = self.states.iter().filter(|(s, _)| !"ZX".contains(*s)).map(|(_, n)| n).sum();
        if alive == 0 { 0.0 } else { f64::from(self.readings(state)) / f64::from(alive) }
    }

    /// The share of the readings (before it ended) that found it running or runnable.
    fn running_share(&self) -> f64 {
        self.share('R')
    }

    fn describe(&self) -> String {
        let parts: Vec<String> = self.states.iter().map(|(s, n)| format!("{s} {n} times")).collect();
        parts.join(", ")
    }
}

impl Scene {
    /// What the grader saw of process `pid` (nothing, if it never saw it).
    fn seen(&self, pid: i32) -> Seen {
        self.seen.get(&pid).cloned().unwrap_or_default()
    }

    /// The line that reports `who=WHO ... state=STATE`, and its `pid=`.
    fn line(&self, who: &str, state: char) -> Result<(&Tagged, i32), String> {
        let found = self.run.lines.iter().find(|l| {
            l.fact("who") == Some(who) && l.fact("state").is_some_and(|s| s.starts_with(state) && s.len() == 1)
        });
        let Some(l) = found else {
            return Err(format!("expected a line `... who={who} pid=N state={state} ps_stat=...`, found none"));
        };
        let pid = l.fact("pid").and_then(|p| p.parse().ok());
        let Some(pid) = pid else {
            return Err(format!("the who={who} line should say pid=N: `{}`", l.text));
        };
        Ok((l, pid))
    }

    /// The printed state is one the grader saw that process in: its PID.
    fn seen_in(&self, who: &str, state: char) -> Result<i32, String> {
        let (_, pid) = self.line(who, state)?;
        let seen = self.seen(pid);
        expect(seen.saw(state), || {
            let saw =
                if seen.states.is_empty() { "never saw it".to_string() } else { format!("saw it {}", seen.describe()) };
            format!(
                "the program says its {who} (pid {pid}) was in state {state}; the grader, reading /proc/{pid}/stat every few milliseconds, {saw}"
            )
        })?;
        Ok(pid)
    }
}

/// How long the program holds each state for the grader: 60 ms, longer on
/// a retry, at most 10 times (the program holds about eight states in a row,
/// and must finish within the run timeout).
fn hold(pace: Pace) -> Duration {
    Pace(pace.0.min(10)).of(Duration::from_millis(60))
}

/// The share of the grader's readings that must find the busy child in R (stated in the contract).
const MIN_RUNNING_SHARE: f64 = 0.5;

fn basic(g: &Grader, p: &Program) -> Verdict {
    scenario(g, p, Duration::from_millis(20), false)?.run.expect_basic()
}

fn four_states(g: &Grader, p: &Program) -> Verdict {
    g.timed(|pace: Pace| {
        let o = scenario(g, p, hold(pace), true)?;
        for (who, state) in [("busy", 'R'), ("sleeper", 'S'), ("sleeper", 'T'), ("zombie", 'Z')] {
            o.seen_in(who, state)?;
        }
        // Busy means always running or runnable, not now and then.
        let (_, busy) = o.line("busy", 'R')?;
        let seen = o.seen(busy);
        expect(seen.running_share() >= MIN_RUNNING_SHARE, || {
            format!(
                "a busy child is in state R (running or runnable) whenever the grader looks; it saw the busy child (pid {busy}) {}",
                seen.describe()
            )
        })
    })
}

/// The parent of a vfork waits in D for as long as its child has not
/// exec'd or exited: most of the vforker's life. A process blocked in
/// `read()` is in S, and may show D for a moment under heavy I/O: one
/// reading is not enough, so D must be in at least [`MIN_D_READINGS`]
/// readings and [`MIN_D_SHARE`] of them.
fn vfork_d(g: &Grader, p: &Program) -> Verdict {
    g.timed(|pace: Pace| {
        let o = scenario(g, p, hold(pace), true)?;
        let pid = o.seen_in("vforker", 'D')?;
        let seen = o.seen(pid);
        expect(seen.readings('D') >= MIN_D_READINGS && seen.share('D') >= MIN_D_SHARE, || {
            format!(
                "the parent of a vfork waits in D until its child execs or exits; the grader saw the vforker (pid {pid}) {}: \
                 D now and then is a process that waits for something else",
                seen.describe()
            )
        })
    })
}

/// How often the grader must find the vforker in D (stated in the contract).
const MIN_D_READINGS: u32 = 3;
const MIN_D_SHARE: f64 = 0.25;

fn ps_flags(g: &Grader, p: &Program) -> Verdict {
    g.timed(|pace: Pace| {
        let o = scenario(g, p, hold(pace), true)?;
        let run = &o.run;
        // Every reported ps_stat starts with the state letter read from /proc.
        for l in run.lines.iter().filter(|l| l.fact("who").is_some() && l.fact("state").is_some()) {
            let (state, ps) = (l.fact("state").unwrap_or_default(), l.fact("ps_stat").unwrap_or_default());
            expect(!ps.is_empty() && ps.starts_with(state), || {
                format!("ps_stat= should be what `ps -o stat` printed, starting with the state {state}: `{}`", l.text)
            })?;
        }
        let want_nice = i64::from(o.nice);
        let cases: [(&str, char, &str); 3] = [
            ("leader", 's', "a session leader (setsid)"),
            ("threads", 'l', "multi-threaded"),
            ("nice", 'N', "at nice > 0"),
        ];
        for (who, flag, what) in cases {
            let (l, pid) = o.line(who, 'S')?;
            let ps = l.fact("ps_stat").unwrap_or_default();
            expect(ps.contains(flag), || {
                format!("the {who} child is {what}: `ps -o stat` should show {flag}, the line says ps_stat={ps}")
            })?;
            let seen = o.seen(pid);
            let real = match flag {
                's' => seen.leader,
                'l' => seen.threads >= 2,
                _ => seen.nices.contains(&want_nice),
            };
            expect(real, || match flag {
                's' => format!("the grader never saw the leader (pid {pid}) lead its own session in /proc"),
                'l' => format!("the grader never saw more than one thread in the threads child (pid {pid})"),
                _ => format!(
                    "with --nice {want_nice}, the grader saw the nice child (pid {pid}) at nice {}",
                    super::listed(&seen.nices)
                ),
            })?;
        }
        // `<` comes only with a negative nice, which needs privilege: either outcome, told truly.
        let (l, pid) = o.line("greedy", 'S')?;
        let ps = l.fact("ps_stat").unwrap_or_default();
        let printed: Option<i64> = l.fact("nice").and_then(|n| n.parse().ok());
        let seen = o.seen(pid);
        expect(printed.is_some_and(|n| seen.nices.contains(&n)), || {
            format!(
                "the greedy child's line should say nice=N as /proc has it (the grader saw nice {}): `{}`",
                super::listed(&seen.nices),
                l.text
            )
        })?;
        expect(ps.contains('<') == printed.is_some_and(|n| n < 0), || {
            format!(
                "ps shows < exactly when nice is negative; the greedy line says nice={} ps_stat={ps}",
                printed.unwrap_or(0)
            )
        })
    })
}

fn ctxt_switches(g: &Grader, p: &Program) -> Verdict {
    g.timed(|pace: Pace| {
        let o = scenario(g, p, hold(pace), true)?;
        let run = &o.run;
        let grew = |who: &str| -> Result<(i64, i32, &Tagged), String> {
            let found = run.lines.iter().find(|l| l.fact("who") == Some(who) && l.fact("voluntary_grew").is_some());
            let Some(l) = found else {
                return Err(format!("expected a line `... who={who} pid=N ... voluntary_grew=N`, found none"));
            };
            let n = l.fact("voluntary_grew").and_then(|v| v.parse().ok());
            let pid = l.fact("pid").and_then(|v| v.parse().ok());
            match (n, pid) {
                (Some(n), Some(pid)) => Ok((n, pid, l)),
                _ => Err(format!("voluntary_grew= and pid= should be numbers: `{}`", l.text)),
            }
        };
        let (slept, sleeper, l) = grew("sleeper")?;
        let woken = l.fact("woken");
        expect(woken == Some(o.wakes.to_string().as_str()), || {
            format!("with --wakes {}, the sleeper line should say woken={}: `{}`", o.wakes, o.wakes, l.text)
        })?;
        expect(slept >= i64::from(o.wakes), || {
            format!(
                "woken {} times, the sleeper blocked in read() as often: voluntary_grew= should be at least {}, got {slept}",
                o.wakes, o.wakes
            )
        })?;
        let kernel = o.seen(sleeper).voluntary.map_or(0, |(a, b)| b - a);
        expect(kernel >= u64::from(o.wakes), || {
            format!(
                "the grader read /proc/{sleeper}/status itself: the sleeper's voluntary_ctxt_switches grew by {kernel} while it ran, fewer than --wakes {}",
                o.wakes
            )
        })?;
        let (spun, busy, l) = grew("busy")?;
        expect(busy != sleeper, || format!("busy and sleeper must be two processes: `{}`", l.text))?;
        expect((0..=1).contains(&spun), || {
            format!("a busy child never blocks: its voluntary_grew= should be 0 (at most 1 tolerated), got {spun}: `{}`", l.text)
        })
    })
}
