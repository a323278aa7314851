//! Lab 5, orphan: the parent exits first; its child lives on and is adopted.
//!
//! An orphan is re-parented to its nearest *subreaper* ancestor, or to PID 1
//! when there is none. By default the whole family runs under a reaper (a
//! subreaper that reaps), so the orphan is adopted by it and nothing is left
//! behind, whatever PID 1 does on the machine.
//!
//! `--adopt-by-init` shows the other case, on the machine it runs on: no
//! subreaper of the lab's own, so the orphan goes to whoever the kernel picks
//! above the lab (PID 1 when no subreaper stands on the way). The lab's top
//! process, the `watcher`, then reads the ended orphan's state and PPID in
//! `/proc` and watches whether its adopter reaps it, and how long that takes.
//! Nobody but the adopter can reap it: if the adopter does not, the lab says
//! so and fails.

use std::io::{BufRead, Write};
use std::time::{Duration, Instant};

use clap::Parser;
use labkit::out::yes_no;
use labkit::{delay, process, procfs, say, warn};
use nix::unistd::{Pid, getpid, getppid};

/// The parent exits first: watch its child's PPID change to its adopter's.
#[derive(Parser)]
#[command(name = "orphan")]
struct Args {
    /// How long the parent lives after the fork before it exits, without waiting.
    #[arg(long, default_value = "1s", value_parser = delay::parse)]
    delay: Duration,
    /// No reaper of the lab's own: the orphan goes to the nearest subreaper
    /// above the lab, or to PID 1; then watch whether that adopter reaps it.
    #[arg(long)]
    adopt_by_init: bool,
    /// With --adopt-by-init: how long to watch the ended orphan for its
    /// adopter to reap it before saying it did not.
    #[arg(long, default_value = "10s", value_parser = delay::parse)]
    watch: Duration,
}

/// How much longer than `--delay` the child waits for its parent to exit.
const SLACK: Duration = Duration::from_secs(10);

fn main() {
    let args: Args = labkit::start("reaper");
    if args.adopt_by_init {
        std::process::exit(watch_adoption(&args));
    }
    let code = process::under_reaper(|reaper| {
        let my_parent = getppid();
        say!("getpid()={} getppid()={my_parent} parent_is_reaper={}", getpid(), yes_no(my_parent == reaper));
        if my_parent != reaper {
            return process::EXIT_FAILED;
        }
        parent(args.delay, |parent| orphan(parent, Some(reaper), args.delay), |_| ())
    });
    std::process::exit(code);
}

/// The course's parent: fork the child, tell `told` its PID, and exit after
/// `delay` without waiting for it.
fn parent(delay: Duration, child: impl FnOnce(Pid) -> i32, told: impl FnOnce(Pid)) -> i32 {
    let me = getpid();
    match process::fork_child("child", || child(me)) {
        Ok(child) => {
            say!("forked child={child}; exiting in {} without waiting for it", delay::show(delay));
            told(child);
        }
        Err(e) => {
            warn!("fork failed: {e}");
            return process::EXIT_FAILED;
        }
    }
    delay::pause(delay);
    say!("exiting now");
    0
}

/// The child: show its parent, wait until the parent is gone, show who
/// adopted it. `reaper`: the lab's own reaper, which should be the adopter.
fn orphan(parent: Pid, reaper: Option<Pid>, delay: Duration) -> i32 {
    let before = getppid();
    say!(
        "ppid_before={before}, {}",
        if before == parent { "my parent is alive" } else { "my parent has already exited" }
    );
    // The PPID changes the moment the parent exits: poll for it, no guessed sleep.
    if !procfs::poll_until(delay + SLACK, || getppid() != parent) {
        warn!("my parent {parent} has not exited after {}", delay::show(delay + SLACK));
        return process::EXIT_FAILED;
    }
    let adopter = getppid();
    let comm = procfs::comm(adopter.as_raw()).replace(char::is_whitespace, "_"); // a fact value holds no spaces
    match reaper {
        Some(reaper) => {
            let is_reaper = adopter == reaper;
            say!(
                "my parent {parent} exited: ppid_after={adopter} adopted_by={adopter} comm={comm} subreaper={}",
                yes_no(is_reaper)
            );
            if is_reaper { 0 } else { process::EXIT_FAILED }
        }
        None => {
            let init = adopter.as_raw() == 1;
            say!(
                "my parent {parent} exited: ppid_after={adopter} adopted_by={adopter} comm={comm} pid1={}{}; exiting now",
                if init { "yes" } else { "no" },
                if init { "" } else { " (a subreaper above this program adopted me, not PID 1)" }
            );
            0
        }
    }
}

/// `--adopt-by-init`: the top process is a `watcher`, not a subreaper. It
/// forks the parent, learns the child's PID from it through a pipe, reaps the
/// parent (its own child), then watches the orphan in `/proc`: its PPID, the
/// zombie it becomes when it exits, and whether its adopter reaps it within
/// `--watch`. Exit code 0 when the adopter reaped it, [`process::EXIT_FAILED`]
/// when a zombie is left under it.
fn watch_adoption(args: &Args) -> i32 {
    labkit::out::set_role("watcher");
    let subreaper = nix::sys::prctl::get_child_subreaper().unwrap_or(false);
    say!(
        "subreaper={}: an orphan below me goes to the nearest subreaper above me, or to PID 1 (here comm={})",
        if subreaper { "yes" } else { "no" },
        procfs::comm(1)
    );
    if subreaper {
        warn!("I am a subreaper myself (inherited across exec?): the orphan would be mine; not starting");
        return process::EXIT_FAILED;
    }
    let (from_parent, to_watcher) = nix::unistd::pipe().unwrap_or_else(|e| process::fail("pipe failed", e));
    let delay = args.delay;
    let forked = process::fork_child("parent", move || {
        say!("getpid()={} getppid()={}", getpid(), getppid());
        let mut pipe = std::fs::File::from(to_watcher);
        parent(
            delay,
            |parent| orphan(parent, None, delay),
            |child| {
                let _ = writeln!(pipe, "{child}");
            },
        )
    });
    let parent_pid = forked.unwrap_or_else(|e| process::fail("fork failed", e));
    // The closure (and the watcher's copy of the write end) was dropped here
    // at the fork. One line: the child keeps a copy of the write end, so no end of file
    // comes before the orphan exits. If the parent dies first, its end closes.
    let mut told = String::new();
    let _ = std::io::BufReader::new(std::fs::File::from(from_parent)).read_line(&mut told);
    let told = told.trim();
    let reaped = process::wait_for(parent_pid).unwrap_or_else(|e| process::fail("waitpid failed", e));
    say!("reaped pid={} {} (the parent, my own child)", reaped.pid, reaped.describe());
    let Ok(orphan) = told.parse::<i32>() else {
        warn!("the parent did not tell me its child's PID (it said {told:?})");
        return process::EXIT_FAILED;
    };
    watch_orphan(orphan, args.delay + SLACK, args.watch)
}

/// Watch the orphan `pid` in `/proc` until it has ended, then until its
/// adopter reaps it (its `/proc` entry vanishes) or `watch` has passed.
fn watch_orphan(pid: i32, live: Duration, watch: Duration) -> i32 {
    // While it runs: its PPID, read from /proc (the adopter once the parent is gone).
    let mut last = None;
    procfs::poll_until(live + watch, || {
        let now = procfs::stat(pid).ok().flatten();
        let ended = now.as_ref().is_none_or(procfs::Stat::is_zombie);
        if now.is_some() {
            last = now;
        }
        ended
    });
    let Some(seen) = last else {
        say!("the orphan pid={pid} was gone before I could read /proc/{pid}/stat");
        return process::EXIT_FAILED;
    };
    if !seen.is_zombie() {
        if procfs::stat(pid).ok().flatten().is_none() {
            say!(
                "the orphan pid={pid} (last seen under ppid={} comm={}) was reaped before I saw its zombie: \
                 reaped_by_adopter=yes zombie_for=0ms",
                seen.ppid,
                procfs::comm(seen.ppid)
            );
            return 0;
        }
        warn!("the orphan pid={pid} is still running after {}", delay::show(live + watch));
        return process::EXIT_FAILED;
    }
    let adopter = seen.ppid;
    let adopter_comm = procfs::comm(adopter);
    say!(
        "the orphan pid={pid} ended: /proc/{pid}/stat {} ppid={adopter} comm={adopter_comm}: only its adopter can reap it",
        seen.state_fact()
    );
    let since = Instant::now();
    let reaped = procfs::poll_until(watch, || procfs::stat(pid).ok().flatten().is_none_or(|s| !s.is_zombie()));
    let took = since.elapsed().as_millis();
    if reaped {
        say!(
            "after {took}ms /proc/{pid} is gone: its adopter pid={adopter} reaped it: reaped_by_adopter=yes zombie_for={took}ms"
        );
        0
    } else {
        say!(
            "after {took}ms the orphan pid={pid} is still a zombie under pid={adopter} comm={adopter_comm}: \
             reaped_by_adopter=no. No other process can reap it: it stays until its adopter waits for it \
             or ends (on PID 1: until the machine or container stops). Check: ps -o pid,ppid,stat,comm -p {pid}"
        );
        process::EXIT_FAILED
    }
}
