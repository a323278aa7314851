//! Lab 7, sigchld-ignore: with `SIGCHLD` set to `SIG_IGN`, children leave no zombie.
//!
//! A parent that ignores `SIGCHLD` tells the kernel it will never `wait`: its
//! children are reaped by the kernel the moment they exit, no zombie is left
//! in `/proc`, their exit codes are thrown away, and `wait()` fails with
//! `ECHILD`. With `--default` the same run keeps the default disposition:
//! the ended children pile up as zombies until the parent reaps them.

use clap::Parser;
use labkit::{delay, process, procfs, say, warn};
use nix::sys::signal::{SigHandler, Signal, signal};
use nix::unistd::{Pid, getpid};
use std::time::Duration;

/// SIGCHLD=SIG_IGN: the kernel reaps the children; --default: zombies until wait().
#[derive(Parser)]
#[command(name = "sigchld-ignore")]
struct Args {
    /// How many children to fork (1 to 64).
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..=64))]
    children: u32,
    /// How long each child lives before it exits.
    #[arg(long, default_value = "1s", value_parser = delay::parse)]
    delay: Duration,
    /// The code every child exits with (0 to 255).
    #[arg(long, default_value_t = 0)]
    code: u8,
    /// Contrast: keep SIGCHLD's default disposition, so ended children stay zombies until wait().
    #[arg(long)]
    default: bool,
}

/// How much longer than `--delay` the parent waits to see its children end.
const SLACK: Duration = Duration::from_secs(10);

fn main() {
    let args: Args = labkit::start("reaper");
    std::process::exit(process::under_reaper(|_| parent(&args)));
}

fn parent(args: &Args) -> i32 {
    let me = getpid();
    let (disposition, name) =
        if args.default { (SigHandler::SigDfl, "SIG_DFL") } else { (SigHandler::SigIgn, "SIG_IGN") };
    // SAFETY: SIG_IGN and SIG_DFL install no handler code.
    unsafe { signal(Signal::SIGCHLD, disposition) }
        .unwrap_or_else(|e| process::fail(&format!("signal(SIGCHLD, {name}) failed"), e));
    let ignored = procfs::ignores_signal(me.as_raw(), Signal::SIGCHLD as i32)
        .unwrap_or_else(|e| process::fail(&format!("cannot read /proc/{me}/status"), e));
    say!("SIGCHLD ignored={} (SigIgn mask in /proc/{me}/status)", if ignored { "yes" } else { "no" });

    let n = args.children;
    let mut pids = Vec::new();
    for k in 1..=n {
        let child = process::fork_child("child", || {
            say!("child {k}/{n}: exiting in {} with code={}", delay::show(args.delay), args.code);
            delay::pause(args.delay);
            i32::from(args.code)
        });
        match child {
            Ok(pid) => pids.push(pid),
            Err(e) => warn!("fork failed: {e}"),
        }
    }
    let list: Vec<String> = pids.iter().map(Pid::to_string).collect();
    say!("forked children={} pids={}", pids.len(), list.join(","));

    let seen = if args.default { zombies_until_reaped(me, &pids, args) } else { kernel_reaped(me, &pids, args) };
    // Either way no child is left: wait() has nothing to wait for.
    let echild = process::none_left("");
    let all_forked = pids.len() == n as usize;
    if all_forked && ignored != args.default && seen && echild { 0 } else { process::EXIT_FAILED }
}

/// Count my children and the zombies among them, from `/proc`; print both.
fn count_zombies(me: Pid) -> usize {
    let (children, zombies) = procfs::children_and_zombies(me.as_raw());
    say!("/proc shows children={children} zombies={zombies}");
    zombies
}

/// SIG_IGN: the children's `/proc` entries vanish by themselves; no zombie remains.
fn kernel_reaped(me: Pid, pids: &[Pid], args: &Args) -> bool {
    let gone = |p: &Pid| procfs::gone_from(p.as_raw(), me.as_raw());
    let all_gone = procfs::poll_until(args.delay + SLACK, || pids.iter().all(gone));
    let n = pids.iter().filter(|p| gone(p)).count();
    say!("/proc entries gone={n} of {} children, and I never called wait()", pids.len());
    all_gone && count_zombies(me) == 0
}

/// Default disposition: every ended child stays a zombie until I reap it.
fn zombies_until_reaped(me: Pid, pids: &[Pid], args: &Args) -> bool {
    let all_zombies = procfs::poll_until(args.delay + SLACK, || pids.iter().all(|p| procfs::is_zombie(p.as_raw())));
    let piled = count_zombies(me);
    let mut reaped_ok = 0;
    for _ in pids {
        match process::wait_any() {
            Ok(r) => {
                say!("reaped pid={} {}", r.pid, r.describe());
                reaped_ok += usize::from(pids.contains(&r.pid) && r.exit_code() == Some(i32::from(args.code)));
            }
            Err(e) => warn!("wait() failed: {e}"),
        }
    }
    all_zombies && piled == pids.len() && reaped_ok == pids.len() && count_zombies(me) == 0
}
