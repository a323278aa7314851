//! `labkit grade-class`: a whole class, one folder per student, in parallel.
//!
//! Each student is graded by a `labkit grade` process of its own (with the
//! student's programs in place of the kit's, found by [`super::find`]), so
//! one student's grade can neither stop nor slow another's beyond sharing
//! the machine: its scratch folders sit in a work folder of its own (in
//! the temp folder), every run goes through `labkit reap` within resource
//! caps ([`crate::reaper::Caps`]), and everything it leaves is removed.
//! Graded as root, each student's programs run as a user of their own
//! ([`super::users`]), from a copy of the submission only that user can
//! read. Every
//! student's grade uses the class's one seed, so scores do not depend on
//! the order or the number of jobs.
//!
//! The output folder holds `gradebook.csv`, and per student
//! `students/NAME/`: `results.json` (Gradescope's format, written last: a
//! student who has it is done, so an interrupted class resumes where it
//! stopped), `grade.txt` (what `labkit grade` printed) and `logs/`.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use super::caps::CapArgs;
use super::find::{self, Config, Found};
use super::users::{self, Users};
use crate::cli::grade::{self, Target, parse_timeout};
pub use crate::cli::report::{Test, read_tests, write_results};
use crate::labs::{self, Lab, LabBin};
use crate::process;
use crate::reaper::Caps;

/// `labkit grade-class SUBMISSIONS [LAB...] [--jobs N] [-o DIR] ...`
#[derive(clap::Args, Debug)]
#[command(after_help = "Every run is capped: --max-output 4M --max-procs 64 --max-disk 1G unless given.\n\
                        Exit code: 0 when every student was graded, 1 when some could not be (see the \
                        summary), 2 on a usage error, 130 when interrupted (run it again to resume).")]
pub struct ClassArgs {
    /// The submissions: a folder holding one folder per student.
    pub submissions: PathBuf,
    /// The labs (or single programs) to grade. None: every lab.
    #[arg(value_name = "LAB", value_parser = grade::parse_target)]
    pub labs: Vec<Target>,
    /// Students graded at once. Default: the machine's cores.
    #[arg(long, short = 'j', value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub jobs: Option<u64>,
    /// Where the gradebook, results and logs go. Default: SUBMISSIONS-grades
    /// beside the submissions folder. Give the same folder again to resume.
    #[arg(long, short = 'o', value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// How long one run of a program may take.
    #[arg(long, default_value = "20s", value_parser = parse_timeout)]
    pub timeout: Duration,
    /// The class's seed (every student gets the same inputs). Default: a
    /// fresh one, kept in the output folder for a resumed grade.
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,
    /// Per-program commands, `NAME = COMMAND` lines ({dir}: the student's
    /// folder). Default: SUBMISSIONS/labkit-class.conf if there is one.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Resource caps per run; the defaults suit every lab.
    #[command(flatten)]
    pub caps: CapArgs,
    /// As root, run every student's programs as this grader's user (root)
    /// rather than as a user of their own.
    #[arg(long)]
    pub same_user: bool,
    /// As root, student number i (in name order) runs as user and group
    /// N + i: a range no one else uses.
    #[arg(long, value_name = "N", default_value_t = users::BASE)]
    pub uid_base: u32,
}

/// Everything one student's grade needs, the same for the whole class.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The `labkit` binary.
    pub labkit: PathBuf,
    /// The programs to grade, lab by lab in course order.
    pub programs: Vec<(&'static Lab, &'static LabBin)>,
    pub config: Config,
    pub seed: u64,
    pub timeout: Duration,
    pub caps: Caps,
    /// Who the students' programs run as.
    pub users: Users,
    /// Each student's work folder (submission copy, build, scratch) goes
    /// in here, and is removed after the grade.
    pub work: PathBuf,
}

/// Why a student could not be graded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotGraded {
    Interrupted,
    Error(String),
}

/// Grade the student number `index` whose folder is `dir` (absolute) into
/// `out`, ending with `out/results.json`; returns its tests.
pub fn grade_student(plan: &Plan, index: usize, dir: &Path, out: &Path) -> Result<Vec<Test>, NotGraded> {
    grade_student_counting(plan, index, dir, out, &mut Cpu::default())
}

/// CPU time spent grading, for the figures `labkit grade-class` prints.
#[derive(Debug, Clone, Copy, Default)]
pub struct Cpu {
    /// The `labkit grade` processes' own time: running the checks, watching
    /// `/proc`, reading output (not their reapers', not the programs').
    pub grader: Duration,
    /// Checks run.
    pub checks: usize,
}

/// The CPU time (user + system) process `pid` has used itself, read from
/// `/proc/PID/stat` (zero if it cannot be read).
fn own_cpu(pid: i32) -> Duration {
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let fields: Vec<&str> = text.rsplit_once(')').map_or(vec![], |(_, rest)| rest.split_whitespace().collect());
    // After the `(comm)`: state is field 3 of the file, utime 14, stime 15.
    let ticks: u64 = [11, 12].iter().filter_map(|&i| fields.get(i)?.parse::<u64>().ok()).sum();
    // SAFETY: sysconf has no preconditions.
    let per_second = unsafe { libc::sysconf(libc::_SC_CLK_TCK) }.max(1) as u64;
    Duration::from_millis(ticks * 1000 / per_second)
}

/// The CPU time of every process this one started and reaped (and theirs).
fn children_cpu() -> Duration {
    // SAFETY: getrusage writes one rusage into `u`.
    let mut u: libc::rusage = unsafe { std::mem::zeroed() };
    if unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut u) } != 0 {
        return Duration::ZERO;
    }
    let t = |tv: libc::timeval| Duration::new(tv.tv_sec as u64, tv.tv_usec as u32 * 1000);
    t(u.ru_utime) + t(u.ru_stime)
}

/// [`grade_student`], adding the grader's CPU time to `cpu`.
pub fn grade_student_counting(
    plan: &Plan,
    index: usize,
    dir: &Path,
    out: &Path,
    cpu: &mut Cpu,
) -> Result<Vec<Test>, NotGraded> {
    let err = |what: &str, e: std::io::Error| NotGraded::Error(format!("{what}: {e}"));
    let started = Instant::now();
    std::fs::create_dir_all(out).map_err(|e| err(&out.display().to_string(), e))?;
    let (logs, json) = (out.join("logs"), out.join("grade.json"));
    let _ = std::fs::remove_dir_all(&logs); // a grade cut short before
    let _ = std::fs::remove_file(&json);
    // The student's work folder: the grade's temp folder (TMPDIR), root's
    // and open to pass through; in it, the student's own folders.
    let work = plan.work.join(format!("student-{index}"));
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).map_err(|e| err("the student's work folder", e))?;
    let user = plan.users.of(index);
    let result = grade_in(plan, user, dir, &work, out, cpu);
    if let Some(uid) = user {
        let left = users::sweep(uid);
        if left > 0 {
            eprintln!("labkit grade-class: killed {left} processes still running as uid {uid} after the grade");
        }
    }
    let _ = std::fs::remove_dir_all(&work);
    let tests = result?;
    write_results(&out.join("results.json"), &tests, started.elapsed(), plan.seed)
        .map_err(|e| err("results.json", e))?;
    Ok(tests)
}

/// Find (and compile) the student's programs and grade them, with `work`
/// as the grade's temp folder, as `user` if one; the tests in course
/// order, a program not found failing its basic check with the reason.
fn grade_in(
    plan: &Plan,
    user: Option<u32>,
    dir: &Path,
    work: &Path,
    out: &Path,
    cpu: &mut Cpu,
) -> Result<Vec<Test>, NotGraded> {
    let err = |what: &str, e: std::io::Error| NotGraded::Error(format!("{what}: {e}"));
    // With a user of their own, the student's programs are a copy that is
    // theirs alone, built there too.
    let (dir, build) = match user {
        Some(uid) => {
            let copy = work.join("submission");
            users::copy_folder(dir, &copy, uid).map_err(|e| err("copying the submission", e))?;
            (copy.clone(), copy.join(".labkit-build"))
        }
        None => (dir.to_path_buf(), work.join("build")),
    };
    // The programs, found (and compiled) or the reason they are not there.
    let mut impls: Vec<(&LabBin, Vec<String>)> = Vec::new();
    let mut absent: Vec<(&LabBin, String)> = Vec::new();
    for &(_, bin) in &plan.programs {
        match find::find(&plan.config, bin.name, &dir) {
            Found::Command(argv) => impls.push((bin, argv)),
            Found::C(src) => {
                let exe = build.join(bin.name);
                match find::compile(&src, &exe) {
                    Ok(()) => impls.push((bin, vec![exe.to_string_lossy().into_owned()])),
                    Err(e) => absent.push((bin, e)),
                }
            }
            Found::Missing(looked) => {
                absent.push((bin, format!("no program for {} found: looked for {}", bin.name, looked.join(", "))))
            }
        }
    }
    let mut graded: Vec<Test> = Vec::new();
    if !impls.is_empty() {
        let (logs, json) = (out.join("logs"), out.join("grade.json"));
        let log = std::fs::File::create(out.join("grade.txt")).map_err(|e| err("grade.txt", e))?;
        let mut cmd = Command::new(&plan.labkit);
        cmd.arg("grade");
        cmd.args(impls.iter().map(|(bin, _)| bin.name));
        for (bin, argv) in &impls {
            cmd.arg("--impl").arg(format!("{}={}", bin.name, find::shell_line(argv)));
        }
        cmd.arg("--json").arg(&json).arg("--out").arg(&logs);
        cmd.args(["--seed", &plan.seed.to_string(), "--timeout", &format!("{}ms", plan.timeout.as_millis())]);
        cmd.args(Caps { user, ..plan.caps }.flags());
        // Each student's scratch folders in a temp folder of its own.
        cmd.env("TMPDIR", work).env_remove("CARGO").current_dir(&dir);
        cmd.stdin(Stdio::null()).stdout(log.try_clone().map_err(|e| err("grade.txt", e))?).stderr(log);
        let mut child = cmd.spawn().map_err(|e| err(&format!("cannot run {}", plan.labkit.display()), e))?;
        let mut told = false;
        let pid = nix::unistd::Pid::from_raw(child.id() as i32);
        loop {
            // Ended (still unreaped, so its own CPU time can be read)?
            use nix::sys::wait::{Id, WaitPidFlag, WaitStatus, waitid};
            match waitid(Id::Pid(pid), WaitPidFlag::WEXITED | WaitPidFlag::WNOHANG | WaitPidFlag::WNOWAIT) {
                Ok(WaitStatus::StillAlive) => {}
                _ => break,
            }
            if grade::stopped() && !told {
                // It stops its runs (and reaps them) on SIGTERM.
                let _ = nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM);
                told = true;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        cpu.grader += own_cpu(pid.as_raw());
        let status = child.wait().map_err(|e| err("waiting for labkit grade", e))?;
        if grade::stopped() || status.code() == Some(130) {
            return Err(NotGraded::Interrupted);
        }
        if !matches!(status.code(), Some(0 | 1)) {
            let text = std::fs::read_to_string(out.join("grade.txt")).unwrap_or_default();
            let tail: Vec<&str> = text.lines().rev().take(5).collect::<Vec<_>>().into_iter().rev().collect();
            return Err(NotGraded::Error(format!("labkit grade ended with {status}: {}", tail.join(" / "))));
        }
        let text = std::fs::read_to_string(&json).map_err(|e| err("the grade's results", e))?;
        graded = read_tests(&text).map_err(NotGraded::Error)?;
        cpu.checks += graded.len();
        let _ = std::fs::remove_file(&json);
    }
    // In course order, the programs not graded as failed tests.
    let mut tests = Vec::new();
    for &(lab, bin) in &plan.programs {
        let prefix = format!("Lab {} {}: ", lab.number, bin.name);
        if let Some((_, why)) = absent.iter().find(|(b, _)| b.name == bin.name) {
            for (i, c) in bin.checks.iter().enumerate() {
                // The basic check fails for it; the others are not run (as in a grade).
                let status = if i == 0 { "FAIL (no program)" } else { "FAIL (not run: no program)" };
                tests.push(Test {
                    name: format!("{prefix}{}", c.title),
                    score: 0,
                    max: c.points,
                    output: format!("{status}\n{why}"),
                });
            }
        } else {
            tests.extend(graded.iter().filter(|t| t.name.starts_with(&prefix)).cloned());
        }
    }
    Ok(tests)
}

/// The programs to grade for `targets` (none: every lab), in course order.
pub fn programs(targets: &[Target]) -> Vec<(&'static Lab, &'static LabBin)> {
    let mut out = Vec::new();
    for lab in labs::LABS {
        for bin in lab.bins {
            let wanted = targets.is_empty()
                || targets.iter().any(|t| match t {
                    Target::Lab(l) => l.id == lab.id,
                    Target::Program(l, b) => l.id == lab.id && b.name == bin.name,
                });
            if wanted {
                out.push((lab, bin));
            }
        }
    }
    out
}

/// The student folders of `submissions`, by name.
fn students(submissions: &Path) -> Result<Vec<String>, String> {
    let entries = std::fs::read_dir(submissions).map_err(|e| format!("{}: {e}", submissions.display()))?;
    let mut names: Vec<String> = entries
        .flatten()
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with('.'))
        .collect();
    names.sort();
    Ok(names)
}

/// `class.txt` in the output folder: what it grades, so that a resumed
/// grade goes on with the same labs and seed.
fn class_state(out: &Path, plan: &Plan, given_seed: Option<u64>) -> Result<u64, String> {
    let path = out.join("class.txt");
    let labs: Vec<&str> = plan.programs.iter().map(|(_, b)| b.name).collect();
    let labs = labs.join(" ");
    if let Ok(text) = std::fs::read_to_string(&path) {
        let get = |k: &str| text.lines().find_map(|l| l.strip_prefix(k)).map(str::trim).unwrap_or("");
        let seed: u64 = get("seed:").parse().map_err(|_| format!("{}: no seed in it", path.display()))?;
        if get("programs:") != labs {
            return Err(format!(
                "{} holds a grade of other programs ({}); give a new --out",
                out.display(),
                get("programs:")
            ));
        }
        if given_seed.is_some_and(|s| s != seed) {
            return Err(format!("{} was graded with --seed {seed}; give that seed or a new --out", out.display()));
        }
        return Ok(seed);
    }
    let seed = given_seed.unwrap_or_else(grade::new_seed);
    std::fs::write(&path, format!("programs: {labs}\nseed: {seed}\n"))
        .map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(seed)
}

/// A new folder in the temp folder for the students' work folders: root's,
/// open to pass through (each student's folders in it are their own).
pub fn make_work_folder() -> std::io::Result<PathBuf> {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = std::env::temp_dir().join(format!(
        "labkit-class-{}-{:x}",
        std::process::id(),
        crate::random::random_u64() & 0xffff_ffff
    ));
    std::fs::create_dir(&dir)?;
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o711))?;
    Ok(dir)
}

/// A warning when the submissions folder lets other users in: the
/// students' users could then read the other submissions there.
fn open_submissions(submissions: &Path, users: Users) -> Option<String> {
    use std::os::unix::fs::PermissionsExt as _;
    let mode = std::fs::metadata(submissions).ok()?.permissions().mode() & 0o7777;
    (users != Users::Grader && mode & 0o005 != 0).then(|| {
        format!(
            "{} lets other users in (mode {mode:o}): a student's program could read the other submissions \
             there; close it with `chmod o-rwx {}`",
            submissions.display(),
            submissions.display()
        )
    })
}

/// `labkit grade-class`.
pub fn main(args: &ClassArgs, labkit: &Path) -> i32 {
    let usage = |msg: String| {
        eprintln!("labkit grade-class: {msg}");
        process::EXIT_USAGE
    };
    let submissions = match std::fs::canonicalize(&args.submissions) {
        Ok(p) if p.is_dir() => p,
        Ok(p) => return usage(format!("{} is not a folder", p.display())),
        Err(e) => return usage(format!("{}: {e}", args.submissions.display())),
    };
    let names = match students(&submissions) {
        Ok(n) if n.is_empty() => return usage(format!("{}: no student folders in it", submissions.display())),
        Ok(n) => n,
        Err(e) => return usage(e),
    };
    let config = match Config::load(args.config.as_deref(), &submissions) {
        Ok(c) => c,
        Err(e) => return usage(e),
    };
    let out = args.out.clone().unwrap_or_else(|| {
        let name = submissions.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        submissions.with_file_name(format!("{name}-grades"))
    });
    if let Err(e) = std::fs::create_dir_all(out.join("students")) {
        return usage(format!("{}: {e}", out.display()));
    }
    // Absolute: each student's grade runs in the student's folder.
    let out = match std::fs::canonicalize(&out) {
        Ok(o) => o,
        Err(e) => return usage(format!("{}: {e}", out.display())),
    };
    let users = if args.same_user || !users::is_root() {
        Users::Grader
    } else {
        match users::own(args.uid_base, names.len(), labkit) {
            Ok(u) => u,
            Err(e) => return usage(format!("cannot give each student a user of their own: {e}")),
        }
    };
    if users != Users::Grader {
        // Only root reads the grades; the students' users work elsewhere.
        use std::os::unix::fs::PermissionsExt as _;
        if let Err(e) = std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o700)) {
            return usage(format!("{}: {e}", out.display()));
        }
    }
    let work = match make_work_folder() {
        Ok(w) => w,
        Err(e) => return usage(format!("cannot make a work folder in {}: {e}", std::env::temp_dir().display())),
    };
    let mut plan = Plan {
        labkit: labkit.to_path_buf(),
        programs: programs(&args.labs),
        config,
        seed: 0,
        timeout: args.timeout,
        caps: args.caps.class(),
        users,
        work,
    };
    plan.seed = match class_state(&out, &plan, args.seed) {
        Ok(s) => s,
        Err(e) => {
            let _ = std::fs::remove_dir_all(&plan.work);
            return usage(e);
        }
    };
    let jobs = args.jobs.map_or_else(|| std::thread::available_parallelism().map_or(1, usize::from), |j| j as usize);
    grade::catch_stop_signals();
    let done = |name: &str| out.join("students").join(name).join("results.json").is_file();
    let todo: Vec<(usize, &String)> = names.iter().enumerate().filter(|(_, n)| !done(n)).collect();
    println!(
        "labkit grade-class: {} students in {}, {} to grade ({} already graded), {jobs} at a time, seed {}",
        names.len(),
        submissions.display(),
        todo.len(),
        names.len() - todo.len(),
        plan.seed
    );
    println!("labkit grade-class: results, logs and the gradebook go to {}", out.display());
    println!("labkit grade-class: {}", plan.users.describe(names.len()));
    if let Some(warning) = open_submissions(&submissions, plan.users) {
        println!("labkit grade-class: warning: {warning}");
    }
    let started = Instant::now();
    let next = AtomicUsize::new(0);
    let finished = AtomicUsize::new(0);
    let graded_now = AtomicUsize::new(0);
    let cpu = Mutex::new(Cpu::default());
    let errors: Mutex<Vec<(String, String)>> = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..jobs.min(todo.len()) {
            s.spawn(|| {
                loop {
                    if grade::stopped() {
                        return;
                    }
                    let Some(&(index, name)) = todo.get(next.fetch_add(1, Ordering::SeqCst)) else { return };
                    let t0 = Instant::now();
                    let mut mine = Cpu::default();
                    let r = grade_student_counting(
                        &plan,
                        index,
                        &submissions.join(name),
                        &out.join("students").join(name),
                        &mut mine,
                    );
                    if let Ok(mut c) = cpu.lock() {
                        c.grader += mine.grader;
                        c.checks += mine.checks;
                    }
                    let n = finished.fetch_add(1, Ordering::SeqCst) + 1;
                    match r {
                        Ok(tests) => {
                            graded_now.fetch_add(1, Ordering::SeqCst);
                            let (score, max) = totals(&tests);
                            println!(
                                "[{n:>3}/{}] {name}: {score}/{max}  ({:.1}s)",
                                todo.len(),
                                t0.elapsed().as_secs_f64()
                            );
                        }
                        Err(NotGraded::Interrupted) => {}
                        Err(NotGraded::Error(e)) => {
                            println!("[{n:>3}/{}] {name}: NOT GRADED: {e}", todo.len());
                            errors.lock().unwrap_or_else(|e| e.into_inner()).push((name.to_string(), e));
                        }
                    }
                }
            });
        }
    });
    let elapsed = started.elapsed();
    let _ = std::fs::remove_dir_all(&plan.work);
    // The gradebook and the summary, from every results.json there is.
    let mut class: Vec<(String, Vec<Test>)> = Vec::new();
    for name in &names {
        let path = out.join("students").join(name).join("results.json");
        if let Ok(tests) = std::fs::read_to_string(&path).map_err(|e| e.to_string()).and_then(|t| read_tests(&t)) {
            class.push((name.clone(), tests));
        }
    }
    let csv_path = out.join("gradebook.csv");
    if let Err(e) = write_gradebook(&csv_path, &plan, &class) {
        eprintln!("labkit grade-class: cannot write {}: {e}", csv_path.display());
        return process::EXIT_USAGE;
    }
    println!();
    print!("{}", super::summary::text(&plan, &class));
    let graded_now = graded_now.load(Ordering::SeqCst);
    if graded_now > 0 {
        println!(
            "\nGraded {graded_now} students in {:.1}s ({:.1} per minute, {jobs} at a time).",
            elapsed.as_secs_f64(),
            graded_now as f64 * 60.0 / elapsed.as_secs_f64()
        );
        let cpu = cpu.lock().map(|c| *c).unwrap_or_default();
        // Everything this grade started, reaped by now: graders, reapers, programs.
        let all = children_cpu();
        let per = |d: Duration| d.as_secs_f64() * 1000.0 / cpu.checks.max(1) as f64;
        println!(
            "CPU over {} checks: the grader's own {:.1}s ({:.1} ms per check); everything, the programs and \
             their reapers included, {:.1}s ({:.1} ms per check).",
            cpu.checks,
            cpu.grader.as_secs_f64(),
            per(cpu.grader),
            all.as_secs_f64(),
            per(all)
        );
    }
    println!("Gradebook: {} ({} of {} students)", csv_path.display(), class.len(), names.len());
    if grade::stopped() {
        eprintln!(
            "labkit grade-class: interrupted: {} of {} students graded; the same command again resumes",
            class.len(),
            names.len()
        );
        return 130;
    }
    let errors = errors.into_inner().unwrap_or_default();
    if !errors.is_empty() {
        eprintln!("labkit grade-class: {} students could not be graded:", errors.len());
        for (name, e) in &errors {
            eprintln!("  {name}: {e}");
        }
        return process::EXIT_FAILED;
    }
    0
}

/// A student's score and the maximum.
pub fn totals(tests: &[Test]) -> (u32, u32) {
    (tests.iter().map(|t| t.score).sum(), tests.iter().map(|t| t.max).sum())
}

/// The labs of the plan, each once, in course order.
pub fn plan_labs(plan: &Plan) -> Vec<&'static Lab> {
    let mut labs: Vec<&Lab> = plan.programs.iter().map(|(l, _)| *l).collect();
    labs.dedup_by_key(|l| l.number);
    labs
}

/// `gradebook.csv`: a row per student, a column per lab, and the total.
fn write_gradebook(path: &Path, plan: &Plan, class: &[(String, Vec<Test>)]) -> Result<(), String> {
    let labs = plan_labs(plan);
    let max_of = |lab: &Lab| -> u32 {
        plan.programs.iter().filter(|(l, _)| l.number == lab.number).flat_map(|(_, b)| b.checks).map(|c| c.points).sum()
    };
    let tmp = path.with_extension("csv.tmp");
    let mut w = csv::Writer::from_path(&tmp).map_err(|e| e.to_string())?;
    let mut header = vec!["student".to_string()];
    header.extend(labs.iter().map(|l| format!("{} (/{})", l.id, max_of(l))));
    let all: u32 = labs.iter().map(|l| max_of(l)).sum();
    header.push(format!("total (/{all})"));
    w.write_record(&header).map_err(|e| e.to_string())?;
    for (name, tests) in class {
        let mut row = vec![name.clone()];
        for lab in &labs {
            row.push(tests.iter().filter(|t| t.lab() == Some(lab.number)).map(|t| t.score).sum::<u32>().to_string());
        }
        row.push(totals(tests).0.to_string());
        w.write_record(&row).map_err(|e| e.to_string())?;
    }
    w.flush().map_err(|e| e.to_string())?;
    drop(w);
    std::fs::rename(&tmp, path).map_err(|e| e.to_string())
}
