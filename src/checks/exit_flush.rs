//! Checks for lab 11, exit-flush. See `labs/11-exit-flush.md`, "Grading contract".
//!
//! The grader counts the copies itself: every line your program read from
//! its pipe is printed, and the line written before `fork` is the only one
//! holding the random word `text=W`. Copies of one buffer are the same
//! bytes, the writer's tag included, whoever flushed them.

use super::{Check, Grader, Program, RUNS_CLEAN, Transcript, Verdict, expect, random_in};
use crate::out::Tagged;

const BASIC: Check = Check::new(1, RUNS_CLEAN, basic);

pub const CHECKS: &[Check] = &[
    BASIC,
    Check::new(3, "exit() in the child: the line written before fork arrives twice, the same bytes", exit_twice)
        .after(&BASIC),
    Check::new(2, "_exit() in the child: the line arrives once", underscore_once).after(&BASIC),
    Check::new(2, "line-buffered, as on a terminal: once, even with exit()", line_buffered_once).after(&BASIC),
];

/// One run of the program with `args` and a fresh random word `--text W`.
struct Scene {
    run: Transcript,
    word: String,
}

fn scenario(g: &Grader, p: &Program, args: &[&str]) -> Result<Scene, String> {
    let word = format!("w{}", random_in(100_000, 999_999));
    let mut all = args.to_vec();
    all.extend(["--text", &word]);
    Ok(Scene { run: g.run(p, &all)?, word })
}

impl Scene {
    /// The copies of the buffered line among stdout's lines: the tagged line
    /// `[ROLE PID] ... text=W ...` as it came out of the pipe (whatever the
    /// program put before it on its own line).
    fn copies(&self) -> Vec<Tagged> {
        let token = format!("text={}", self.word);
        self.run
            .stdout
            .lines()
            .filter(|l| l.split_whitespace().any(|t| t == token))
            .filter_map(|l| {
                let at = l.find(&token)?;
                let open = l[..at].rfind('[')?;
                Tagged::parse(&l[open..])
            })
            .collect()
    }

    /// `copies=N` printed, and N lines holding the word, each the same bytes.
    fn expect_copies(&self, want: usize, why: &str) -> Verdict {
        let word = &self.word;
        let found = self.copies();
        expect(found.len() == want, || {
            format!(
                "{why}: the line holding text={word} should come out of the pipe {want} time(s); your program printed it {} time(s)",
                found.len()
            )
        })?;
        if let Some(first) = found.first() {
            let differ = found.iter().find(|c| *c != first);
            expect(differ.is_none(), || {
                format!(
                    "copies of one buffer are the same bytes, the writer's tag included; got `[{} {}] {}` and `[{} {}] {}`",
                    first.role,
                    first.pid,
                    first.text,
                    differ.map_or("", |d| d.role.as_str()),
                    differ.map_or(0, |d| d.pid),
                    differ.map_or("", |d| d.text.as_str())
                )
            })?;
        }
        let printed = self.run.lines.iter().find_map(|l| l.fact("copies"));
        expect(printed == Some(want.to_string().as_str()), || {
            format!("{why}: expected the program to count copies={want}, it says {}", printed.unwrap_or("nothing"))
        })
    }
}

fn basic(g: &Grader, p: &Program) -> Verdict {
    scenario(g, p, &["--ending", "both"])?.run.expect_basic()
}

fn exit_twice(g: &Grader, p: &Program) -> Verdict {
    scenario(g, p, &["--ending", "exit"])?.expect_copies(
        2,
        "with --ending exit, the child's exit() flushes its copy of the buffer, and the writer flushes its own",
    )
}

fn underscore_once(g: &Grader, p: &Program) -> Verdict {
    scenario(g, p, &["--ending", "_exit"])?
        .expect_copies(1, "with --ending _exit, the child flushes nothing; only the writer's own flush")
}

fn line_buffered_once(g: &Grader, p: &Program) -> Verdict {
    scenario(g, p, &["--ending", "exit", "--line-buffered"])?.expect_copies(
        1,
        "with --line-buffered the line leaves the buffer at its newline, before fork(): nothing is left to copy",
    )
}
