//! Lab 3, wait-status: what `wait` returns, and how to decode it.
//!
//! The child sleeps, then exits with a code (or is killed by a signal). The
//! parent's `wait` returns the child's PID and a raw status word: for an
//! exit, `code * 256` (`WIFEXITED`, `WEXITSTATUS`); for a signal, the signal
//! number in the low 7 bits (`WIFSIGNALED`, `WTERMSIG`). With `--nohang` the
//! parent polls `waitpid(-1, WNOHANG)`, which returns 0 while the child runs.

use std::time::Duration;

use clap::Parser;
use labkit::{delay, process, say, signals};
use nix::sys::signal::Signal;
use nix::unistd::getpid;

/// wait's PID and status word, decoded with WIFEXITED/WEXITSTATUS/WIFSIGNALED/WTERMSIG.
#[derive(Parser)]
#[command(name = "wait-status")]
struct Args {
    /// The child's exit code, 0 to 255 (the course's exit(2)).
    #[arg(long, default_value_t = 2, allow_negative_numbers = true,
          value_parser = clap::value_parser!(i32).range(0..=255))]
    code: i32,
    /// Instead of exiting, the child sends itself this signal after its sleep: TERM, SIGKILL, int, 9, ...
    #[arg(long, value_name = "NAME", conflicts_with = "code", value_parser = signals::parse_terminating)]
    signal: Option<Signal>,
    /// How long the child sleeps before it exits (or is killed).
    #[arg(long, default_value = "2s", value_parser = delay::parse)]
    delay: Duration,
    /// Poll with waitpid(-1, WNOHANG) instead of blocking in wait().
    #[arg(long)]
    nohang: bool,
    /// With --nohang: the time between two polls.
    #[arg(long, requires = "nohang", default_value = "500ms", value_parser = delay::parse)]
    poll: Duration,
}

fn main() {
    let args: Args = labkit::start("parent");

    let child = process::fork_child("child", || {
        say!("getpid()={}", getpid());
        let wait = delay::show(args.delay);
        let Some(sig) = args.signal else {
            say!("sleeping {wait}, then exit({})", args.code);
            delay::pause(args.delay);
            return args.code;
        };
        say!("sleeping {wait}, then kill(getpid(), {sig}): a signal, not exit()");
        delay::pause(args.delay);
        let _ = signals::kill_self(sig);
        process::EXIT_FAILED // still alive: the signal did not kill us
    })
    .unwrap_or_else(|e| process::fail("fork failed", e));
    say!("fork() returned child={child}");

    let (call, reaped) = if args.nohang {
        let mut polls = 0;
        loop {
            match process::try_wait(None) {
                Ok(Some(r)) => break ("waitpid(-1, WNOHANG)", r),
                Ok(None) => polls += 1,
                Err(e) => process::fail("waitpid failed", e),
            }
            say!("waitpid(-1, WNOHANG) returned=0 (poll {polls}): the child exists but has not ended yet");
            delay::pause(args.poll);
        }
    } else {
        say!("calling wait(): blocks until a child ends");
        ("wait()", process::wait_any().unwrap_or_else(|e| process::fail("wait failed", e)))
    };
    let raw = reaped.raw;
    say!("{call} returned={} raw={raw} (hex 0x{raw:04x})", reaped.pid);

    match (reaped.exit_code(), reaped.signal()) {
        (Some(code), _) => say!("WIFEXITED=true WEXITSTATUS={code} WIFSIGNALED=false: raw {raw} = {code} * 256"),
        (None, Some(sig)) => say!(
            "WIFEXITED=false WIFSIGNALED=true WTERMSIG={} signal={sig} WCOREDUMP={}: raw {raw} = {} in the low 7 bits, +128 with a core dump",
            sig as i32,
            libc::WCOREDUMP(raw),
            sig as i32
        ),
        _ => say!("neither exited nor killed: {}", reaped.describe()),
    }

    // Check, not claim: the PID fork gave, and the ending the child was asked for?
    let as_asked = reaped.pid == child
        && match args.signal {
            None => reaped.exit_code() == Some(args.code) && raw == args.code * 256,
            Some(sig) => reaped.signal() == Some(sig) && raw & 0x7f == sig as i32,
        };
    say!("checked against fork's child={child} and the ending asked for: as_asked={}", labkit::out::yes_no(as_asked));
    std::process::exit(if as_asked { 0 } else { process::EXIT_FAILED });
}
