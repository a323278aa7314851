//! Run a command under a child subreaper, and leave no process behind.
//!
//! Whether PID 1 reaps the orphans it adopts depends on the machine (an
//! ordinary init does; a container's PID 1 that never calls `wait` does
//! not, and its zombies stay until it ends): the kit relies on neither.
//! [`run`] makes the calling
//! process a subreaper (`prctl(PR_SET_CHILD_SUBREAPER)`), starts the command,
//! and then reaps *everything*: the command itself, and every descendant the
//! command orphaned (they are re-parented to the subreaper). Descendants still
//! alive a grace period after the command ended, or anything alive at the
//! timeout, are killed with `SIGKILL` and reaped. The [`Report`] says what was
//! found, so a grader can take points off for leftovers.
//!
//! `labkit reap [--timeout T] [--grace G] [--report FILE] -- COMMAND ARGS...`
//! is this function on the command line; the graders run every program
//! through it, because a test harness (multi-threaded, with other tests'
//! children) must never reap with `waitpid(-1)` itself. A grader also
//! passes `--parent` with its own PID: should the grader be killed (even
//! with SIGKILL), its supervisors see that they were handed to another
//! parent and kill and reap everything at once, not at their timeout.

use std::fmt::Write as _;
use std::io::{Read, Write};
use std::os::unix::fs::MetadataExt as _;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use std::time::{Duration, Instant};

use nix::sys::signal::{self, Signal};
use nix::unistd::Pid;

use crate::process::{self, Reaped};
use crate::procfs;
use crate::signals;

/// How one process the reaper reaped had ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ended {
    pub pid: i32,
    pub comm: String,
    /// `exited code=N` or `killed signal=SIG...`, as [`Reaped::describe`].
    pub how: String,
    /// Whether the reaper had to kill it (alive after the grace period or at the timeout).
    pub killed_by_reaper: bool,
}

/// What [`run`] observed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// The command's own process; `None` if it could not be started.
    pub main: Option<Ended>,
    /// The exit code the command ended with (`128 + signal` for a signal).
    pub code: i32,
    /// Orphans the command left: re-parented to the reaper, then reaped by it.
    pub adopted: Vec<Ended>,
    /// Whether the timeout ran out before the command ended.
    pub timed_out: bool,
    /// Why the command could not be started, if it could not.
    pub spawn_error: Option<String>,
    /// Which resource cap ([`Caps`]) stopped the command, in words, if one did.
    pub capped: Option<String>,
}

/// Limits on what one run may use, so that a runaway program (an endless
/// output, a fork bomb, a disk filler) costs its author points and never
/// harms the machine. Past a cap the reaper kills everything the command
/// made and says which cap in [`Report::capped`]. `None`: no such cap.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Caps {
    /// Bytes of stdout and stderr together. The reaper then passes the
    /// command's output on through pipes of its own, counting. (Where the
    /// grader reads who wrote each line of stdout, a relay would hide the
    /// writers: there the grader keeps this cap itself, `harness`.)
    pub output: Option<u64>,
    /// Processes alive or unreaped under the reaper at once (counted in
    /// `/proc` every 10 ms or so: `RLIMIT_NPROC` counts per user, and root
    /// ignores it). With [`Caps::user`], also a hard limit of four times
    /// as many processes of that user (`RLIMIT_NPROC`).
    pub procs: Option<usize>,
    /// Bytes of disk used by the files in the reaper's current folder (the
    /// grader's scratch folder), all together: their allocated blocks, so a
    /// sparse file counts what it really takes. Summed every 50 ms or so and
    /// at the end. (Not `RLIMIT_FSIZE`: it limits a file's length, and
    /// half-copy's checks copy a sparse file longer than 4 GiB.)
    pub disk: Option<u64>,
    /// The user (and group) the command runs as, by number: a student's own
    /// when the grader is root, so that the kernel itself keeps the program
    /// from other students' files, from signalling any process but its
    /// own, and from the grader's results. The reaper stays the caller's
    /// user. `None`: the caller's user.
    pub user: Option<u32>,
}

impl Caps {
    /// What [`Report::capped`] says of a run stopped by the output cap.
    pub fn output_capped(&self) -> String {
        format!(
            "output: more than {} bytes of output (stdout and stderr): the rest was dropped and the program stopped",
            self.output.unwrap_or(0)
        )
    }

    /// These caps as `labkit reap`'s flags, e.g. for a grader's runs.
    pub fn flags(&self) -> Vec<String> {
        let mut f = Vec::new();
        if let Some(n) = self.output {
            f.extend(["--max-output".to_string(), n.to_string()]);
        }
        if let Some(n) = self.procs {
            f.extend(["--max-procs".to_string(), n.to_string()]);
        }
        if let Some(n) = self.disk {
            f.extend(["--max-disk".to_string(), n.to_string()]);
        }
        if let Some(u) = self.user {
            f.extend(["--as-user".to_string(), u.to_string()]);
        }
        f
    }
}

impl Report {
    /// Orphans left still running after the grace period (the reaper killed them).
    pub fn left_running(&self) -> impl Iterator<Item = &Ended> {
        self.adopted.iter().filter(|e| e.killed_by_reaper)
    }

    /// Nothing left behind: no adopted orphan, no timeout.
    pub fn clean(&self) -> bool {
        self.adopted.is_empty() && !self.timed_out
    }

    /// One line a fact: the form `labkit reap --report` writes.
    pub fn to_text(&self) -> String {
        let mut t = String::new();
        let line = |t: &mut String, kind: &str, e: &Ended| {
            let _ = writeln!(
                t,
                "{kind} pid={} comm={} killed_by_reaper={} {}",
                e.pid,
                e.comm.replace(' ', "_"),
                e.killed_by_reaper,
                e.how
            );
        };
        if let Some(m) = &self.main {
            line(&mut t, "main", m);
        }
        for a in &self.adopted {
            line(&mut t, "adopted", a);
        }
        let _ = writeln!(t, "code={} timed_out={}", self.code, self.timed_out);
        if let Some(e) = &self.spawn_error {
            let _ = writeln!(t, "spawn_error {e}");
        }
        if let Some(c) = &self.capped {
            let _ = writeln!(t, "capped {c}");
        }
        t
    }

    /// Parse [`Report::to_text`].
    pub fn from_text(text: &str) -> Option<Report> {
        let mut r = Report::default();
        let mut saw_code = false;
        for line in text.lines() {
            let fact = |k| crate::out::fact(line, k);
            let ended = || -> Option<Ended> {
                let how = line.split_once(" killed_by_reaper=")?.1.split_once(' ')?.1.to_string();
                Some(Ended {
                    pid: fact("pid")?.parse().ok()?,
                    comm: fact("comm")?.to_string(),
                    how,
                    killed_by_reaper: fact("killed_by_reaper")? == "true",
                })
            };
            if line.starts_with("main ") {
                r.main = Some(ended()?);
            } else if line.starts_with("adopted ") {
                r.adopted.push(ended()?);
            } else if line.starts_with("code=") {
                r.code = fact("code")?.parse().ok()?;
                r.timed_out = fact("timed_out")? == "true";
                saw_code = true;
            } else if let Some(e) = line.strip_prefix("spawn_error ") {
                r.spawn_error = Some(e.to_string());
            } else if let Some(c) = line.strip_prefix("capped ") {
                r.capped = Some(c.to_string());
            }
        }
        saw_code.then_some(r)
    }
}

fn ended(r: &Reaped, comm: String, killed_by_reaper: bool) -> Ended {
    Ended { pid: r.pid.as_raw(), comm, how: r.describe(), killed_by_reaper }
}

/// Kill every descendant of this process with SIGKILL; returns their PIDs.
fn kill_descendants() -> Vec<i32> {
    let me = std::process::id() as i32;
    let mut killed = Vec::new();
    for s in procfs::descendants(me) {
        if !s.is_zombie() && signal::kill(Pid::from_raw(s.pid), Signal::SIGKILL).is_ok() {
            killed.push(s.pid);
        }
    }
    killed
}

/// Run `argv` under this process as a subreaper; see the module docs.
///
/// Call it only from a single-threaded process that has no other children
/// (`labkit reap` is one): it reaps every child it has.
pub fn run(argv: &[String], timeout: Duration, grace: Duration) -> Report {
    run_capped(argv, timeout, grace, Caps::default(), None)
}

/// Bytes of disk the files under `dir` take (their allocated blocks; not
/// following links), or a figure at or past `stop`, where it stops counting.
fn bytes_under(dir: &Path, stop: u64) -> u64 {
    let mut total = 0;
    let mut folders = vec![dir.to_path_buf()];
    while let Some(d) = folders.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else { continue };
        for e in entries.flatten() {
            let Ok(m) = e.metadata() else { continue };
            if m.is_dir() {
                folders.push(e.path());
            } else {
                total += m.blocks() * 512;
            }
            if total >= stop {
                return total;
            }
        }
    }
    total
}

/// The output cap's count ([`Caps::output`]): the bytes of stdout and
/// stderr together, shared by the threads that read them (the reaper's
/// relays, or the grader's own readers where it keeps the cap itself).
#[derive(Clone)]
pub struct OutputCount {
    cap: Option<u64>,
    seen: Arc<AtomicU64>,
}

impl OutputCount {
    pub fn new(cap: Option<u64>) -> OutputCount {
        OutputCount { cap, seen: Arc::default() }
    }

    /// Of `n` bytes just read, how many to keep (all without a cap, none
    /// past it), and whether this read is the one that went past it.
    pub fn keep(&self, n: usize) -> (usize, bool) {
        let Some(cap) = self.cap else { return (n, false) };
        let before = self.seen.fetch_add(n as u64, Ordering::SeqCst);
        let keep = cap.saturating_sub(before).min(n as u64) as usize;
        (keep, keep < n && before <= cap)
    }

    /// Whether more than the cap has been read.
    pub fn is_over(&self) -> bool {
        self.cap.is_some_and(|cap| self.seen.load(Ordering::SeqCst) > cap)
    }
}

/// Pass `from` on to `to` until `from` ends or `to` is closed; past the
/// cap of `count` (shared with the other stream), pass nothing more and
/// keep reading (so the command never blocks on a full pipe before the
/// reaper kills it).
fn relay(mut from: impl Read, mut to: impl Write, count: OutputCount) {
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = match from.read(&mut buf) {
            Ok(0) => return,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(_) => return,
        };
        let (keep, _) = count.keep(n);
        if keep > 0 && to.write_all(&buf[..keep]).and_then(|()| to.flush()).is_err() {
            // The reader went away: so does this pipe's, and the command's
            // next write fails (EPIPE, SIGPIPE) as it would have without us.
            return;
        }
    }
}

/// [`run`] within `caps`; with `parent`, the run lasts only as long as this
/// process's parent is that PID: once it has ended (the kernel hands this
/// process to another), everything is killed and reaped.
pub fn run_capped(argv: &[String], timeout: Duration, grace: Duration, caps: Caps, parent: Option<i32>) -> Report {
    let mut report = Report::default();
    let parent_gone = || parent.is_some_and(|p| nix::unistd::getppid().as_raw() != p);
    if let Err(e) = process::become_subreaper() {
        report.spawn_error = Some(format!("prctl(PR_SET_CHILD_SUBREAPER): {e}"));
        report.code = 127;
        return report;
    }
    let _ = signals::note_stop_signals();
    let Some((prog, args)) = argv.split_first() else {
        report.spawn_error = Some("no command given".into());
        report.code = 127;
        return report;
    };
    let mut cmd = Command::new(prog);
    cmd.args(args);
    if let Some(uid) = caps.user {
        use std::os::unix::process::CommandExt as _;
        // As root, std also drops the supplementary groups (setgroups) first.
        cmd.uid(uid).gid(uid);
        if let Some(procs) = caps.procs {
            // Under the polled cap, a hard one: the kernel refuses a fork once
            // the user (the student's alone) has this many processes, all
            // runs together (RLIMIT_NPROC counts per user; root ignores it).
            let most = (procs as u64).saturating_mul(4);
            // SAFETY: setrlimit is async-signal-safe; nothing is allocated.
            unsafe {
                cmd.pre_exec(move || {
                    nix::sys::resource::setrlimit(nix::sys::resource::Resource::RLIMIT_NPROC, most, most)
                        .map_err(std::io::Error::from)
                });
            }
        }
    }
    if caps.output.is_some() {
        cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    }
    // The command stays in the reaper's process group, so a program run in a
    // terminal can still read it; `exec` resets the caught signals above to
    // their defaults in the command.
    let output = OutputCount::new(caps.output);
    let (main_pid, mut relays) = match cmd.spawn() {
        Ok(mut child) => {
            // Reaped below with waitpid, never with Child::wait. The pipes
            // are there only with an output cap.
            let mut relays = Vec::new();
            if let Some(out) = child.stdout.take() {
                let count = output.clone();
                relays.push(std::thread::spawn(move || relay(out, std::io::stdout(), count)));
            }
            if let Some(err) = child.stderr.take() {
                let count = output.clone();
                relays.push(std::thread::spawn(move || relay(err, std::io::stderr(), count)));
            }
            (child.id() as i32, relays)
        }
        Err(e) => {
            report.spawn_error = Some(format!("cannot run {prog}: {e}"));
            report.code = 127;
            return report;
        }
    };
    let here = std::env::current_dir().ok();
    let start = Instant::now();
    let mut main_done: Option<Instant> = None;
    let mut kill_at: Option<Instant> = None; // once passed, everything left is killed
    let mut killed: Vec<i32> = Vec::new();
    let mut polls: u64 = 0;
    let disk_over = || -> Option<String> {
        let (limit, dir) = (caps.disk?, here.as_deref()?);
        (bytes_under(dir, limit) >= limit)
            .then(|| format!("disk: the program's files reached the cap of {limit} bytes: stopped"))
    };
    loop {
        // Reap everything that has ended, reading its name while it is a zombie.
        loop {
            match process::peek_ended() {
                Ok(Some(pid)) => {
                    let comm = procfs::comm(pid.as_raw());
                    let Ok(r) = process::wait_for(pid) else { break };
                    let by_us = killed.contains(&r.pid.as_raw());
                    if r.pid.as_raw() == main_pid {
                        report.code = r.exit_code().unwrap_or_else(|| 128 + r.signal().map_or(0, |s| s as i32));
                        report.main = Some(ended(&r, comm, by_us));
                        main_done = Some(Instant::now());
                    } else {
                        report.adopted.push(ended(&r, comm, by_us));
                    }
                }
                Ok(None) => break,
                // ECHILD: nothing is left at all.
                Err(_) => {
                    if report.capped.is_none() {
                        report.capped = disk_over();
                    }
                    for r in relays.drain(..) {
                        let _ = r.join();
                    }
                    if report.capped.is_none() && output.is_over() {
                        report.capped = Some(caps.output_capped());
                    }
                    return report;
                }
            }
        }
        let now = Instant::now();
        polls += 1;
        if report.capped.is_none() {
            if output.is_over() {
                report.capped = Some(caps.output_capped());
            } else if let Some(max) = caps.procs.filter(|_| polls % 5 == 0) {
                let n = procfs::descendants(std::process::id() as i32).len();
                if n > max {
                    report.capped = Some(format!(
                        "processes: {n} processes at once, past the cap of {max} (a fork bomb?): all killed"
                    ));
                }
            } else if polls % 25 == 0 {
                report.capped = disk_over();
            }
            if report.capped.is_some() {
                kill_at = Some(now);
            }
        }
        // Whatever asks for the kill first sets the time: a stop signal in
        // the grace after the command ended kills the orphans at once.
        let mut kill_by = |t: Instant| kill_at = Some(kill_at.map_or(t, |at| at.min(t)));
        if signals::stop_noted().is_some() || (polls % 10 == 0 && parent_gone()) {
            kill_by(now);
        }
        if main_done.is_none() && now - start >= timeout {
            report.timed_out = true;
            kill_by(now);
        }
        if let Some(done) = main_done {
            kill_by(done + grace);
        }
        if kill_at.is_some_and(|t| now >= t) {
            killed.extend(kill_descendants());
        }
        std::thread::sleep(Duration::from_millis(2));
    }
}

/// `labkit reap`: run `argv` under the reaper (as long as `parent` is this
/// process's parent, if given), write the report to `report_path` (or
/// stderr), and exit with the command's code.
pub fn main(
    argv: &[String],
    timeout: Duration,
    grace: Duration,
    caps: Caps,
    parent: Option<i32>,
    report_path: Option<&Path>,
) -> i32 {
    let report = run_capped(argv, timeout, grace, caps, parent);
    let text = report.to_text();
    match report_path {
        Some(p) => {
            if let Err(e) = std::fs::write(p, &text) {
                eprintln!("labkit reap: cannot write report {}: {e}", p.display());
                return 125;
            }
        }
        None => eprint!("{text}"),
    }
    report.code
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_report_reads_back_with_the_cap_that_stopped_the_run() {
        let ended = |pid, how: &str| Ended { pid, comm: "python3".into(), how: how.into(), killed_by_reaper: true };
        let r = Report {
            main: Some(ended(10, "killed signal=SIGKILL")),
            code: 137,
            adopted: vec![ended(11, "killed signal=SIGKILL")],
            timed_out: false,
            spawn_error: None,
            capped: Some("processes: 17 processes at once, past the cap of 16 (a fork bomb?): all killed".into()),
        };
        assert_eq!(Report::from_text(&r.to_text()), Some(r.clone()));
        let uncapped = Report { capped: None, ..r };
        assert!(!uncapped.to_text().contains("capped"));
        assert_eq!(Report::from_text(&uncapped.to_text()), Some(uncapped));
    }

    #[test]
    fn counts_the_bytes_under_a_folder_up_to_a_stop() {
        let dir = std::env::temp_dir().join(format!("labkit-reaper-test-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("sub")).unwrap();
        std::fs::write(dir.join("a"), [1u8; 100_000]).unwrap();
        std::fs::write(dir.join("sub/b"), [1u8; 50_000]).unwrap();
        // A sparse file takes (almost) nothing, whatever its length.
        std::fs::File::create(dir.join("sparse")).unwrap().set_len(1 << 40).unwrap();
        let used = bytes_under(&dir, u64::MAX);
        assert!((150_000..400_000).contains(&used), "{used}");
        assert!(bytes_under(&dir, 1000) >= 1000);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
