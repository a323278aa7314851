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
}

impl ForkHow {
    pub fn as_str(&self) -> &'static str {
        match self {
            ForkHow::Fork => "fork",
            ForkHow::Vfork => "vfork",
            ForkHow::Clone => "clone",
            ForkHow::Start => "start",
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
    /// Its time as a zombie (from exit to reap), when it was reaped.
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
                            p.zombie = exit_t.get(&p.pid).map(|&t| e.t.saturating_sub(t));
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
