//! The recorder: run a command under `ptrace` and write down its family's events.
//!
//! How it works, and what it changes:
//!
//! * The tracer makes itself a child subreaper (as `labkit reap` does), forks,
//!   and the child stops itself; the tracer attaches with `PTRACE_SEIZE`
//!   (fork, vfork, clone and exec events on; the family dies with the
//!   tracer), lets it go on, and the child installs a seccomp filter and
//!   `exec`s the command. Every descendant is traced from its first
//!   instruction.
//! * The seccomp filter stops the program only at the system calls the
//!   story needs: `wait4`/`waitid` (read at their return: who reaped whom,
//!   or `ECHILD`), `kill`/`tkill`/`tgkill`, the write family (stdout and
//!   stderr lines give the roles; file writes say who wrote what), and
//!   `prctl` (a subreaper). Installing it needs `PR_SET_NO_NEW_PRIVS`: a
//!   set-user-ID program run under the trace does not gain privileges.
//! * The tracer sees every exit first: a process's real parent can reap it
//!   only after the tracer has collected the exit, a few microseconds later.
//!   A child whose parent ignores `SIGCHLD` is reaped by the kernel at that
//!   moment instead of at its exit, so under the trace it is briefly a
//!   zombie in `/proc`; the trace notes it.
//! * A stopped process shows `t` (tracing stop) in `/proc`, not `T`; the
//!   trace notes it.
//! * A program that uses `ptrace` itself (`strace`, a debugger) cannot attach
//!   to its family under the trace.

use std::collections::{BTreeMap, BTreeSet};
use std::ffi::CString;
use std::time::{Duration, Instant};

use nix::errno::Errno;
use nix::sys::ptrace;
use nix::sys::signal::{self, Signal};
use nix::unistd::Pid;

use super::{Event, ForkHow, Kind, ReapedBy, Status, Trace};
use crate::{procfs, signals};

/// How [`record`] runs the command.
#[derive(Debug, Clone)]
pub struct Options {
    /// Kill the command and its whole family after this long.
    pub timeout: Duration,
    /// How long the family may outlive the command before it is killed.
    pub grace: Duration,
}

impl Default for Options {
    fn default() -> Options {
        Options { timeout: Duration::from_secs(24 * 3600), grace: Duration::from_millis(500) }
    }
}

/// How long a new tracee may wait for its parent's fork event (see
/// `Recorder::release_held`); the event normally comes within microseconds.
const HOLD: Duration = Duration::from_millis(200);

/// The system calls the seccomp filter hands to the tracer.
const TRACED: &[libc::c_long] = &[
    libc::SYS_wait4,
    libc::SYS_waitid,
    libc::SYS_kill,
    libc::SYS_tkill,
    libc::SYS_tgkill,
    libc::SYS_write,
    libc::SYS_writev,
    libc::SYS_pwrite64,
    libc::SYS_pwritev,
    libc::SYS_pwritev2,
    libc::SYS_copy_file_range,
    libc::SYS_sendfile,
    libc::SYS_prctl,
];

#[cfg(target_arch = "x86_64")]
const AUDIT_ARCH: u32 = 0xC000_003E; // AUDIT_ARCH_X86_64
#[cfg(target_arch = "aarch64")]
const AUDIT_ARCH: u32 = 0xC000_00B7; // AUDIT_ARCH_AARCH64

/// The seccomp filter: `SECCOMP_RET_TRACE` for [`TRACED`], allow the rest.
fn filter() -> Vec<libc::sock_filter> {
    let stmt = |code: u32, k: u32| libc::sock_filter { code: code as u16, jt: 0, jf: 0, k };
    let jeq = |k: u32, jt: u8, jf: u8| libc::sock_filter {
        code: (libc::BPF_JMP | libc::BPF_JEQ | libc::BPF_K) as u16,
        jt,
        jf,
        k,
    };
    let load = libc::BPF_LD | libc::BPF_W | libc::BPF_ABS;
    let ret = libc::BPF_RET | libc::BPF_K;
    let n = TRACED.len() as u8;
    let mut f = vec![
        stmt(load, 4), // seccomp_data.arch
        jeq(AUDIT_ARCH, 1, 0),
        stmt(ret, libc::SECCOMP_RET_ALLOW), // another ABI: let it run untraced
        stmt(load, 0),                      // seccomp_data.nr
    ];
    for (i, &nr) in TRACED.iter().enumerate() {
        // Match: jump to the TRACE return, which follows the ALLOW after the last test.
        f.push(jeq(nr as u32, n - i as u8, 0));
    }
    f.push(stmt(ret, libc::SECCOMP_RET_ALLOW));
    f.push(stmt(ret, libc::SECCOMP_RET_TRACE));
    f
}

/// A system call a tracee is in, seen at its seccomp stop, waiting for its result.
#[derive(Debug, Clone)]
enum Pending {
    Wait { call: &'static str, args: [u64; 6] },
    Write { call: &'static str, path: String, offset: Option<i64> },
}

/// What the tracer knows about one traced process.
#[derive(Debug, Clone, Default)]
struct Tracee {
    /// Its real parent, as far as the trace knows (updated on adoption).
    parent: i32,
    /// A thread of another process, not a process of its own.
    thread: bool,
    /// The process it is a thread of (itself for a process).
    tgid: i32,
    /// Ended (the exit was recorded).
    exited: bool,
    /// In a group stop.
    stopped: bool,
    /// Not yet past the `exec` of the command (the tracer's own set-up).
    starting: bool,
}

struct Recorder {
    start: Instant,
    trace: Trace,
    tracees: BTreeMap<i32, Tracee>,
    pending: BTreeMap<i32, Pending>,
    /// New tracees whose first stop came before their parent's fork event.
    /// PID → its parent when it was held, and since when.
    held: BTreeMap<i32, (i32, Instant)>,
    /// Released to their parent, waiting for a `wait` to reap them: PID → parent.
    released: BTreeMap<i32, i32>,
    /// Children the kernel reaped when the tracer released them.
    autoreaped: usize,
    /// Group stops (SIGSTOP, SIGTSTP, ...): each showed `t` in `/proc`, not `T`.
    stops: usize,
    /// When the command's own process ended.
    main_done: Option<Instant>,
}

impl Recorder {
    /// The process of a task: itself, or the process a thread belongs to.
    fn process_of(&self, tid: i32) -> i32 {
        self.tracees.get(&tid).filter(|t| t.thread).map_or(tid, |t| t.tgid)
    }

    fn push(&mut self, pid: i32, kind: Kind) {
        // What a thread does, its process does.
        let pid = self.process_of(pid);
        let seq = self.trace.events.len();
        self.trace.events.push(Event { seq, t: self.start.elapsed(), pid, kind });
    }

    /// A new process (or thread) `child` created by `pid`.
    fn born(&mut self, pid: i32, child: i32, how: ForkHow) {
        if self.tracees.contains_key(&child) {
            // Let go before its parent's fork event came (a very busy
            // machine): now the event is here, put the right forker in.
            let forker = self.process_of(pid);
            for e in &mut self.trace.events {
                if e.kind == (Kind::Fork { child, how: ForkHow::Unknown }) {
                    e.pid = forker;
                    e.kind = Kind::Fork { child, how };
                }
            }
            if let Some(t) = self.tracees.get_mut(&child) {
                t.parent = forker;
            }
            return;
        }
        // Only a clone can make a thread, or give the new process another
        // parent (CLONE_PARENT); a fork's child is the forker's.
        let clone = how == ForkHow::Clone;
        let tgid = if clone { procfs_tgid(child).unwrap_or(child) } else { child };
        let thread = tgid != child;
        let forker = self.process_of(pid);
        let parent = if clone { procfs::stat(child).ok().flatten().map_or(forker, |s| s.ppid) } else { forker };
        self.tracees.insert(child, Tracee { parent, thread, tgid, ..Tracee::default() });
        if !thread {
            self.push(pid, Kind::Fork { child, how });
        }
        if self.held.remove(&child).is_some() {
            let _ = ptrace::cont(Pid::from_raw(child), None);
        }
    }

    /// Let go of held new tracees whose parent's fork event will not come:
    /// the parent is gone (killed as it forked), or it has not reported the
    /// fork within [`HOLD`] (then it is an adopter: the real parent died as
    /// it forked). Called at every turn of the tracer's loop.
    fn release_held(&mut self) {
        if self.held.is_empty() {
            return;
        }
        let due: Vec<(i32, i32, bool)> = self
            .held
            .iter()
            .filter_map(|(&c, &(p, since))| {
                let parent_gone = !self.tracees.contains_key(&p);
                (parent_gone || since.elapsed() >= HOLD).then_some((c, p, parent_gone))
            })
            .collect();
        for (c, p, parent_gone) in due {
            let how = if parent_gone && p != self.trace.tracer { ForkHow::Fork } else { ForkHow::Unknown };
            let p = if p > 0 { p } else { self.trace.tracer };
            self.born(p, c, how);
        }
    }

    /// The final status of `pid` came to the tracer: record the exit if the
    /// exit stop was not asked for or missed, the adoption of its children,
    /// and who reaps it.
    fn ended(&mut self, pid: i32, raw: i32) {
        if pid == self.trace.main {
            self.main_done = Some(Instant::now());
        }
        // The kernel may report a child's exit before its parent's, which
        // came first (it reports the newest tracee first): if the parent is
        // a zombie already, collect and record its end first.
        if let Some(parent) = self.tracees.get(&pid).map(|t| t.parent).filter(|p| self.tracees.contains_key(p))
            && procfs::stat(parent).ok().flatten().is_some_and(|s| s.is_zombie())
        {
            let mut st = 0;
            // SAFETY: plain waitpid with a valid pointer.
            let got = unsafe { libc::waitpid(parent, &mut st, libc::__WALL | libc::WNOHANG) };
            if got == parent && (libc::WIFEXITED(st) || libc::WIFSIGNALED(st)) {
                self.ended(parent, st);
            }
        }
        let Some(t) = self.tracees.remove(&pid) else {
            // A zombie released earlier, adopted since by the tracer: reaped for real now.
            if self.released.remove(&pid).is_some() {
                let call = "waitpid (labkit trace, the subreaper)".to_string();
                self.push(pid, Kind::Reaped { by: ReapedBy::Process { pid: self.trace.tracer, call } });
            }
            return;
        };
        self.pending.remove(&pid);
        // A child whose fork event never came (its parent was killed at the
        // fork): born all the same, and let go.
        let orphaned: Vec<i32> = self.held.iter().filter(|(_, h)| h.0 == pid).map(|(&c, _)| c).collect();
        for c in orphaned {
            self.tracees.insert(pid, t.clone());
            self.born(pid, c, ForkHow::Fork);
            self.tracees.remove(&pid);
        }
        if t.thread {
            return;
        }
        if !t.exited {
            self.push(pid, Kind::Exit { status: Status::from_raw(raw) });
        }
        // Its children, running or zombies, were re-parented when it exited: read their new parent.
        let mut orphans: Vec<i32> =
            self.tracees.iter().filter(|(_, c)| c.parent == pid && !c.thread).map(|(&c, _)| c).collect();
        orphans.extend(self.released.iter().filter(|(_, p)| **p == pid).map(|(&c, _)| c));
        orphans.sort_unstable();
        for c in orphans {
            let by = procfs::stat(c).ok().flatten().map_or(self.trace.tracer, |s| s.ppid);
            if let Some(ct) = self.tracees.get_mut(&c) {
                ct.parent = by;
            }
            if let Some(p) = self.released.get_mut(&c) {
                *p = by;
            }
            self.push(c, Kind::Adopted { from: pid, by });
        }
        if t.parent == self.trace.tracer {
            let call = "waitpid (labkit trace, the subreaper)".to_string();
            self.push(pid, Kind::Reaped { by: ReapedBy::Process { pid: self.trace.tracer, call } });
            return;
        }
        // The tracer's wait released it to its real parent. If that parent
        // ignores SIGCHLD, the kernel reaps it right now.
        let ignored = procfs::ignores_signal(t.parent, libc::SIGCHLD).unwrap_or(false);
        if ignored && procfs::stat(pid).ok().flatten().is_none_or(|s| s.ppid != t.parent) {
            self.autoreaped += 1;
            self.push(pid, Kind::Reaped { by: ReapedBy::Kernel });
        } else {
            self.released.insert(pid, t.parent);
        }
    }

    /// A seccomp stop: the tracee is entering one of the traced calls.
    fn seccomp_stop(&mut self, pid: i32) {
        let p = Pid::from_raw(pid);
        let Ok(info) = ptrace::syscall_info(p) else {
            let _ = ptrace::cont(p, None);
            return;
        };
        // SAFETY: op 3 (PTRACE_SYSCALL_INFO_SECCOMP) fills the seccomp member.
        let (nr, args) = unsafe { (info.u.seccomp.nr as libc::c_long, info.u.seccomp.args) };
        let fd = args[0] as i32;
        let wait_for_result = match nr {
            libc::SYS_wait4 => Some(Pending::Wait { call: "wait4", args }),
            libc::SYS_waitid => Some(Pending::Wait { call: "waitid", args }),
            libc::SYS_kill | libc::SYS_tkill => {
                self.kill(pid, args[0] as i32, args[1] as i32);
                None
            }
            libc::SYS_tgkill => {
                self.kill(pid, args[1] as i32, args[2] as i32);
                None
            }
            libc::SYS_prctl => {
                if args[0] == libc::PR_SET_CHILD_SUBREAPER as u64 && args[1] != 0 {
                    self.push(pid, Kind::Subreaper);
                }
                None
            }
            libc::SYS_write if fd == 1 || fd == 2 => {
                let n = (args[2] as usize).min(4096);
                if let Some(bytes) = read_memory(pid, args[1], n) {
                    self.push(pid, Kind::Output { fd, text: String::from_utf8_lossy(&bytes).into_owned() });
                }
                None
            }
            libc::SYS_writev if fd == 1 || fd == 2 => {
                // writev(fd, iov, iovcnt): the first few buffers, at most 4 KiB in all.
                let count = (args[2] as usize).min(16);
                let iov = read_memory(pid, args[1], count * 16).unwrap_or_default();
                let mut bytes = Vec::new();
                for v in iov.chunks_exact(16) {
                    let (base, len) = (i64_of(&v[..8]) as u64, i64_of(&v[8..]) as usize);
                    let want = len.min(4096usize.saturating_sub(bytes.len()));
                    bytes.extend(read_memory(pid, base, want).unwrap_or_default());
                }
                if !bytes.is_empty() {
                    self.push(pid, Kind::Output { fd, text: String::from_utf8_lossy(&bytes).into_owned() });
                }
                None
            }
            libc::SYS_write | libc::SYS_writev => Some(self.write(pid, nr, fd, None)),
            libc::SYS_pwrite64 | libc::SYS_pwritev | libc::SYS_pwritev2 => {
                Some(self.write(pid, nr, fd, Some(args[3] as i64)))
            }
            libc::SYS_copy_file_range => {
                let off = if args[3] == 0 { None } else { read_memory(pid, args[3], 8).map(|b| i64_of(&b)) };
                Some(self.write(pid, nr, args[2] as i32, off))
            }
            libc::SYS_sendfile => Some(self.write(pid, nr, fd, None)),
            _ => None,
        };
        match wait_for_result {
            Some(pending) => {
                self.pending.insert(pid, pending);
                let _ = ptrace::syscall(p, None); // stop again at the call's return
            }
            None => {
                let _ = ptrace::cont(p, None);
            }
        }
    }

    fn kill(&mut self, pid: i32, target: i32, sig: i32) {
        if sig != 0 {
            let target = self.process_of(target);
            self.push(pid, Kind::Kill { target, sig });
        }
    }

    fn write(&self, pid: i32, nr: libc::c_long, fd: i32, offset: Option<i64>) -> Pending {
        let call = match nr {
            libc::SYS_write => "write",
            libc::SYS_writev => "writev",
            libc::SYS_pwrite64 => "pwrite64",
            libc::SYS_pwritev => "pwritev",
            libc::SYS_pwritev2 => "pwritev2",
            libc::SYS_copy_file_range => "copy_file_range",
            _ => "sendfile",
        };
        let path = std::fs::read_link(format!("/proc/{pid}/fd/{fd}"))
            .map_or_else(|_| format!("fd {fd}"), |p| p.to_string_lossy().into_owned());
        Pending::Write { call, path, offset }
    }

    /// A syscall-exit stop: the traced call returns `rval`.
    fn syscall_exit(&mut self, pid: i32) {
        let p = Pid::from_raw(pid);
        let pending = self.pending.remove(&pid);
        if let (Some(pending), Ok(info)) = (pending, ptrace::syscall_info(p))
            && info.op == 2
        {
            // SAFETY: op 2 (PTRACE_SYSCALL_INFO_EXIT) fills the exit member.
            let (rval, is_error) = unsafe { (info.u.exit.sval, info.u.exit.is_error != 0) };
            match pending {
                Pending::Wait { call, args } => self.wait_returned(pid, call, args, rval, is_error),
                Pending::Write { call, path, offset } if !is_error && rval > 0 => {
                    self.push(pid, Kind::Write { call: call.into(), path, bytes: rval, offset });
                }
                Pending::Write { .. } => {}
            }
        }
        let _ = ptrace::cont(p, None);
    }

    fn wait_returned(&mut self, pid: i32, call: &'static str, args: [u64; 6], rval: i64, is_error: bool) {
        if is_error {
            let errno = (-rval) as i32;
            // ERESTARTSYS and friends: interrupted, the kernel restarts the call.
            if !(512..=517).contains(&errno) && errno != libc::EINTR && errno != libc::EAGAIN {
                self.push(pid, Kind::WaitFailed { call: call.into(), errno });
            }
            return;
        }
        let reaped = if call == "wait4" {
            // wait4(pid, &status, options, rusage): a stop or continue report reaps nothing.
            let status = if args[1] == 0 { None } else { read_memory(pid, args[1], 4).map(|b| i32_of(&b)) };
            let reaps = status.is_none_or(|s| libc::WIFEXITED(s) || libc::WIFSIGNALED(s));
            (rval > 0 && reaps).then_some(rval as i32)
        } else {
            // waitid(idtype, id, &info, options, rusage): info.si_pid, si_code; WNOWAIT only peeks.
            let info = read_memory(pid, args[2], 16 + 4);
            let peek = args[3] & libc::WNOWAIT as u64 != 0;
            info.and_then(|b| {
                let code = i32_of(&b[8..12]);
                let child = i32_of(&b[16..20]);
                let ended = matches!(code, libc::CLD_EXITED | libc::CLD_KILLED | libc::CLD_DUMPED);
                (child > 0 && ended && !peek).then_some(child)
            })
        };
        if let Some(child) = reaped {
            self.released.remove(&child);
            let pid = self.process_of(pid);
            self.push(child, Kind::Reaped { by: ReapedBy::Process { pid, call: call.into() } });
        }
    }

    /// A stop of `pid` reported by `waitpid`: handle it and let the tracee go on.
    fn stopped(&mut self, pid: i32, status: i32) {
        let p = Pid::from_raw(pid);
        let sig = libc::WSTOPSIG(status);
        let event = status >> 16;
        if !self.tracees.contains_key(&pid) {
            // A new tracee's first stop, before its parent's fork event: hold it
            // there, so nothing it does is recorded before its birth.
            let parent = procfs::stat(pid).ok().flatten().map_or(0, |s| s.ppid);
            self.held.insert(pid, (parent, Instant::now()));
            return;
        }
        if sig == libc::SIGTRAP | 0x80 {
            return self.syscall_exit(pid);
        }
        let starting = self.tracees.get(&pid).is_some_and(|t| t.starting);
        match event {
            libc::PTRACE_EVENT_FORK | libc::PTRACE_EVENT_VFORK | libc::PTRACE_EVENT_CLONE => {
                let how = match event {
                    libc::PTRACE_EVENT_FORK => ForkHow::Fork,
                    libc::PTRACE_EVENT_VFORK => ForkHow::Vfork,
                    _ => ForkHow::Clone,
                };
                if let Ok(child) = ptrace::getevent(p) {
                    self.born(pid, child as i32, how);
                }
                let _ = ptrace::cont(p, None);
            }
            libc::PTRACE_EVENT_EXEC => {
                if let Some(t) = self.tracees.get_mut(&pid) {
                    t.starting = false;
                }
                let path = std::fs::read_link(format!("/proc/{pid}/exe"))
                    .map_or_else(|_| "?".to_string(), |p| p.to_string_lossy().into_owned());
                let argv = std::fs::read(format!("/proc/{pid}/cmdline"))
                    .map(|b| {
                        b.split(|&c| c == 0)
                            .filter(|a| !a.is_empty())
                            .map(|a| String::from_utf8_lossy(a).into_owned())
                            .collect()
                    })
                    .unwrap_or_default();
                self.push(pid, Kind::Exec { path, argv });
                let _ = ptrace::cont(p, None);
            }
            libc::PTRACE_EVENT_EXIT => {
                let is_thread = self.tracees.get(&pid).is_some_and(|t| t.thread);
                if let (Ok(raw), false) = (ptrace::getevent(p), is_thread) {
                    self.push(pid, Kind::Exit { status: Status::from_raw(raw as i32) });
                    if let Some(t) = self.tracees.get_mut(&pid) {
                        t.exited = true;
                    }
                }
                let _ = ptrace::cont(p, None);
            }
            libc::PTRACE_EVENT_SECCOMP => self.seccomp_stop(pid),
            libc::PTRACE_EVENT_STOP => {
                let group_stop = matches!(sig, libc::SIGSTOP | libc::SIGTSTP | libc::SIGTTIN | libc::SIGTTOU);
                if group_stop && !starting {
                    if let Some(t) = self.tracees.get_mut(&pid) {
                        t.stopped = true;
                    }
                    self.push(pid, Kind::Stopped { sig });
                    self.stops += 1;
                    // Stay stopped, but let the tracer hear of SIGCONT.
                    // SAFETY: plain ptrace request on a tracee in a stop.
                    unsafe { libc::ptrace(libc::PTRACE_LISTEN, pid, 0, 0) };
                } else {
                    // A tracee stopped in PTRACE_LISTEN traps again here when
                    // a SIGCONT resumes it (the signal itself may never be
                    // delivered: a SIGTERM sent right after it goes first).
                    if let Some(t) = self.tracees.get_mut(&pid).filter(|t| t.stopped) {
                        t.stopped = false;
                        self.push(pid, Kind::Continued);
                    }
                    let _ = ptrace::cont(p, None);
                }
            }
            _ => {
                // A signal is being delivered: note it and deliver it as it was.
                if starting {
                    let _ = ptrace::cont(p, None); // the tracer's own SIGSTOP/SIGCONT at set-up
                    return;
                }
                if sig != libc::SIGCHLD {
                    self.push(pid, Kind::Signal { sig });
                }
                if sig == libc::SIGCONT && self.tracees.get(&pid).is_some_and(|t| t.stopped) {
                    if let Some(t) = self.tracees.get_mut(&pid) {
                        t.stopped = false;
                    }
                    self.push(pid, Kind::Continued);
                }
                let _ = ptrace::cont(p, Signal::try_from(sig).ok());
            }
        }
    }
}

fn i32_of(b: &[u8]) -> i32 {
    i32::from_ne_bytes([b[0], b[1], b[2], b[3]])
}

fn i64_of(b: &[u8]) -> i64 {
    let mut a = [0u8; 8];
    a.copy_from_slice(&b[..8]);
    i64::from_ne_bytes(a)
}

/// The thread group (process) id of a task, from `/proc/<tid>/status`.
fn procfs_tgid(tid: i32) -> Option<i32> {
    let text = std::fs::read_to_string(format!("/proc/{tid}/status")).ok()?;
    text.lines().find_map(|l| l.strip_prefix("Tgid:"))?.trim().parse().ok()
}

/// Read `len` bytes at `addr` in the tracee's memory.
fn read_memory(pid: i32, addr: u64, len: usize) -> Option<Vec<u8>> {
    if addr == 0 || len == 0 {
        return None;
    }
    let mut buf = vec![0u8; len];
    let local = libc::iovec { iov_base: buf.as_mut_ptr().cast(), iov_len: len };
    let remote = libc::iovec { iov_base: addr as *mut libc::c_void, iov_len: len };
    // SAFETY: `local` points at `buf`, which is `len` bytes long.
    let got = unsafe { libc::process_vm_readv(pid, &local, 1, &remote, 1, 0) };
    (got > 0).then(|| {
        buf.truncate(got as usize);
        buf
    })
}

extern "C" fn on_tick(_: libc::c_int) {}

/// Wake the tracer's blocking `waitpid` every 20 ms (`SIGALRM` without
/// `SA_RESTART`), so it can check its timeout and the stop signals.
fn start_ticking() {
    // SAFETY: the handler only stores to an atomic; the sigaction and timer structs are fully initialised.
    unsafe {
        let mut sa: libc::sigaction = std::mem::zeroed();
        sa.sa_sigaction = on_tick as *const () as usize;
        libc::sigemptyset(&mut sa.sa_mask);
        libc::sigaction(libc::SIGALRM, &sa, std::ptr::null_mut());
        let every = libc::timeval { tv_sec: 0, tv_usec: 20_000 };
        let timer = libc::itimerval { it_interval: every, it_value: every };
        libc::setitimer(libc::ITIMER_REAL, &timer, std::ptr::null_mut());
    }
}

fn stop_ticking() {
    // SAFETY: a zeroed timer disarms it.
    unsafe {
        let timer: libc::itimerval = std::mem::zeroed();
        libc::setitimer(libc::ITIMER_REAL, &timer, std::ptr::null_mut());
    }
}

/// Run `argv` under the trace and record its whole process family.
///
/// Call it only from a single-threaded process that has no other children
/// (`labkit trace` is one): it becomes a child subreaper and waits for
/// every child it has (`waitpid(-1, __WALL)`). Nothing is left behind: when
/// the command has ended, its family gets `opts.grace` to end too, then
/// whatever is left is killed and reaped (the trace shows the kills).
///
/// `Err` when the command cannot be traced at all (no such program,
/// `ptrace` or seccomp refused); the message says why.
pub fn record(argv: &[String], opts: &Options) -> Result<Trace, String> {
    let Some(prog) = argv.first() else { return Err("no command given".into()) };
    let cargs: Vec<CString> = argv
        .iter()
        .map(|a| CString::new(a.as_bytes()).map_err(|_| format!("argument '{a}' holds a NUL byte")))
        .collect::<Result<_, _>>()?;
    let mut arg_ptrs: Vec<*const libc::c_char> = cargs.iter().map(|a| a.as_ptr()).collect();
    arg_ptrs.push(std::ptr::null());
    let filter = filter();
    let fprog = libc::sock_fprog { len: filter.len() as u16, filter: filter.as_ptr().cast_mut() };
    crate::process::become_subreaper().map_err(|e| format!("prctl(PR_SET_CHILD_SUBREAPER): {e}"))?;
    // The first stop signal is passed on to the command (unless the terminal
    // already sent it to the whole family), so a lab's own Ctrl-C handling
    // shows in the trace; a second one ends the family at once.
    signals::note_stop_signals().map_err(|e| format!("sigaction: {e}"))?;
    // The child reports a failed exec through this pipe (closed on a successful exec).
    let (err_r, err_w) = nix::unistd::pipe2(nix::fcntl::OFlag::O_CLOEXEC).map_err(|e| format!("pipe: {e}"))?;
    crate::out::flush_all();
    // SAFETY: the caller is single-threaded; the child only makes system
    // calls (stop, prctl, exec, write, _exit) on memory prepared above.
    let child = match unsafe { nix::unistd::fork() }.map_err(|e| format!("fork: {e}"))? {
        nix::unistd::ForkResult::Child => unsafe {
            // Only system calls from here on, on memory prepared before the fork.
            drop(err_r);
            libc::raise(libc::SIGSTOP);
            let step = if libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 {
                b"prctl(PR_SET_NO_NEW_PRIVS)".as_slice()
            } else if libc::prctl(libc::PR_SET_SECCOMP, libc::SECCOMP_MODE_FILTER, &fprog) != 0 {
                b"seccomp filter".as_slice()
            } else {
                libc::execvp(arg_ptrs[0], arg_ptrs.as_ptr());
                b"exec".as_slice()
            };
            // "STEP ERRNO" for the tracer, the number written by hand.
            let mut errno = *libc::__errno_location();
            let mut digits = [b'0'; 12];
            let mut at = digits.len();
            loop {
                at -= 1;
                digits[at] = b'0' + (errno % 10) as u8;
                errno /= 10;
                if errno == 0 {
                    break;
                }
            }
            digits[at - 1] = b' ';
            let fd = std::os::fd::AsRawFd::as_raw_fd(&err_w);
            libc::write(fd, step.as_ptr().cast(), step.len());
            libc::write(fd, digits[at - 1..].as_ptr().cast(), digits.len() - at + 1);
            libc::_exit(127)
        },
        nix::unistd::ForkResult::Parent { child } => child,
    };
    drop(err_w);
    let tracer = std::process::id() as i32;
    let mut rec = Recorder {
        start: Instant::now(),
        trace: Trace { command: argv.to_vec(), tracer, main: child.as_raw(), ..Trace::default() },
        tracees: BTreeMap::new(),
        pending: BTreeMap::new(),
        held: BTreeMap::new(),
        released: BTreeMap::new(),
        autoreaped: 0,
        stops: 0,
        main_done: None,
    };
    // Wait for the child's own stop, attach, and let it go on.
    let attach = (|| -> Result<(), String> {
        let mut st = 0;
        // SAFETY: plain waitpid on our own child.
        let got = unsafe { libc::waitpid(child.as_raw(), &mut st, libc::WUNTRACED) };
        if got != child.as_raw() || !libc::WIFSTOPPED(st) {
            return Err("the child did not stop for the tracer to attach".into());
        }
        use ptrace::Options as O;
        let options = O::PTRACE_O_TRACESYSGOOD
            | O::PTRACE_O_TRACEFORK
            | O::PTRACE_O_TRACEVFORK
            | O::PTRACE_O_TRACECLONE
            | O::PTRACE_O_TRACEEXEC
            | O::PTRACE_O_TRACESECCOMP
            | O::PTRACE_O_EXITKILL;
        ptrace::seize(child, options).map_err(|e| format!("ptrace(PTRACE_SEIZE): {} ({e})", e.desc()))?;
        signal::kill(child, Signal::SIGCONT).map_err(|e| format!("kill(SIGCONT): {e}"))
    })();
    if let Err(e) = attach {
        let _ = signal::kill(child, Signal::SIGKILL);
        let _ = nix::sys::wait::waitpid(child, None);
        return Err(e);
    }
    rec.tracees
        .insert(child.as_raw(), Tracee { parent: tracer, tgid: child.as_raw(), starting: true, ..Tracee::default() });
    rec.push(tracer, Kind::Fork { child: child.as_raw(), how: ForkHow::Start });
    start_ticking();
    let mut kill_at: Option<Instant> = None;
    let mut why = String::new(); // why the family was killed, for the note
    let mut killed: BTreeSet<i32> = BTreeSet::new();
    let mut stops_seen = 0;
    loop {
        let now = Instant::now();
        let noted = signals::stops_noted();
        let stops = noted.count;
        if stops > stops_seen {
            let sig = noted.last.map_or(0, |s| s as i32);
            if stops_seen == 0 && !noted.from_terminal && rec.main_done.is_none() {
                // Sent to the tracer alone: pass it on to the command.
                if signal::kill(child, Signal::try_from(sig).ok()).is_ok() {
                    rec.push(tracer, Kind::Kill { target: child.as_raw(), sig });
                }
            } else if stops_seen > 0 || stops > 1 {
                kill_at.get_or_insert_with(|| {
                    why = format!("a second {} came", super::signal_name(sig));
                    now
                }); // asked twice: end it all now
            }
            stops_seen = stops;
        }
        if rec.main_done.is_none() && rec.start.elapsed() >= opts.timeout {
            rec.trace.timed_out = true;
            kill_at.get_or_insert_with(|| {
                why = format!("the command still ran at the timeout ({})", crate::delay::show(opts.timeout));
                now
            });
        }
        if let Some(done) = rec.main_done {
            kill_at.get_or_insert_with(|| {
                why = format!("they still ran {} after the command ended", crate::delay::show(opts.grace));
                done + opts.grace
            });
        }
        if kill_at.is_some_and(|t| now >= t) {
            for s in procfs::descendants(tracer) {
                if !s.is_zombie()
                    && !killed.contains(&s.pid)
                    && signal::kill(Pid::from_raw(s.pid), Signal::SIGKILL).is_ok()
                {
                    killed.insert(s.pid);
                    rec.push(tracer, Kind::Kill { target: s.pid, sig: libc::SIGKILL });
                }
            }
        }
        rec.release_held();
        let mut status = 0;
        // SAFETY: plain waitpid with a valid pointer.
        let pid = unsafe { libc::waitpid(-1, &mut status, libc::__WALL) };
        if pid < 0 {
            match Errno::last() {
                Errno::EINTR => continue,
                _ => break, // ECHILD: the whole family is gone
            }
        }
        if libc::WIFEXITED(status) || libc::WIFSIGNALED(status) {
            if pid == child.as_raw() && rec.tracees.get(&pid).is_some_and(|t| t.starting) {
                // It never reached exec: say why.
                stop_ticking();
                let mut msg = [0u8; 256];
                let n = nix::unistd::read(&err_r, &mut msg).unwrap_or(0);
                let text = String::from_utf8_lossy(&msg[..n]).into_owned();
                let (step, errno) = text.rsplit_once(' ').unwrap_or((&text, "0"));
                let errno = Errno::from_raw(errno.parse().unwrap_or(0));
                reap_rest();
                return Err(format!("cannot run {prog}: {step} failed: {}", errno.desc()));
            }
            rec.ended(pid, status);
        } else if libc::WIFSTOPPED(status) {
            rec.stopped(pid, status);
        }
    }
    stop_ticking();
    // Exits that no traced wait returned: the kernel reaped them (a parent
    // with SA_NOCLDWAIT), or their adopter was not traced.
    for pid in std::mem::take(&mut rec.released).into_keys() {
        rec.push(pid, Kind::Reaped { by: ReapedBy::Kernel });
    }
    if rec.autoreaped > 0 {
        rec.trace.notes.push(format!(
            "{} child(ren) whose parent ignores SIGCHLD were reaped by the kernel only once the tracer had \
             collected their exit, microseconds after it; untraced, the kernel reaps them at their exit and \
             /proc never shows them as zombies",
            rec.autoreaped
        ));
    }
    if rec.stops > 0 {
        rec.trace.notes.push(format!(
            "{} stop(s) by a signal: while stopped, a traced process shows state t (tracing stop) in /proc \
             and ps; untraced, it shows T (stopped)",
            rec.stops
        ));
    }
    if !killed.is_empty() {
        rec.trace.notes.push(format!("labkit trace killed {} process(es): {why}", killed.len()));
    }
    Ok(rec.trace)
}

/// Reap whatever children are left (after a failed start).
fn reap_rest() {
    let mut st = 0;
    // SAFETY: plain waitpid with a valid pointer.
    while unsafe { libc::waitpid(-1, &mut st, libc::__WALL) } > 0 {}
}
