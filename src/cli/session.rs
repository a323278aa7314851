//! One grading session: the settings every check of a grade shares, and
//! each check run on a program under a time limit, in a thread of its own
//! with a fresh [`Grader`] that keeps its runs' output in a folder of the
//! check's own. A check that does not return in time is given up on: its
//! programs' supervisors are told to kill everything, and the result says
//! so. The results ([`CheckResult`], [`Graded`]) are what the reports show.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Once, mpsc};
use std::time::{Duration, Instant};

use crate::checks::Check;
use crate::delay;
use crate::harness::{Grader, Program, SpawnRecord};
use crate::labs::{Lab, LabBin};
use crate::reaper::Caps;

/// How a check ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Passed,
    /// The check's verdict: what was expected and what was printed.
    Failed(String),
    /// Not run: the check it depends on (this title) did not pass.
    Skipped(&'static str),
    /// The check itself did not return within this time and was given up.
    Hung(Duration),
    /// The grade was interrupted (Ctrl-C) during this check.
    Interrupted,
}

/// One graded check.
#[derive(Debug, Clone)]
pub struct CheckResult {
    pub name: &'static str,
    pub max: u32,
    pub score: u32,
    pub time: Duration,
    pub outcome: Outcome,
    /// Files holding the whole output of each run the check made.
    pub logs: Vec<PathBuf>,
    /// Whether a run was killed at the timeout.
    pub timed_out: bool,
}

/// One graded program of a lab.
#[derive(Debug, Clone)]
pub struct Graded {
    pub lab: &'static Lab,
    pub bin: &'static LabBin,
    pub program: Program,
    /// Whether `program` is the kit's own binary (no --impl).
    pub reference: bool,
    pub checks: Vec<CheckResult>,
}

impl Graded {
    pub fn score(&self) -> u32 {
        self.checks.iter().map(|c| c.score).sum()
    }
    pub fn max(&self) -> u32 {
        self.checks.iter().map(|c| c.max).sum()
    }
}

/// How checks are run: the same for every check of one grade.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The `labkit` binary (runs programs through `labkit reap`).
    pub labkit: PathBuf,
    /// Per run of a program ([`Grader::timeout`]).
    pub timeout: Duration,
    /// How long a check as a whole may take before it is given up on.
    pub check_limit: Duration,
    /// Every check's inputs are drawn from this seed ([`crate::random::seed_inputs`]).
    pub seed: u64,
    /// Variables of the grader's environment that graded programs keep
    /// (`--keep-env`); see [`Grader::keep_env`].
    pub keep_env: Vec<String>,
    /// What every run may use, and the user it runs as ([`Grader::confine`]).
    pub caps: Caps,
}

impl Settings {
    pub fn new(labkit: PathBuf, timeout: Duration) -> Settings {
        // A check may make several runs and wait on the program in between:
        // generous, but finite.
        let check_limit = timeout * 2 + Duration::from_secs(10);
        Settings { labkit, timeout, check_limit, seed: new_seed(), keep_env: Vec::new(), caps: Caps::default() }
    }
}

/// A fresh seed for a grade's inputs: short enough to type after `--seed`.
pub fn new_seed() -> u64 {
    crate::random::random_u64() % 1_000_000_000
}

/// On SIGINT, SIGTERM or SIGHUP, give up the running check and stop (see
/// [`stopped`]) rather than die and leave its scratch folder.
pub fn catch_stop_signals() {
    let _ = crate::signals::note_stop_signals();
}

/// Whether a stop signal came ([`catch_stop_signals`]).
pub fn stopped() -> bool {
    crate::signals::stop_noted().is_some()
}

const CHECK_THREAD: &str = "labkit-check";

/// A check that panics is reported as a failure with its message; the
/// default hook would also print a backtrace hint on stderr, so it is
/// silenced for check threads (and kept for every other thread).
fn quiet_check_panics() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if std::thread::current().name() != Some(CHECK_THREAD) {
                default(info);
            }
        }));
    });
}

fn panic_text(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "(no message)".into())
}

/// Run one check on `program` with a fresh grader that keeps its runs'
/// output in `dir`, guarded by [`Settings::check_limit`].
pub fn grade_check(settings: &Settings, check: &Check, program: &Program, dir: &Path) -> CheckResult {
    let mut result = CheckResult {
        name: check.title,
        max: check.points,
        score: 0,
        time: Duration::ZERO,
        outcome: Outcome::Passed,
        logs: Vec::new(),
        timed_out: false,
    };
    let grader = Grader::new(&settings.labkit).and_then(|mut g| {
        g.timeout = settings.timeout;
        g.keep_env.clone_from(&settings.keep_env);
        g.confine(settings.caps)?;
        g.keep_runs_in(dir)?;
        Ok(g)
    });
    let grader = match grader {
        Ok(g) => Arc::new(g),
        Err(e) => {
            result.outcome = Outcome::Failed(format!("the grader cannot make its folders: {e}"));
            return result;
        }
    };
    quiet_check_panics();
    let (tx, rx) = mpsc::channel();
    let (g, p, test, seed, title) = (Arc::clone(&grader), program.clone(), check.test, settings.seed, check.title);
    let start = Instant::now();
    let thread = std::thread::Builder::new().name(CHECK_THREAD.into()).spawn(move || {
        crate::random::seed_inputs(seed, title);
        let _ = tx.send(test(&g, &p));
    });
    let thread = match thread {
        Ok(t) => t,
        Err(e) => {
            result.outcome = Outcome::Failed(format!("cannot start a thread for the check: {e}"));
            return result;
        }
    };
    result.outcome = loop {
        match rx.recv_timeout(Duration::from_millis(20)) {
            Ok(verdict) => {
                // The thread has sent its verdict and is ending: let it drop
                // its share of the grader before this one goes.
                let _ = thread.join();
                break verdict.map_or_else(Outcome::Failed, |()| Outcome::Passed);
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                let why = thread.join().err().map_or_else(|| "(no verdict)".into(), |p| panic_text(&*p));
                break Outcome::Failed(format!("the check itself crashed (a bug in the kit, please report it): {why}"));
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {
                if stopped() {
                    grader.abandon();
                    break Outcome::Interrupted;
                }
                if start.elapsed() >= settings.check_limit {
                    grader.abandon();
                    break Outcome::Hung(settings.check_limit);
                }
            }
        }
    };
    result.time = start.elapsed();
    let runs = grader.runs();
    if let Outcome::Failed(why) = &mut result.outcome {
        with_context(why, &runs);
    }
    result.logs = runs.iter().filter_map(|r| r.log.clone()).collect();
    result.timed_out = runs.iter().any(|r| r.timed_out);
    if let (Outcome::Failed(why), true) = (&result.outcome, result.timed_out) {
        result.outcome = Outcome::Failed(format!(
            "timed out after {} (a longer limit: --timeout)\n{why}",
            delay::show(settings.timeout)
        ));
    }
    if let Some(cap) = result.logs.iter().find_map(|log| capped(log)) {
        let why = match &result.outcome {
            Outcome::Failed(why) => format!("\n{why}"),
            _ => String::new(),
        };
        result.outcome = Outcome::Failed(format!("stopped by a resource cap: {cap}{why}"));
    }
    if result.outcome == Outcome::Passed {
        result.score = check.points;
    }
    result
}

/// Add to a failed check's message what its last finished run printed
/// (the seen beside the expected), unless the message already shows it,
/// and the drawn trace of its last traced run ([`Grader::run_traced`]): the
/// grader's evidence of what the processes did. A check's message says
/// what it expected and what it saw; this is the context every failure
/// gets for free.
fn with_context(why: &mut String, runs: &[SpawnRecord]) {
    let shown = runs.iter().rposition(|r| r.excerpt.is_some());
    if let Some(excerpt) = shown.and_then(|i| runs[i].excerpt.as_deref())
        && !why.contains(excerpt.trim_end())
    {
        if !why.ends_with('\n') {
            why.push('\n');
        }
        why.push_str(excerpt);
    }
    let traced = runs.iter().rposition(|r| r.trace.is_some());
    if let Some(i) = traced
        && let Some(picture) = runs[i].trace.as_deref()
        && !why.contains(picture.trim_end())
    {
        if !why.ends_with('\n') {
            why.push('\n');
        }
        if shown == Some(i) || shown.is_none() {
            why.push_str("the trace of this run:\n");
        } else {
            why.push_str(&format!("the trace of `{}`:\n", runs[i].command));
        }
        why.push_str(picture);
    }
}

/// The resource cap ([`crate::reaper::Caps`]) that stopped the run kept in
/// `log`, as its reaper's report says, if one did.
fn capped(log: &Path) -> Option<String> {
    let text = std::fs::read(log).ok()?;
    let text = String::from_utf8_lossy(&text);
    let report = &text[text.rfind("--- reaper report ---")?..];
    report.lines().find_map(|l| l.strip_prefix("capped ")).map(str::to_string)
}

/// The checks chosen by `--check` (`only`: parts of titles): those whose
/// title contains one of them, and every check they depend on
/// ([`Check::after`]), in order; with no `--check`, every check.
pub fn chosen<'a>(checks: &'a [Check], only: &[String]) -> Vec<(usize, &'a Check)> {
    let mut keep: Vec<bool> =
        checks.iter().map(|c| only.is_empty() || only.iter().any(|t| c.title.contains(t.as_str()))).collect();
    for i in (0..checks.len()).rev() {
        if keep[i]
            && let Some(parent) = checks[i].after
            && let Some(p) = checks.iter().position(|c| c.title == parent)
        {
            keep[p] = true;
        }
    }
    checks.iter().enumerate().filter(|(i, _)| keep[*i]).collect()
}

/// Grade one program: its checks in order (those [`chosen`] by `only`),
/// showing each result with `show` as it comes. A check whose parent
/// ([`Check::after`]) did not pass is not run.
pub fn grade_program(
    settings: &Settings,
    checks: &[Check],
    only: &[String],
    program: &Program,
    dir: &Path,
    show: &mut dyn FnMut(&CheckResult),
) -> Vec<CheckResult> {
    let mut results: Vec<CheckResult> = Vec::new();
    for (i, check) in chosen(checks, only) {
        let failed_parent = check
            .after
            .filter(|parent| results.iter().find(|r| r.name == *parent).is_none_or(|r| r.outcome != Outcome::Passed));
        let outcome = match failed_parent {
            _ if stopped() => Some(Outcome::Interrupted),
            Some(parent) => Some(Outcome::Skipped(parent)),
            None => None,
        };
        let result = match outcome {
            Some(outcome) => CheckResult {
                name: check.title,
                max: check.points,
                score: 0,
                time: Duration::ZERO,
                outcome,
                logs: Vec::new(),
                timed_out: false,
            },
            None => grade_check(settings, check, program, &dir.join(format!("{}-{}", i + 1, slug(check.title)))),
        };
        show(&result);
        results.push(result);
    }
    results
}

/// A file name from a check name: `same addresses, ...` → `same-addresses-...`.
fn slug(name: &str) -> String {
    let mut s = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            s.push(c.to_ascii_lowercase());
        } else if !s.ends_with('-') {
            s.push('-');
        }
        if s.len() >= 48 {
            break;
        }
    }
    s.trim_matches('-').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_files_after_checks() {
        assert_eq!(slug("same addresses, different values"), "same-addresses-different-values");
        assert_eq!(slug("runs and exits 0, leaving no process behind"), "runs-and-exits-0-leaving-no-process-behind");
        assert!(slug(&"very long words ".repeat(10)).len() <= 48);
        assert_eq!(slug("L: ok?"), "l-ok");
    }

    /// Hangs well past the limit the test sets, then ends (so the test
    /// process keeps no thread and its grader removes its scratch folder).
    fn hangs(_: &Grader, _: &Program) -> crate::harness::Verdict {
        std::thread::sleep(Duration::from_millis(600));
        Ok(())
    }

    fn panics(_: &Grader, _: &Program) -> crate::harness::Verdict {
        panic!("index out of bounds")
    }

    fn passes(_: &Grader, _: &Program) -> crate::harness::Verdict {
        Ok(())
    }

    fn fails(_: &Grader, _: &Program) -> crate::harness::Verdict {
        Err("expected a=5, got a=1".into())
    }

    fn record(command: &str, excerpt: Option<&str>, trace: Option<&str>) -> SpawnRecord {
        SpawnRecord {
            command: command.into(),
            supervisor_pid: 1,
            log: None,
            timed_out: false,
            excerpt: excerpt.map(str::to_string),
            trace: trace.map(str::to_string),
        }
    }

    #[test]
    fn a_failed_check_shows_what_its_run_printed_and_the_trace_of_its_traced_run() {
        let picture = "parent 10 ─┬ fork child 11\n           │ exit code=0\n";
        let mut why = "expected the parent to reap the child".to_string();
        with_context(
            &mut why,
            &[record("prog --delay 1s", Some("`prog --delay 1s` printed:\n  | hi\n"), Some(picture))],
        );
        assert_eq!(
            why,
            format!(
                "expected the parent to reap the child\n`prog --delay 1s` printed:\n  | hi\nthe trace of this run:\n{picture}"
            )
        );
        // Another run came after the traced one: the trace names its command.
        let mut why = "x".to_string();
        let runs = [
            record("prog a", Some("`prog a` printed:\n"), Some(picture)),
            record("prog b", Some("`prog b` printed:\n"), None),
        ];
        with_context(&mut why, &runs);
        assert!(
            why.contains("`prog b` printed:") && why.contains(&format!("the trace of `prog a`:\n{picture}")),
            "{why}"
        );
        // Not twice, and nothing without a traced run.
        let again = why.clone();
        with_context(&mut why, &runs);
        assert_eq!(why, again);
        let mut why = "x".to_string();
        with_context(&mut why, &[record("prog", Some("`prog` printed:\n"), None)]);
        assert!(!why.contains("trace"), "{why}");
    }

    /// The guard around a check: no program runs here (the checks below
    /// never start one), so no process is made by this test.
    #[test]
    fn a_check_that_hangs_or_panics_is_reported_not_waited_for() {
        let dir = std::env::temp_dir().join(format!(
            "labkit-runner-test-{}-{:x}",
            std::process::id(),
            crate::random::random_u64()
        ));
        let mut settings = Settings::new(PathBuf::from("/nonexistent/labkit"), Duration::from_secs(1));
        settings.check_limit = Duration::from_millis(150);
        let prog = Program::new(["prog"]);
        let check = |title, test| Check::new(2, title, test);
        let after_basic = |title, test| Check::new(2, title, test).after(&Check::new(2, "basic", passes));

        let start = Instant::now();
        let r = grade_check(&settings, &check("hangs", hangs), &prog, &dir.join("1"));
        assert_eq!(r.outcome, Outcome::Hung(Duration::from_millis(150)));
        assert_eq!(r.score, 0);
        assert!(start.elapsed() < Duration::from_secs(5));

        let r = grade_check(&settings, &check("panics", panics), &prog, &dir.join("2"));
        assert!(matches!(&r.outcome, Outcome::Failed(m) if m.contains("index out of bounds")), "{r:?}");

        let checks = [check("basic", fails), after_basic("other", passes), after_basic("third", passes)];
        let rs = grade_program(&settings, &checks, &[], &prog, &dir.join("3"), &mut |_| {});
        assert_eq!(rs[0].outcome, Outcome::Failed("expected a=5, got a=1".into()));
        assert_eq!(rs[1].outcome, Outcome::Skipped("basic"));
        assert_eq!(rs[2].outcome, Outcome::Skipped("basic"));

        let checks = [check("basic", passes), after_basic("other", fails), after_basic("third", passes)];
        let rs = grade_program(&settings, &checks, &[], &prog, &dir.join("4"), &mut |_| {});
        assert_eq!(rs.iter().map(|r| r.score).collect::<Vec<_>>(), [2, 0, 2]);
        // --check third: the basic check, then only the third.
        let rs = grade_program(&settings, &checks, &["thi".into()], &prog, &dir.join("5"), &mut |_| {});
        assert_eq!(rs.iter().map(|r| r.name).collect::<Vec<_>>(), ["basic", "third"]);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
