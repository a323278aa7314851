//! Lab 2, pids: who is who after `fork`.
//!
//! `fork` returns the child's PID to the parent (and 0 to the child). The
//! child learns its own PID with `getpid()` and its parent's with
//! `getppid()`. The program *checks* both relationships: the child tells the
//! parent its `getpid()` over a pipe, and compares its `getppid()` with the
//! parent's PID as it was before the fork.

use std::io::{Read, Write};
use std::time::Duration;

use clap::Parser;
use labkit::{delay, out, process, say};
use nix::unistd::{ForkResult, fork, getpid, getppid, pipe};

/// getpid, getppid and the PID fork returns: checked, not assumed.
#[derive(Parser)]
#[command(name = "pids")]
struct Args {
    /// How long the child lives after its checks (run `ps -o pid,ppid,stat,comm -C pids` meanwhile).
    #[arg(long, default_value = "1s", value_parser = delay::parse)]
    delay: Duration,
    /// The child sends getpid() + N instead of its PID: see the parent's check catch it (pid_match=NO).
    #[arg(long, value_name = "N", default_value_t = 0)]
    lie: i32,
}

fn main() {
    let args: Args = labkit::start("parent");
    let me = getpid(); // the child keeps this copy: the parent's PID, taken before the fork
    say!("getpid()={me} getppid()={}", getppid());

    // Only the parent learns fork's return value, so the child sends its getpid() back.
    let (from_child, to_parent) = pipe().unwrap_or_else(|e| process::fail("pipe failed", e));
    out::flush_all(); // nothing buffered may be copied into the child: it would be printed twice
    // SAFETY: the lab is single-threaded; the child leaves through `_exit`.
    let child = match unsafe { fork() } {
        Ok(ForkResult::Parent { child }) => child, // fork returned the child's PID
        Ok(ForkResult::Child) => {
            // fork returned 0: I am the child, and learn my own PID from getpid().
            out::set_role("child");
            let (pid, ppid) = (getpid(), getppid());
            say!("getpid()={pid} getppid()={ppid}");
            let ppid_ok = ppid == me;
            say!("my getppid() {ppid} vs the parent's getpid() {me} before fork: ppid_match={}", out::yes_no(ppid_ok));
            let told = pid.as_raw().wrapping_add(args.lie); // the truth, unless --lie (any N: no overflow)
            let sent = std::fs::File::from(to_parent).write_all(told.to_string().as_bytes());
            delay::pause(args.delay); // both processes are alive now: look at them with ps
            process::exit_child(if ppid_ok && sent.is_ok() { 0 } else { process::EXIT_FAILED }) // _exit
        }
        Err(e) => process::fail("fork failed", e),
    };
    // Close the parent's copy of the write end, so that the read below ends
    // when the child closes its copy.
    drop(to_parent);
    say!("fork() returned child={child}");

    let mut told = String::new();
    let _ = std::fs::File::from(from_child).read_to_string(&mut told);
    let pid_ok = told == child.to_string();
    let said = if told.is_empty() { "nothing" } else { told.as_str() };
    say!("read from the pipe: child_said={said}, fork() returned {child}: pid_match={}", out::yes_no(pid_ok));

    let reaped = process::wait_for(child).unwrap_or_else(|e| process::fail("waitpid failed", e));
    say!("waitpid returned={} {}", reaped.pid, reaped.describe());
    let ok = pid_ok && reaped.exit_code() == Some(0);
    std::process::exit(if ok { 0 } else { process::EXIT_FAILED });
}
