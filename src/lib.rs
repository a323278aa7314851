//! labkit: a Rust lab kit for Linux process programming.
//!
//! Each lab is a small binary (`src/bin/<lab-id>.rs`) that shows one concept
//! with real evidence. The plumbing they share lives here, once:
//!
//! * [`out`]: every output line says who printed it, `[role PID] ...`;
//! * [`process`]: fork (child always ends in `_exit`), wait and status decoding, subreaper;
//! * [`procfs`]: process state, parent and name from `/proc/<pid>/stat`;
//! * [`copy`]: file plumbing for half-copy: refusals, temp file, positioned copy of a range;
//! * [`delay`]: every delay is a flag (`2s`, `250ms`);
//! * [`signals`]: signal names as students type them (`KILL`, `SIGKILL`, `9`);
//! * [`reaper`]: run a command under a subreaper and leave nothing behind;
//! * [`labs`]: the manifest of the labs, in course order;
//! * [`grade`]: each lab's checks, run against any program's command line;
//! * [`chat`]: the capstone's library, a UDP group chat (lab 9);
//! * [`trace`]: record a command's process family from kernel events (ptrace) and draw it.

pub mod chat;
pub mod class;
pub mod copy;
pub mod delay;
pub mod grade;
pub mod labs;
pub mod out;
pub mod process;
pub mod procfs;
pub mod reaper;
pub mod signals;
pub mod trace;

/// How every lab's `main` begins: `let args: Args = labkit::start("parent");`
///
/// * parses the command line with clap; a usage error is printed tagged
///   (`[parent PID] error: ...`) on stderr and exits with code 2, while
///   `--help` and `--version` print as usual and exit 0;
/// * names the process's role for [`say!`]'s tags;
/// * resets `SIGCHLD` to its default disposition: an ignored `SIGCHLD`
///   survives `exec`, and a lab started by a program that ignores it would
///   find its children reaped behind its back (lab 7 shows why).
pub fn start<A: clap::Parser>(role: &'static str) -> A {
    out::set_role(role);
    // SAFETY: restoring the default disposition installs no handler.
    let _ =
        unsafe { nix::sys::signal::signal(nix::sys::signal::Signal::SIGCHLD, nix::sys::signal::SigHandler::SigDfl) };
    A::try_parse().unwrap_or_else(|e| {
        use clap::error::ErrorKind;
        if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) {
            e.exit();
        }
        for line in e.render().to_string().lines().filter(|l| !l.trim().is_empty()) {
            warn!("{line}");
        }
        std::process::exit(process::EXIT_USAGE)
    })
}
