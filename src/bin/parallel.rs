//! Lab 15, parallel: concurrency is not parallelism.
//!
//! The same CPU-bound work (`--work` of CPU time in all) is split among 1,
//! 2, 4 ... processes (`--procs`). For each count the parent measures the
//! wall time (a clock on the wall: from the first fork to the last reap) and
//! the CPU time its children used (`getrusage(RUSAGE_CHILDREN)`). The CPU
//! time stays the same; the wall time drops as long as there are free CPUs
//! to run the processes at the same time, and then stops dropping. With
//! `--one-core` every process is pinned to one CPU: they still run
//! concurrently (taking turns), but never in parallel, and the wall time does
//! not drop at all.

use std::time::{Duration, Instant};

use clap::Parser;
use labkit::{cpu, delay, out, process, procfs, say};
use nix::unistd::getpid;

/// The same CPU work split among 1, 2, 4 ... processes: wall time vs CPU time.
#[derive(Parser)]
#[command(name = "parallel")]
struct Args {
    /// The numbers of processes to try, in order (comma-separated).
    #[arg(long, value_delimiter = ',', default_value = "1,2,4",
          value_parser = clap::value_parser!(u32).range(1..=64))]
    procs: Vec<u32>,
    /// The CPU work in all, shared out equally among the processes.
    #[arg(long, default_value = "2s", value_parser = delay::parse)]
    work: Duration,
    /// Pin every process to one CPU: concurrency without parallelism.
    #[arg(long)]
    one_core: bool,
}

/// Compute until this process has used `share` of CPU time: the same work whatever the machine's load.
fn compute(share: Duration) -> i32 {
    let start = cpu::process_time();
    cpu::spin_until(|| cpu::process_time() - start >= share);
    0
}

/// The CPU time all reaped children have used so far (`getrusage(RUSAGE_CHILDREN)`: user + system).
fn children_cpu() -> Duration {
    let usage = nix::sys::resource::getrusage(nix::sys::resource::UsageWho::RUSAGE_CHILDREN)
        .unwrap_or_else(|e| process::fail("getrusage failed", e));
    let tv = |t: nix::sys::time::TimeVal| Duration::new(t.tv_sec() as u64, t.tv_usec() as u32 * 1000);
    tv(usage.user_time()) + tv(usage.system_time())
}

fn main() {
    let args: Args = labkit::start("parent");
    let cpus = process::cpus_usable();
    if args.one_core {
        process::pin_to_current_cpu().unwrap_or_else(|e| process::fail("sched_setaffinity failed", e));
    }
    let allowed = procfs::cpus_allowed(getpid().as_raw()).unwrap_or_else(|e| e.to_string());
    say!(
        "nproc={cpus} cpus_allowed={allowed}{}; work={} of CPU in all",
        if args.one_core { " (pinned: --one-core)" } else { "" },
        delay::show(args.work)
    );

    let mut first_wall: Option<f64> = None;
    let mut ok = true;
    for &n in &args.procs {
        let share = args.work / n;
        let cpu_before = children_cpu();
        let start = Instant::now();
        let kids: Vec<_> = (0..n)
            .map(|_| {
                process::fork_child("worker", || compute(share)).unwrap_or_else(|e| process::fail("fork failed", e))
            })
            .collect();
        for kid in kids {
            let r = process::wait_for(kid).unwrap_or_else(|e| process::fail("waitpid failed", e));
            ok &= r.exit_code() == Some(0);
        }
        let wall = start.elapsed().as_secs_f64() * 1000.0;
        let cpu = (children_cpu() - cpu_before).as_secs_f64() * 1000.0;
        let base = *first_wall.get_or_insert(wall);
        say!(
            "procs={n} wall_ms={wall:.0} cpu_ms={cpu:.0} speedup={:.2} busy_cpus={:.2}: {n} x {} of work",
            base / wall,
            cpu / wall,
            delay::show(share)
        );
    }
    say!(
        "CPU time stays the same; wall time drops only while there are free CPUs (at most {} here){}",
        if args.one_core { 1 } else { cpus },
        if args.one_core { ": pinned to one, the processes take turns" } else { "" }
    );
    say!("as_expected={}", out::yes_no(ok));
    std::process::exit(if ok { 0 } else { process::EXIT_FAILED });
}
