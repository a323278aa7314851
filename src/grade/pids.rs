//! Checks for lab 2, pids. See `labs/02-pids.md`, "Grading contract".
//!
//! PIDs differ on every run, so the checks compare relationships with what
//! the operating system says: the PID the reaper started, the reaper's own
//! PID (the program's parent), and the processes the grader itself sees in
//! `/proc` while the program runs.

use std::time::Duration;

use super::{Check, Grader, Program, Run, Verdict, expect};
use crate::procfs::Stat;

pub const CHECKS: &[Check] = &[
    Check { name: "runs and exits 0, leaving no process behind", points: 1, run: runs_clean },
    Check { name: "parent shows its own getpid() and getppid()", points: 2, run: parent_ids },
    Check { name: "child's getpid() equals the PID fork returned", points: 3, run: child_pid_is_forks_answer },
    Check { name: "child's getppid() equals the parent's getpid()", points: 3, run: child_ppid_is_parent },
    Check { name: "the child is real: the grader sees it in /proc under the parent", points: 2, run: child_in_proc },
];

/// Run with `--delay delay` under the reaper: `(run, reaper PID)`. With
/// `watch`, also return what the grader saw in `/proc` while the program
/// ran: every process below the program's main process (a program started
/// through a wrapper, such as a pyenv `python3` shim, may have had other
/// short-lived children before the real one).
fn run(g: &Grader, p: &Program, delay: &str, watch: bool) -> Result<(Run, i32, Vec<Stat>), String> {
    let mut running = g.spawn(p, &["--delay", delay]).map_err(|e| format!("cannot start the reaper: {e}"))?;
    let reaper = running.reaper_pid();
    let mut seen: Vec<Stat> = Vec::new();
    if watch {
        running.watch(Duration::from_secs(5), |procs| {
            for s in procs.iter().filter(|s| s.ppid != reaper) {
                if !seen.iter().any(|o| o.pid == s.pid && o.ppid == s.ppid) {
                    seen.push(s.clone());
                }
            }
            false // watch until the program ends
        });
    }
    Ok((running.finish()?, reaper, seen))
}

fn runs_clean(g: &Grader, p: &Program) -> Verdict {
    let (run, _, _) = run(g, p, "10ms", false)?;
    run.expect_basic()
}

fn parent_ids(g: &Grader, p: &Program) -> Verdict {
    let (run, reaper, _) = run(g, p, "10ms", false)?;
    let tag = run.pid_of("parent")?;
    let main = run.report.main.as_ref().map_or(0, |m| m.pid);
    let pid = run.number("parent", "getpid()")?;
    expect(pid == tag && pid == main, || {
        format!(
            "the parent's getpid()= should be its real PID {main} (the process the grader started), \
             as in its tag; got getpid()={pid}, tag {tag}\n{}",
            run.excerpt()
        )
    })?;
    let ppid = run.number("parent", "getppid()")?;
    expect(ppid == reaper, || {
        format!(
            "the parent's getppid()= should be {reaper}, the PID of the process that started it; got {ppid}\n{}",
            run.excerpt()
        )
    })
}

fn child_pid_is_forks_answer(g: &Grader, p: &Program) -> Verdict {
    let (run, _, _) = run(g, p, "10ms", false)?;
    let parent = run.pid_of("parent")?;
    let tag = run.pid_of("child")?;
    let pid = run.number("child", "getpid()")?;
    expect(pid == tag && pid != parent, || {
        format!("the child's getpid()= should be its own PID {tag} (not the parent's {parent}); got {pid}")
    })?;
    let forked = run.number("parent", "child")?;
    expect(forked == pid, || {
        format!("the parent's child= (what fork returned) should equal the child's getpid() {pid}; got {forked}")
    })?;
    let said = run.number("parent", "child_said")?;
    expect(said == pid, || format!("the parent's child_said= should be the child's getpid() {pid}; got {said}"))?;
    let (_, m) = run.fact("parent", "pid_match")?;
    expect(m == "yes", || format!("the parent should find pid_match=yes; it printed pid_match={m}\n{}", run.excerpt()))
}

fn child_ppid_is_parent(g: &Grader, p: &Program) -> Verdict {
    let (run, _, _) = run(g, p, "10ms", false)?;
    let parent = run.number("parent", "getpid()")?;
    let ppid = run.number("child", "getppid()")?;
    expect(ppid == parent, || {
        format!("the child's getppid()= should be the parent's getpid() {parent}; got {ppid}\n{}", run.excerpt())
    })?;
    let (_, m) = run.fact("child", "ppid_match")?;
    expect(m == "yes", || format!("the child should find ppid_match=yes; it printed ppid_match={m}\n{}", run.excerpt()))
}

fn child_in_proc(g: &Grader, p: &Program) -> Verdict {
    let (run, _, seen) = run(g, p, "300ms", true)?;
    let parent = run.number("parent", "getpid()")?;
    let child = run.number("child", "getpid()")?;
    if seen.is_empty() {
        return Err(format!(
            "with --delay 300ms the grader saw no child of the program in /proc while it ran \
             (the child must stay alive for --delay)\n{}",
            run.excerpt()
        ));
    }
    let saw: Vec<String> = seen.iter().map(|s| format!("{} (PPID {})", s.pid, s.ppid)).collect();
    expect(seen.iter().any(|s| s.pid == child && s.ppid == parent), || {
        format!(
            "the grader saw {} in /proc; the program printed child getpid()={child} \
             and parent getpid()={parent}\n{}",
            saw.join(", "),
            run.excerpt()
        )
    })
}
