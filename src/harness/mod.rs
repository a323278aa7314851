//! The harness: how a check runs a program and what it gets back.
//!
//! A check takes a [`Grader`] (how to run things) and a [`Program`] (the
//! command line under test: the kit's own binary, or a student's program in
//! any language). Every program runs through `labkit reap`, the grader's
//! *supervisor* (see [`crate::reaper`]): a subreaper with a timeout that
//! kills, reaps and reports whatever the program leaves behind. The grading
//! process itself never forks or reaps.
//!
//! A finished run is a [`Transcript`]: the output, its tagged lines, who
//! wrote each line, and the supervisor's report. Graders read only tagged
//! lines, `[role PID] text`, and in them only `key=value` facts (see
//! [`crate::out::fact`]): a student's program may word everything else as it
//! likes.

pub mod strace;
mod transcript;

pub use transcript::Transcript;

use std::io::{self, Read as _, Write as _};
use std::os::fd::{AsRawFd as _, OwnedFd};
use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use crate::out::Tagged;
use crate::procfs::Stat;
use crate::random::random_u64;
use crate::reaper::{Caps, OutputCount, Report};
use crate::trace::Trace;

/// A check's outcome: `Err` says what was expected and what was seen.
pub type Verdict = Result<(), String>;

/// `Ok(())` if `cond`, else the message.
pub fn expect(cond: bool, msg: impl FnOnce() -> String) -> Verdict {
    if cond { Ok(()) } else { Err(msg()) }
}

/// The program under test: a command line to which checks append their arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Program {
    pub argv: Vec<String>,
    /// For a server that takes no arguments and binds a fixed port (the
    /// course's `server.py` binds 0.0.0.0:8888, `labkit grade --port`):
    /// checks start it with no arguments and talk to 127.0.0.1 on this port,
    /// one check at a time. `None`: a server is started with `--port 0` and
    /// prints its address.
    pub fixed_port: Option<u16>,
}

impl Program {
    pub fn new<S: Into<String>>(argv: impl IntoIterator<Item = S>) -> Program {
        Program { argv: argv.into_iter().map(Into::into).collect(), fixed_port: None }
    }

    /// The kit's own binary `name`, found beside the `labkit` binary.
    pub fn kit(labkit: &Path, name: &str) -> Program {
        Program::new([labkit.with_file_name(name).to_string_lossy().into_owned()])
    }

    /// This program, as a server bound to the fixed `port` (see [`Program::fixed_port`]).
    pub fn on_fixed_port(self, port: Option<u16>) -> Program {
        Program { fixed_port: port, ..self }
    }

    /// The command as a person would type it.
    pub fn display(&self) -> String {
        self.argv.join(" ")
    }
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
    /// Variables of the grader's own environment that graded programs keep
    /// (`labkit grade --keep-env NAME`); see [`Grader::environment`].
    pub keep_env: Vec<String>,
    /// What every run may use, and the user it runs as ([`Grader::confine`]).
    caps: Caps,
    /// The programs' folder (their working directory and `HOME`), in
    /// `base`, removed with it.
    scratch: PathBuf,
    /// The grader's own files (the supervisors' reports), in `base`: never
    /// the programs' to touch, even when they run as another user.
    own: PathBuf,
    base: PathBuf,
    /// Where each run's output is kept ([`Grader::keep_runs_in`]), if anywhere.
    keep: Option<PathBuf>,
    /// Every run started, for the grading front end ([`Grader::runs`]).
    runs: Arc<Mutex<SpawnLog>>,
}

/// One run a [`Grader`] started, as the grading front end sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpawnRecord {
    /// The command line run (without the supervisor).
    pub command: String,
    /// The supervisor (`labkit reap`) that runs it.
    pub supervisor_pid: u32,
    /// The file holding the run's whole output, once [`Spawned::finish`]
    /// wrote it (only with [`Grader::keep_runs_in`]).
    pub log: Option<PathBuf>,
    /// Whether the supervisor killed the run at the timeout.
    pub timed_out: bool,
    /// What it printed ([`Transcript::excerpt`]), once it finished, unless
    /// the check read its output itself while it ran: the context the front
    /// end adds to a failed check's message.
    pub excerpt: Option<String>,
    /// For a run under `labkit trace` ([`Grader::run_traced`]): the drawn
    /// trace ([`trace_picture`]), which the front end also adds to a
    /// failed check's message.
    pub trace: Option<String>,
}

#[derive(Debug, Default)]
struct SpawnLog {
    records: Vec<SpawnRecord>,
    /// Set by [`Grader::abandon`]: no new run may start.
    closed: bool,
}

fn lock(log: &Mutex<SpawnLog>) -> MutexGuard<'_, SpawnLog> {
    log.lock().unwrap_or_else(|e| e.into_inner())
}

impl Grader {
    /// A grader that runs programs through the `labkit` binary at `labkit`.
    pub fn new(labkit: impl Into<PathBuf>) -> io::Result<Grader> {
        let base = std::env::temp_dir().join(format!("labkit-grade-{}-{:x}", std::process::id(), random_u64()));
        let (scratch, own) = (base.join("programs"), base.join("grader"));
        std::fs::create_dir_all(&scratch)?;
        std::fs::create_dir_all(&own)?;
        std::fs::set_permissions(&own, std::fs::Permissions::from_mode(0o700))?;
        Ok(Grader {
            labkit: labkit.into(),
            timeout: Duration::from_secs(20),
            grace: Duration::from_millis(300),
            keep_env: Vec::new(),
            caps: Caps::default(),
            scratch,
            own,
            base,
            keep: None,
            runs: Arc::default(),
        })
    }

    /// Run every program within `caps` (`labkit reap --max-output ...`), and
    /// as `caps.user` if given: the scratch folder then becomes that user's.
    pub fn confine(&mut self, caps: Caps) -> io::Result<()> {
        self.caps = caps;
        self.hand_over(&self.scratch)?;
        if caps.user.is_some() {
            std::fs::set_permissions(&self.scratch, std::fs::Permissions::from_mode(0o700))?;
        }
        Ok(())
    }

    /// A new grader with this one's settings (another scratch folder): for
    /// a check that needs other limits, e.g. a shorter timeout.
    pub fn alike(&self) -> io::Result<Grader> {
        let mut g = Grader::new(&self.labkit)?;
        g.timeout = self.timeout;
        g.grace = self.grace;
        g.keep_env.clone_from(&self.keep_env);
        g.confine(self.caps)?;
        Ok(g)
    }

    /// Give `path` (made by the grader in its scratch folder) to the user
    /// programs run as ([`Grader::confine`]), so that they may write there.
    pub fn hand_over(&self, path: &Path) -> io::Result<()> {
        match self.caps.user {
            Some(uid) => std::os::unix::fs::lchown(path, Some(uid), Some(uid)),
            None => Ok(()),
        }
    }

    /// Whether programs run as root: then only a check that drops to
    /// another user can see a permission refused.
    pub fn programs_run_as_root(&self) -> bool {
        // SAFETY: geteuid has no preconditions and cannot fail.
        self.caps.user.map_or_else(|| unsafe { libc::geteuid() } == 0, |u| u == 0)
    }

    /// Keep every run's output (command, exit code, stdout, stderr and the
    /// supervisor's report) in `dir/run-N.log` instead of discarding it, so a
    /// teacher can read the whole output behind a failed check.
    pub fn keep_runs_in(&mut self, dir: impl Into<PathBuf>) -> io::Result<()> {
        let dir = dir.into();
        std::fs::create_dir_all(&dir)?;
        self.keep = Some(dir);
        Ok(())
    }

    /// The runs started so far, in order.
    pub fn runs(&self) -> Vec<SpawnRecord> {
        lock(&self.runs).records.clone()
    }

    /// Give up on the runs still going (for a check that hangs, or an
    /// interrupted grade): ask each run's supervisor to stop (`SIGTERM`: it
    /// kills and reaps everything the run made), reap the supervisors, remove the
    /// scratch folder, and refuse any new run from now on. Returns how many
    /// runs were still going.
    pub fn abandon(&self) -> usize {
        let pids: Vec<i32> = {
            let mut log = lock(&self.runs);
            log.closed = true;
            log.records.iter().map(|r| r.supervisor_pid as i32).collect()
        };
        let me = std::process::id() as i32;
        // Only our own children that are still `labkit reap` processes: a PID
        // reaped meanwhile may have been reused by anything.
        let ours = |pid: i32| matches!(crate::procfs::stat(pid), Ok(Some(s)) if s.ppid == me);
        let going: Vec<i32> = pids.into_iter().filter(|&p| ours(p)).collect();
        for &pid in &going {
            let _ = nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), nix::sys::signal::Signal::SIGTERM);
        }
        // The supervisor kills everything at once on SIGTERM; give it time to reap.
        let end = Instant::now() + self.grace + Duration::from_secs(5);
        for &pid in &going {
            let pid = nix::unistd::Pid::from_raw(pid);
            // `Err` (ECHILD): the check's own thread reaped it first.
            let left = end.saturating_duration_since(Instant::now());
            crate::procfs::poll_until(left, || !matches!(crate::process::try_wait(Some(pid)), Ok(None)));
        }
        // The check may never return to drop the grader: tidy up now.
        let _ = std::fs::remove_dir_all(&self.base);
        going.len()
    }

    /// The `labkit` binary the grader runs programs through.
    pub fn labkit(&self) -> &Path {
        &self.labkit
    }

    /// The environment every graded program runs in: [`clean_environment`]
    /// with `HOME` in the grader's scratch folder.
    pub fn environment(&self) -> Vec<(String, String)> {
        clean_environment(&self.scratch.to_string_lossy(), &self.keep_env)
    }

    /// A fresh path in the grader's scratch folder, with a random name.
    pub fn scratch_path(&self, stem: &str) -> PathBuf {
        self.scratch.join(format!("{stem}-{:x}", random_u64() & 0xffff_ffff))
    }

    /// Start `program args...` under a supervisor with piped stdin, stdout and
    /// stderr, for checks that talk to the program while it runs (they may
    /// take `child.stdout`). Who wrote each line is not known
    /// ([`Transcript::writers`] is empty): checks that only read the output at the
    /// end use [`Grader::spawn_watched`] or [`Grader::run`].
    pub fn spawn(&self, program: &Program, args: &[&str]) -> Result<Spawned, String> {
        self.start(program, args, false).map_err(|e| self.cannot_start(e))
    }

    /// [`Grader::spawn`], but the program's stdout is a Unix stream socket
    /// whose reading end asks the kernel for each writer's credentials
    /// (`SO_PASSCRED`): every chunk read comes from one process, with its
    /// PID, so [`Transcript::writers`] says who wrote each line. To the program it
    /// is an ordinary non-terminal stdout, block-buffered like a pipe.
    /// `child.stdout` is `None`: the output is read by [`Spawned::finish`].
    pub fn spawn_watched(&self, program: &Program, args: &[&str]) -> Result<Spawned, String> {
        self.start(program, args, true).map_err(|e| self.cannot_start(e))
    }

    /// Why a program could not be started: the supervisor itself did not
    /// start (a program that does not exist is the supervisor's report).
    fn cannot_start(&self, e: io::Error) -> String {
        format!("cannot start the program: its supervisor `{} reap` did not start: {e}", self.labkit.display())
    }

    fn start(&self, program: &Program, args: &[&str], writers: bool) -> io::Result<Spawned> {
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
        // The output cap: a supervisor that caps it relays the output, and
        // would then be the writer of every byte; so when the grader reads
        // who wrote each line, it caps the output itself (Spawned::finish).
        let (supervised, output_cap) = match (writers, self.caps.output) {
            (true, Some(cap)) => (Caps { output: None, ..self.caps }, Some(cap)),
            _ => (self.caps, None),
        };
        let report = self.own.join(format!("reap-{:x}", random_u64() & 0xffff_ffff));
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
            .arg("--parent")
            .arg(std::process::id().to_string())
            .args(supervised.flags())
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
        log.records.push(SpawnRecord {
            command: command.clone(),
            supervisor_pid: child.id(),
            log: None,
            timed_out: false,
            excerpt: None,
            trace: None,
        });
        let env = self.environment().iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(" ");
        let caps = Caps { output: output_cap, ..self.caps };
        Ok(Spawned { child, socket, report, command, env, keep, record: (Arc::clone(&self.runs), index), caps })
    }

    /// Run `program args...` to its end with `stdin` as its input.
    pub fn run_with_input(&self, program: &Program, args: &[&str], stdin: &[u8]) -> Result<Transcript, String> {
        Self::feed(self.spawn(program, args)?, stdin)
    }

    /// Run `program args...` to its end with empty input.
    pub fn run(&self, program: &Program, args: &[&str]) -> Result<Transcript, String> {
        self.run_with_input(program, args, b"")
    }

    /// [`Grader::run`], knowing who wrote each line of the output (see
    /// [`Grader::spawn_watched`]), so that [`Transcript::expect_basic`] also checks
    /// that every line was written by the process its tag names.
    pub fn run_watched(&self, program: &Program, args: &[&str]) -> Result<Transcript, String> {
        Self::feed(self.spawn_watched(program, args)?, b"")
    }

    /// [`Grader::run_watched`] under the kit's tracer: `labkit trace --quiet
    /// --json FILE -- program args...` runs under the supervisor, and the
    /// trace it recorded (every fork, exit, reap, adoption and write of the
    /// program's processes, from kernel events) is read back: the grader's
    /// evidence of what the program did, whatever it prints. The run's
    /// [`SpawnRecord`] keeps the drawn trace for a failed check's message
    /// (see [`TracedSpawn::finish`]).
    pub fn run_traced(&self, program: &Program, args: &[&str]) -> Result<(Transcript, Trace), String> {
        let mut traced = self.spawn_traced(program, args)?;
        drop(traced.spawned.child.stdin.take()); // empty input
        traced.finish()
    }

    /// [`Grader::spawn_watched`] under the kit's tracer, for a check that
    /// also watches the program in `/proc` while it runs
    /// ([`Spawned::watch`]; the tracer, `labkit trace`, is one of the
    /// supervisor's descendants there). [`TracedSpawn::finish`] gives what
    /// [`Grader::run_traced`] gives.
    pub fn spawn_traced(&self, program: &Program, args: &[&str]) -> Result<TracedSpawn, String> {
        let json = self.scratch_path("trace");
        let spawned = self.spawn_watched(&self.traced(program, &json), args)?;
        let command = program.argv.iter().map(String::as_str).chain(args.iter().copied()).collect::<Vec<_>>().join(" ");
        Ok(TracedSpawn { spawned, json, command })
    }

    /// `program` under `labkit trace`, recording into `json`, with the
    /// grader's own timeout and grace.
    fn traced(&self, program: &Program, json: &Path) -> Program {
        let mut argv: Vec<String> = vec![
            self.labkit.to_string_lossy().into_owned(),
            "trace".into(),
            "--quiet".into(),
            "--json".into(),
            json.to_string_lossy().into_owned(),
            "--timeout".into(),
            format!("{}ms", self.timeout.as_millis()),
            "--grace".into(),
            format!("{}ms", self.grace.as_millis()),
            "--".into(),
        ];
        argv.extend(program.argv.iter().cloned());
        Program { argv, ..program.clone() }
    }

    fn feed(mut running: Spawned, stdin: &[u8]) -> Result<Transcript, String> {
        if let Some(mut input) = running.child.stdin.take() {
            let _ = input.write_all(stdin); // a program that never reads its input is fine
        }
        running.finish()
    }
}

/// A trace drawn for a failed check's message: plain text, 80 columns.
pub fn trace_picture(trace: &Trace) -> String {
    crate::trace::draw::draw(trace, crate::trace::draw::Style { colour: false, normalised: false, width: 80 })
}

/// A traced process as a message names it: `parent 4242` (its role, or its
/// program when it printed none), or `process 4242` if the trace lacks it.
pub fn traced_label(trace: &Trace, pid: i32) -> String {
    trace.process(pid).map_or_else(|| format!("process {pid}"), |p| p.label())
}

/// The environment every graded program runs in, the same on every
/// machine: a grade must not depend on the grader's own variables
/// (`PYTHONUNBUFFERED=1` would hide a Python program that loses its
/// buffered output at `os._exit`; `LD_PRELOAD`, a locale or `TMPDIR` could
/// change what a program does). It holds `PATH` (the grader's, to find
/// `python3` and the like; `/usr/local/bin:/usr/bin:/bin` if it has none),
/// `HOME` (`home`: the grader's scratch folder) and `LANG=C.UTF-8`, plus the
/// variables named in `keep` that the grader has (`--keep-env NAME`).
pub fn clean_environment(home: &str, keep: &[String]) -> Vec<(String, String)> {
    let path = std::env::var("PATH").unwrap_or_else(|_| "/usr/local/bin:/usr/bin:/bin".into());
    let mut env = vec![
        ("PATH".to_string(), path),
        ("HOME".to_string(), home.to_string()),
        ("LANG".to_string(), "C.UTF-8".to_string()),
    ];
    for name in keep {
        if let Ok(value) = std::env::var(name) {
            env.retain(|(k, _)| k != name);
            env.push((name.clone(), value));
        }
    }
    env
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
        let _ = std::fs::remove_dir_all(&self.base);
    }
}

/// A program started by [`Grader::spawn`].
#[derive(Debug)]
pub struct Spawned {
    pub child: Child,
    /// The grader's end of the program's stdout, for [`Grader::spawn_watched`].
    socket: Option<OwnedFd>,
    report: PathBuf,
    command: String,
    /// The environment it runs in, as `NAME=value` words, for its log.
    env: String,
    /// Where to keep the run's whole output, if the grader keeps it.
    keep: Option<PathBuf>,
    /// This run's entry in the grader's [`SpawnRecord`]s.
    record: (Arc<Mutex<SpawnLog>>, usize),
    /// `output`: the output cap the grader keeps itself (runs that know who
    /// wrote each line); `None` when the supervisor keeps it, or none.
    caps: Caps,
}

impl Spawned {
    /// The file the run's whole output is kept in, if the grader keeps it.
    pub fn log_path(&self) -> Option<&Path> {
        self.keep.as_deref()
    }

    /// The PID of the supervisor (`labkit reap`) running the program: the
    /// program's parent.
    pub fn supervisor_pid(&self) -> i32 {
        self.child.id() as i32
    }

    /// Watch the program's processes in `/proc` while it runs: about every
    /// millisecond, call `seen` with every descendant of the supervisor (the
    /// program's main process, its children, ..., parents first) until
    /// `seen` returns true (then `true`), or the program has ended or
    /// `deadline` has passed (then `false`). This is the grader's own
    /// evidence, independent of what the program prints.
    pub fn watch(&mut self, deadline: Duration, mut seen: impl FnMut(&[Stat]) -> bool) -> bool {
        let supervisor = self.supervisor_pid();
        let mut found = false;
        crate::procfs::poll_until(deadline, || {
            found = seen(&crate::procfs::descendants(supervisor));
            found || !matches!(self.child.try_wait(), Ok(None))
        });
        found
    }

    /// Close stdin, wait for the program (and the supervisor) to end, and
    /// collect its output and the supervisor's report. A timeout or a program that could
    /// not be started is an `Err` with the reason.
    pub fn finish(mut self) -> Result<Transcript, String> {
        drop(self.child.stdin.take());
        // A check that read the program's output while it ran took the pipes.
        let taken = (self.child.stdout.is_none() && self.socket.is_none(), self.child.stderr.is_none());
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let cap = OutputCap::new(self.caps.output, self.supervisor_pid());
        let mut stderr = self.child.stderr.take();
        let err_cap = cap.clone();
        let err_reader = std::thread::spawn(move || {
            if let Some(s) = stderr.as_mut() {
                read_capped(s, &mut err, &err_cap);
            }
            err
        });
        let mut chunks: Vec<(i32, usize)> = Vec::new();
        if let Some(mut s) = self.child.stdout.take() {
            let _ = s.read_to_end(&mut out);
        } else if let Some(socket) = self.socket.take() {
            chunks = read_with_writers(&socket, &mut out, &cap);
        }
        let err = err_reader.join().unwrap_or_default();
        let status = self.child.wait().map_err(|e| format!("waiting for the supervisor: {e}"))?;
        let mut text = std::fs::read_to_string(&self.report).unwrap_or_default();
        let _ = std::fs::remove_file(&self.report);
        let mut report = Report::from_text(&text)
            .ok_or_else(|| format!("the supervisor `labkit reap` ended ({status}) without a report"))?;
        if cap.is_over() && report.capped.is_none() {
            report.capped = Some(self.caps.output_capped());
            text = report.to_text();
        }
        let writers = line_writers(&out, &chunks);
        let stdout = String::from_utf8_lossy(&out).into_owned();
        let run = Transcript {
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
            r.excerpt = (!taken.0).then(|| run.excerpt());
        }
        if let Some(e) = &run.report.spawn_error {
            return Err(format!("could not run `{}`: {e}", run.command));
        }
        if run.report.timed_out {
            return Err(format!("`{}` did not finish in time: killed with all its processes", run.command));
        }
        Ok(run)
    }
}

/// A program started by [`Grader::spawn_traced`]: under the supervisor,
/// under `labkit trace`.
#[derive(Debug)]
pub struct TracedSpawn {
    pub spawned: Spawned,
    /// Where the tracer writes the trace.
    json: PathBuf,
    /// The program's command line, without the tracer.
    command: String,
}

impl TracedSpawn {
    /// [`Spawned::finish`], and the trace read back. The run's
    /// [`SpawnRecord`] keeps the drawn trace for a failed check's message.
    ///
    /// The tracer is a subreaper between the supervisor and the program, so
    /// it, not the supervisor, reaps what the program leaves behind: those
    /// processes are added to the transcript's report as the supervisor's
    /// own findings would be ([`Transcript::expect_clean`] sees them). The
    /// transcript's command is the program's, without the tracer.
    pub fn finish(self) -> Result<(Transcript, Trace), String> {
        let TracedSpawn { spawned, json, command } = self;
        let (log, index) = (Arc::clone(&spawned.record.0), spawned.record.1);
        let mut run = spawned.finish();
        let trace = crate::trace::read(&json);
        let _ = std::fs::remove_file(&json);
        if let Ok(run) = &mut run {
            run.command.clone_from(&command);
            if let Ok(trace) = &trace {
                run.report.adopted.extend(trace.reap_report().adopted);
            }
        }
        if let Some(r) = lock(&log).records.get_mut(index) {
            r.command.clone_from(&command);
            r.trace = trace.as_ref().ok().map(trace_picture);
            if let (Some(excerpt), Ok(run)) = (&mut r.excerpt, &run) {
                *excerpt = run.excerpt();
            }
        }
        let run = run?;
        let trace = trace.map_err(|e| format!("the kit's tracer recorded nothing for `{command}`: {e}"))?;
        Ok((run, trace))
    }
}

/// Read a [`Grader::spawn_watched`] socket to its end into `out`: returns
/// `(writer PID, length)` for each run of bytes, in order. The kernel never
/// joins bytes of two writers in one read, and gives the writer's
/// credentials with each (`SCM_CREDENTIALS`).
fn read_with_writers(socket: &OwnedFd, out: &mut Vec<u8>, cap: &OutputCap) -> Vec<(i32, usize)> {
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
        let n = cap.keep(n);
        if n == 0 {
            continue;
        }
        out.extend_from_slice(&buf[..n]);
        match chunks.last_mut() {
            Some((last, len)) if *last == pid => *len += n,
            _ => chunks.push((pid, n)),
        }
    }
    chunks
}

/// The output cap ([`Caps::output`]) as the grader keeps it, for runs
/// whose writers it reads (a capping supervisor would relay the output and
/// hide them): stdout and stderr counted together, as `labkit reap` counts
/// them; past the cap the rest is read and dropped, and the supervisor is
/// told to stop (SIGTERM: it kills and reaps the program's processes).
#[derive(Clone)]
struct OutputCap {
    count: OutputCount,
    supervisor: i32,
}

impl OutputCap {
    fn new(cap: Option<u64>, supervisor: i32) -> OutputCap {
        OutputCap { count: OutputCount::new(cap), supervisor }
    }

    /// Of `n` bytes just read, how many to keep (all of them without a cap).
    fn keep(&self, n: usize) -> usize {
        let (keep, first_past) = self.count.keep(n);
        if first_past {
            let _ =
                nix::sys::signal::kill(nix::unistd::Pid::from_raw(self.supervisor), nix::sys::signal::Signal::SIGTERM);
        }
        keep
    }

    fn is_over(&self) -> bool {
        self.count.is_over()
    }
}

/// Read `from` to its end into `out`, within `cap`.
fn read_capped(from: &mut impl io::Read, out: &mut Vec<u8>, cap: &OutputCap) {
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        match from.read(&mut buf) {
            Ok(0) => return,
            Ok(n) => {
                let keep = cap.keep(n);
                out.extend_from_slice(&buf[..keep]);
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(_) => return,
        }
    }
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

    #[test]
    fn a_traced_run_is_the_program_under_labkit_trace_with_the_graders_limits() {
        let mut g = Grader::new("/kit/labkit").unwrap();
        g.timeout = Duration::from_secs(7);
        let p = Program::new(["python3", "lab.py"]).on_fixed_port(Some(8888));
        let traced = g.traced(&p, Path::new("/tmp/t.json"));
        assert_eq!(
            traced.argv,
            [
                "/kit/labkit",
                "trace",
                "--quiet",
                "--json",
                "/tmp/t.json",
                "--timeout",
                "7000ms",
                "--grace",
                "300ms",
                "--",
                "python3",
                "lab.py"
            ]
        );
        assert_eq!(traced.fixed_port, Some(8888));
    }
}
