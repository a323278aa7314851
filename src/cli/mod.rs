//! The command-line front end for grading: `labkit grade` ([`grade`]: the
//! arguments, choosing what to grade, running each check under a time
//! limit) and its reports ([`report`]: the terminal text and Gradescope's
//! `results.json`).

pub mod args;
pub mod grade;
pub mod report;
pub mod session;
