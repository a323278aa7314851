//! Lab 10, states: every process state the course lists, read from `/proc`
//! and shown beside `ps -o stat`.
//!
//! The parent makes one family and puts each member in a state it then
//! reads back from `/proc/<pid>/stat`, waiting until it is there (never
//! assuming): a busy child (`R`), a child blocked in `read` (`S`), the same
//! child stopped and resumed (`T`, then `S`), the parent of a `vfork` (`D`),
//! a child that has exited (`Z`), and children that earn the `ps` flags `s`
//! (`setsid`), `l` (a second thread), `N` (positive nice) and `<` (negative
//! nice, which needs privilege). `voluntary_ctxt_switches` shows that the
//! blocked child gave up the CPU each time it blocked and the busy one never
//! did.

use std::os::fd::{AsRawFd, OwnedFd, RawFd};
use std::time::{Duration, Instant};

use clap::Parser;
use labkit::procfs::{self, Sched};
use labkit::{cpu, delay, out, process, say, warn};
use nix::sys::signal::{Signal, kill};
use nix::unistd::{Pid, getpid};

/// Process states R, S, T, D, Z and the ps flags s, l, N, <, +, read from /proc beside `ps -o stat`.
#[derive(Parser)]
#[command(name = "states")]
struct Args {
    /// How long each state is held before the next step (watch `ps` meanwhile).
    #[arg(long, default_value = "1s", value_parser = delay::parse)]
    hold: Duration,
    /// How many times the parent wakes the child blocked in read().
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..=100))]
    wakes: u32,
    /// The nice value of the low-priority child (ps flag N).
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(i32).range(1..=19))]
    nice: i32,
}

/// How long a process may take to reach a state before the lab calls it a failure.
const SEE_WITHIN: Duration = Duration::from_secs(10);

/// One `/proc` reading of a family member, printed beside `ps -o stat`.
/// Returns the reading, and whether `ps` agreed with `/proc`.
fn show(who: &str, pid: Pid, s: &Sched) -> bool {
    let from_proc = format!("{}{}", s.state, s.ps_flags());
    let ps = procfs::ps_stat(pid.as_raw()).unwrap_or_else(|| "?".into());
    let agree = ps == from_proc;
    say!(
        "who={who} pid={pid} state={} ({}) ps_stat={ps} from_proc={from_proc} agree={} nice={} threads={} session={} pgrp={}",
        s.state,
        procfs::state_name(s.state),
        out::yes_no(agree),
        s.nice,
        s.num_threads,
        s.session,
        s.pgrp
    );
    agree
}

/// Poll `/proc/<pid>/stat` until `want` holds (or [`SEE_WITHIN`] passes).
fn wait_until(pid: Pid, want: impl Fn(&Sched) -> bool) -> Option<Sched> {
    let mut last = None;
    let seen = procfs::poll_until(SEE_WITHIN, || {
        last = procfs::sched(pid.as_raw()).ok().flatten();
        last.as_ref().is_some_and(&want)
    });
    if seen { last } else { None }
}

/// Wait for `pid` to be in `state` (and `more`), then show it. False if it never got there.
fn observe(who: &str, pid: Pid, state: char, more: impl Fn(&Sched) -> bool) -> bool {
    match wait_until(pid, |s| s.state == state && more(s)) {
        Some(s) => show(who, pid, &s),
        None => {
            let now = procfs::sched(pid.as_raw()).ok().flatten().map_or('?', |s| s.state);
            warn!("who={who} pid={pid} never reached state={state} in {}s (now {now})", SEE_WITHIN.as_secs());
            false
        }
    }
}

fn switches(pid: Pid) -> (u64, u64) {
    procfs::ctxt_switches(pid.as_raw()).unwrap_or_else(|e| process::fail("reading /proc/PID/status", e))
}

/// A child's first act: close the write ends of the parent's pipes, so
/// that the parent closing its own is an end-of-file the child sees.
fn close_writers(writers: &[RawFd]) {
    for &fd in writers {
        // SAFETY: closing our copy of an inherited descriptor; nothing else uses it in this process.
        unsafe { libc::close(fd) };
    }
}

/// Block in `read` until the parent closes the pipe; count the bytes (wake-ups) read.
fn block_until_eof(fd: RawFd) -> u32 {
    let mut woken = 0;
    let mut byte = [0u8; 1];
    loop {
        // SAFETY: reads at most one byte into `byte`.
        match unsafe { libc::read(fd, byte.as_mut_ptr().cast(), 1) } {
            1 => woken += 1,
            -1 if nix::errno::Errno::last() == nix::errno::Errno::EINTR => continue,
            _ => return woken,
        }
    }
}

fn fork(role: &'static str, writers: &[RawFd], body: impl FnOnce() -> i32) -> Pid {
    process::fork_child(role, || {
        close_writers(writers);
        body()
    })
    .unwrap_or_else(|e| process::fail("fork failed", e))
}

fn pipe() -> (OwnedFd, OwnedFd) {
    nix::unistd::pipe().unwrap_or_else(|e| process::fail("pipe failed", e))
}

fn main() {
    let args: Args = labkit::start("parent");
    let me = getpid();
    // Three pipes the parent writes and the children read: `wake` wakes the
    // sleeper, `stop` ends the busy child, `release` ends everyone else.
    let (wake_r, wake_w) = pipe();
    let (stop_r, stop_w) = pipe();
    let (release_r, release_w) = pipe();
    let writers = [wake_w.as_raw_fd(), stop_w.as_raw_fd(), release_w.as_raw_fd()];
    let mut ok = true;

    // R: a child that computes and never blocks: it asks its pipe without waiting (poll, no timeout).
    let busy = fork("busy", &writers, || {
        let start = Instant::now();
        let spins = cpu::spin_until(|| cpu::has_input(&stop_r));
        say!("computed {} ms without blocking, spins={spins}", start.elapsed().as_millis());
        0
    });
    say!("fork() returned busy={busy}: it computes without ever blocking");
    ok &= observe("busy", busy, 'R', |_| true);
    let busy_before = switches(busy);
    delay::pause(args.hold);

    // S: a child blocked in read() on a pipe: asleep until the parent writes.
    let wake_fd = wake_r.as_raw_fd();
    let sleeper = fork("sleeper", &writers, || {
        let woken = block_until_eof(wake_fd);
        say!("read() returned {woken} times, then end of file");
        0
    });
    say!("fork() returned sleeper={sleeper}: it blocks in read() on a pipe");
    ok &= observe("sleeper", sleeper, 'S', |_| true);
    let sleeper_before = switches(sleeper);
    delay::pause(args.hold);
    for i in 1..=args.wakes {
        let _ = nix::unistd::write(&wake_w, b"w");
        // It wakes, reads the byte, and blocks again: one more voluntary switch each time.
        let again = wait_until(sleeper, |s| {
            s.state == 'S'
                && procfs::ctxt_switches(sleeper.as_raw()).is_ok_and(|(v, _)| v >= sleeper_before.0 + i as u64)
        });
        ok &= again.is_some();
    }
    let sleeper_after = switches(sleeper);
    let busy_after = switches(busy);
    say!(
        "who=sleeper pid={sleeper} woken={} voluntary_ctxt_switches={}->{} voluntary_grew={} nonvoluntary_grew={}: it gave up the CPU each time it blocked",
        args.wakes,
        sleeper_before.0,
        sleeper_after.0,
        sleeper_after.0 - sleeper_before.0,
        sleeper_after.1 - sleeper_before.1
    );
    let busy_cpu = procfs::sched(busy.as_raw()).ok().flatten().map_or(0, |s| s.cpu_time().as_millis());
    say!(
        "who=busy pid={busy} cpu_ms={busy_cpu} voluntary_ctxt_switches={}->{} voluntary_grew={} nonvoluntary_grew={}: it never gave up the CPU itself; only the scheduler took it",
        busy_before.0,
        busy_after.0,
        busy_after.0 - busy_before.0,
        busy_after.1 - busy_before.1
    );
    ok &= sleeper_after.0 - sleeper_before.0 >= u64::from(args.wakes) && busy_after.0 == busy_before.0;
    // The busy child has shown what it had to: closing its pipe ends it (no CPU burnt for nothing).
    drop(stop_w);

    // T: SIGSTOP stops the sleeper; SIGCONT resumes it (back to S: it is still blocked in read).
    let _ = kill(sleeper, Signal::SIGSTOP);
    say!("kill(sleeper={sleeper}, SIGSTOP)");
    ok &= observe("sleeper", sleeper, 'T', |_| true);
    delay::pause(args.hold);
    let _ = kill(sleeper, Signal::SIGCONT);
    say!("kill(sleeper={sleeper}, SIGCONT)");
    ok &= observe("sleeper", sleeper, 'S', |_| true);

    // Z: a child that has exited and is not yet reaped.
    let quitter = fork("zombie", &writers, || 0);
    say!("fork() returned zombie={quitter}: it exits at once; no wait() yet");
    ok &= observe("zombie", quitter, 'Z', |_| true);
    delay::pause(args.hold);
    let reaped = process::wait_for(quitter).unwrap_or_else(|e| process::fail("waitpid failed", e));
    say!("wait() returned={} {}: the zombie is reaped", reaped.pid, reaped.describe());

    // D: the parent of a vfork sleeps uninterruptibly until its child execs or exits.
    let release_fd = release_r.as_raw_fd();
    let vforker = fork("vforker", &writers, || {
        // libc marks vfork deprecated because Rust code cannot safely return
        // twice; here the child never returns: it only blocks in read() on a
        // stack byte and then calls _exit(), as vfork's manual allows.
        // SAFETY: as above; the child touches none of the parent's data.
        #[allow(deprecated)]
        match unsafe { libc::vfork() } {
            0 => {
                block_until_eof(release_fd);
                unsafe { libc::_exit(0) }
            }
            -1 => {
                warn!("vfork failed: {}", nix::errno::Errno::last());
                process::EXIT_FAILED
            }
            child => {
                let r = process::wait_for(Pid::from_raw(child));
                say!(
                    "vfork() returned child={child} once it exited; {}",
                    r.map_or_else(|e| e.to_string(), |r| r.describe())
                );
                0
            }
        }
    });
    say!("fork() returned vforker={vforker}: it calls vfork(); its child blocks in read() before any exec");
    ok &= observe("vforker", vforker, 'D', |_| true);
    delay::pause(args.hold);

    // The ps flags: s (session leader), l (threads), N (nice > 0), < (nice < 0, needs privilege).
    let leader = fork("leader", &writers, || {
        let sid = nix::unistd::setsid();
        say!(
            "setsid()={}: I lead a new session (and a new process group)",
            sid.map_or_else(|e| e.to_string(), |s| s.to_string())
        );
        block_until_eof(release_fd);
        0
    });
    ok &= observe("leader", leader, 'S', |s| s.session == leader.as_raw());
    let threads = fork("threads", &writers, || {
        let second = std::thread::spawn(move || block_until_eof(release_fd));
        say!("started a second thread");
        block_until_eof(release_fd);
        let _ = second.join();
        0
    });
    ok &= observe("threads", threads, 'S', |s| s.num_threads >= 2);
    let want = args.nice;
    let low = fork("nice", &writers, || {
        say!("setpriority(PRIO_PROCESS, 0, {want})={}", set_nice(want));
        block_until_eof(release_fd);
        0
    });
    ok &= observe("nice", low, 'S', |s| s.nice == i64::from(want));
    let greedy = fork("greedy", &writers, || {
        say!("setpriority(PRIO_PROCESS, 0, -5)={}", set_nice(-5));
        block_until_eof(release_fd);
        0
    });
    // Whether or not it was allowed, it then blocks in read: S, with `<` only if it got nice -5.
    ok &= observe("greedy", greedy, 'S', |_| true);

    // +: a process in its terminal's foreground process group (pgrp == tpgid).
    let mine = procfs::sched(me.as_raw()).ok().flatten();
    if let Some(s) = &mine {
        say!(
            "who=parent pid={me} tty_nr={} tpgid={} pgrp={} foreground={}: ps shows + only when pgrp=tpgid (no terminal: tpgid=-1)",
            s.tty_nr,
            s.tpgid,
            s.pgrp,
            out::yes_no(s.tpgid != -1 && s.pgrp == s.tpgid)
        );
    }
    delay::pause(args.hold);

    // Closing the pipes ends every child: end of file for the readers.
    drop((wake_w, release_w));
    say!("closed my pipes: every child sees end of file and exits");
    process::reap_all(|r| {
        ok &= r.exit_code() == Some(0);
        say!("reaped pid={} {}", r.pid, r.describe());
    });
    say!("as_expected={}", out::yes_no(ok));
    std::process::exit(if ok { 0 } else { process::EXIT_FAILED });
}

/// `setpriority(PRIO_PROCESS, 0, n)`: `0`, or the error as `-1 errno=EACCES (...)`.
fn set_nice(n: i32) -> String {
    // SAFETY: plain system call on the calling process.
    let r = unsafe { libc::setpriority(libc::PRIO_PROCESS, 0, n) };
    if r == 0 {
        return "0".into();
    }
    let e = nix::errno::Errno::last();
    format!("-1 errno={e:?} ({}): raising priority needs privilege (CAP_SYS_NICE)", e.desc())
}
