//! labkit: a Rust lab kit for Linux process programming.
//!
//! Each lab is a small binary (`src/bin/<lab-id>.rs`) that shows one concept
//! with real evidence. The code is in layers, each using only the ones below
//! it (see ARCHITECTURE.md):
//!
//! 1. the front end, [`cli`] (`labkit grade`: arguments, running a
//!    selection of checks, reports, `results.json`) and [`class`] (a
//!    class's gradebook, Gradescope, students' `check` and `watch`);
//! 2. the manifest, [`labs`]: the labs in course order, each with its checks;
//! 3. the checks, [`checks`]: each lab's graded checks, as declarations;
//! 4. the harness, [`harness`]: running a program under the grader's
//!    supervisor (`labkit reap`), its [`harness::Transcript`] and facts;
//! 5. the base, used by the labs too: [`out`] (every line says who printed
//!    it, `[role PID] ...`), [`process`] (fork, wait, status decoding,
//!    subreaper), [`procfs`] (state, parent, name from `/proc`), [`cpu`]
//!    (a process that computes and never blocks), [`signals`],
//!    [`delay`] (every delay is a flag), [`random`], [`reaper`] (run a
//!    command under a subreaper and leave nothing behind); and the labs'
//!    own libraries, [`copy`] (half-copy) and [`chat`] (the capstone).
//!
//! [`trace`] records a command's process family from kernel events (ptrace)
//! and draws it; `labkit trace` and `labkit run --trace` use it.

pub mod chat;
pub mod checks;
pub mod class;
pub mod cli;
pub mod copy;
pub mod cpu;
pub mod delay;
pub mod harness;
pub mod labs;
pub mod out;
pub mod process;
pub mod procfs;
pub mod random;
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
