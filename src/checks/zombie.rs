//! Checks for lab 4, zombie. See `labs/04-zombie.md`, "Grading contract".
//!
//! Besides reading what the program prints, the grader looks at `/proc`
//! itself while the program runs: the zombie must really be there, with the
//! PID, parent and name the program reports.

use std::time::Duration;

use super::{Check, Grader, Pace, Program, RUNS_CLEAN, Transcript, Verdict, expect, random_in};
use crate::out::Tagged;
use crate::procfs::Stat;

const BASIC: Check = Check::new(1, RUNS_CLEAN, runs_clean);

pub const CHECKS: &[Check] = &[
    BASIC,
    Check::new(3, "parent reads the child's state Z, comm and ppid from /proc", parent_sees_zombie).after(&BASIC),
    Check::new(2, "the zombie is real: the grader sees it in /proc too", grader_sees_zombie).after(&BASIC),
    Check::new(2, "wait returns the zombie's PID and its exit code", wait_reaps).after(&BASIC),
    Check::new(2, "after wait the /proc entry is gone", gone_after_wait).after(&BASIC),
];

/// The facts only the parent states (what wait returned, what it saw after).
const PARENT_FACTS: &[&str] = &["returned", "gone"];

/// Run with a random code: `(run, code)`; with `watch`, also the first
/// zombie the grader saw among the program's children in `/proc`. The code
/// is never 0, 1 (a crash), 3 (the kit's default), 255, nor below 128: a
/// program that prints the default, or keeps 7 bits, fails on every run.
fn run(g: &Grader, p: &Program, delay: &str, watch: bool) -> Result<(Transcript, i32, Vec<Stat>), String> {
    let code = random_in(130, 254) as i32;
    let mut running = g
        .spawn_watched(p, &["--code", &code.to_string(), "--delay", delay])
        .map_err(|e| format!("cannot start the reaper: {e}"))?;
    let reaper = running.reaper_pid();
    // Every zombie seen below the program's main process (a program started
    // through a wrapper, such as a pyenv `python3` shim, may leave other
    // short-lived zombies before the real one).
    let mut zombies: Vec<Stat> = Vec::new();
    if watch {
        running.watch(Duration::from_secs(5), |procs| {
            for s in procs.iter().filter(|s| s.is_zombie() && s.ppid != reaper) {
                if !zombies.iter().any(|z| z.pid == s.pid) {
                    zombies.push(s.clone());
                }
            }
            false // watch until the program ends
        });
    }
    Ok((running.finish()?, code, zombies))
}

fn pid_fact(line: &Tagged, key: &str, run: &Transcript) -> Result<i32, String> {
    let v = line.fact(key).unwrap_or_default();
    v.parse().map_err(|_| format!("expected {key}=PID on the line `{}`\n{}", line.text, run.excerpt()))
}

/// The child's PID from its own `getpid()=` line (which must match its tag).
fn child_pid(run: &Transcript) -> Result<i32, String> {
    let (line, _) = run.fact("child", "getpid()")?;
    let pid = pid_fact(line, "getpid()", run)?;
    expect(pid == line.pid, || {
        format!("the child's getpid()={pid} is not the PID {} in its tag\n{}", line.pid, run.excerpt())
    })?;
    Ok(pid)
}

/// Index in `run.lines` of the parent's line with `returned=`, and that line.
fn wait_line(run: &Transcript) -> Result<(usize, &Tagged), String> {
    run.lines
        .iter()
        .enumerate()
        .find(|(_, l)| l.role == "parent" && l.fact("returned").is_some())
        .ok_or_else(|| format!("expected a parent line `... returned=PID ... code=N`, found none\n{}", run.excerpt()))
}

fn runs_clean(g: &Grader, p: &Program) -> Verdict {
    let (run, _, _) = run(g, p, "20ms", false)?;
    run.expect_basic()?;
    run.expect_one_process_per_role(&["parent", "child"])?;
    run.expect_parent_only(PARENT_FACTS)
}

fn parent_sees_zombie(g: &Grader, p: &Program) -> Verdict {
    let (run, _, _) = run(g, p, "20ms", false)?;
    let parent = run.pid_of("parent")?;
    let child = child_pid(&run)?;
    let (reaped_at, _) = wait_line(&run)?;
    let zombie_line = run.lines[..reaped_at].iter().find(|l| l.role == "parent" && l.fact("state") == Some("Z"));
    let Some(line) = zombie_line else {
        return Err(format!(
            "before the wait line, expected a parent line with state=Z read from /proc\n{}",
            run.excerpt()
        ));
    };
    let pid = pid_fact(line, "pid", &run)?;
    let ppid = pid_fact(line, "ppid", &run)?;
    expect(pid == child, || format!("the state=Z line is about pid={pid}, not the child {child}: `{}`", line.text))?;
    expect(ppid == parent, || {
        format!("the zombie's ppid= should be the parent's PID {parent} (it is still its child), got {ppid}")
    })?;
    expect(line.fact("comm").is_some_and(|c| !c.is_empty()), || {
        format!("the state=Z line should show comm= from /proc: `{}`", line.text)
    })
}

fn grader_sees_zombie(g: &Grader, p: &Program) -> Verdict {
    g.timed(|pace: Pace| {
        let delay = pace.flag(Duration::from_millis(300));
        let (run, _, seen) = run(g, p, &delay, true)?;
        let parent = run.pid_of("parent")?;
        let child = child_pid(&run)?;
        if seen.is_empty() {
            return Err(format!(
                "with --delay {delay} the grader saw no zombie child of the program in /proc\n{}",
                run.excerpt()
            ));
        }
        let Some(seen) = seen.iter().find(|s| s.pid == child && s.ppid == parent) else {
            let saw: Vec<String> = seen.iter().map(|s| format!("{} (PPID {})", s.pid, s.ppid)).collect();
            return Err(format!(
                "the grader saw zombie {}; the program printed child {child}, parent {parent}\n{}",
                saw.join(", "),
                run.excerpt()
            ));
        };
        let (_, comm) = run.fact("parent", "comm")?;
        expect(comm == seen.comm.replace(' ', "_"), || {
            format!("the grader read comm={} in /proc; the parent printed comm={comm}\n{}", seen.comm, run.excerpt())
        })
    })
}

fn wait_reaps(g: &Grader, p: &Program) -> Verdict {
    let (run, code, _) = run(g, p, "20ms", false)?;
    let child = child_pid(&run)?;
    let (_, line) = wait_line(&run)?;
    let got = pid_fact(line, "returned", &run)?;
    expect(got == child, || {
        format!("wait should return the zombie's PID {child}, got returned={got}\n{}", run.excerpt())
    })?;
    let shown = line.fact("code");
    expect(shown == Some(code.to_string().as_str()), || {
        format!(
            "the child exited with --code {code}; the wait line should say code={code}:\n  | {}\n{}",
            line.text,
            run.excerpt()
        )
    })
}

fn gone_after_wait(g: &Grader, p: &Program) -> Verdict {
    let (run, _, _) = run(g, p, "20ms", false)?;
    let (reaped_at, _) = wait_line(&run)?;
    let gone = run.lines[reaped_at..].iter().filter(|l| l.role == "parent").find_map(|l| l.fact("gone"));
    expect(gone.is_some_and(|g| g.eq_ignore_ascii_case("yes")), || {
        let seen = gone.map_or("no gone=".to_string(), |g| format!("gone={g}"));
        format!("after the wait line, expected the parent's gone=yes (read /proc again), got {seen}\n{}", run.excerpt())
    })?;
    // The parent reaped it itself: nothing was left for the reaper.
    run.expect_clean()
}
