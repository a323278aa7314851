//! Lab 6, double-fork: two tasks at once, and no zombie left behind.
//!
//! The parent forks a child and waits for it; the child forks a grandchild
//! and exits at once, so the parent reaps it almost immediately. The
//! grandchild, now an orphan, is adopted by the nearest subreaper (here the
//! reaper at the top of the family) and does task 2 while the parent does
//! task 1. The parent never has to wait for the grandchild: it is not the
//! grandchild's parent any more, and `/proc` shows it holds no zombie.

use clap::Parser;
use labkit::{delay, process, procfs, say, warn};
use nix::unistd::{Pid, getpid, getppid};
use std::time::Duration;

/// The course's double fork: the grandchild's task 2 runs beside the parent's task 1.
#[derive(Parser)]
#[command(name = "double-fork")]
struct Args {
    /// How long the parent's task 1 takes.
    #[arg(long, default_value = "3s", value_parser = delay::parse)]
    task1: Duration,
    /// How long the grandchild's task 2 takes.
    #[arg(long, default_value = "2s", value_parser = delay::parse)]
    task2: Duration,
}

/// Each task reports its progress this many times.
const STEPS: u32 = 3;

fn main() {
    let args: Args = labkit::start("reaper");
    std::process::exit(process::under_reaper(|reaper| parent(reaper, &args)));
}

/// The parent: fork the child, reap it at once, then do task 1, counting zombies.
fn parent(reaper: Pid, args: &Args) -> i32 {
    let child = process::fork_child("child", || {
        let me = getpid();
        match process::fork_child("grandchild", || grandchild(me, reaper, args.task2)) {
            Ok(g) => {
                say!("forked grandchild={g}; exiting at once");
                0 // the child ends here (fork_child's _exit): the grandchild is an orphan now
            }
            Err(e) => {
                warn!("fork failed: {e}");
                process::EXIT_FAILED
            }
        }
    });
    let Ok(child) = child.inspect_err(|e| warn!("fork failed: {e}")) else { return process::EXIT_FAILED };
    say!("forked child={child}; waiting for it");
    let Ok(r) = process::wait_for(child).inspect_err(|e| warn!("waitpid({child}) failed: {e}")) else {
        return process::EXIT_FAILED;
    };
    say!("reaped child={} {}", r.pid, r.describe());
    let mut ok = r.exit_code() == Some(0);
    ok &= zombie_free("after the reap");
    for step in 1..=STEPS {
        delay::pause(args.task1 / STEPS);
        ok &= zombie_free(&format!("task 1 step={step}/{STEPS}"));
    }
    if ok { 0 } else { process::EXIT_FAILED }
}

/// Count, from `/proc`, the zombies among my children; print the count.
fn zombie_free(when: &str) -> bool {
    let (children, zombies) = procfs::children_and_zombies(getpid().as_raw());
    say!("{when}, /proc shows children={children} zombies={zombies}");
    zombies == 0
}

/// The grandchild: once its parent (the child) is gone, show who adopted it; do task 2.
fn grandchild(child: Pid, reaper: Pid, task2: Duration) -> i32 {
    if !procfs::poll_until(Duration::from_secs(10), || getppid() != child) {
        warn!("my parent {child} has not exited");
        return process::EXIT_FAILED;
    }
    let ppid = getppid();
    say!("my parent {child} exited: getppid()={ppid} reaper={}", labkit::out::yes_no(ppid == reaper));
    for step in 1..=STEPS {
        delay::pause(task2 / STEPS);
        say!("task 2 step={step}/{STEPS}");
    }
    if ppid == reaper { 0 } else { process::EXIT_FAILED }
}
