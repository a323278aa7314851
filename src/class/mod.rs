//! The workflow around the graders: teachers grade a whole class
//! ([`gradebook`], `labkit grade-class`) or hand the grading to Gradescope
//! ([`autograder`]); students check their own work ([`check`], `labkit
//! check` and `labkit watch`) with the same checks.

pub mod autograder;
pub mod caps;
pub mod check;
pub mod find;
pub mod gradebook;
pub mod summary;
pub mod users;
pub mod watch;

use std::path::Path;

/// The subcommands of this module, flattened into `labkit`'s.
#[derive(clap::Subcommand, Debug)]
pub enum ClassCmd {
    /// Check your program for a lab with the teacher's checks:
    /// `labkit check fork-copy -- python3 fork_copy.py`.
    Check(check::CheckArgs),
    /// `labkit check` again each time a file in the current folder is
    /// saved; `q` quits.
    Watch(check::CheckArgs),
    /// Grade a whole class: one folder per student, in parallel, into a
    /// CSV gradebook, each student's results.json, and a summary.
    GradeClass(gradebook::ClassArgs),
    /// Write a Gradescope autograder bundle (a zip) for these labs.
    Autograder(autograder::BundleArgs),
    /// Inside a Gradescope bundle: grade ROOT/submission into
    /// ROOT/results/results.json (`run_autograder` runs it).
    #[command(hide = true)]
    Gradescope(autograder::RunArgs),
}

/// Run one of [`ClassCmd`]; `labkit` is the running binary.
pub fn main(cmd: &ClassCmd, labkit: &Path) -> i32 {
    match cmd {
        ClassCmd::Check(a) => check::main(a, labkit),
        ClassCmd::Watch(a) => watch::main(a, labkit),
        ClassCmd::GradeClass(a) => gradebook::main(a, labkit),
        ClassCmd::Autograder(a) => autograder::bundle(a, labkit),
        ClassCmd::Gradescope(a) => autograder::run(a, labkit),
    }
}
