//! `labkit check LAB -- COMMAND`: a student checks their own program with
//! the teacher's checks, and reads what passed, what failed in plain words,
//! the handout's hint for each failure, and the command that replays the
//! same inputs. Each check's result is kept in the progress file
//! ([`PROGRESS`]) in the current folder, which `labkit list` shows.

use std::fmt::Write as _;
use std::path::Path;
use std::time::Duration;

use super::caps::CapArgs;
use super::find::shell_line;
use crate::cli::grade::{self, CheckResult, Outcome, Settings, Target, parse_timeout};
use crate::harness::Program;
use crate::labs::{Lab, LabBin};
use crate::process;

/// The progress file, in the student's working folder.
pub const PROGRESS: &str = ".labkit-progress";

/// `labkit check LAB [--seed N] -- COMMAND...`
#[derive(clap::Args, Debug, Clone)]
#[command(after_help = "Example: labkit check fork-copy -- python3 fork_copy.py\n\
                        Exit code: 0 when every check passes, 1 when one fails, 2 on a usage error.")]
pub struct CheckArgs {
    /// The lab (or, for a lab of several programs, the program) to check.
    #[arg(value_name = "LAB", value_parser = grade::parse_target)]
    pub lab: Target,
    /// Replay the inputs of an earlier check (each check prints its seed).
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,
    /// How long one run of your program may take.
    #[arg(long, default_value = "20s", value_parser = parse_timeout)]
    pub timeout: Duration,
    /// Let your program see your variable NAME (as the teacher's
    /// `labkit grade --keep-env NAME`); otherwise it runs in a clean
    /// environment. Repeatable.
    #[arg(long = "keep-env", value_name = "NAME", value_parser = crate::cli::args::parse_env_name)]
    pub keep_env: Vec<String>,
    /// Your program's command, after `--`: `-- python3 fork_copy.py`.
    #[arg(last = true, required = true, value_name = "COMMAND")]
    pub command: Vec<String>,
}

/// The one program a target names, or why it names several.
pub fn one_program(target: Target) -> Result<(&'static Lab, &'static LabBin), String> {
    match target {
        Target::Program(lab, bin) => Ok((lab, bin)),
        Target::Lab(lab) => match lab.bins {
            [bin] => Ok((lab, bin)),
            bins => {
                let names: Vec<&str> = bins.iter().map(|b| b.name).collect();
                Err(format!("lab {} has several programs: check one of {}", lab.id, names.join(", ")))
            }
        },
    }
}

/// The environment the program runs in, as a student can reproduce it
/// (`env -i PATH=... HOME=... LANG=C.UTF-8 python3 fork_copy.py`): the
/// teacher's grade and Gradescope use the same.
pub fn environment_text(keep: &[String]) -> String {
    let env = crate::harness::clean_environment("(a fresh scratch folder)", keep);
    let words: Vec<String> = env
        .iter()
        .map(
            |(k, v)| if k == "PATH" { "PATH (yours, to find python3 and the like)".into() } else { format!("{k}={v}") },
        )
        .collect();
    format!(
        "Your program runs in a clean environment: {}, nothing else; stdin is empty (at end of file) \
         unless a check types on it; stdout and stderr are not a terminal.",
        words.join(", ")
    )
}

/// What a student reads about one check.
pub fn student_text(lab: &Lab, r: &CheckResult) -> String {
    let mut t = String::new();
    match &r.outcome {
        Outcome::Passed => {
            let _ = write!(t, "  PASS  {}  ({}/{})", r.name, r.score, r.max);
        }
        Outcome::Skipped(parent) => {
            let _ = write!(t, "  ----  {}  (0/{}): not run until `{parent}` passes", r.name, r.max);
        }
        _ => {
            let _ = writeln!(t, "  FAIL  {}  (0/{})", r.name, r.max);
            let _ = writeln!(t, "        What went wrong:");
            for line in crate::cli::report::detail(r).lines() {
                let _ = writeln!(t, "          {line}");
            }
            if let Some(hint) = lab.hint(r.name) {
                let _ = writeln!(t, "        Hint ({}, \"Grading contract\"): the grader checks {hint}", lab.handout());
            }
            for log in &r.logs {
                let _ = writeln!(t, "        Your program's whole output: {}", log.display());
            }
            t.pop();
        }
    }
    t
}

/// Record `score`/`max` for `program` in the progress file `path`.
pub fn record_progress(path: &Path, program: &str, score: u32, max: u32) -> std::io::Result<()> {
    let old = std::fs::read_to_string(path).unwrap_or_default();
    let mut lines: Vec<String> = old
        .lines()
        .filter(|l| l.split_whitespace().next() != Some(program) && !l.is_empty())
        .map(String::from)
        .collect();
    if lines.is_empty() {
        lines.push("# labkit check's results here (labkit list shows them): program score max".into());
    }
    lines.push(format!("{program} {score} {max}"));
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, lines.join("\n") + "\n")?;
    std::fs::rename(&tmp, path)
}

/// The progress file's `(score, max)` for `program`, if it was checked here.
pub fn progress(path: &Path, program: &str) -> Option<(u32, u32)> {
    let text = std::fs::read_to_string(path).ok()?;
    text.lines().find_map(|l| {
        let mut w = l.split_whitespace();
        (w.next()? == program).then_some(())?;
        Some((w.next()?.parse().ok()?, w.next()?.parse().ok()?))
    })
}

/// What `labkit list` says about `program` after its name, from the
/// progress file in the current folder ("" if it was never checked here).
pub fn list_note(program: &str) -> String {
    match progress(Path::new(PROGRESS), program) {
        Some((s, m)) if s == m => format!("  [passes: {s}/{m}]"),
        Some((s, m)) => format!("  [not yet: {s}/{m}]"),
        None => String::new(),
    }
}

/// `labkit check`; `quiet_header` for watch mode's repeated runs.
pub fn main(args: &CheckArgs, labkit: &Path) -> i32 {
    let usage = |msg: String| {
        eprintln!("labkit check: {msg}");
        process::EXIT_USAGE
    };
    let (lab, bin) = match one_program(args.lab) {
        Ok(p) => p,
        Err(e) => return usage(e),
    };
    let argv = match grade::absolute_words(args.command.clone()) {
        Ok(a) => a,
        Err(e) => return usage(e),
    };
    let program = Program::new(argv);
    let out = std::env::temp_dir().join(format!(
        "labkit-check-{}-{}-{:06x}",
        bin.name,
        std::process::id(),
        crate::random::random_u64() & 0xff_ffff
    ));
    if let Err(e) = std::fs::create_dir_all(&out) {
        return usage(format!("{}: {e}", out.display()));
    }
    let mut settings = Settings::new(labkit.to_path_buf(), args.timeout);
    settings.seed = args.seed.unwrap_or(settings.seed);
    settings.keep_env.clone_from(&args.keep_env);
    settings.caps = CapArgs::CLASS;
    grade::catch_stop_signals();
    println!("Checking lab {} {} with: {}", lab.number, bin.name, program.display());
    println!("{}", environment_text(&settings.keep_env));
    let results = crate::cli::session::grade_program(&settings, bin.checks, &[], &program, &out, &mut |r| {
        println!("{}", student_text(lab, r))
    });
    let (score, max) = (results.iter().map(|r| r.score).sum::<u32>(), results.iter().map(|r| r.max).sum::<u32>());
    let passed = results.iter().filter(|r| r.outcome == Outcome::Passed).count();
    if grade::stopped() {
        eprintln!("labkit check: interrupted; your program was stopped");
        return 130;
    }
    println!("\n{passed} of {} checks pass: {score}/{max} points.", results.len());
    let name = match args.lab {
        Target::Lab(l) => l.id,
        Target::Program(_, b) => b.name,
    };
    let mut replay =
        vec!["labkit".to_string(), "check".into(), name.into(), "--seed".into(), settings.seed.to_string()];
    if args.timeout != Duration::from_secs(20) {
        replay.extend(["--timeout".into(), format!("{}ms", args.timeout.as_millis())]);
    }
    for name in &args.keep_env {
        replay.extend(["--keep-env".into(), name.clone()]);
    }
    replay.push("--".into());
    replay.extend(args.command.iter().cloned());
    println!("The same inputs again: {}", shell_line(&replay));
    if let Err(e) = record_progress(Path::new(PROGRESS), bin.name, score, max) {
        eprintln!("labkit check: cannot record your progress in {PROGRESS}: {e}");
    }
    if score == max {
        let _ = std::fs::remove_dir_all(&out);
        println!("All checks pass. (Progress kept in {PROGRESS}; `labkit list` shows it.)");
        0
    } else {
        process::EXIT_FAILED
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_environment_is_shown_as_the_grader_makes_it() {
        let text = environment_text(&[]);
        assert!(text.contains("LANG=C.UTF-8") && text.contains("HOME=") && text.contains("PATH"), "{text}");
        assert!(!text.contains("PYTHONUNBUFFERED"), "{text}");
        // A kept variable the grader has is shown with its value.
        let text = environment_text(&["PATH".into()]);
        assert!(text.contains("PATH (yours"), "{text}");
    }

    #[test]
    fn keeps_progress_per_program() {
        let path = std::env::temp_dir().join(format!("labkit-progress-test-{}", std::process::id()));
        let _ = std::fs::remove_file(&path);
        assert_eq!(progress(&path, "pids"), None);
        record_progress(&path, "pids", 3, 7).unwrap();
        record_progress(&path, "fork-copy", 8, 8).unwrap();
        record_progress(&path, "pids", 7, 7).unwrap();
        assert_eq!(progress(&path, "pids"), Some((7, 7)));
        assert_eq!(progress(&path, "fork-copy"), Some((8, 8)));
        assert_eq!(std::fs::read_to_string(&path).unwrap().matches("pids").count(), 1);
        std::fs::remove_file(&path).unwrap();
    }
}
