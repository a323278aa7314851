//! Lab 4, zombie: a child that has ended but is not yet reaped.
//!
//! The child exits at once. The parent deliberately does not `wait` for a
//! while: meanwhile the child's entry stays in the process table, in state
//! `Z` (`ps` shows ``<defunct>``), holding its exit code for the parent. The
//! parent reads that state from `/proc`, then reaps the child with `wait`,
//! which returns the exit code, and shows that the `/proc` entry is gone.

use std::time::{Duration, Instant};

use clap::Parser;
use labkit::procfs::{self, Stat};
use labkit::{delay, out, process, say};
use nix::unistd::getpid;

/// A zombie: ended, not yet reaped; seen in /proc, then reaped.
#[derive(Parser)]
#[command(name = "zombie")]
struct Args {
    /// The child's exit code, 0 to 255: the zombie keeps it until it is reaped.
    #[arg(long, default_value_t = 3, allow_negative_numbers = true,
          value_parser = clap::value_parser!(i32).range(0..=255))]
    code: i32,
    /// How long the parent leaves its child unreaped (look for `<defunct>` in `ps` meanwhile).
    #[arg(long, default_value = "3s", value_parser = delay::parse)]
    delay: Duration,
}

/// How long to wait for the child to show up as a zombie before calling it a failure.
const SEE_WITHIN: Duration = Duration::from_secs(5);

/// One line about the child's `/proc/<pid>/stat`, as read now.
fn show(when: &str, child: i32, stat: &Option<Stat>) {
    match stat {
        Some(s) => {
            say!("{when}: /proc/{child}/stat says pid={} {} comm={} ppid={}", s.pid, s.state_fact(), s.comm, s.ppid)
        }
        None => say!("{when}: /proc/{child}/stat does not exist"),
    }
}

fn main() {
    let args: Args = labkit::start("parent");
    let me = getpid().as_raw();

    let child = process::fork_child("child", || {
        say!("getpid()={}; exiting at once with exit({})", getpid(), args.code);
        args.code
    })
    .unwrap_or_else(|e| process::fail("fork failed", e));
    let forked = Instant::now();
    let pid = child.as_raw();
    say!("fork() returned child={pid}; not calling wait() for {}", delay::show(args.delay));

    // Observe, don't assume: poll /proc until the child is a zombie (or give up).
    let mut stat = None;
    let zombie = procfs::poll_until(SEE_WITHIN, || {
        stat = procfs::stat(pid).ok().flatten();
        stat.as_ref().is_some_and(Stat::is_zombie)
    });
    show("before any wait", pid, &stat);
    let mine = stat.as_ref().is_some_and(|s| s.ppid == me);
    say!("zombie={} parent_is_me={} (my PID is {me})", out::yes_no(zombie), out::yes_no(mine));

    delay::pause(args.delay.saturating_sub(forked.elapsed()));
    let before = procfs::stat(pid).ok().flatten();
    show(&format!("{}ms after fork, just before wait", forked.elapsed().as_millis()), pid, &before);
    let still = before.as_ref().is_some_and(Stat::is_zombie);

    let reaped = process::wait_any().unwrap_or_else(|e| process::fail("wait failed", e));
    say!("wait() returned={} {} (asked for exit({}))", reaped.pid, reaped.describe(), args.code);
    let gone = matches!(procfs::stat(pid), Ok(None));
    say!("after wait: /proc/{pid} gone={}", out::yes_no(gone));

    // Exit 1 unless everything the lesson shows was observed.
    let ok = zombie && mine && still && reaped.pid == child && reaped.exit_code() == Some(args.code) && gone;
    say!("as_expected={}", out::yes_no(ok));
    std::process::exit(if ok { 0 } else { process::EXIT_FAILED });
}
