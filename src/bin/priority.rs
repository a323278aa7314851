//! Lab 14, priority: `nice` sets a process's share of a busy CPU.
//!
//! Two CPU-bound children are pinned to one CPU, so they compete for it:
//! one at nice 0, one at `--nice N`. After `--duration`, the parent reads
//! how much CPU time each got (the scheduler's own account,
//! `/proc/<pid>/schedstat`) and compares their ratio with the ratio of the
//! kernel's scheduler weights for the two nice values (1024 : 110 for 0 and
//! 10, about 9.3 : 1). It shows NI and PRI as `ps` shows them. A negative
//! nice (a higher priority) needs privilege: without it, `setpriority`
//! fails with `EACCES`, and the lab says so and stops.

use std::os::fd::{AsRawFd, OwnedFd};
use std::time::{Duration, Instant};

use clap::Parser;
use labkit::{cpu, delay, out, process, procfs, say, warn};
use nix::unistd::{Pid, getpid};

/// Two CPU-bound children on one CPU, at nice 0 and nice N: CPU shares follow the scheduler's weights.
#[derive(Parser)]
#[command(name = "priority")]
struct Args {
    /// The second child's nice value, -20 (highest priority, needs privilege) to 19 (lowest).
    #[arg(long, default_value_t = 10, allow_negative_numbers = true,
          value_parser = clap::value_parser!(i32).range(-20..=19))]
    nice: i32,
    /// How long the two children compete before their CPU times are compared.
    #[arg(long, default_value = "3s", value_parser = delay::parse)]
    duration: Duration,
}

/// The measured ratio may be this many times off the weights' ratio and still count as following them.
const TOLERANCE: f64 = 2.0;

/// Compute until the parent closes the pipe `stop`; report the CPU time this process got.
fn spin(stop: &OwnedFd) -> i32 {
    let start = Instant::now();
    cpu::spin_until(|| cpu::has_input(stop));
    let cpu_ms = cpu::process_time().as_millis();
    say!("I ran {} ms and got cpu_ms={cpu_ms} (clock_gettime(CLOCK_PROCESS_CPUTIME_ID))", start.elapsed().as_millis());
    0
}

/// One child's scheduling facts: /proc's nice and priority, ps's NI and PRI, the CPU it is allowed.
fn show(who: &str, pid: Pid) {
    let s = procfs::sched(pid.as_raw()).ok().flatten();
    let ps = std::process::Command::new("ps").args(["-o", "ni=,pri=", "-p", &pid.to_string()]).output();
    let ps = ps.map(|o| String::from_utf8_lossy(&o.stdout).split_whitespace().map(str::to_string).collect::<Vec<_>>());
    let (ni, pri) = match ps.as_deref() {
        Ok([ni, pri]) => (ni.clone(), pri.clone()),
        _ => ("?".into(), "?".into()),
    };
    say!(
        "who={who} pid={pid} nice={} priority={} (/proc: 20+nice) ps_ni={ni} ps_pri={pri} (ps: 19-nice) cpus_allowed={}",
        s.map_or(0, |s| s.nice),
        s.map_or(0, |s| s.priority),
        procfs::cpus_allowed(pid.as_raw()).unwrap_or_else(|_| "?".into())
    );
}

fn main() {
    let args: Args = labkit::start("parent");
    // Pinned to one CPU: the children inherit it and must share that CPU.
    let cpu = process::pin_to_current_cpu().unwrap_or_else(|e| process::fail("sched_setaffinity failed", e));
    say!("getpid()={} pinned to cpu={cpu}; my children inherit it", getpid());

    let (stop_r, stop_w) = nix::unistd::pipe().unwrap_or_else(|e| process::fail("pipe failed", e));
    let writer = stop_w.as_raw_fd();
    let start = |role| {
        process::fork_child(role, || {
            // SAFETY: our copy of the write end: only the parent's may keep the pipe open.
            unsafe { libc::close(writer) };
            spin(&stop_r)
        })
        .unwrap_or_else(|e| process::fail("fork failed", e))
    };
    let normal = start("normal");
    let low = start("nice");

    // SAFETY: plain system call on our own child.
    let set = unsafe { libc::setpriority(libc::PRIO_PROCESS, low.as_raw() as libc::id_t, args.nice) };
    if set != 0 {
        let e = nix::errno::Errno::last();
        warn!(
            "setpriority(PRIO_PROCESS, {low}, {}) failed: errno={e:?} ({}): a lower nice (a higher priority) needs root or CAP_SYS_NICE; anyone may raise nice (0 to 19)",
            args.nice,
            e.desc()
        );
        drop(stop_w);
        process::reap_all(|_| {});
        std::process::exit(process::EXIT_FAILED);
    }
    say!("setpriority(PRIO_PROCESS, {low}, {}) = 0", args.nice);
    show("normal", normal);
    show("nice", low);

    // Measure over a window in which both are running, from the scheduler's account.
    let read =
        |pid: Pid| procfs::run_ns(pid.as_raw()).unwrap_or_else(|e| process::fail("reading /proc/PID/schedstat", e));
    let (n0, l0) = (read(normal), read(low));
    delay::pause(args.duration);
    let (n1, l1) = (read(normal), read(low));
    drop(stop_w);
    let (normal_ms, low_ms) = ((n1 - n0) as f64 / 1e6, (l1 - l0) as f64 / 1e6);
    let (w0, wn) = (procfs::nice_weight(0), procfs::nice_weight(args.nice));
    let expected = f64::from(w0) / f64::from(wn);
    let measured = if low_ms > 0.0 { normal_ms / low_ms } else { f64::INFINITY };
    let over = delay::show(args.duration);
    say!("who=normal pid={normal} cpu_ms={normal_ms:.1} in {over} (from /proc/{normal}/schedstat)");
    say!("who=nice pid={low} cpu_ms={low_ms:.1} in {over} (from /proc/{low}/schedstat)");
    say!("ratio={measured:.2} (nice 0 : nice {}), measured", args.nice);
    say!(
        "scheduler weights: nice 0 -> {w0}, nice {} -> {wn}: expected_ratio={expected:.2}; share of the nice child: measured {:.1}%, expected {:.1}%",
        args.nice,
        100.0 * low_ms / (normal_ms + low_ms).max(f64::MIN_POSITIVE),
        100.0 * f64::from(wn) / f64::from(w0 + wn)
    );
    let follows = measured >= expected / TOLERANCE && measured <= expected * TOLERANCE;
    say!(
        "follows_weights={} (within {TOLERANCE}x of the expected ratio{})",
        out::yes_no(follows),
        if follows { "" } else { "; a short --duration on a busy CPU measures too few time slices: try a longer one" }
    );
    // The exit code says whether the lab ran; the ratio is a measurement, reported above.
    let mut ok = true;
    process::reap_all(|r| ok &= r.exit_code() == Some(0));
    std::process::exit(if ok { 0 } else { process::EXIT_FAILED });
}
