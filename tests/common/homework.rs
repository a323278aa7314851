//! The programs a grade is tested on: every file under `tests/broken/<lab>/`
//! (correct controls and wrong homework, in Python, C or shell; a wrong
//! program in C is a mutant of `correct.c`, `NAME.c.py`) and the
//! kit's own binary of every program of the manifest. Each file states in
//! its header what a grade must give it; one loop reads those headers, so
//! what a program must fail is written once, beside its bug.
//!
//! The header is a comment near the top of the file holding a line
//!
//! ```text
//! Expect: full marks
//! Expect: fails "TITLE"; "TITLE"
//! ```
//!
//! (exact check titles of the program's lab): in a real grade, every check
//! named fails, and every other one passes, unless it is not run because a
//! check it needs ([`Check::after`]) is named. A named check that a grade
//! would not run is run on its own, and must fail too: a program caught by
//! the basic check still shows that the checks aimed at its bugs catch them.
//! A wrong program may add a line `Because: "WORDS"; "WORDS"`: each of these
//! words must be in the message of one of its failed checks.
//!
//! In the chat lab, a file whose name holds `server` is graded as
//! `chat-server`, `client` as `chat-client`. A program that reads
//! `CHAT_PORT` binds that fixed port: it is started with `CHAT_PORT` set to
//! a free port, a fresh one for each check (as `labkit grade --port`).
//! Beside the programs are the modules they share ([`is_module`]).

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use labkit::checks::Check;
use labkit::cli::session::{CheckResult, Outcome, Settings, grade_check};
use labkit::harness::Program;
use labkit::labs::{LABS, Lab, LabBin};
use labkit::random::random_u64;

use super::{c_program, c_program_made, free_port, labkit_bin, python3};

/// Whether a file under `tests/broken/` is not a program but a module the
/// wrong programs share: `wrong.py` (`mutant`) and `wrong.sh`, in
/// `tests/broken/`.
pub fn is_module(file: &str) -> bool {
    ["wrong.py", "wrong.sh"].contains(&file)
}

/// A wrong program made from its lab's control with its bug as edits
/// (`mutant("correct.py", (old, new))`, from `tests/broken/wrong.py`).
pub struct Mutant {
    pub path: PathBuf,
    /// The control it edits, in the same folder.
    pub control: PathBuf,
}

impl Mutant {
    /// The mutant in the file at `path`, if it is one.
    pub fn of(path: &Path) -> Option<Mutant> {
        let text = std::fs::read_to_string(path).ok()?;
        let (_, call) = text.split_once("\nmutant(")?;
        let control = call.split('"').nth(1)?;
        Some(Mutant { path: path.to_path_buf(), control: path.with_file_name(control) })
    }

    /// Whether its control is a C program (`correct.c`).
    pub fn is_c(&self) -> bool {
        self.control.extension().is_some_and(|e| e == "c")
    }

    /// The standalone program it runs (`WRONG_SOURCE=1`), as a student
    /// would hand it in; `Err` says why there is none (wrong.py's message
    /// when an edit no longer fits the control).
    pub fn source(&self) -> Result<Vec<u8>, String> {
        let out = std::process::Command::new(python3()).arg(&self.path).env("WRONG_SOURCE", "1").output();
        match out {
            Ok(out) if out.status.success() => Ok(out.stdout),
            Ok(out) => Err(String::from_utf8_lossy(&out.stderr).trim().to_string()),
            Err(e) => Err(format!("{}: {e}", python3())),
        }
    }
}

/// What a program's header says a grade gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expect {
    FullMarks,
    /// Exactly these checks fail.
    Fails(Vec<String>),
}

/// What a program is: the kit's own binary, or a file under `tests/broken/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Kit,
    /// Relative to the kit's top folder.
    File(String),
}

/// One program to grade, and what its grade must be.
#[derive(Debug, Clone)]
pub struct Homework {
    pub lab: &'static Lab,
    pub bin: &'static LabBin,
    pub source: Source,
    pub expect: Expect,
    /// Words that must be in the messages of the failed checks.
    pub because: Vec<String>,
}

/// Which checks a grade runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Every check a real grade runs (all but those that need a check the
    /// header names: the grade reports them as not run), and every check
    /// the header names.
    Grade,
    /// A wrong program's failing checks only (a control's: all of them):
    /// the checks aimed at its bugs still catch them.
    Aimed,
}

impl Homework {
    /// `lab/file` or `the kit's BIN`, for messages.
    pub fn name(&self) -> String {
        match &self.source {
            Source::Kit => format!("the kit's {}", self.bin.name),
            Source::File(file) => file.trim_start_matches("tests/broken/").to_string(),
        }
    }

    pub fn is_control(&self) -> bool {
        self.expect == Expect::FullMarks
    }

    /// Whether it is a program in C: a `.c` file, or a mutant of a C control.
    pub fn is_c(&self) -> bool {
        let Source::File(rel) = &self.source else { return false };
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(rel);
        rel.ends_with(".c") || Mutant::of(&path).is_some_and(|m| m.is_c())
    }

    /// The command that runs it: the kit's binary, `python3 -S FILE`,
    /// `sh FILE`, or the C program compiled (a C mutant's: the program it
    /// makes, compiled, as a student would hand it in). A server that reads the fixed
    /// port `CHAT_PORT` (in its text, or a mutant's in its control's)
    /// runs under `env CHAT_PORT=PORT`, a free port.
    pub fn program(&self) -> Program {
        let Source::File(rel) = &self.source else { return Program::kit(labkit_bin(), self.bin.name) };
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(rel);
        let file = path.to_string_lossy().into_owned();
        let mut argv: Vec<String> = match path.extension().and_then(|e| e.to_str()) {
            Some("py") => match Mutant::of(&path).filter(Mutant::is_c) {
                // A mutant of a C control: the C program it makes, compiled.
                Some(m) => {
                    vec![c_program_made(rel, || m.source().unwrap_or_else(|why| panic!("{why}"))).display().to_string()]
                }
                None => vec![python3().into(), "-S".into(), file],
            },
            Some("sh") => vec!["sh".into(), file],
            Some("c") => vec![c_program(rel).to_string_lossy().into_owned()],
            _ => panic!("{}: no way to run this file (.py, .sh or .c)", self.name()),
        };
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        let control = Mutant::of(&path).and_then(|m| std::fs::read_to_string(m.control).ok());
        if text.contains("CHAT_PORT") || control.is_some_and(|c| c.contains("CHAT_PORT")) {
            let port = free_port();
            argv.splice(0..0, ["env".to_string(), format!("CHAT_PORT={port}")]);
            return Program::new(argv).on_fixed_port(Some(port));
        }
        Program::new(argv)
    }

    /// How many checks the header says fail.
    pub fn fail_count(&self) -> usize {
        match &self.expect {
            Expect::FullMarks => 0,
            Expect::Fails(titles) => titles.len(),
        }
    }

    fn fails(&self, title: &str) -> bool {
        matches!(&self.expect, Expect::Fails(f) if f.iter().any(|n| n == title))
    }

    /// The checks a real grade gives no points: those the header names, and
    /// those not run because they need one of them.
    pub fn lost(&self) -> Vec<&'static str> {
        let lost = |c: &Check| self.fails(c.title) || c.after.is_some_and(|parent| self.fails(parent));
        self.bin.checks.iter().filter(|c| lost(c)).map(|c| c.title).collect()
    }

    /// The checks `scope` runs, with their index in the program's checks.
    pub fn checks(&self, scope: Scope) -> Vec<(usize, &'static Check)> {
        let all = self.bin.checks.iter().enumerate();
        match scope {
            _ if self.is_control() => all.collect(),
            Scope::Grade => {
                all.filter(|(_, c)| self.fails(c.title) || c.after.is_none_or(|parent| !self.fails(parent))).collect()
            }
            Scope::Aimed => all.filter(|(_, c)| self.fails(c.title)).collect(),
        }
    }

    /// Grade it with `settings`, the checks of `scope` side by side (each
    /// with its own fixed port if it needs one); `Err` lists every check
    /// that went otherwise than the header says, with the check's message.
    pub fn grade(&self, settings: &Settings, scope: Scope) -> Result<(), String> {
        let dir = std::env::temp_dir().join(format!("labkit-homework-{}-{:x}", std::process::id(), random_u64()));
        let results: Vec<CheckResult> = std::thread::scope(|s| {
            let runs: Vec<_> = self
                .checks(scope)
                .into_iter()
                .map(|(i, check)| {
                    let (program, dir) = (self.program(), dir.join(i.to_string()));
                    s.spawn(move || grade_check(settings, check, &program, &dir))
                })
                .collect();
            runs.into_iter().map(|r| r.join().expect("a check's thread")).collect()
        });
        let _ = std::fs::remove_dir_all(&dir);
        let mut wrong = Vec::new();
        let mut messages = Vec::new();
        for r in &results {
            match (&r.outcome, self.fails(r.name)) {
                (Outcome::Passed, false) => {}
                (Outcome::Failed(why), true) => messages.push(why.as_str()),
                (Outcome::Passed, true) => wrong.push(format!("`{}` should fail, but it passed", r.name)),
                (Outcome::Failed(why), false) => wrong.push(format!("`{}` should pass, but it failed:\n{why}", r.name)),
                (Outcome::Hung(limit), _) => {
                    wrong.push(format!("`{}` did not return within {}s", r.name, limit.as_secs()))
                }
                (Outcome::Skipped(parent), _) => wrong.push(format!("`{}` was not run: it needs `{parent}`", r.name)),
                (Outcome::Interrupted, _) => wrong.push(format!("`{}` was interrupted", r.name)),
            }
        }
        for words in &self.because {
            if !messages.iter().any(|m| m.contains(words.as_str())) {
                wrong.push(format!(
                    "no failed check says \"{words}\" (the header's `Because:`); they said:\n{}",
                    messages.join("\n")
                ));
            }
        }
        if wrong.is_empty() {
            Ok(())
        } else {
            Err(format!(
                "{} ({}, graded with --seed {}):\n{}",
                self.name(),
                self.bin.name,
                settings.seed,
                wrong.join("\n")
            ))
        }
    }
}

/// The double-quoted parts of `list` (`"a"; "b; c"` gives `a` and `b; c`).
fn quoted(list: &str) -> Result<Vec<String>, String> {
    let parts: Vec<&str> = list.split('"').collect();
    let last = parts.len() - 1;
    // Outside the quotes: nothing before the first or after the last, `;` between.
    let outside_ok =
        parts.iter().enumerate().step_by(2).all(|(i, p)| p.trim() == if i == 0 || i == last { "" } else { ";" });
    if parts.len() < 3 || parts.len() % 2 == 0 || !outside_ok {
        return Err(format!("`{list}`: expected \"...\"; \"...\""));
    }
    Ok(parts.iter().skip(1).step_by(2).map(|p| p.to_string()).collect())
}

/// The text after `key` on the first line of a header (its first 40 lines) that holds it.
fn header_line<'a>(text: &'a str, key: &str) -> Option<&'a str> {
    text.lines().take(40).find_map(|l| l.split_once(key).map(|(_, rest)| rest.trim()))
}

/// Read a header: what the grade gives, and the `Because:` words.
pub fn parse_header(text: &str) -> Result<(Expect, Vec<String>), String> {
    let line = header_line(text, "Expect:").ok_or("no `Expect:` line in its header")?;
    let expect = if line == "full marks" {
        Expect::FullMarks
    } else {
        let list = line
            .strip_prefix("fails ")
            .ok_or_else(|| format!("`Expect: {line}`: expected `full marks` or `fails \"TITLE\"; \"TITLE\"`"))?;
        Expect::Fails(quoted(list)?)
    };
    let because = match header_line(text, "Because:") {
        None => Vec::new(),
        Some(_) if expect == Expect::FullMarks => return Err("`Because:` in the header of a control".into()),
        Some(list) => quoted(list)?,
    };
    Ok((expect, because))
}

/// Every program under `tests/broken/`, with its header read and checked
/// against the manifest: a lab folder, program or check title that does
/// not exist is an error, so a renamed check cannot leave a program
/// untested.
pub fn programs() -> Vec<Homework> {
    let top = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut found = Vec::new();
    let mut errors = Vec::new();
    let mut entries: Vec<PathBuf> =
        std::fs::read_dir(top.join("tests/broken")).expect("tests/broken").flatten().map(|e| e.path()).collect();
    entries.sort();
    for dir in entries {
        let id = dir.file_name().unwrap().to_string_lossy().into_owned();
        if !dir.is_dir() {
            if !is_module(&id) {
                errors.push(format!("tests/broken/{id}: programs go in their lab's folder"));
            }
            continue;
        }
        let Some(lab) = LABS.iter().find(|l| l.id == id) else {
            errors.push(format!("tests/broken/{id}: no lab has that id"));
            continue;
        };
        let mut files: Vec<PathBuf> = std::fs::read_dir(&dir).unwrap().flatten().map(|e| e.path()).collect();
        files.sort();
        for path in files {
            let file = path.strip_prefix(top).unwrap().to_string_lossy().into_owned();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if name == "__pycache__" {
                continue; // Python's, when a program imports a module without `sys.dont_write_bytecode`
            }
            if path.is_dir() {
                errors.push(format!("{file}: a folder in a lab's folder"));
                continue;
            }
            if is_module(&name) {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            let bin = match lab.bins {
                [bin] => bin,
                bins => match bins.iter().find(|b| b.name.rsplit('-').next().is_some_and(|role| name.contains(role))) {
                    Some(bin) => bin,
                    None => {
                        errors.push(format!("{file}: its name should say which program of lab {id} it is"));
                        continue;
                    }
                },
            };
            match parse_header(&text) {
                Ok((expect, because)) => {
                    if let Expect::Fails(titles) = &expect {
                        for t in titles.iter().filter(|t| !bin.checks.iter().any(|c| c.title == t.as_str())) {
                            errors.push(format!("{file}: `{t}` is not a check of {}", bin.name));
                        }
                    }
                    found.push(Homework { lab, bin, source: Source::File(file), expect, because });
                }
                Err(e) => errors.push(format!("{file}: {e}")),
            }
        }
    }
    assert!(errors.is_empty(), "tests/broken:\n{}", errors.join("\n"));
    found
}

/// The program `tests/broken/<lab>/<file>`, its header read.
pub fn program(lab: &str, file: &str) -> Homework {
    let path = format!("tests/broken/{lab}/{file}");
    let found = programs().into_iter().find(|h| h.source == Source::File(path.clone()));
    found.unwrap_or_else(|| panic!("no program {path}"))
}

/// The kit's own binary of every program of the manifest: full marks.
pub fn kit() -> Vec<Homework> {
    LABS.iter()
        .flat_map(|lab| lab.bins.iter().map(move |bin| (lab, bin)))
        .map(|(lab, bin)| Homework { lab, bin, source: Source::Kit, expect: Expect::FullMarks, because: Vec::new() })
        .collect()
}

/// Grade `programs` with `settings` and `scope`, at most `jobs` programs
/// at a time; every program that did not get what its header says, with
/// why. Each C program is compiled first.
pub fn grade_all(programs: &[Homework], settings: &Settings, scope: Scope, jobs: usize) -> Vec<String> {
    for h in programs {
        if let Source::File(f) = &h.source
            && f.ends_with(".c")
        {
            c_program(f);
        }
    }
    // The programs that fail most first: a failing check often waits out a
    // deadline, and is tried again at a slower pace (`Grader::timed`).
    let mut order: Vec<&Homework> = programs.iter().collect();
    order.sort_by_key(|h| std::cmp::Reverse(h.fail_count()));
    let next = AtomicUsize::new(0);
    let failures = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..jobs.max(1) {
            s.spawn(|| {
                while let Some(h) = order.get(next.fetch_add(1, Ordering::SeqCst)) {
                    if let Err(e) = h.grade(settings, scope) {
                        failures.lock().unwrap_or_else(|e| e.into_inner()).push(e);
                    }
                }
            });
        }
    });
    failures.into_inner().unwrap_or_else(|e| e.into_inner())
}

/// Grading settings for the tests: the kit's `labkit`, 20 s per run, a
/// fresh seed (failures name it: `labkit grade --seed N` replays them).
pub fn settings() -> Settings {
    Settings::new(labkit_bin().to_path_buf(), Duration::from_secs(20))
}

/// Grade `programs` and fail with every program graded otherwise than its
/// header says, saying `what` (the conditions) and how long it took.
pub fn assert_graded(what: &str, programs: &[Homework], scope: Scope, jobs: usize) {
    assert!(!programs.is_empty(), "no programs to grade");
    let start = Instant::now();
    let failures = grade_all(programs, &settings(), scope, jobs);
    eprintln!("{what}: {} programs graded in {:.1}s", programs.len(), start.elapsed().as_secs_f64());
    assert!(
        failures.is_empty(),
        "{what}: {} of {} programs were not graded as their headers say:\n\n{}",
        failures.len(),
        programs.len(),
        failures.join("\n\n")
    );
}
