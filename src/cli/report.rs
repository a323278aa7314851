//! How `labkit grade` shows a grade: text for the teacher's terminal, and
//! Gradescope's `results.json` (written by hand: no serde).

use std::fmt::Write as _;
use std::io;
use std::path::Path;
use std::time::Duration;

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

/// `s` as a JSON string literal, quotes included. Control characters are
/// escaped; everything else, including any Unicode, is kept as UTF-8.
pub fn json_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if u32::from(c) < 0x20 || c == '\u{7f}' => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The grade in Gradescope's `results.json` format: one test per check,
/// named `Lab N program: check`, with its score, max_score and output.
pub fn json(graded: &[Graded], elapsed: Duration, seed: u64) -> String {
    let score: u32 = graded.iter().map(Graded::score).sum();
    let mut tests = Vec::new();
    for g in graded {
        for c in &g.checks {
            let name = format!("Lab {} {}: {}", g.lab.number, g.bin.name, c.name);
            let output = match &c.outcome {
                Outcome::Passed => format!("OK ({})", seconds(c.time)),
                _ => format!("FAIL ({})\n{}", status_note(c), detail(c)),
            };
            tests.push(format!(
                "    {{\"name\": {}, \"score\": {}, \"max_score\": {}, \"status\": \"{}\", \"output\": {}, \"visibility\": \"visible\"}}",
                json_string(&name),
                c.score,
                c.max,
                if c.outcome == Outcome::Passed { "passed" } else { "failed" },
                json_string(&output)
            ));
        }
    }
    format!(
        "{{\n  \"score\": {score},\n  \"execution_time\": {},\n  \"visibility\": \"visible\",\n  \"extra_data\": {{\"seed\": {seed}}},\n  \"tests\": [\n{}\n  ]\n}}\n",
        elapsed.as_secs_f64().ceil() as u64,
        tests.join(",\n")
    )
}

/// Write [`json`] to `path` through a temporary file renamed into place, so
/// a failure never leaves a truncated results.json.
pub fn write_json(path: &Path, graded: &[Graded], elapsed: Duration, seed: u64) -> io::Result<()> {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let tmp = path.with_file_name(format!(".{name}.tmp-{}", std::process::id()));
    let written = std::fs::write(&tmp, json(graded, elapsed, seed)).and_then(|()| std::fs::rename(&tmp, path));
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::labs;

    #[test]
    fn escapes_json_strings() {
        assert_eq!(json_string("plain"), "\"plain\"");
        assert_eq!(json_string("say \"hi\" \\ bye"), r#""say \"hi\" \\ bye""#);
        assert_eq!(json_string("a\nb\tc\rd"), r#""a\nb\tc\rd""#);
        assert_eq!(
            json_string("\u{0}\u{1}\u{8}\u{c}\u{1b}[0m\u{1f}\u{7f}"),
            r#""\u0000\u0001\b\f\u001b[0m\u001f\u007f""#
        );
        assert_eq!(json_string("管理员 说:hello ✓ é 🦀"), "\"管理员 说:hello ✓ é 🦀\"");
        assert_eq!(json_string("\u{2028}"), "\"\u{2028}\"", "valid in JSON as is");
        assert_eq!(json_string(""), "\"\"");
    }

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
        let text = json(&[g], Duration::from_millis(1500), 42);
        assert!(text.starts_with("{\n  \"score\": 1,\n  \"execution_time\": 2,"), "{text}");
        assert!(text.contains(&format!(
            "{{\"name\": \"Lab 1 {}: basic\", \"score\": 1, \"max_score\": 1, \"status\": \"passed\", \"output\": \"OK (0.04s)\"",
            bin.name
        )));
        assert!(text.contains(r#""output": "FAIL (0.04s)\nexpected a=7\n  | [child 9] a=\"1\"""#), "{text}");
        assert!(text.contains("not run: it needs `first` to pass first"));
        assert_eq!(text.matches("\"max_score\"").count(), 3);
    }
}
