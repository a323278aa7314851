//! The graders: each lab's checks, as functions of the program to grade.
//!
//! A check takes a [`Grader`] (how to run things) and a [`Program`] (the
//! command line under test: the kit's own binary, or a student's program in
//! any language) and returns a [`Verdict`]. `tests/` runs every lab's checks
//! on the kit's binaries; the same checks grade students' work.
//!
//! Every run goes through `labkit reap` (see [`crate::reaper`]): the program
//! runs under a subreaper with a timeout, and whatever it leaves behind is
//! killed, reaped and reported. The grading process itself never forks or
//! reaps.
//!
//! Graders read only tagged lines, `[role PID] text`, and in them only
//! `key=value` facts (see [`crate::out::fact`]): a student's program may
//! word everything else as it likes.

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
pub mod report;
pub mod runner;
pub mod sigchld_ignore;
pub mod states;
pub mod strace;
pub mod wait_status;
pub mod zombie;

use std::io::{self, Read as _, Write as _};
use std::os::fd::{AsRawFd as _, OwnedFd};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use crate::out::Tagged;
use crate::procfs::Stat;
use crate::reaper::Report;

/// A check's outcome: `Err` says what was expected and what was seen.
pub type Verdict = Result<(), String>;

/// One graded check of a lab.
///
/// By convention a lab's first check is its *basic* check (the program runs
/// at all); when it fails, a grade reports the others as "basic check failed"
/// instead of a cascade of confusing errors.
#[derive(Debug, Clone, Copy)]
pub struct Check {
    /// A short name, as the handout's grading contract lists it.
    pub name: &'static str,
    pub points: u32,
    pub run: fn(&Grader, &Program) -> Verdict,
}

/// The program under test: a command line to which checks append their arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Program {
    pub argv: Vec<String>,
}

impl Program {
    pub fn new<S: Into<String>>(argv: impl IntoIterator<Item = S>) -> Program {
        Program { argv: argv.into_iter().map(Into::into).collect() }
    }

    /// The kit's own binary `name`, found beside the `labkit` binary.
    pub fn kit(labkit: &Path, name: &str) -> Program {
        Program::new([labkit.with_file_name(name).to_string_lossy().into_owned()])
    }

    /// The command as a person would type it.
    pub fn display(&self) -> String {
        self.argv.join(" ")
    }
}

/// What one run of a program under the reaper produced.
#[derive(Debug, Clone)]
pub struct Run {
    /// The command line that was run, for messages.
    pub command: String,
    pub stdout: String,
    pub stderr: String,
    /// The tagged lines of stdout, in order.
    pub lines: Vec<Tagged>,
    /// For each line of `stdout` (in `str::lines` order), the PIDs of the
    /// processes that wrote its bytes, as the kernel told the grader (see
    /// [`Grader::run`]); empty when unknown (a run started with
    /// [`Grader::spawn`], whose stdout is a plain pipe).
    pub writers: Vec<Vec<i32>>,
    /// What the reaper saw: exit code, orphans left behind.
    pub report: Report,
}

impl Run {
    /// The program's exit code (`128 + N` when signal N killed it).
    pub fn code(&self) -> i32 {
        self.report.code
    }

    /// The tagged lines printed by `role`.
    pub fn by<'a>(&'a self, role: &'a str) -> impl Iterator<Item = &'a Tagged> + 'a {
        self.lines.iter().filter(move |l| l.role == role)
    }

    /// The first line printed by `role` that states the fact `key=`, with its value.
    pub fn fact<'a>(&'a self, role: &str, key: &str) -> Result<(&'a Tagged, &'a str), String> {
        self.lines
            .iter()
            .filter(|l| l.role == role)
            .find_map(|l| l.fact(key).map(|v| (l, v)))
            .ok_or_else(|| format!("expected a line `[{role} PID] ... {key}=...`, found none\n{}", self.excerpt()))
    }

    /// Every value of the fact `key=` printed by `role`, in order.
    pub fn facts<'a>(&'a self, role: &'a str, key: &'a str) -> Vec<(&'a Tagged, &'a str)> {
        self.by(role).filter_map(|l| l.fact(key).map(|v| (l, v))).collect()
    }

    /// The PID a role printed its lines with (the same on all its lines).
    pub fn pid_of(&self, role: &str) -> Result<i32, String> {
        let mut pids: Vec<i32> = Vec::new();
        for line in self.by(role) {
            if !pids.contains(&line.pid) {
                pids.push(line.pid);
            }
        }
        match pids.as_slice() {
            [pid] => Ok(*pid),
            [] => Err(format!("expected lines tagged `[{role} PID]`, found none\n{}", self.excerpt())),
            _ => {
                let pids: Vec<String> = pids.iter().map(i32::to_string).collect();
                Err(format!(
                    "the lines tagged `{role}` carry different PIDs: {} (one {role} process was expected; \
                     a child that does not end with _exit() at the end of its part runs on into the \
                     parent's code and prints the parent's lines too)\n{}",
                    pids.join(", "),
                    self.excerpt()
                ))
            }
        }
    }

    /// Stdout lines that lack the `[role PID]` tag.
    pub fn untagged(&self) -> Vec<&str> {
        self.stdout.lines().filter(|l| !l.trim().is_empty() && Tagged::parse(l).is_none()).collect()
    }

    /// The value of the first `key=` fact printed by `role`, as a number (a PID, a count, a code).
    pub fn number(&self, role: &str, key: &str) -> Result<i32, String> {
        let (_, v) = self.fact(role, key)?;
        v.parse().map_err(|_| format!("`{key}={v}` printed by the {role} is not a number\n{}", self.excerpt()))
    }

    /// The basic check every lab starts with: exit code 0, nothing left
    /// behind, every stdout line tagged `[role PID]`, and every line written
    /// by the process its tag names ([`Run::expect_own_lines`]).
    pub fn expect_basic(&self) -> Verdict {
        self.expect_success()?;
        self.expect_clean()?;
        let untagged = self.untagged();
        expect(untagged.is_empty(), || {
            let lines: String = untagged.iter().take(10).map(|l| format!("  | {l}\n")).collect();
            format!("every line must start with `[role PID]`; these do not:\n{lines}")
        })?;
        self.expect_own_lines()
    }

    /// Every tagged line was written by the process whose PID its tag shows.
    ///
    /// The grader knows who wrote each line: the program's stdout is a Unix
    /// socket, and the kernel tells the reader the PID of the writer of every
    /// chunk (see [`Grader::run`]). A line tagged with one PID but written by
    /// another is text the program printed once and its output shows twice,
    /// or never printed as it claims:
    /// - text buffered before a `fork` is in the child's copy of the buffer
    ///   too; a child that ends with `exit()` (Python: `sys.exit()`, or the
    ///   end of the script) flushes it again, so the parent's lines come out
    ///   a second time, written by the child;
    /// - a line narrated on another process's behalf (`[child 4243] ...`
    ///   printed by the parent).
    ///
    /// No honest program can fail it: a process prints its own PID in its
    /// tag, and the line is written by that process. Runs whose writers are
    /// unknown ([`Grader::spawn`]) pass.
    pub fn expect_own_lines(&self) -> Verdict {
        for (text, writers) in self.stdout.lines().zip(&self.writers) {
            let Some(line) = Tagged::parse(text) else { continue };
            if writers.is_empty() || writers == &[line.pid] {
                continue;
            }
            let by: Vec<String> = writers.iter().map(i32::to_string).collect();
            let copies = self.stdout.lines().filter(|l| *l == text).count();
            let why = if copies > 1 && !writers.contains(&line.pid) {
                format!(
                    "it appears {copies} times: text printed before fork() and still in the output buffer is \
                     printed again by the child when it ends with exit() (Python: sys.exit() or the end of the \
                     script); flush before fork() and end the child with _exit()"
                )
            } else {
                "every process must print its own lines, tagged with its own PID".to_string()
            };
            return Err(format!(
                "the line\n  | {text}\nis tagged with PID {} but was written by process {}: {why}\n{}",
                line.pid,
                by.join(" and "),
                self.excerpt()
            ));
        }
        Ok(())
    }

    /// For labs with one parent and one child: the lines of each `role`
    /// carry one PID, and the roles' PIDs differ. A child that runs on past
    /// its part into the parent's code prints the parent's lines with its
    /// own PID (or a second `child` PID).
    pub fn expect_one_process_per_role(&self, roles: &[&str]) -> Verdict {
        let mut seen: Vec<(&str, i32)> = Vec::new();
        for role in roles {
            let pid = self.pid_of(role)?;
            if let Some((other, _)) = seen.iter().find(|(_, p)| *p == pid) {
                return Err(format!(
                    "the lines tagged `{other}` and `{role}` carry the same PID {pid}: two roles, one process\n{}",
                    self.excerpt()
                ));
            }
            seen.push((role, pid));
        }
        Ok(())
    }

    /// No line of a role other than `parent` states one of `facts`, the
    /// facts only the parent's part of the program prints (what `fork` or
    /// `wait` returned to it): a child that does not end with `_exit()` at
    /// the end of its part runs on into the parent's code and prints them
    /// under its own tag.
    pub fn expect_parent_only(&self, facts: &[&str]) -> Verdict {
        let stray = self.lines.iter().find(|l| l.role != "parent" && facts.iter().any(|f| l.fact(f).is_some()));
        expect(stray.is_none(), || {
            let l = stray.map(|l| format!("[{} {}] {}", l.role, l.pid, l.text)).unwrap_or_default();
            let names: Vec<String> = facts.iter().map(|f| format!("{f}=")).collect();
            format!(
                "only the parent states {}; this line does:\n  | {l}\n\
                 (a child that does not end with _exit() at the end of its part runs on into the parent's code)\n{}",
                names.join(", "),
                self.excerpt()
            )
        })
    }

    /// Fails unless the program exited with code 0.
    pub fn expect_success(&self) -> Verdict {
        expect(self.code() == 0, || format!("expected exit code 0, got {}\n{}", self.code(), self.excerpt()))
    }

    /// Fails if the program left any process behind (orphans, running or zombie).
    pub fn expect_clean(&self) -> Verdict {
        let left: Vec<String> = self
            .report
            .adopted
            .iter()
            .map(|e| {
                format!("{} ({}, {})", e.pid, e.comm, if e.killed_by_reaper { "still running: killed" } else { &e.how })
            })
            .collect();
        expect(left.is_empty(), || format!("the program left processes behind for the reaper: {}", left.join(", ")))
    }

    /// The whole run as [`Grader::keep_runs_in`] keeps it: the command, its
    /// exit code, all of stdout and stderr (unless the check read a stream
    /// itself while the program ran: `taken`), and the reaper's report.
    fn log_text(&self, reaper_report: &str, taken: (bool, bool)) -> String {
        let stream = |text: &str, taken: bool| {
            if taken {
                "(read by the check while the program ran: see the check's message)\n".into()
            } else {
                text.to_string()
            }
        };
        format!(
            "command: {}\nexit code: {}{}\n\n--- stdout ---\n{}\n--- stderr ---\n{}\n--- reaper report ---\n{}",
            self.command,
            self.code(),
            if self.report.timed_out { " (timed out: killed with all its processes)" } else { "" },
            stream(&self.stdout, taken.0),
            stream(&self.stderr, taken.1),
            reaper_report
        )
    }

    /// The output, for a failure message (at most 40 lines of each stream).
    pub fn excerpt(&self) -> String {
        let cut = |s: &str| s.lines().take(40).map(|l| format!("  | {l}\n")).collect::<String>();
        format!(
            "`{}` printed:\n{}{}",
            self.command,
            cut(&self.stdout),
            if self.stderr.is_empty() { String::new() } else { format!("stderr:\n{}", cut(&self.stderr)) }
        )
    }
}

/// Values as a student reads them in a message: `0, 10` (or `none`).
pub fn listed<T: std::fmt::Display>(values: &[T]) -> String {
    if values.is_empty() {
        return "none".into();
    }
    values.iter().map(T::to_string).collect::<Vec<_>>().join(", ")
}

/// `Ok(())` if `cond`, else the message.
pub fn expect(cond: bool, msg: impl FnOnce() -> String) -> Verdict {
    if cond { Ok(()) } else { Err(msg()) }
}

/// How programs are run for grading: through `labkit reap`, with a timeout,
/// in a scratch folder of the grader's own that is removed afterwards.
#[derive(Debug)]
pub struct Grader {
    labkit: PathBuf,
    /// How long one run may take before it is killed with all its processes.
    pub timeout: Duration,
    /// How long orphans may outlive the program before they count as left running.
    pub grace: Duration,
    /// For servers that take no arguments and bind a fixed port (the course's
    /// `server.py` binds 0.0.0.0:8888): checks start such a server with no
    /// arguments and talk to 127.0.0.1 on this port, one check at a time.
    /// `None`: servers are started with `--port 0` and print their address.
    pub fixed_port: Option<u16>,
    /// Variables of the grader's own environment that graded programs keep
    /// (`labkit grade --keep-env NAME`); see [`Grader::environment`].
    pub keep_env: Vec<String>,
    scratch: PathBuf,
    /// Where each run's output is kept ([`Grader::keep_runs_in`]), if anywhere.
    keep: Option<PathBuf>,
    /// Every run started, for the grading front end ([`Grader::runs`]).
    runs: Arc<Mutex<RunLog>>,
}

/// One run a [`Grader`] started, as the grading front end sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunRecord {
    /// The command line run (without the reaper).
    pub command: String,
    /// The `labkit reap` process that runs it.
    pub reaper_pid: u32,
    /// The file holding the run's whole output, once [`Running::finish`]
    /// wrote it (only with [`Grader::keep_runs_in`]).
    pub log: Option<PathBuf>,
    /// Whether the reaper killed the run at the timeout.
    pub timed_out: bool,
}

#[derive(Debug, Default)]
struct RunLog {
    records: Vec<RunRecord>,
    /// Set by [`Grader::abandon`]: no new run may start.
    closed: bool,
}

fn lock(log: &Mutex<RunLog>) -> MutexGuard<'_, RunLog> {
    log.lock().unwrap_or_else(|e| e.into_inner())
}

impl Grader {
    /// A grader that runs programs through the `labkit` binary at `labkit`.
    pub fn new(labkit: impl Into<PathBuf>) -> io::Result<Grader> {
        let scratch = std::env::temp_dir().join(format!("labkit-grade-{}-{:x}", std::process::id(), random_u64()));
        std::fs::create_dir_all(&scratch)?;
        Ok(Grader {
            labkit: labkit.into(),
            timeout: Duration::from_secs(20),
            grace: Duration::from_millis(300),
            fixed_port: None,
            keep_env: Vec::new(),
            scratch,
            keep: None,
            runs: Arc::default(),
        })
    }

    /// Keep every run's output (command, exit code, stdout, stderr and the
    /// reaper's report) in `dir/run-N.log` instead of discarding it, so a
    /// teacher can read the whole output behind a failed check.
    pub fn keep_runs_in(&mut self, dir: impl Into<PathBuf>) -> io::Result<()> {
        let dir = dir.into();
        std::fs::create_dir_all(&dir)?;
        self.keep = Some(dir);
        Ok(())
    }

    /// The runs started so far, in order.
    pub fn runs(&self) -> Vec<RunRecord> {
        lock(&self.runs).records.clone()
    }

    /// Give up on the runs still going (for a check that hangs, or an
    /// interrupted grade): ask each run's reaper to stop (`SIGTERM`: it kills
    /// and reaps everything the run made), reap the reapers, remove the
    /// scratch folder, and refuse any new run from now on. Returns how many
    /// runs were still going.
    pub fn abandon(&self) -> usize {
        let pids: Vec<i32> = {
            let mut log = lock(&self.runs);
            log.closed = true;
            log.records.iter().map(|r| r.reaper_pid as i32).collect()
        };
        let me = std::process::id() as i32;
        // Only our own children that are still `labkit reap` processes: a PID
        // reaped meanwhile may have been reused by anything.
        let ours = |pid: i32| matches!(crate::procfs::stat(pid), Ok(Some(s)) if s.ppid == me);
        let going: Vec<i32> = pids.into_iter().filter(|&p| ours(p)).collect();
        for &pid in &going {
            let _ = nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), nix::sys::signal::Signal::SIGTERM);
        }
        // The reaper kills everything at once on SIGTERM; give it time to reap.
        let end = Instant::now() + self.grace + Duration::from_secs(5);
        for &pid in &going {
            let pid = nix::unistd::Pid::from_raw(pid);
            // `Err` (ECHILD): the check's own thread reaped it first.
            let left = end.saturating_duration_since(Instant::now());
            crate::procfs::poll_until(left, || !matches!(crate::process::try_wait(Some(pid)), Ok(None)));
        }
        // The check may never return to drop the grader: tidy up now.
        let _ = std::fs::remove_dir_all(&self.scratch);
        going.len()
    }

    /// The `labkit` binary the grader runs programs through.
    pub fn labkit(&self) -> &Path {
        &self.labkit
    }

    /// The environment every graded program runs in, the same on every
    /// machine: a grade must not depend on the grader's own variables
    /// (`PYTHONUNBUFFERED=1` would hide a Python program that loses its
    /// buffered output at `os._exit`; `LD_PRELOAD`, a locale or `TMPDIR`
    /// could change what a program does). It holds `PATH` (the grader's, to
    /// find `python3` and the like; `/usr/local/bin:/usr/bin:/bin` if it has
    /// none), `HOME` (the grader's scratch folder) and `LANG=C.UTF-8`, plus
    /// the [`Grader::keep_env`] variables the grader has.
    pub fn environment(&self) -> Vec<(String, String)> {
        let path = std::env::var("PATH").unwrap_or_else(|_| "/usr/local/bin:/usr/bin:/bin".into());
        let mut env = vec![
            ("PATH".to_string(), path),
            ("HOME".to_string(), self.scratch.to_string_lossy().into_owned()),
            ("LANG".to_string(), "C.UTF-8".to_string()),
        ];
        for name in &self.keep_env {
            if let Ok(value) = std::env::var(name) {
                env.retain(|(k, _)| k != name);
                env.push((name.clone(), value));
            }
        }
        env
    }

    /// A fresh path in the grader's scratch folder, with a random name.
    pub fn scratch_path(&self, stem: &str) -> PathBuf {
        self.scratch.join(format!("{stem}-{:x}", random_u64() & 0xffff_ffff))
    }

    /// Start `program args...` under the reaper with piped stdin, stdout and
    /// stderr, for checks that talk to the program while it runs (they may
    /// take `child.stdout`). Who wrote each line is not known
    /// ([`Run::writers`] is empty): checks that only read the output at the
    /// end use [`Grader::spawn_watched`] or [`Grader::run`].
    pub fn spawn(&self, program: &Program, args: &[&str]) -> io::Result<Running> {
        self.start(program, args, false)
    }

    /// [`Grader::spawn`], but the program's stdout is a Unix stream socket
    /// whose reading end asks the kernel for each writer's credentials
    /// (`SO_PASSCRED`): every chunk read comes from one process, with its
    /// PID, so [`Run::writers`] says who wrote each line. To the program it
    /// is an ordinary non-terminal stdout, block-buffered like a pipe.
    /// `child.stdout` is `None`: the output is read by [`Running::finish`].
    pub fn spawn_watched(&self, program: &Program, args: &[&str]) -> io::Result<Running> {
        self.start(program, args, true)
    }

    fn start(&self, program: &Program, args: &[&str], writers: bool) -> io::Result<Running> {
        use nix::sys::socket::{AddressFamily, SockFlag, SockType, setsockopt, socketpair, sockopt};
        let (stdout, socket) = if writers {
            let (ours, theirs) = socketpair(AddressFamily::Unix, SockType::Stream, None, SockFlag::SOCK_CLOEXEC)
                .map_err(io::Error::from)?;
            setsockopt(&ours, sockopt::PassCred, &true).map_err(io::Error::from)?;
            // The program only writes; the grader only reads.
            let _ = nix::sys::socket::shutdown(ours.as_raw_fd(), nix::sys::socket::Shutdown::Write);
            (Stdio::from(theirs), Some(ours))
        } else {
            (Stdio::piped(), None)
        };
        let report = self.scratch_path("reap");
        let mut log = lock(&self.runs);
        if log.closed {
            return Err(io::Error::other("the grader gave up on this check: no new run"));
        }
        let child = Command::new(&self.labkit)
            .arg("reap")
            .arg("--timeout")
            .arg(format!("{}ms", self.timeout.as_millis()))
            .arg("--grace")
            .arg(format!("{}ms", self.grace.as_millis()))
            .arg("--report")
            .arg(&report)
            .arg("--")
            .args(&program.argv)
            .args(args)
            .env_clear()
            .envs(self.environment())
            .current_dir(&self.scratch)
            .stdin(Stdio::piped())
            .stdout(stdout)
            .stderr(Stdio::piped())
            .spawn()?;
        let command = program.argv.iter().map(String::as_str).chain(args.iter().copied()).collect::<Vec<_>>().join(" ");
        let index = log.records.len();
        let keep = self.keep.as_ref().map(|dir| dir.join(format!("run-{}.log", index + 1)));
        log.records.push(RunRecord { command: command.clone(), reaper_pid: child.id(), log: None, timed_out: false });
        let env = self.environment().iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(" ");
        Ok(Running { child, socket, report, command, env, keep, record: (Arc::clone(&self.runs), index) })
    }

    /// Run `program args...` to its end with `stdin` as its input.
    pub fn run_with_input(&self, program: &Program, args: &[&str], stdin: &[u8]) -> Result<Run, String> {
        let running =
            self.spawn(program, args).map_err(|e| format!("cannot start the reaper {}: {e}", self.labkit.display()))?;
        Self::feed(running, stdin)
    }

    /// Run `program args...` to its end with empty input.
    pub fn run(&self, program: &Program, args: &[&str]) -> Result<Run, String> {
        self.run_with_input(program, args, b"")
    }

    /// [`Grader::run`], knowing who wrote each line of the output (see
    /// [`Grader::spawn_watched`]), so that [`Run::expect_basic`] also checks
    /// that every line was written by the process its tag names.
    pub fn run_watched(&self, program: &Program, args: &[&str]) -> Result<Run, String> {
        let running = self
            .spawn_watched(program, args)
            .map_err(|e| format!("cannot start the reaper {}: {e}", self.labkit.display()))?;
        Self::feed(running, b"")
    }

    fn feed(mut running: Running, stdin: &[u8]) -> Result<Run, String> {
        if let Some(mut input) = running.child.stdin.take() {
            let _ = input.write_all(stdin); // a program that never reads its input is fine
        }
        running.finish()
    }
}

/// Checks about time on a machine that may be busy.
///
/// A check that gives a program a window (a child sleeps 300 ms so that the
/// grader can see it in `/proc`; a parent polls every 10 ms while its child
/// sleeps 100 ms) can miss it on a loaded machine through no fault of the
/// program. Such a check runs its body through [`Grader::timed`]: first with
/// its usual delays (fast when the machine is idle), and if that fails, once
/// more with every delay and deadline multiplied by a [`Pace`] measured on
/// the machine at that moment. A program fails only if it fails both times:
/// a bug does not go away with more time; a busy machine does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pace(pub u32);

impl Pace {
    /// The usual delays.
    pub const USUAL: Pace = Pace(1);

    /// `d` at this pace.
    pub fn of(self, d: Duration) -> Duration {
        d * self.0
    }

    /// A delay flag's value at this pace, e.g. `"300ms"` → `"1200ms"`.
    pub fn flag(self, d: Duration) -> String {
        format!("{}ms", self.of(d).as_millis())
    }

    /// The pace for a second try, from the machine's load right now: 4
    /// times the usual, times how many runnable tasks there are per core
    /// (`/proc/loadavg`'s running count over the online CPUs), at most 40.
    pub fn measured() -> Pace {
        let cores = std::thread::available_parallelism().map_or(1, usize::from) as u32;
        let running = std::fs::read_to_string("/proc/loadavg")
            .ok()
            .and_then(|l| l.split_whitespace().nth(3)?.split_once('/')?.0.parse::<u32>().ok())
            .unwrap_or(1);
        Pace((4 * running.div_ceil(cores).max(1)).min(40))
    }
}

impl Grader {
    /// Run a check's `body` about time at the usual pace, and if it fails,
    /// once more at the [`Pace::measured`] one (see [`Pace`]). The second
    /// failure is the verdict, and says that it failed twice. A first try
    /// that ran into the run timeout is not retried: the program hung.
    pub fn timed(&self, body: impl Fn(Pace) -> Verdict) -> Verdict {
        let before = lock(&self.runs).records.len();
        let Err(first) = body(Pace::USUAL) else { return Ok(()) };
        if lock(&self.runs).records[before..].iter().any(|r| r.timed_out) {
            return Err(first);
        }
        let pace = Pace::measured();
        body(pace).map_err(|why| {
            format!(
                "{why}\n(failed twice: with the usual delays, then with every delay and deadline {}x longer, \
                 so not because the machine was busy)",
                pace.0
            )
        })
    }
}

impl Drop for Grader {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.scratch);
    }
}

/// A program started by [`Grader::spawn`].
#[derive(Debug)]
pub struct Running {
    pub child: Child,
    /// The grader's end of the program's stdout, for [`Grader::spawn_watched`].
    socket: Option<OwnedFd>,
    report: PathBuf,
    command: String,
    /// The environment it runs in, as `NAME=value` words, for its log.
    env: String,
    /// Where to keep the run's whole output, if the grader keeps it.
    keep: Option<PathBuf>,
    /// This run's entry in the grader's [`RunRecord`]s.
    record: (Arc<Mutex<RunLog>>, usize),
}

impl Running {
    /// The PID of the reaper running the program: the program's parent.
    pub fn reaper_pid(&self) -> i32 {
        self.child.id() as i32
    }

    /// Watch the program's processes in `/proc` while it runs: about every
    /// millisecond, call `seen` with every descendant of the reaper (the
    /// program's main process, its children, ..., parents first) until
    /// `seen` returns true (then `true`), or the program has ended or
    /// `deadline` has passed (then `false`). This is the grader's own
    /// evidence, independent of what the program prints.
    pub fn watch(&mut self, deadline: Duration, mut seen: impl FnMut(&[Stat]) -> bool) -> bool {
        let reaper = self.reaper_pid();
        let mut found = false;
        crate::procfs::poll_until(deadline, || {
            found = seen(&crate::procfs::descendants(reaper));
            found || !matches!(self.child.try_wait(), Ok(None))
        });
        found
    }

    /// Close stdin, wait for the program (and the reaper) to end, and collect
    /// its output and the reaper's report. A timeout or a program that could
    /// not be started is an `Err` with the reason.
    pub fn finish(mut self) -> Result<Run, String> {
        drop(self.child.stdin.take());
        // A check that read the program's output while it ran took the pipes.
        let taken = (self.child.stdout.is_none() && self.socket.is_none(), self.child.stderr.is_none());
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let mut stderr = self.child.stderr.take();
        let err_reader = std::thread::spawn(move || {
            if let Some(s) = stderr.as_mut() {
                let _ = s.read_to_end(&mut err);
            }
            err
        });
        let mut chunks: Vec<(i32, usize)> = Vec::new();
        if let Some(mut s) = self.child.stdout.take() {
            let _ = s.read_to_end(&mut out);
        } else if let Some(socket) = self.socket.take() {
            chunks = read_with_writers(&socket, &mut out);
            // A reaper that caps the output (`labkit reap --max-output`)
            // relays it: then it wrote every byte, and who wrote each line
            // is unknown rather than wrong.
            let reaper = self.child.id() as i32;
            if chunks.iter().any(|&(pid, _)| pid == reaper) {
                chunks.clear();
            }
        }
        let err = err_reader.join().unwrap_or_default();
        let status = self.child.wait().map_err(|e| format!("waiting for the reaper: {e}"))?;
        let text = std::fs::read_to_string(&self.report).unwrap_or_default();
        let _ = std::fs::remove_file(&self.report);
        let report = Report::from_text(&text).ok_or_else(|| format!("the reaper ended ({status}) without a report"))?;
        let writers = line_writers(&out, &chunks);
        let stdout = String::from_utf8_lossy(&out).into_owned();
        let run = Run {
            command: self.command,
            lines: stdout.lines().filter_map(Tagged::parse).collect(),
            writers,
            stdout,
            stderr: String::from_utf8_lossy(&err).into_owned(),
            report,
        };
        let log = format!("environment: {}\n{}", self.env, run.log_text(&text, taken));
        let kept = self.keep.filter(|path| std::fs::write(path, &log).is_ok());
        if let Some(r) = lock(&self.record.0).records.get_mut(self.record.1) {
            r.log = kept;
            r.timed_out = run.report.timed_out;
        }
        if let Some(e) = &run.report.spawn_error {
            return Err(format!("could not run `{}`: {e}", run.command));
        }
        if run.report.timed_out {
            return Err(format!(
                "`{}` did not finish in time: killed with all its processes\n{}",
                run.command,
                run.excerpt()
            ));
        }
        Ok(run)
    }
}

/// Read a [`Grader::spawn_watched`] socket to its end into `out`: returns
/// `(writer PID, length)` for each run of bytes, in order. The kernel never
/// joins bytes of two writers in one read, and gives the writer's
/// credentials with each (`SCM_CREDENTIALS`).
fn read_with_writers(socket: &OwnedFd, out: &mut Vec<u8>) -> Vec<(i32, usize)> {
    use nix::sys::socket::{ControlMessageOwned, MsgFlags, UnixCredentials, recvmsg};
    let mut chunks: Vec<(i32, usize)> = Vec::new();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let mut cmsg = nix::cmsg_space!(UnixCredentials);
        let mut iov = [io::IoSliceMut::new(&mut buf)];
        let (n, pid) = match recvmsg::<()>(socket.as_raw_fd(), &mut iov, Some(&mut cmsg), MsgFlags::empty()) {
            Ok(msg) => {
                let pid = msg.cmsgs().ok().into_iter().flatten().find_map(|c| match c {
                    ControlMessageOwned::ScmCredentials(cred) => Some(cred.pid()),
                    _ => None,
                });
                (msg.bytes, pid.unwrap_or(0))
            }
            Err(nix::errno::Errno::EINTR) => continue,
            Err(_) => break,
        };
        if n == 0 {
            break;
        }
        out.extend_from_slice(&buf[..n]);
        match chunks.last_mut() {
            Some((last, len)) if *last == pid => *len += n,
            _ => chunks.push((pid, n)),
        }
    }
    chunks
}

/// For each line of `out` (as `str::lines` splits it), the distinct writers
/// of its bytes, from [`read_with_writers`]'s runs; all empty without runs.
fn line_writers(out: &[u8], chunks: &[(i32, usize)]) -> Vec<Vec<i32>> {
    // The writer of every byte, run by run.
    let mut owner = Vec::with_capacity(out.len());
    for &(pid, len) in chunks {
        owner.extend(std::iter::repeat_n(pid, len));
    }
    let mut lines = Vec::new();
    let mut start = 0;
    for (i, &b) in out.iter().enumerate().chain(std::iter::once((out.len(), &b'\n'))) {
        if b != b'\n' || (i == out.len() && start == out.len()) {
            continue;
        }
        let mut who: Vec<i32> = Vec::new();
        for &pid in owner.get(start..i).unwrap_or(&[]) {
            if pid != 0 && !who.contains(&pid) {
                who.push(pid);
            }
        }
        lines.push(who);
        start = i + 1;
    }
    lines
}

thread_local! {
    /// The state of this thread's input stream, once [`seed_inputs`] set it.
    static INPUTS: std::cell::Cell<Option<u64>> = const { std::cell::Cell::new(None) };
}

/// Make this thread's inputs ([`draw_u64`], [`random_in`]) a replayable
/// stream: the same `seed` and `check` name give the same inputs, in the
/// same order, whichever other checks run before or beside it. `labkit
/// grade` seeds each check's thread from its `--seed`.
pub fn seed_inputs(seed: u64, check: &str) {
    // FNV-1a of the check's name, mixed into the seed.
    let name = check.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3));
    INPUTS.with(|s| s.set(Some(seed ^ name)));
}

/// The next input of the check running on this thread: from its seeded
/// stream ([`seed_inputs`], splitmix64), or from the kernel if unseeded.
/// Inputs only: a name that must be unique (a scratch file) uses
/// [`random_u64`], which a seed never repeats.
pub fn draw_u64() -> u64 {
    INPUTS.with(|s| match s.get() {
        None => random_u64(),
        Some(state) => {
            let state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
            s.set(Some(state));
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^ (z >> 31)
        }
    })
}

/// A random number from the kernel (`getrandom(2)`), never replayed: for
/// unique names. A check's *inputs* come from [`draw_u64`] and
/// [`random_in`], so that `--seed` replays them.
pub fn random_u64() -> u64 {
    let mut buf = [0u8; 8];
    // SAFETY: writes at most 8 bytes into `buf`.
    let got = unsafe { libc::getrandom(buf.as_mut_ptr().cast(), buf.len(), 0) };
    if got != 8 {
        // Practically unreachable; fall back to the clock so inputs still vary.
        let t = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
        return t.as_nanos() as u64 ^ u64::from(std::process::id());
    }
    u64::from_ne_bytes(buf)
}

/// A check's input in `lo..=hi` (see [`draw_u64`]).
pub fn random_in(lo: u64, hi: u64) -> u64 {
    lo + draw_u64() % (hi - lo + 1)
}

/// One `reaped pid=N ... adopted=yes|no` line of a `reaper` (see
/// [`crate::process::under_reaper`]).
#[derive(Debug, Clone, Copy)]
pub struct ReaperReaped<'a> {
    pub pid: i32,
    /// `adopted=yes`: an orphan re-parented to the reaper, not a child it forked.
    pub adopted: bool,
    pub line: &'a Tagged,
}

/// For labs whose family runs under a reaper (the process tagged `reaper`
/// makes itself a subreaper and reaps everything): what the reaper reaped,
/// in order (its lines with `pid=` and `adopted=` facts), after checking that its last line shows `wait()` failing with
/// `errno=ECHILD` (nothing left).
pub fn reaper_reaped(run: &Run) -> Result<Vec<ReaperReaped<'_>>, String> {
    let mut reaped = Vec::new();
    for (line, adopted) in run.facts("reaper", "adopted") {
        let pid = line.fact("pid").and_then(|p| p.parse().ok());
        let (Some(pid), "yes" | "no") = (pid, adopted) else {
            return Err(format!(
                "a reaper line `reaped pid=N ... adopted=yes|no` is malformed: `{}`\n{}",
                line.text,
                run.excerpt()
            ));
        };
        reaped.push(ReaperReaped { pid, adopted: adopted == "yes", line });
    }
    let last = run.by("reaper").last();
    expect(last.and_then(|l| l.fact("errno")) == Some("ECHILD"), || {
        format!("the reaper's last line must show wait() failing with errno=ECHILD (nothing left)\n{}", run.excerpt())
    })?;
    Ok(reaped)
}

/// For labs under a reaper: the reaper reaped exactly these processes
/// (`(who, pid, adopted)`), each with `code=0`, and then found nothing left.
pub fn expect_reaper_reaped_exactly(run: &Run, family: &[(&str, i32, bool)]) -> Verdict {
    let reaped = reaper_reaped(run)?;
    for &(who, pid, adopted) in family {
        let found = reaped.iter().find(|r| r.pid == pid);
        expect(found.is_some_and(|r| r.adopted == adopted && r.line.fact("code") == Some("0")), || {
            let want = if adopted { "yes" } else { "no" };
            format!(
                "the reaper should show `reaped pid={pid} ... code=0 adopted={want}` for the {who}\n{}",
                run.excerpt()
            )
        })?;
    }
    let names: Vec<&str> = family.iter().map(|f| f.0).collect();
    expect(reaped.len() == family.len(), || {
        format!(
            "the reaper should reap exactly the {}, reaped {}\n{}",
            names.join(" and the "),
            reaped.len(),
            run.excerpt()
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_line_is_attributed_to_the_writers_of_its_bytes() {
        let out = b"[parent 1] a\n[parent 1] b\n[child 2] c\nhalf";
        // Process 2 wrote "[parent 1] a\n" (a copied buffer), then its own line.
        let chunks = [(2, 13), (1, 13), (2, 12), (1, 4)];
        let writers = line_writers(out, &chunks);
        assert_eq!(writers, vec![vec![2], vec![1], vec![2], vec![1]]);
        assert_eq!(line_writers(b"x\ny", &[(5, 2), (6, 1)]), vec![vec![5], vec![6]]);
        assert_eq!(line_writers(b"xy\n", &[(5, 1), (6, 2)]), vec![vec![5, 6]]);
        assert_eq!(line_writers(b"a\n", &[]), vec![Vec::<i32>::new()]);
        assert!(line_writers(b"", &[]).is_empty());
    }

    fn run_of(stdout: &str, writers: Vec<Vec<i32>>) -> Run {
        Run {
            command: "prog".into(),
            stdout: stdout.into(),
            stderr: String::new(),
            lines: stdout.lines().filter_map(Tagged::parse).collect(),
            writers,
            report: Report::default(),
        }
    }

    #[test]
    fn a_line_written_by_another_process_than_its_tag_fails() {
        let text = "[parent 1] before fork\n[child 2] hi\n[parent 1] before fork\n[parent 1] done\n";
        let honest = run_of(text, vec![vec![1], vec![2], vec![1], vec![1]]);
        assert_eq!(honest.expect_own_lines(), Ok(()));
        let copied = run_of(text, vec![vec![2], vec![2], vec![1], vec![1]]);
        let err = copied.expect_own_lines().unwrap_err();
        assert!(err.contains("tagged with PID 1 but was written by process 2") && err.contains("2 times"), "{err}");
        // Unknown writers (a plain pipe): nothing to check.
        assert_eq!(run_of(text, Vec::new()).expect_own_lines(), Ok(()));
    }

    #[test]
    fn parent_facts_on_a_child_line_and_two_pids_for_one_role_fail() {
        let run = run_of("[parent 1] child=2\n[child 2] a=1\n[child 2] fork() returned child=0\n", Vec::new());
        assert!(run.expect_parent_only(&["child"]).unwrap_err().contains("[child 2] fork() returned child=0"));
        let run = run_of("[parent 1] x\n[child 2] y\n[parent 2] z\n", Vec::new());
        let err = run.expect_one_process_per_role(&["parent", "child"]).unwrap_err();
        assert!(err.contains("different PIDs: 1, 2"), "{err}");
    }
}
