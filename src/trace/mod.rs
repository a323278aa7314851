//! `labkit trace`: record a command's whole process family from kernel
//! events, and draw it.
//!
//! * [`record`] runs a command under `ptrace` (through nix; no root needed)
//!   as a child subreaper, follows every fork, vfork and clone, and writes
//!   down each process's birth, `exec`s, exit, re-parenting, the `wait` call
//!   that reaped it, signals and stops: a [`Trace`], a list of [`Event`]s.
//!   Only the system calls the story needs stop the program (a seccomp
//!   filter picks the wait family, `kill`, writes and `prctl`), so a
//!   fork-heavy program runs at nearly full speed.
//! * [`Trace`] answers structural questions: [`Trace::processes`] (who
//!   forked whom, who reaped whom, zombie spans, adoptions, roles),
//!   [`Trace::writers`] (who wrote to which file).
//! * [`draw`] draws a trace for a terminal (one lane per process, time
//!   flowing down); [`svg`] the same picture as a standalone SVG; [`json`]
//!   writes the raw event log.
//!
//! Roles come from the processes' own `[role PID]` lines: the tracer reads
//! what each process writes to stdout and stderr at the `write` call, so
//! the program's output is left exactly as it was (a terminal stays a
//! terminal, a pipe a pipe).
//!
//! Where `ptrace` unavoidably changes what happens, the trace says so in
//! [`Trace::notes`] (see [`record`]).

/// The handout of `labkit trace` (`labs/00-trace.md`), built in: `labkit handout trace`.
pub const HANDOUT: &str = include_str!("../../labs/00-trace.md");

pub mod draw;
pub mod json;
mod record;
pub mod svg;

use std::collections::BTreeMap;
use std::time::Duration;

pub use record::{Options, record};

/// How a process ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// `exit(code)`.
    Exited(i32),
    /// Killed by signal number `sig`, with or without a core dump.
    Killed { sig: i32, core: bool },
}

impl Status {
    /// Decode a raw status word (as `wait` returns it).
    pub fn from_raw(raw: i32) -> Status {
        if libc::WIFSIGNALED(raw) {
            Status::Killed { sig: libc::WTERMSIG(raw), core: libc::WCOREDUMP(raw) }
        } else {
            Status::Exited(libc::WEXITSTATUS(raw))
        }
    }

    /// `code=3` or `signal=SIGKILL (core dumped)`.
    pub fn describe(&self) -> String {
        match *self {
            Status::Exited(code) => format!("code={code}"),
            Status::Killed { sig, core } => {
                format!("signal={}{}", signal_name(sig), if core { " (core dumped)" } else { "" })
            }
        }
    }
}

/// `SIGTERM` for 15; `signal 40` for a number nix does not name.
pub fn signal_name(sig: i32) -> String {
    nix::sys::signal::Signal::try_from(sig).map_or_else(|_| format!("signal {sig}"), |s| s.as_str().to_string())
}

/// How a process was created.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ForkHow {
    Fork,
    Vfork,
    Clone,
    /// The tracer started the traced command.
    Start,
    /// Its parent died as it forked it, before reporting the fork: the
    /// event's process is the one that adopted it.
    Unknown,
}

impl ForkHow {
    pub fn as_str(&self) -> &'static str {
        match self {
            ForkHow::Fork => "fork",
            ForkHow::Vfork => "vfork",
            ForkHow::Clone => "clone",
            ForkHow::Start => "start",
            ForkHow::Unknown => "unknown",
        }
    }
}

/// Who reaped a process.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReapedBy {
    /// A process's `wait` call returned it (`call` is `wait4` or `waitid`;
    /// Python's `os.wait` and `os.waitpid` and libc's `wait` are `wait4`).
    /// The tracer itself (the subreaper at the top) is a process too.
    Process { pid: i32, call: String },
    /// The kernel reaped it because its parent ignores `SIGCHLD` (or set
    /// `SA_NOCLDWAIT`): no `wait` returned it.
    Kernel,
}

/// What happened, in one [`Event`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    /// The event's process created `child`.
    Fork { child: i32, how: ForkHow },
    /// The process ran `execve`: now it runs `path` with `argv`.
    Exec { path: String, argv: Vec<String> },
    /// The process wrote to its stdout (1) or stderr (2); the text as written (at most 4 KiB).
    Output { fd: i32, text: String },
    /// The process wrote `bytes` bytes to the file `path` (`call` is
    /// `write`, `pwrite64`, `copy_file_range`, ...; `offset` when positioned).
    Write { call: String, path: String, bytes: i64, offset: Option<i64> },
    /// The process sent signal `sig` to `target` (`kill`, `tkill`, `tgkill`).
    Kill { target: i32, sig: i32 },
    /// Signal `sig` was delivered to the process.
    Signal { sig: i32 },
    /// The process stopped (group stop) on signal `sig`.
    Stopped { sig: i32 },
    /// The stopped process continued.
    Continued,
    /// The process made itself a child subreaper (`prctl(PR_SET_CHILD_SUBREAPER, 1)`).
    Subreaper,
    /// The process ended; it is a zombie until it is reaped.
    Exit { status: Status },
    /// The process's parent `from` ended first: `by` adopted it.
    Adopted { from: i32, by: i32 },
    /// The process was reaped.
    Reaped { by: ReapedBy },
    /// The process's `wait` call (`call`) failed with `errno` (`ECHILD`: no children to wait for).
    WaitFailed { call: String, errno: i32 },
}

/// One thing that happened to one process.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// The order the tracer saw it in, from 0.
    pub seq: usize,
    /// When, from the start of the trace.
    pub t: Duration,
    /// The process it happened to (or that did it).
    pub pid: i32,
    pub kind: Kind,
}

/// A recorded trace: the events of one command's process family.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Trace {
    /// The command as given.
    pub command: Vec<String>,
    /// The tracer's PID: the subreaper at the top, the command's parent.
    pub tracer: i32,
    /// The command's own process.
    pub main: i32,
    pub events: Vec<Event>,
    /// What tracing changed, said plainly (see [`record`]).
    pub notes: Vec<String>,
    /// Whether the timeout ran out before the command ended.
    pub timed_out: bool,
}

/// One process of a trace, as [`Trace::processes`] sums it up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proc {
    pub pid: i32,
    /// Who created it (the tracer for the command's own process).
    pub parent: i32,
    /// Its role from its own `[role PID]` lines, if it printed any.
    pub role: Option<String>,
    /// The program it last ran (the file name of its last `exec`, or its parent's).
    pub program: String,
    pub born: usize,
    /// The exit event's `seq` and how it ended.
    pub exit: Option<(usize, Status)>,
    /// The reap event's `seq` and who reaped it.
    pub reaped: Option<(usize, ReapedBy)>,
    /// Adoptions, in order: (seq, new parent).
    pub adopted: Vec<(usize, i32)>,
    /// Its time as a zombie (from exit to reap), when a `wait` reaped it.
    pub zombie: Option<Duration>,
}

impl Proc {
    /// `parent 4242`, or the program name when the process printed no role.
    pub fn label(&self) -> String {
        format!("{} {}", self.role.as_deref().unwrap_or(&self.program), self.pid)
    }
}

impl Trace {
    /// The event with this `seq`.
    pub fn event(&self, seq: usize) -> &Event {
        &self.events[seq]
    }

    /// Every traced process in order of birth, summed up.
    pub fn processes(&self) -> Vec<Proc> {
        let roles = self.roles();
        let mut procs: Vec<Proc> = Vec::new();
        let mut at: BTreeMap<i32, usize> = BTreeMap::new();
        let mut exit_t: BTreeMap<i32, Duration> = BTreeMap::new();
        for e in &self.events {
            match &e.kind {
                Kind::Fork { child, .. } => {
                    let program = at.get(&e.pid).map_or_else(String::new, |&i| procs[i].program.clone());
                    at.insert(*child, procs.len());
                    procs.push(Proc {
                        pid: *child,
                        parent: e.pid,
                        role: roles.get(child).cloned(),
                        program,
                        born: e.seq,
                        exit: None,
                        reaped: None,
                        adopted: Vec::new(),
                        zombie: None,
                    });
                }
                kind => {
                    let Some(p) = at.get(&e.pid).map(|&i| &mut procs[i]) else { continue };
                    match kind {
                        Kind::Exec { path, argv } => {
                            let name = argv.first().unwrap_or(path);
                            p.program = name.rsplit('/').next().unwrap_or(name).to_string();
                        }
                        Kind::Exit { status } => {
                            p.exit = Some((e.seq, *status));
                            exit_t.insert(p.pid, e.t);
                        }
                        Kind::Adopted { by, .. } => p.adopted.push((e.seq, *by)),
                        Kind::Reaped { by } => {
                            p.reaped = Some((e.seq, by.clone()));
                            // Reaped by the kernel: never a zombie, untraced (the trace's notes say so).
                            if *by != ReapedBy::Kernel {
                                p.zombie = exit_t.get(&p.pid).map(|&t| e.t.saturating_sub(t));
                            }
                        }
                        _ => {}
                    }
                }
            }
        }
        procs
    }

    /// The process with this PID.
    pub fn process(&self, pid: i32) -> Option<Proc> {
        self.processes().into_iter().find(|p| p.pid == pid)
    }

    /// The processes that printed lines with this role, in order of birth.
    pub fn with_role(&self, role: &str) -> Vec<Proc> {
        self.processes().into_iter().filter(|p| p.role.as_deref() == Some(role)).collect()
    }

    /// PID → role, from the `[role PID]` lines the processes wrote. A line
    /// counts for the PID in its tag (a line printed before a fork and
    /// flushed by the child still names the process that printed it).
    pub fn roles(&self) -> BTreeMap<i32, String> {
        let mut roles = BTreeMap::new();
        for e in &self.events {
            if let Kind::Output { text, .. } = &e.kind {
                for line in text.lines() {
                    if let Some(t) = crate::out::Tagged::parse(line) {
                        roles.entry(t.pid).or_insert(t.role);
                    }
                }
            }
        }
        roles
    }

    /// Who wrote to files whose path contains `path_part`: (pid, bytes, calls), in order of first write.
    pub fn writers(&self, path_part: &str) -> Vec<(i32, i64, usize)> {
        let mut out: Vec<(i32, i64, usize)> = Vec::new();
        for e in &self.events {
            if let Kind::Write { path, bytes, .. } = &e.kind
                && path.contains(path_part)
            {
                match out.iter_mut().find(|w| w.0 == e.pid) {
                    Some(w) => {
                        w.1 += bytes;
                        w.2 += 1;
                    }
                    None => out.push((e.pid, *bytes, 1)),
                }
            }
        }
        out
    }

    /// The command's exit code (`128 + signal` for a signal), if it ended.
    pub fn code(&self) -> Option<i32> {
        self.events.iter().find_map(|e| match e.kind {
            Kind::Exit { status } if e.pid == self.main => Some(match status {
                Status::Exited(c) => c,
                Status::Killed { sig, .. } => 128 + sig,
            }),
            _ => None,
        })
    }

    /// What the tracer's reaper found, in the form `labkit reap` reports it:
    /// the command, and the orphans it left that the tracer reaped.
    pub fn reap_report(&self) -> crate::reaper::Report {
        let mut report =
            crate::reaper::Report { code: self.code().unwrap_or(1), timed_out: self.timed_out, ..Default::default() };
        let killed: Vec<i32> = self
            .events
            .iter()
            .filter_map(|e| match e.kind {
                Kind::Kill { target, sig: libc::SIGKILL } if e.pid == self.tracer => Some(target),
                _ => None,
            })
            .collect();
        for p in self.processes() {
            let by_tracer = matches!(&p.reaped, Some((_, ReapedBy::Process { pid, .. })) if *pid == self.tracer);
            let Some((_, status)) = p.exit else { continue };
            if !by_tracer {
                continue;
            }
            let how = match status {
                Status::Exited(code) => format!("exited code={code}"),
                Status::Killed { sig, core } => {
                    format!("killed signal={}{}", signal_name(sig), if core { " (core dumped)" } else { "" })
                }
            };
            let ended = crate::reaper::Ended {
                pid: p.pid,
                comm: p.program.clone(),
                how,
                killed_by_reaper: killed.contains(&p.pid),
            };
            if p.pid == self.main {
                report.main = Some(ended);
            } else {
                report.adopted.push(ended);
            }
        }
        report
    }
}

/// The command that records `argv` with `labkit trace` (the binary
/// `labkit`) into the JSON file `json`, drawing nothing: for a program that
/// cannot call [`record`] itself (a grader in a multi-threaded test
/// harness). Run it, then [`read`] the file.
pub fn command(
    labkit: &std::path::Path,
    json: &std::path::Path,
    argv: &[String],
    opts: &Options,
) -> std::process::Command {
    let mut cmd = std::process::Command::new(labkit);
    cmd.args(["trace", "--quiet", "--json"]).arg(json);
    cmd.arg("--timeout").arg(format!("{}ms", opts.timeout.as_millis()));
    cmd.arg("--grace").arg(format!("{}ms", opts.grace.as_millis()));
    cmd.arg("--").args(argv);
    cmd
}

/// Read a trace that `labkit trace --json FILE` wrote.
pub fn read(json: &std::path::Path) -> Result<Trace, String> {
    let text = std::fs::read_to_string(json).map_err(|e| format!("cannot read the trace {}: {e}", json.display()))?;
    json::from_json(&text)
}

/// Where `labkit trace` puts what it recorded.
#[derive(Debug, Clone, Default)]
pub struct Outputs {
    /// Write the picture as SVG here.
    pub svg: Option<std::path::PathBuf>,
    /// Write the raw event log as JSON here.
    pub json: Option<std::path::PathBuf>,
    /// Write the text picture here (plain text).
    pub text: Option<std::path::PathBuf>,
    /// Do not draw on stdout (the files only).
    pub quiet: bool,
    /// Draw the stable picture (roles and order, no PIDs or times).
    pub normalised: bool,
}

/// `labkit trace`: record `argv`, draw it on stdout once everything has
/// ended, write the files asked for, and return the command's exit code
/// (125 when it could not be traced or a file could not be written).
pub fn main(argv: &[String], opts: &Options, outputs: &Outputs) -> i32 {
    let trace = match record(argv, opts) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("labkit trace: {e}");
            return 125;
        }
    };
    if !outputs.quiet {
        print(&trace, outputs.normalised);
    }
    let mut code = trace.code().unwrap_or(125);
    let style = draw::Style { normalised: outputs.normalised, ..draw::Style::default() };
    let files = [
        (&outputs.svg, svg::draw(&trace, style)),
        (&outputs.json, json::to_json(&trace)),
        (&outputs.text, draw::draw(&trace, style)),
    ];
    for (path, text) in files {
        if let Some(p) = path
            && let Err(e) = std::fs::write(p, text)
        {
            eprintln!("labkit trace: cannot write {}: {e}", p.display());
            code = 125;
        }
    }
    code
}

/// Draw `trace` on stdout: colours on a terminal (unless `NO_COLOR` is
/// set), plain text when piped; as wide as the terminal says (`COLUMNS`), 80 by default.
pub fn print(trace: &Trace, normalised: bool) {
    use std::io::{IsTerminal, Write};
    let tty = std::io::stdout().is_terminal();
    let colour = tty && std::env::var_os("NO_COLOR").is_none();
    let width = std::env::var("COLUMNS").ok().and_then(|c| c.parse().ok()).filter(|&w| w >= 40).unwrap_or(80);
    let text = draw::draw(trace, draw::Style { colour, normalised, width });
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(b"\n").and_then(|()| out.write_all(text.as_bytes())).and_then(|()| out.flush());
}

/// `name` with every run of 6 or more hex digits (a random suffix of a
/// temp file, say) replaced by `*`.
pub fn stable_name(name: &str) -> String {
    let mut out = String::new();
    let mut run = String::new();
    for c in name.chars().chain(std::iter::once('/')) {
        if c.is_ascii_hexdigit() {
            run.push(c);
            continue;
        }
        out.push_str(if run.len() >= 6 { "*" } else { &run });
        run.clear();
        out.push(c);
    }
    out.pop();
    out
}

impl Trace {
    /// The same trace, independent of the machine and the run: PIDs
    /// renumbered in order of birth (the tracer is 1, the processes 101,
    /// 102, ...; in the arguments of an `exec` too), each event 1 ms after the one before, paths cut to their
    /// file names (random hex suffixes starred), and each process's output
    /// reduced to one `[role PID]` line naming its role. The handouts'
    /// pictures are drawn from it.
    pub fn normalised(&self) -> Trace {
        let mut ids: BTreeMap<i32, i32> = BTreeMap::new();
        ids.insert(self.tracer, 1);
        for e in &self.events {
            if let Kind::Fork { child, .. } = e.kind {
                let next = 101 + ids.len() as i32 - 1;
                ids.entry(child).or_insert(next);
            }
        }
        let id = |pid: i32| *ids.get(&pid).unwrap_or(&0);
        let file = |p: &str| stable_name(p.rsplit('/').next().unwrap_or(p));
        let roles = self.roles();
        let mut told: std::collections::BTreeSet<i32> = std::collections::BTreeSet::new();
        let mut events = Vec::new();
        let (mut t, mut last) = (Duration::ZERO, Duration::ZERO);
        for e in &self.events {
            t += if e.t.saturating_sub(last) >= draw::GAP { Duration::from_secs(1) } else { Duration::from_micros(1) };
            last = e.t;
            let kind = match &e.kind {
                Kind::Fork { child, how } => Kind::Fork { child: id(*child), how: *how },
                Kind::Exec { path, argv } => Kind::Exec {
                    path: file(path),
                    argv: argv
                        .iter()
                        .map(|a| match a.parse::<i32>().ok().and_then(|pid| ids.get(&pid)) {
                            // `ps -p PID`: a PID of the family, renumbered with it.
                            Some(renumbered) => renumbered.to_string(),
                            None if a.contains('/') => file(a),
                            None => a.clone(),
                        })
                        .collect(),
                },
                Kind::Output { fd, .. } => {
                    // One line per process with a role, at its first output.
                    let Some(role) = roles.get(&e.pid) else { continue };
                    if !told.insert(e.pid) {
                        continue;
                    }
                    Kind::Output { fd: *fd, text: format!("[{role} {}]\n", id(e.pid)) }
                }
                Kind::Write { call, path, bytes, offset } => {
                    // A file keeps its leading `/` (a pipe or a socket has none).
                    let path = if path.starts_with('/') { format!("/{}", file(path)) } else { stable_name(path) };
                    Kind::Write { call: call.clone(), path, bytes: *bytes, offset: *offset }
                }
                Kind::Kill { target, sig } => Kind::Kill { target: id(*target), sig: *sig },
                Kind::Adopted { from, by } => Kind::Adopted { from: id(*from), by: id(*by) },
                Kind::Reaped { by: ReapedBy::Process { pid, call } } => {
                    Kind::Reaped { by: ReapedBy::Process { pid: id(*pid), call: call.clone() } }
                }
                other => other.clone(),
            };
            let seq = events.len();
            events.push(Event { seq, t, pid: id(e.pid), kind });
        }
        // A child the kernel reaps goes at its exit, as it would untraced (the
        // trace's note says how long ptrace kept it).
        let kernel: Vec<Event> =
            events.iter().filter(|e| e.kind == Kind::Reaped { by: ReapedBy::Kernel }).cloned().collect();
        events.retain(|e| e.kind != Kind::Reaped { by: ReapedBy::Kernel });
        for k in kernel {
            let at = events.iter().position(|e| e.pid == k.pid && matches!(e.kind, Kind::Exit { .. }));
            let at = at.map_or(events.len(), |i| i + 1);
            let t = events.get(at - 1).map_or(k.t, |e| e.t);
            events.insert(at, Event { t, ..k });
        }
        for (seq, e) in events.iter_mut().enumerate() {
            e.seq = seq;
        }
        let command = self.command.iter().map(|a| if a.contains('/') { file(a) } else { a.clone() }).collect();
        let notes = self.notes.iter().map(|n| normalise_times(n)).collect();
        Trace { command, tracer: 1, main: id(self.main), events, notes, timed_out: self.timed_out }
    }

    /// The trace's structure, one line per process, in a form that does not
    /// depend on timing: its label (role, numbered in order of birth when
    /// several share one), its parent's, the programs it ran, how it ended,
    /// who adopted it and who reaped it, and the files it wrote. Two runs of
    /// the same program give the same shape.
    pub fn shape(&self) -> Vec<String> {
        let procs = self.processes();
        let mut count: BTreeMap<String, usize> = BTreeMap::new();
        let base = |p: &Proc| p.role.clone().unwrap_or_else(|| p.program.clone());
        for p in &procs {
            *count.entry(base(p)).or_default() += 1;
        }
        let mut seen: BTreeMap<String, usize> = BTreeMap::new();
        let mut label: BTreeMap<i32, String> = BTreeMap::new();
        label.insert(self.tracer, "labkit".into());
        for p in &procs {
            let b = base(p);
            let n = seen.entry(b.clone()).or_default();
            *n += 1;
            label.insert(p.pid, if count[&b] > 1 { format!("{b}{n}") } else { b });
        }
        let name = |pid: &i32| label.get(pid).cloned().unwrap_or_else(|| "?".into());
        let mut lines: Vec<String> = procs
            .iter()
            .map(|p| {
                let mut l = format!("{} of {} runs {}", name(&p.pid), name(&p.parent), p.program);
                let _ = std::fmt::Write::write_fmt(
                    &mut l,
                    format_args!(", ends {}", p.exit.map_or("never".into(), |e| e.1.describe())),
                );
                for (_, by) in &p.adopted {
                    l.push_str(&format!(", adopted by {}", name(by)));
                }
                match &p.reaped {
                    Some((_, ReapedBy::Process { pid, .. })) => l.push_str(&format!(", reaped by {}", name(pid))),
                    Some((_, ReapedBy::Kernel)) => l.push_str(", reaped by the kernel"),
                    None => l.push_str(", never reaped"),
                }
                let mut files: Vec<String> = self
                    .events
                    .iter()
                    .filter_map(|e| match &e.kind {
                        Kind::Write { path, .. } if e.pid == p.pid && path.starts_with('/') => {
                            Some(stable_name(path.rsplit('/').next().unwrap_or(path)))
                        }
                        _ => None,
                    })
                    .collect();
                files.dedup();
                for f in files {
                    l.push_str(&format!(", writes {f}"));
                }
                l
            })
            .collect();
        lines.sort();
        lines
    }
}

/// A note with its measured times (`0.25ms`) replaced by `some time`.
fn normalise_times(note: &str) -> String {
    note.split(' ')
        .map(|w| {
            let digits = w.trim_end_matches(|c: char| c.is_ascii_alphabetic() || c == ',');
            if !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit() || c == '.') && w.len() > digits.len() {
                "a moment"
            } else {
                w
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}
