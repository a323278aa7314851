//! Lab 5, orphan: the parent exits first; its child lives on and is adopted.
//!
//! An orphan is re-parented to its nearest *subreaper* ancestor, or to PID 1
//! when there is none. Here the whole family runs under a reaper (a
//! subreaper that reaps), so the orphan is adopted by it, not by PID 1: on
//! these machines PID 1 never reaps, and an orphan that ended under it would
//! stay a zombie forever.

use clap::Parser;
use labkit::{delay, process, procfs, say, warn};
use nix::unistd::{Pid, getpid, getppid};
use std::time::Duration;

/// The parent exits first: watch its child's PPID change to its adopter's.
#[derive(Parser)]
#[command(name = "orphan")]
struct Args {
    /// How long the parent lives after the fork before it exits, without waiting.
    #[arg(long, default_value = "1s", value_parser = delay::parse)]
    delay: Duration,
}

/// How much longer than `--delay` the child waits for its parent to exit.
const SLACK: Duration = Duration::from_secs(10);

fn main() {
    let args: Args = labkit::start("reaper");
    let code = process::under_reaper(|reaper| {
        let my_parent = getppid();
        say!(
            "getpid()={} getppid()={my_parent} parent_is_reaper={}",
            getpid(),
            labkit::out::yes_no(my_parent == reaper)
        );
        if my_parent != reaper {
            return process::EXIT_FAILED;
        }
        let parent = getpid();
        match process::fork_child("child", || orphan(parent, reaper, args.delay)) {
            Ok(child) => say!("forked child={child}; exiting in {} without waiting for it", delay::show(args.delay)),
            Err(e) => {
                warn!("fork failed: {e}");
                return process::EXIT_FAILED;
            }
        }
        delay::pause(args.delay);
        say!("exiting now");
        0
    });
    std::process::exit(code);
}

/// The child: show its parent, wait until the parent is gone, show who adopted it.
fn orphan(parent: Pid, reaper: Pid, delay: Duration) -> i32 {
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
    let is_reaper = adopter == reaper;
    say!(
        "my parent {parent} exited: ppid_after={adopter} adopted_by={adopter} comm={comm} subreaper={}",
        labkit::out::yes_no(is_reaper)
    );
    if is_reaper { 0 } else { process::EXIT_FAILED }
}
