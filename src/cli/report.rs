//! How `labkit grade` shows a grade: text for the teacher's terminal, and
//! Gradescope's `results.json` (written by hand: no serde).

use std::fmt::Write as _;
use std::io;
use std::path::Path;
use std::time::Duration;

use serde_json::{Value, json};

use super::session::{CheckResult, Graded, Outcome};
use crate::delay::{self, Style};
use crate::harness::Program;
use crate::labs::Lab;

/// `Lab 1 · fork-copy: fork copies memory: ...`
pub fn lab_header(lab: &Lab) -> String {
    format!("Lab {} · {}: {}", lab.number, lab.id, lab.concept)
}

/// `  fork-copy: python3 hw/fork_copy.py` (or the kit's reference binary).
pub fn program_header(name: &str, program: &Program, reference: bool) -> String {
    if reference {
        format!("  {name}: the kit's reference program {}", program.display())
    } else {
        format!("  {name}: {}", program.display())
    }
}

/// `0.12s`: how long a check took.
fn seconds(d: Duration) -> String {
    delay::show_as(d, Style::Seconds)
}

/// What a check's line says after its name, in parentheses.
fn status_note(r: &CheckResult) -> String {
    match &r.outcome {
        Outcome::Skipped(parent) => format!("not run: it needs `{parent}` to pass first"),
        Outcome::Interrupted => "interrupted".into(),
        _ if r.timed_out => format!("{}, timed out", seconds(r.time)),
        Outcome::Hung(_) => format!("{}, check gave up", seconds(r.time)),
        _ => seconds(r.time),
    }
}

/// Why a check failed, in full (empty when it passed).
pub fn detail(r: &CheckResult) -> String {
    match &r.outcome {
        Outcome::Passed => String::new(),
        Outcome::Failed(why) => why.trim_end().to_string(),
        Outcome::Skipped(parent) => format!("not run: it needs `{parent}` to pass first (fix that one first)"),
        Outcome::Hung(limit) => format!(
            "the check did not finish within {}: given up, and the programs it started were killed",
            seconds(*limit)
        ),
        Outcome::Interrupted => "the grade was interrupted: this check did not finish".into(),
    }
}

/// One check as the terminal shows it: its status, points, name and time,
/// then on a failure the reason (expected beside printed) and where the
/// whole output of its runs is kept.
pub fn check_text(r: &CheckResult) -> String {
    let ok = if r.outcome == Outcome::Passed { "OK" } else { "FAIL" };
    let mut t = format!("    {ok:<4} {:>3}/{:<3} {}  ({})", r.score, r.max, r.name, status_note(r));
    let pad = "               ";
    // A skipped check's status already says why (and its parent's reason is above).
    let detail = if matches!(r.outcome, Outcome::Skipped(_)) { String::new() } else { detail(r) };
    for line in detail.lines() {
        let _ = write!(t, "\n{pad}{line}");
    }
    if r.outcome != Outcome::Passed {
        for log in &r.logs {
            let _ = write!(t, "\n{pad}whole output: {}", log.display());
        }
    }
    t
}

/// `    chat-server: 12/20` for a lab with several programs.
pub fn program_subtotal(g: &Graded) -> String {
    format!("    {}: {}/{}", g.bin.name, g.score(), g.max())
}

/// `  Subtotal lab 1 fork-copy: 8/8`
pub fn lab_subtotal(lab: &Lab, graded: &[&Graded]) -> String {
    let score: u32 = graded.iter().map(|g| g.score()).sum();
    let max: u32 = graded.iter().map(|g| g.max()).sum();
    format!("  Subtotal lab {} {}: {score}/{max}", lab.number, lab.id)
}

/// One test of a Gradescope `results.json`: a check, named
/// `Lab N program: check`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Test {
    pub name: String,
    pub score: u32,
    pub max: u32,
    pub output: String,
}

impl Test {
    /// The lab number in `Lab N prog: check`.
    pub fn lab(&self) -> Option<u32> {
        self.name.strip_prefix("Lab ")?.split(' ').next()?.parse().ok()
    }

    /// The check's own name (after `Lab N prog: `).
    pub fn check(&self) -> &str {
        self.name.split_once(": ").map_or(&self.name, |(_, c)| c)
    }

    /// A failure of its own (not "not run: it needs ... to pass first").
    pub fn failed_itself(&self) -> bool {
        self.score < self.max && !self.output.starts_with("FAIL (not run")
    }

    /// The first line that says why it failed.
    pub fn reason(&self) -> &str {
        self.output.lines().nth(1).unwrap_or("").trim()
    }
}

/// The tests of a grade: one per check, with what the terminal shows of it.
pub fn tests(graded: &[Graded]) -> Vec<Test> {
    let mut tests = Vec::new();
    for g in graded {
        for c in &g.checks {
            let output = match &c.outcome {
                Outcome::Passed => format!("OK ({})", seconds(c.time)),
                _ => format!("FAIL ({})\n{}", status_note(c), detail(c)),
            };
            let name = format!("Lab {} {}: {}", g.lab.number, g.bin.name, c.name);
            tests.push(Test { name, score: c.score, max: c.max, output });
        }
    }
    tests
}

/// Gradescope's `results.json` for `tests`: the score, the time in whole
/// seconds, the grade's seed in `extra_data`, and each test.
pub fn results(tests: &[Test], elapsed: Duration, seed: u64) -> Value {
    let score: u32 = tests.iter().map(|t| t.score).sum();
    let list: Vec<Value> = tests
        .iter()
        .map(|t| {
            json!({"name": t.name, "score": t.score, "max_score": t.max,
                   "status": if t.score == t.max { "passed" } else { "failed" },
                   "output": t.output, "visibility": "visible"})
        })
        .collect();
    json!({"score": score, "execution_time": elapsed.as_secs_f64().ceil() as u64,
           "visibility": "visible", "extra_data": {"seed": seed}, "tests": list})
}

/// Write [`results`] to `path` through a temporary file renamed into place,
/// so a failure never leaves a truncated results.json.
pub fn write_results(path: &Path, tests: &[Test], elapsed: Duration, seed: u64) -> io::Result<()> {
    let text = serde_json::to_string_pretty(&results(tests, elapsed, seed)).map_err(io::Error::other)? + "\n";
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let tmp = path.with_file_name(format!(".{name}.tmp-{}", std::process::id()));
    let written = std::fs::write(&tmp, text).and_then(|()| std::fs::rename(&tmp, path));
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written
}

/// The tests of a Gradescope results.json.
pub fn read_tests(text: &str) -> Result<Vec<Test>, String> {
    let v: Value = serde_json::from_str(text).map_err(|e| format!("results.json is not JSON: {e}"))?;
    let tests = v.get("tests").and_then(Value::as_array).ok_or("results.json has no \"tests\" list")?;
    tests
        .iter()
        .map(|t| {
            let num = |k: &str| t.get(k).and_then(Value::as_f64).map(|f| f as u32);
            Ok(Test {
                name: t.get("name").and_then(Value::as_str).ok_or("a test has no name")?.to_string(),
                score: num("score").ok_or("a test has no score")?,
                max: num("max_score").ok_or("a test has no max_score")?,
                output: t.get("output").and_then(Value::as_str).unwrap_or("").to_string(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::labs;

    #[test]
    fn writes_gradescope_results() {
        let lab = &labs::LABS[0];
        let bin = &lab.bins[0];
        let result = |name, max, score, outcome| CheckResult {
            name,
            max,
            score,
            time: Duration::from_millis(42),
            outcome,
            logs: vec![],
            timed_out: false,
        };
        let g = Graded {
            lab,
            bin,
            program: Program::new(["prog"]),
            reference: false,
            checks: vec![
                result("basic", 1, 1, Outcome::Passed),
                result("values", 3, 0, Outcome::Failed("expected a=7\n  | [child 9] a=\"1\"".into())),
                result("more", 2, 0, Outcome::Skipped("first")),
            ],
        };
        let tests = tests(&[g]);
        let v = results(&tests, Duration::from_millis(1500), 42);
        assert_eq!(
            (v["score"].as_u64(), v["execution_time"].as_u64(), v["extra_data"]["seed"].as_u64()),
            (Some(1), Some(2), Some(42))
        );
        let t = v["tests"].as_array().unwrap();
        assert_eq!(t.len(), 3);
        assert_eq!(t[0]["name"], format!("Lab 1 {}: basic", bin.name).as_str());
        assert_eq!((t[0]["status"].as_str(), t[0]["output"].as_str()), (Some("passed"), Some("OK (0.04s)")));
        assert_eq!(t[1]["output"], "FAIL (0.04s)\nexpected a=7\n  | [child 9] a=\"1\"");
        assert!(t[2]["output"].as_str().unwrap().contains("not run: it needs `first` to pass first"));
        let text = serde_json::to_string_pretty(&v).unwrap();
        assert_eq!(read_tests(&text).unwrap(), tests, "what is written reads back");
        assert!(read_tests("{").is_err() && read_tests("{}").is_err());
    }
}
