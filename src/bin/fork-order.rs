//! Lab 12, fork-order: after `fork`, which process runs first is not
//! determined.
//!
//! The parent forks `--runs` children, one at a time. Right after `fork`,
//! each of the two writes its line into a pipe they share, in one write.
//! The parent then reads the pipe: the first line in it says who got there
//! first. It prints both lines as they came, counts, and prints the
//! histogram. At the end, parent and child print lines on the stdout they
//! share, to show them interleave.
//! With `--one-cpu` the family is pinned to one CPU (the two cannot run at
//! the same time: the scheduler picks one); with `--sync` the parent waits
//! for its child before writing, and the order is the same every time: that
//! is what to do when the order matters.

use clap::Parser;
use std::time::Duration;

use labkit::{delay, out, process, procfs, say};
use nix::unistd::getpid;

/// Who runs first after fork: a histogram over many forks, with and without one CPU.
#[derive(Parser)]
#[command(name = "fork-order")]
struct Args {
    /// How many forks to measure.
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    runs: u32,
    /// Pin the parent (and so every child) to the CPU it is on.
    #[arg(long)]
    one_cpu: bool,
    /// The parent waits for the child before it writes: the order is fixed.
    #[arg(long)]
    sync: bool,
    /// Then let parent and child each print this many lines, to show them interleave.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u32).range(0..=1000))]
    lines: u32,
    /// The pause between two of those lines.
    #[arg(long, default_value = "200ms", value_parser = delay::parse)]
    gap: Duration,
}

fn main() {
    let args: Args = labkit::start("parent");
    let cpus = process::cpus_usable();
    if args.one_cpu {
        process::pin_to_current_cpu().unwrap_or_else(|e| process::fail("sched_setaffinity failed", e));
    }
    say!(
        "getpid()={} cpus_allowed={} ({} of this machine's {cpus} CPUs allowed{}); children inherit it",
        getpid(),
        procfs::cpus_allowed(getpid().as_raw()).unwrap_or_else(|e| e.to_string()),
        if args.one_cpu { 1 } else { cpus },
        if args.one_cpu { ", pinned with sched_setaffinity" } else { "" }
    );

    let (mut parent_first, mut child_first) = (0u32, 0u32);
    for run in 1..=args.runs {
        let (r, w) = nix::unistd::pipe().unwrap_or_else(|e| process::fail("pipe failed", e));
        // One write(2) of one tagged line into the shared pipe.
        let mark = |who: &str| {
            let _ = nix::unistd::write(&w, format!("{} run={run} {who} wrote\n", out::tag()).as_bytes());
        };
        let child = process::fork_child("child", || {
            mark("child");
            0
        })
        .unwrap_or_else(|e| process::fail("fork failed", e));
        if args.sync {
            // Synchronised: the parent writes only once its child has ended.
            let _ = process::wait_for(child);
        }
        mark("parent");
        if !args.sync {
            let _ = process::wait_for(child);
        }
        drop(w);
        let mut arrived = String::new();
        let _ = std::io::Read::read_to_string(&mut std::fs::File::from(r), &mut arrived);
        for line in arrived.lines() {
            say!("pipe: {line}");
        }
        let first = arrived.lines().next().and_then(out::Tagged::parse).map_or_else(|| "?".to_string(), |t| t.role);
        if first == "child" {
            child_first += 1;
        } else {
            parent_first += 1;
        }
        say!("run={run} child={child} first={first}");
    }
    let share = |n: u32| 100.0 * f64::from(n) / f64::from(args.runs);
    say!(
        "runs={} parent_first={parent_first} ({:.0}%) child_first={child_first} ({:.0}%) one_cpu={} sync={}",
        args.runs,
        share(parent_first),
        share(child_first),
        out::yes_no(args.one_cpu),
        out::yes_no(args.sync)
    );

    // Two processes, one stdout: each line is one write(2), so lines never
    // tear, but their order is whatever the scheduler made it.
    if args.lines > 0 {
        let (n, gap) = (args.lines, args.gap);
        let lines = || {
            for i in 1..=n {
                say!("line={i} of {n}, {} apart", delay::show(gap));
                delay::pause(gap);
            }
        };
        let child = process::fork_child("child", || {
            lines();
            0
        })
        .unwrap_or_else(|e| process::fail("fork failed", e));
        lines();
        let _ = process::wait_for(child);
    }
    let ok = parent_first + child_first == args.runs && (!args.sync || child_first == args.runs);
    std::process::exit(if ok { 0 } else { process::EXIT_FAILED });
}
