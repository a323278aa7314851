//! The grader's own look at a program's processes while it runs, for the
//! labs whose checks compare what a program says with what `/proc` shows
//! (states, fork-order, inherit, priority, parallel).

use std::time::Duration;

use super::{Grader, Program, Transcript};
use crate::procfs;

/// Run `p` with `args` as [`Grader::spawn`] does (stdout a plain pipe, read
/// when the program has ended) and, given `every`, look at its processes
/// while it runs: every `every`, until the program ends, call `look` with
/// the PID of the grader's supervisor (`labkit reap`, the program's parent)
/// and the PIDs of every process of the program (the supervisor's
/// descendants, [`procfs::family`]). Then the run's transcript.
pub fn watched(
    g: &Grader,
    p: &Program,
    args: &[&str],
    every: Option<Duration>,
    mut look: impl FnMut(i32, Vec<i32>),
) -> Result<Transcript, String> {
    let mut running = g.spawn(p, args)?;
    let supervisor = running.supervisor_pid();
    if let Some(every) = every {
        while matches!(running.child.try_wait(), Ok(None)) {
            look(supervisor, procfs::family(supervisor));
            std::thread::sleep(every);
        }
    }
    running.finish()
}
