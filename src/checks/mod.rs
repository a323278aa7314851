//! The checks: each lab's graded checks, as declarations.
//!
//! A lab's checks file declares `pub const CHECKS: &[Check]`, each check
//! with its title (as the handout's grading contract lists it), its points,
//! the check it depends on, and the function that tests a program. The
//! harness ([`crate::harness`]) runs the programs; a failed check's message
//! says what was expected and what was seen, and the front end adds what
//! the check's last finished run printed (`cli::session`), so a check
//! appends a run's output ([`Transcript::excerpt`]) itself only when the
//! failure is about another run, or the check read the output as it came.
//!
//! A lab's file reads top to bottom: its header (the lab's grading
//! contract), `BASIC` and `CHECKS`, the lab's *scenario* (the one way its
//! checks run the program with random inputs, returning the transcript and
//! the inputs drawn), then each check.

pub mod chat;
pub mod double_fork;
pub mod exit_flush;
pub mod fork_copy;
pub mod fork_order;
pub mod half_copy;
pub mod inherit;
pub mod orphan;
pub mod parallel;
pub mod pids;
pub mod priority;
pub mod sigchld_ignore;
pub mod states;
pub mod wait_status;
mod watch;
pub mod zombie;

pub use crate::harness::{Grader, Pace, Program, Transcript, Verdict, expect};
use crate::out::Tagged;
pub use crate::random::{draw_u64, random_in};

/// One graded check of a lab, declared as xv6's `gradelib` declares its
/// tests (`@test(points, title, parent=...)`):
///
/// ```text
/// const BASIC: Check = Check::new(1, RUNS_CLEAN, basic);
/// pub const CHECKS: &[Check] = &[
///     BASIC,
///     Check::new(2, "child starts with the parent's values", child_inherits).after(&BASIC),
/// ];
/// ```
///
/// A check that comes [`after`](Check::after) another is run only if that
/// one passed; otherwise the grade reports it as not run, naming the check
/// it depends on, instead of a cascade of confusing errors. A lab's first
/// check is its *basic* check (the program runs at all) and depends on
/// nothing; a test of the kit checks that every other check names an
/// earlier one.
#[derive(Debug, Clone, Copy)]
pub struct Check {
    /// What the check checks, as the handout's grading contract lists it.
    pub title: &'static str,
    pub points: u32,
    /// The title of the check this one depends on.
    pub after: Option<&'static str>,
    /// The check itself: `Err` says what was expected and what was seen.
    pub test: fn(&Grader, &Program) -> Verdict,
}

impl Check {
    /// A check worth `points`, that depends on no other.
    pub const fn new(points: u32, title: &'static str, test: fn(&Grader, &Program) -> Verdict) -> Check {
        Check { title, points, after: None, test }
    }

    /// This check, run only if `parent` passed.
    pub const fn after(self, parent: &Check) -> Check {
        Check { after: Some(parent.title), ..self }
    }
}

/// The basic check's title in most labs.
pub const RUNS_CLEAN: &str = "runs and exits 0, leaving no process behind";

/// Values as a student reads them in a message: `0, 10` (or `none`).
pub fn listed<T: std::fmt::Display>(values: &[T]) -> String {
    if values.is_empty() {
        return "none".into();
    }
    values.iter().map(T::to_string).collect::<Vec<_>>().join(", ")
}

/// The PID `role` states as its own `getpid()=`, which must be the PID in
/// its lines' tag (labs 3 and 4).
pub fn own_getpid(run: &Transcript, role: &str) -> Result<i32, String> {
    let tag = run.pid_of(role)?;
    let pid = run.number(role, "getpid()")?;
    expect(pid == tag, || format!("the {role}'s getpid()={pid} is not the PID {tag} in its tag"))?;
    Ok(pid)
}

/// Every one of the parent's `/proc` counting lines (`children=N zombies=N`)
/// counts none of either: `when` says when it should be so (labs 6 and 7).
pub fn expect_counted_none(lines: &[&Tagged], when: &str) -> Verdict {
    for l in lines {
        expect(l.fact("zombies") == Some("0") && l.fact("children") == Some("0"), || {
            format!("{when} the parent should count children=0 zombies=0 in /proc, got `{}`", l.text)
        })?;
    }
    Ok(())
}

/// One `reaped pid=N ... adopted=yes|no` line of a lab's `reaper` role (see
/// [`crate::process::under_reaper`]), in labs 5 and 6.
#[derive(Debug, Clone, Copy)]
pub struct ReaperReaped<'a> {
    pub pid: i32,
    /// `adopted=yes`: an orphan re-parented to the reaper, not a child it forked.
    pub adopted: bool,
    pub line: &'a Tagged,
}

/// For labs whose family runs under a reaper (the process tagged `reaper`
/// makes itself a subreaper and reaps everything; not the grader's
/// supervisor): what the reaper reaped, in order (its lines with `pid=` and
/// `adopted=` facts), after checking that its last line shows `wait()`
/// failing with `errno=ECHILD` (nothing left).
pub fn reaper_reaped(run: &Transcript) -> Result<Vec<ReaperReaped<'_>>, String> {
    let mut reaped = Vec::new();
    for (line, adopted) in run.facts("reaper", "adopted") {
        let pid = line.fact("pid").and_then(|p| p.parse().ok());
        let (Some(pid), "yes" | "no") = (pid, adopted) else {
            return Err(format!("a reaper line `reaped pid=N ... adopted=yes|no` is malformed: `{}`", line.text));
        };
        reaped.push(ReaperReaped { pid, adopted: adopted == "yes", line });
    }
    let last = run.by("reaper").last();
    expect(last.and_then(|l| l.fact("errno")) == Some("ECHILD"), || {
        "the reaper's last line must show wait() failing with errno=ECHILD (nothing left)".to_string()
    })?;
    Ok(reaped)
}

/// For labs under a reaper: the reaper reaped exactly these processes
/// (`(who, pid, adopted)`), each with `code=0`, and then found nothing left.
pub fn expect_reaper_reaped_exactly(run: &Transcript, family: &[(&str, i32, bool)]) -> Verdict {
    let reaped = reaper_reaped(run)?;
    for &(who, pid, adopted) in family {
        let found = reaped.iter().find(|r| r.pid == pid);
        expect(found.is_some_and(|r| r.adopted == adopted && r.line.fact("code") == Some("0")), || {
            let want = if adopted { "yes" } else { "no" };
            format!("the reaper should show `reaped pid={pid} ... code=0 adopted={want}` for the {who}")
        })?;
    }
    let names: Vec<&str> = family.iter().map(|f| f.0).collect();
    expect(reaped.len() == family.len(), || {
        format!("the reaper should reap exactly the {}, reaped {}", names.join(" and the "), reaped.len())
    })
}

#[cfg(test)]
mod tests {
    use crate::labs::LABS;

    /// Every program's checks: the first depends on nothing; every other
    /// names an earlier check of the same program; titles are unique.
    #[test]
    fn every_check_depends_on_an_earlier_one() {
        for bin in LABS.iter().flat_map(|l| l.bins) {
            let (first, rest) = bin.checks.split_first().expect("a program has checks");
            assert_eq!(first.after, None, "{}: the basic check depends on nothing", bin.name);
            for (i, c) in rest.iter().enumerate() {
                let parent = c.after.unwrap_or_else(|| panic!("{}: `{}` names no parent", bin.name, c.title));
                assert!(bin.checks[..=i].iter().any(|p| p.title == parent), "{}: `{}`", bin.name, c.title);
                assert!(!bin.checks[..=i].iter().any(|p| p.title == c.title), "{}: `{}` twice", bin.name, c.title);
            }
        }
    }
}
