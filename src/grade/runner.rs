//! `labkit grade`: the teachers' front end. It runs the labs' checks (the
//! same ones `cargo test` runs on the kit's binaries) against the kit's own
//! programs or against a student's program in any language, and reports
//! points, failures with what was expected and what was printed, and where
//! each run's whole output is kept.
//!
//! Everything is driven by the manifest ([`crate::labs::LABS`]): a lab that
//! is added there is graded with no change here.
//!
//! Each check runs in a thread of its own with a fresh [`Grader`] that keeps
//! its runs' output in a folder of the check's own. Checks run one at a
//! time (so their times mean something, and servers bound to a fixed port
//! never meet). A check that does not return in time is given up on: its
//! programs' reapers are told to kill everything, and the grade says so.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Once, mpsc};
use std::time::{Duration, Instant};

use super::report;
use super::{Check, Grader, Program};
use crate::labs::{self, Lab, LabBin};
use crate::{delay, process};

/// `labkit grade [LAB...] [--impl NAME=COMMAND]... [--json PATH] [--port PORT] [--out DIR] [--timeout T]`
#[derive(clap::Args, Debug)]
#[command(after_help = "Exit code: 0 at full marks, 1 below full marks, 2 when it cannot grade as asked \
                        (an unknown lab, a malformed --impl, a program that is not built).")]
pub struct GradeArgs {
    /// Labs (lab ids) or single programs (program names) to grade, as
    /// `labkit list` shows them. None: every lab, or with --impl, the
    /// programs --impl names.
    #[arg(value_name = "LAB", value_parser = parse_target)]
    pub labs: Vec<Target>,
    /// Grade COMMAND in place of the kit's program NAME; COMMAND is split
    /// into words as a shell does, and each check appends its arguments.
    /// Example: --impl half-copy="python3 hw/half_copy.py". Repeatable.
    #[arg(long = "impl", value_name = "NAME=COMMAND", value_parser = parse_impl)]
    pub impls: Vec<Impl>,
    /// Also write the result in Gradescope's results.json format to PATH.
    #[arg(long, value_name = "PATH")]
    pub json: Option<PathBuf>,
    /// For chat servers that take no arguments and bind a fixed port (the
    /// course's server.py binds 8888): start them bare and talk to this port.
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..))]
    pub port: Option<u16>,
    /// Keep every run's output in DIR (new or empty). Default: a fresh
    /// folder in the temp dir; its path is printed.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// How long one run of a program may take before it is killed with all
    /// its processes.
    #[arg(long, default_value = "20s", value_parser = parse_timeout)]
    pub timeout: Duration,
    /// Run only the checks whose name contains TEXT (and each program's
    /// basic check, which they depend on), e.g. to re-run one failing
    /// check. Repeatable. The score then counts only those checks.
    #[arg(long = "check", value_name = "TEXT")]
    pub checks: Vec<String>,
    /// Draw every check's random inputs from seed N, to replay a grade
    /// exactly (every grade prints its seed). Default: a fresh seed.
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,
    /// Let graded programs see the grader's variable NAME. Programs run in a
    /// clean environment (PATH, HOME in a scratch folder, LANG=C.UTF-8 and
    /// nothing else), so that a grade does not depend on the machine.
    /// Repeatable.
    #[arg(long = "keep-env", value_name = "NAME", value_parser = parse_env_name)]
    pub keep_env: Vec<String>,
    /// Resource caps on every run (none unless given).
    #[command(flatten)]
    pub caps: crate::class::caps::CapArgs,
}

/// A `--keep-env` NAME: a variable name, without `=`.
fn parse_env_name(name: &str) -> Result<String, String> {
    if name.is_empty() || name.contains('=') || name.contains('\0') {
        return Err(format!("'{name}' is not a variable name (give NAME alone, e.g. --keep-env JAVA_HOME)"));
    }
    Ok(name.to_string())
}

/// What a LAB argument names: a whole lab, or one program of a lab.
#[derive(Debug, Clone, Copy)]
pub enum Target {
    Lab(&'static Lab),
    Program(&'static Lab, &'static LabBin),
}

/// Every name `labkit grade` accepts, for error messages.
fn known_names() -> String {
    let mut names = Vec::new();
    for lab in labs::LABS {
        names.push(lab.id);
        names.extend(lab.bins.iter().map(|b| b.name).filter(|n| *n != lab.id));
    }
    names.join(", ")
}

/// Parse a LAB argument: a lab id (the whole lab) or a program name.
pub fn parse_target(name: &str) -> Result<Target, String> {
    if let Some(lab) = labs::LABS.iter().find(|l| l.id == name) {
        return Ok(Target::Lab(lab));
    }
    labs::LABS
        .iter()
        .find_map(|l| l.bin(name).map(|b| Target::Program(l, b)))
        .ok_or_else(|| format!("no lab or program named '{name}' (known: {})", known_names()))
}

/// `--impl NAME=COMMAND`: the student's command for the kit's program NAME.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Impl {
    /// The kit program it replaces.
    pub name: &'static str,
    /// The command, split into words.
    pub argv: Vec<String>,
}

/// Parse `NAME=COMMAND`. NAME is a program name (or the id of a lab with
/// one program); COMMAND is split into words by [`split_words`]. Programs
/// run in a scratch folder, so each word that names an existing file or
/// folder relative to the current one (`hw/half_copy.py`, `./server`) is
/// made absolute.
pub fn parse_impl(text: &str) -> Result<Impl, String> {
    let Some((name, command)) = text.split_once('=') else {
        return Err(format!("expected NAME=COMMAND, e.g. half-copy=\"python3 hw/half_copy.py\"; got '{text}'"));
    };
    let name = name.trim();
    let bin = match parse_target(name)? {
        Target::Program(_, bin) => bin,
        Target::Lab(lab) => match lab.bins {
            [bin] => bin,
            bins => {
                let names: Vec<&str> = bins.iter().map(|b| b.name).collect();
                return Err(format!("lab '{name}' has several programs; name one of: {}", names.join(", ")));
            }
        },
    };
    let argv = split_words(command)?;
    if argv.is_empty() {
        return Err(format!("--impl {name}= has no command"));
    }
    Ok(Impl { name: bin.name, argv: absolute_words(argv)? })
}

/// Programs run in a scratch folder: each word of a command that names an
/// existing file or folder relative to the current one is made absolute.
pub fn absolute_words(mut argv: Vec<String>) -> Result<Vec<String>, String> {
    let here = std::env::current_dir().map_err(|e| format!("cannot read the current folder: {e}"))?;
    for word in &mut argv {
        let path = Path::new(word.as_str());
        if !word.is_empty() && path.is_relative() && path.exists() {
            *word = here.join(path).to_string_lossy().into_owned();
        }
    }
    Ok(argv)
}

/// A timeout flag: a delay ([`delay::parse`]) that is not zero.
pub fn parse_timeout(text: &str) -> Result<Duration, String> {
    let d = delay::parse(text)?;
    if d.is_zero() { Err("the timeout must be more than 0".into()) } else { Ok(d) }
}

/// Split a command line into words as a POSIX shell does, without any
/// expansion: blanks separate words; `'...'` keeps everything literally;
/// `"..."` keeps everything but `\` before `"`, `\`, `$`, `` ` `` or a newline;
/// outside quotes `\` keeps the next character (and `\` + newline is
/// nothing). An unterminated quote or a trailing `\` is an error.
pub fn split_words(line: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut word: Option<String> = None; // Some once a word has begun (even an empty '' one)
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            ' ' | '\t' | '\n' => words.extend(word.take()),
            '\'' => {
                let w = word.get_or_insert_with(String::new);
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(c) => w.push(c),
                        None => return Err(format!("unterminated ' in: {line}")),
                    }
                }
            }
            '"' => {
                let w = word.get_or_insert_with(String::new);
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some('\n') => {}
                            Some(c @ ('"' | '\\' | '$' | '`')) => w.push(c),
                            Some(c) => {
                                w.push('\\');
                                w.push(c);
                            }
                            None => return Err(format!("unterminated \" in: {line}")),
                        },
                        Some(c) => w.push(c),
                        None => return Err(format!("unterminated \" in: {line}")),
                    }
                }
            }
            '\\' => match chars.next() {
                Some('\n') => {}
                Some(c) => word.get_or_insert_with(String::new).push(c),
                None => return Err(format!("a \\ ends the command, with nothing to escape: {line}")),
            },
            c => word.get_or_insert_with(String::new).push(c),
        }
    }
    words.extend(word);
    Ok(words)
}

/// How a check ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Passed,
    /// The check's verdict: what was expected and what was printed.
    Failed(String),
    /// Not run: the program's basic check failed.
    Skipped,
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
    /// [`Grader::fixed_port`].
    pub fixed_port: Option<u16>,
    /// How long a check as a whole may take before it is given up on.
    pub check_limit: Duration,
    /// Every check's inputs are drawn from this seed ([`super::seed_inputs`]).
    pub seed: u64,
    /// Variables of the grader's environment that graded programs keep
    /// (`--keep-env`); see [`Grader::keep_env`].
    pub keep_env: Vec<String>,
}

impl Settings {
    pub fn new(labkit: PathBuf, timeout: Duration, fixed_port: Option<u16>) -> Settings {
        // A check may make several runs and wait on the program in between:
        // generous, but finite.
        let check_limit = timeout * 2 + Duration::from_secs(10);
        Settings { labkit, timeout, fixed_port, check_limit, seed: new_seed(), keep_env: Vec::new() }
    }
}

/// A fresh seed for a grade's inputs: short enough to type after `--seed`.
pub fn new_seed() -> u64 {
    super::random_u64() % 1_000_000_000
}

/// Set on SIGINT/SIGTERM/SIGHUP: give up the running check and stop.
static STOP: AtomicBool = AtomicBool::new(false);

extern "C" fn on_stop(_: libc::c_int) {
    STOP.store(true, Ordering::SeqCst);
}

/// On SIGINT, SIGTERM or SIGHUP, give up the running check and stop (see
/// [`stopped`]) rather than die and leave its scratch folder.
pub fn catch_stop_signals() {
    for sig in [nix::sys::signal::Signal::SIGINT, nix::sys::signal::Signal::SIGTERM, nix::sys::signal::Signal::SIGHUP] {
        // SAFETY: the handler only stores to an atomic.
        let _ = unsafe { nix::sys::signal::signal(sig, nix::sys::signal::SigHandler::Handler(on_stop)) };
    }
}

/// Whether a stop signal came ([`catch_stop_signals`]).
pub fn stopped() -> bool {
    STOP.load(Ordering::SeqCst)
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
pub fn run_check(settings: &Settings, check: &Check, program: &Program, dir: &Path) -> CheckResult {
    let mut result = CheckResult {
        name: check.name,
        max: check.points,
        score: 0,
        time: Duration::ZERO,
        outcome: Outcome::Passed,
        logs: Vec::new(),
        timed_out: false,
    };
    let grader = Grader::new(&settings.labkit).and_then(|mut g| {
        g.timeout = settings.timeout;
        g.fixed_port = settings.fixed_port;
        g.keep_env.clone_from(&settings.keep_env);
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
    let (g, p, run, seed, name) = (Arc::clone(&grader), program.clone(), check.run, settings.seed, check.name);
    let start = Instant::now();
    let thread = std::thread::Builder::new().name(CHECK_THREAD.into()).spawn(move || {
        super::seed_inputs(seed, name);
        let _ = tx.send(run(&g, &p));
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
                if STOP.load(Ordering::SeqCst) {
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

/// The resource cap ([`crate::reaper::Caps`]) that stopped the run kept in
/// `log`, as its reaper's report says, if one did.
fn capped(log: &Path) -> Option<String> {
    let text = std::fs::read(log).ok()?;
    let text = String::from_utf8_lossy(&text);
    let report = &text[text.rfind("--- reaper report ---")?..];
    report.lines().find_map(|l| l.strip_prefix("capped ")).map(str::to_string)
}

/// Is `check`, the `i`th of its program, chosen by `--check` (`only`)?
/// The basic check always is; with no `--check`, every check is.
fn chosen(i: usize, check: &Check, only: &[String]) -> bool {
    i == 0 || only.is_empty() || only.iter().any(|t| check.name.contains(t.as_str()))
}

/// Grade one program: its checks in order (those [`chosen`] by `only`), the
/// first being its basic check.
pub fn grade_program(
    settings: &Settings,
    checks: &[Check],
    only: &[String],
    program: &Program,
    dir: &Path,
) -> Vec<CheckResult> {
    grade_program_with(settings, checks, only, program, dir, &mut |r| println!("{}", report::check_text(r)))
}

/// [`grade_program`], showing each result with `show` as it comes.
pub fn grade_program_with(
    settings: &Settings,
    checks: &[Check],
    only: &[String],
    program: &Program,
    dir: &Path,
    show: &mut dyn FnMut(&CheckResult),
) -> Vec<CheckResult> {
    let mut results: Vec<CheckResult> = Vec::new();
    for (i, check) in checks.iter().enumerate().filter(|(i, c)| chosen(*i, c, only)) {
        let stopped = STOP.load(Ordering::SeqCst);
        let basic_failed = i > 0 && results.first().is_some_and(|b| b.outcome != Outcome::Passed);
        let result = if basic_failed || stopped {
            CheckResult {
                name: check.name,
                max: check.points,
                score: 0,
                time: Duration::ZERO,
                outcome: if stopped { Outcome::Interrupted } else { Outcome::Skipped },
                logs: Vec::new(),
                timed_out: false,
            }
        } else {
            run_check(settings, check, program, &dir.join(format!("{}-{}", i + 1, slug(check.name))))
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

/// The programs to grade, lab by lab in course order.
fn select(targets: &[Target], impls: &[Impl]) -> Result<Vec<(&'static Lab, Vec<&'static LabBin>)>, String> {
    let wanted = |lab: &Lab, bin: &LabBin| -> bool {
        if targets.is_empty() {
            return impls.is_empty() || impls.iter().any(|i| i.name == bin.name);
        }
        targets.iter().any(|t| match t {
            Target::Lab(l) => l.id == lab.id,
            Target::Program(l, b) => l.id == lab.id && b.name == bin.name,
        })
    };
    let mut chosen = Vec::new();
    for lab in labs::LABS {
        let bins: Vec<&LabBin> = lab.bins.iter().filter(|b| wanted(lab, b)).collect();
        if !bins.is_empty() {
            chosen.push((lab, bins));
        }
    }
    for (i, imp) in impls.iter().enumerate() {
        if impls[..i].iter().any(|o| o.name == imp.name) {
            return Err(format!("--impl {} is given twice", imp.name));
        }
        if !chosen.iter().any(|(_, bins)| bins.iter().any(|b| b.name == imp.name)) {
            return Err(format!("--impl {} is given, but {} is not among the LABs to grade", imp.name, imp.name));
        }
    }
    Ok(chosen)
}

/// The `--out` folder: DIR if new or empty, else a fresh one in the temp dir.
fn out_dir(out: Option<&Path>) -> Result<PathBuf, String> {
    let dir = match out {
        Some(d) => {
            if let Ok(mut entries) = std::fs::read_dir(d)
                && entries.next().is_some()
            {
                return Err(format!("--out {}: the folder is not empty (give a new or empty one)", d.display()));
            }
            d.to_path_buf()
        }
        None => std::env::temp_dir().join(format!(
            "labkit-grade-out-{}-{:06x}",
            std::process::id(),
            super::random_u64() & 0xff_ffff
        )),
    };
    std::fs::create_dir_all(&dir).map_err(|e| format!("--out {}: {e}", dir.display()))?;
    Ok(dir)
}

/// `labkit grade`: grade, print, write the JSON; returns the exit code.
pub fn main(args: &GradeArgs, labkit: &Path) -> i32 {
    let usage = |msg: String| {
        eprintln!("labkit grade: {msg}");
        process::EXIT_USAGE
    };
    let chosen = match select(&args.labs, &args.impls) {
        Ok(c) => c,
        Err(e) => return usage(e),
    };
    if let Some(json) = &args.json {
        let parent = json.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        if json.is_dir() || !parent.is_dir() {
            return usage(format!("--json {}: not a file in an existing folder", json.display()));
        }
    }
    // The programs, before anything runs: a missing kit binary is reported up front.
    let mut plan = Vec::new();
    for (lab, bins) in chosen {
        for bin in bins {
            let (program, reference) = match args.impls.iter().find(|i| i.name == bin.name) {
                Some(i) => (Program::new(i.argv.clone()), false),
                None => (Program::kit(labkit, bin.name), true),
            };
            if reference && !Path::new(&program.argv[0]).is_file() {
                return usage(format!(
                    "the kit's program {} is not built beside {} (run `cargo build`)",
                    bin.name,
                    labkit.display()
                ));
            }
            plan.push((lab, bin, program, reference));
        }
    }
    for t in &args.checks {
        if !plan.iter().any(|(_, bin, _, _)| bin.checks.iter().any(|c| c.name.contains(t.as_str()))) {
            return usage(format!("--check '{t}': no check of the programs to grade has that in its name"));
        }
    }
    let out = match out_dir(args.out.as_deref()) {
        Ok(d) => d,
        Err(e) => return usage(e),
    };
    catch_stop_signals();

    let mut settings = Settings::new(labkit.to_path_buf(), args.timeout, args.port);
    settings.seed = args.seed.unwrap_or(settings.seed);
    settings.keep_env.clone_from(&args.keep_env);
    let caps = args.caps.caps();
    if caps != crate::reaper::Caps::default() {
        match crate::class::caps::write_capped_reaper(&out.join(".labkit-reap-capped"), labkit, caps) {
            Ok(capped) => settings.labkit = capped,
            Err(e) => return usage(format!("--out {}: cannot write the capped reaper: {e}", out.display())),
        }
    }
    let started = Instant::now();
    println!("labkit grade: the whole output of every run is kept in {}", out.display());
    println!("labkit grade: seed {} (the same inputs again: --seed {})", settings.seed, settings.seed);
    let mut graded: Vec<Graded> = Vec::new();
    for (i, (lab, bin, program, reference)) in plan.iter().enumerate() {
        if i == 0 || plan[i - 1].0.id != lab.id {
            println!("\n{}", report::lab_header(lab));
        }
        println!("{}", report::program_header(bin.name, program, *reference));
        let dir = out.join(format!("{:02}-{}", lab.number, bin.name));
        let checks = grade_program(&settings, bin.checks, &args.checks, program, &dir);
        graded.push(Graded { lab, bin, program: program.clone(), reference: *reference, checks });
        let last_of_lab = plan.get(i + 1).is_none_or(|next| next.0.id != lab.id);
        if lab.bins.len() > 1 {
            println!("{}", report::program_subtotal(graded.last().expect("just pushed")));
        }
        if last_of_lab {
            let of_lab: Vec<&Graded> = graded.iter().filter(|g| g.lab.id == lab.id).collect();
            println!("{}", report::lab_subtotal(lab, &of_lab));
        }
    }
    let (score, max) = (graded.iter().map(Graded::score).sum::<u32>(), graded.iter().map(Graded::max).sum::<u32>());
    println!("\nScore: {score}/{max}");
    if STOP.load(Ordering::SeqCst) {
        eprintln!("labkit grade: interrupted; the programs it ran were stopped");
        return 130;
    }
    if let Some(json) = &args.json {
        if let Err(e) = report::write_json(json, &graded, started.elapsed(), settings.seed) {
            eprintln!("labkit grade: cannot write {}: {e}", json.display());
            return process::EXIT_USAGE;
        }
        println!("Gradescope results written to {}", json.display());
    }
    if score == max { 0 } else { process::EXIT_FAILED }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<String> {
        split_words(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    #[test]
    fn splits_words_like_a_shell() {
        assert_eq!(words("python3 hw/half_copy.py"), ["python3", "hw/half_copy.py"]);
        assert_eq!(words("  a \t b\n c  "), ["a", "b", "c"]);
        assert_eq!(words(""), Vec::<String>::new());
        assert_eq!(words("   "), Vec::<String>::new());
        assert_eq!(words("'my dir/prog.py' --x"), ["my dir/prog.py", "--x"]);
        assert_eq!(words("\"my dir\"/prog"), ["my dir/prog"]);
        assert_eq!(words("a''b ''"), ["ab", ""]);
        assert_eq!(words("'it'\\''s'"), ["it's"]);
        assert_eq!(words("my\\ dir/x \\\\ \\'"), ["my dir/x", "\\", "'"]);
        assert_eq!(words("\"a \\\"b\\\" \\$HOME \\n\""), ["a \"b\" $HOME \\n"]);
        assert_eq!(words("'a \\ b \"c\"'"), ["a \\ b \"c\""]);
        assert_eq!(words("sh -c 'sleep 1; echo \"done\"'"), ["sh", "-c", "sleep 1; echo \"done\""]);
        assert_eq!(words("a\\\nb"), ["ab"]);
        assert_eq!(words("x=1 $HOME *"), ["x=1", "$HOME", "*"], "no expansion");
        assert_eq!(words("héllo 'wörld ✓'"), ["héllo", "wörld ✓"]);
    }

    #[test]
    fn rejects_unfinished_quotes_and_escapes() {
        for bad in ["'abc", "\"abc", "abc\\", "\"abc\\", "a 'b\" c"] {
            assert!(split_words(bad).is_err(), "{bad:?} should be rejected");
        }
    }

    #[test]
    fn parses_impl_flags() {
        let i = parse_impl("fork-copy=python3 'hw/fork copy.py'").unwrap();
        assert_eq!(i, Impl { name: "fork-copy", argv: vec!["python3".into(), "hw/fork copy.py".into()] });
        assert!(parse_impl("fork-copy").unwrap_err().contains("NAME=COMMAND"));
        assert!(parse_impl("fork-copy=").unwrap_err().contains("no command"));
        assert!(parse_impl("fork-copy='x").unwrap_err().contains("unterminated"));
        assert!(parse_impl("no-such=prog").unwrap_err().contains("no lab or program named 'no-such'"));
        // The command may itself hold '=': only the first one splits.
        assert_eq!(parse_impl("fork-copy=env A=1 prog").unwrap().argv, ["env", "A=1", "prog"]);
        // Existing relative paths become absolute (programs run elsewhere).
        let here = std::env::current_dir().unwrap();
        let src = here.join("src").to_string_lossy().into_owned();
        assert_eq!(parse_impl("fork-copy=python3 src --x /bin/sh").unwrap().argv, ["python3", &src, "--x", "/bin/sh"]);
    }

    #[test]
    fn selects_labs_in_course_order_and_checks_impls() {
        let all = select(&[], &[]).unwrap();
        assert_eq!(all.len(), labs::LABS.len());
        let imp = parse_impl("fork-copy=prog").unwrap();
        let only = select(&[], std::slice::from_ref(&imp)).unwrap();
        assert_eq!(only.len(), 1);
        assert_eq!(only[0].1[0].name, "fork-copy");
        assert!(select(&[], &[imp.clone(), imp.clone()]).unwrap_err().contains("twice"));
        assert_eq!(parse_target("fork-copy").map(|t| matches!(t, Target::Lab(_))), Ok(true));
    }

    #[test]
    fn names_files_after_checks() {
        assert_eq!(slug("same addresses, different values"), "same-addresses-different-values");
        assert_eq!(slug("runs and exits 0, leaving no process behind"), "runs-and-exits-0-leaving-no-process-behind");
        assert!(slug(&"very long words ".repeat(10)).len() <= 48);
        assert_eq!(slug("L: ok?"), "l-ok");
    }

    /// Hangs well past the limit the test sets, then ends (so the test
    /// process keeps no thread and its grader removes its scratch folder).
    fn hangs(_: &Grader, _: &Program) -> super::super::Verdict {
        std::thread::sleep(Duration::from_millis(600));
        Ok(())
    }

    fn panics(_: &Grader, _: &Program) -> super::super::Verdict {
        panic!("index out of bounds")
    }

    fn passes(_: &Grader, _: &Program) -> super::super::Verdict {
        Ok(())
    }

    fn fails(_: &Grader, _: &Program) -> super::super::Verdict {
        Err("expected a=5, got a=1".into())
    }

    /// The guard around a check: no program runs here (the checks below
    /// never start one), so no process is made by this test.
    #[test]
    fn a_check_that_hangs_or_panics_is_reported_not_waited_for() {
        let dir = std::env::temp_dir().join(format!(
            "labkit-runner-test-{}-{:x}",
            std::process::id(),
            super::super::random_u64()
        ));
        let mut settings = Settings::new(PathBuf::from("/nonexistent/labkit"), Duration::from_secs(1), None);
        settings.check_limit = Duration::from_millis(150);
        let prog = Program::new(["prog"]);
        let check = |name, run| Check { name, points: 2, run };

        let start = Instant::now();
        let r = run_check(&settings, &check("hangs", hangs), &prog, &dir.join("1"));
        assert_eq!(r.outcome, Outcome::Hung(Duration::from_millis(150)));
        assert_eq!(r.score, 0);
        assert!(start.elapsed() < Duration::from_secs(5));

        let r = run_check(&settings, &check("panics", panics), &prog, &dir.join("2"));
        assert!(matches!(&r.outcome, Outcome::Failed(m) if m.contains("index out of bounds")), "{r:?}");

        let checks = [check("basic", fails), check("other", passes), check("third", passes)];
        let rs = grade_program(&settings, &checks, &[], &prog, &dir.join("3"));
        assert_eq!(rs[0].outcome, Outcome::Failed("expected a=5, got a=1".into()));
        assert_eq!(rs[1].outcome, Outcome::Skipped);
        assert_eq!(rs[2].outcome, Outcome::Skipped);

        let checks = [check("basic", passes), check("other", fails), check("third", passes)];
        let rs = grade_program(&settings, &checks, &[], &prog, &dir.join("4"));
        assert_eq!(rs.iter().map(|r| r.score).collect::<Vec<_>>(), [2, 0, 2]);
        // --check third: the basic check, then only the third.
        let rs = grade_program(&settings, &checks, &["thi".into()], &prog, &dir.join("5"));
        assert_eq!(rs.iter().map(|r| r.name).collect::<Vec<_>>(), ["basic", "third"]);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
