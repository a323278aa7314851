//! Fork and wait plumbing, written once for every lab.
//!
//! * [`fork_child`] runs a closure in a new process whose life always ends
//!   with `_exit(2)` ([`exit_child`]): the child never returns into the
//!   parent's code, never runs the parent's destructors or `atexit`
//!   handlers, and never flushes a buffer that the parent will flush too.
//!   (Labs 1 and 2 show the raw `match fork()` instead: its two returns are
//!   their lesson.)
//! * [`fail`]: the one way a lab gives up, `[role PID] what: why` on
//!   stderr and exit code 1.
//! * [`Reaped`] is what `wait`/`waitpid` returned: the PID, the raw status
//!   word, and its decoding (`WIFEXITED`/`WEXITSTATUS`, `WIFSIGNALED`/`WTERMSIG`).
//! * [`become_subreaper`] and [`reap_all`] keep orphans from outliving a lab;
//!   [`under_reaper`] runs a lab's whole family under a reaper that shows
//!   what it reaped.

use nix::errno::Errno;
use nix::sys::signal::{SigSet, Signal};
use nix::sys::wait::WaitStatus;
use nix::unistd::{ForkResult, Pid};

use crate::out;

/// Fork. The child takes the role `role` (its lines say `[role PID]`), runs
/// `body`, and exits with the code `body` returns, via `_exit`. In the parent
/// this returns the child's PID.
///
/// A panic in the child is caught and becomes exit code 101: it never
/// unwinds into the parent's code.
pub fn fork_child<F: FnOnce() -> i32>(role: &'static str, body: F) -> nix::Result<Pid> {
    out::flush_all();
    // SAFETY: the labs are single-threaded, so the child is a complete copy of
    // the only thread; it runs `body` and leaves through `_exit`.
    match unsafe { nix::unistd::fork() }? {
        ForkResult::Parent { child } => Ok(child),
        ForkResult::Child => {
            out::set_role(role);
            let code = std::panic::catch_unwind(std::panic::AssertUnwindSafe(body)).unwrap_or(101);
            exit_child(code)
        }
    }
}

/// How a forked child ends: flush what it printed, then `_exit(code)`. It
/// never returns into the parent's code after `fork`, never runs `atexit`
/// handlers or destructors, and never flushes a buffer it copied from the
/// parent (which the parent will flush too). Python's `os._exit(code)`.
pub fn exit_child(code: i32) -> ! {
    out::flush_all();
    // SAFETY: `_exit` ends the process at once; nothing after it runs.
    unsafe { libc::_exit(code) }
}

/// What `wait`/`waitpid` reported for one child.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reaped {
    /// The PID `wait` returned.
    pub pid: Pid,
    /// The raw status word (`exit code * 256` for a normal exit).
    pub raw: i32,
    /// The decoded status.
    pub status: WaitStatus,
}

impl Reaped {
    fn from_raw(pid: libc::pid_t, raw: i32) -> Reaped {
        let pid = Pid::from_raw(pid);
        let status = WaitStatus::from_raw(pid, raw).unwrap_or(WaitStatus::StillAlive);
        Reaped { pid, raw, status }
    }

    /// `WEXITSTATUS`, when the child exited normally.
    pub fn exit_code(&self) -> Option<i32> {
        match self.status {
            WaitStatus::Exited(_, code) => Some(code),
            _ => None,
        }
    }

    /// `WTERMSIG`, when a signal killed the child.
    pub fn signal(&self) -> Option<Signal> {
        match self.status {
            WaitStatus::Signaled(_, sig, _) => Some(sig),
            _ => None,
        }
    }

    /// `exited code=2` or `killed signal=SIGKILL`: how the child ended, in
    /// the `key=value` form graders read.
    pub fn describe(&self) -> String {
        match self.status {
            WaitStatus::Exited(_, code) => format!("exited code={code}"),
            WaitStatus::Signaled(_, sig, core) => {
                format!("killed signal={}{}", sig.as_str(), if core { " (core dumped)" } else { "" })
            }
            other => format!("status={other:?}"),
        }
    }
}

fn waitpid_raw(pid: libc::pid_t, flags: libc::c_int) -> nix::Result<Option<Reaped>> {
    let mut raw = 0;
    loop {
        // SAFETY: plain system call with a valid pointer to `raw`.
        let got = unsafe { libc::waitpid(pid, &mut raw, flags) };
        match Errno::result(got) {
            Ok(0) => return Ok(None), // WNOHANG: children exist, none has changed state
            Ok(got) => return Ok(Some(Reaped::from_raw(got, raw))),
            Err(Errno::EINTR) => continue,
            Err(e) => return Err(e),
        }
    }
}

/// `wait()`: block until any child ends and reap it. `Err(ECHILD)` when the
/// caller has no children left to wait for.
pub fn wait_any() -> nix::Result<Reaped> {
    waitpid_raw(-1, 0).map(|r| r.expect("blocking waitpid returned 0"))
}

/// `waitpid(pid, 0)`: block until that child ends and reap it.
pub fn wait_for(pid: Pid) -> nix::Result<Reaped> {
    waitpid_raw(pid.as_raw(), 0).map(|r| r.expect("blocking waitpid returned 0"))
}

/// `waitpid(pid, WNOHANG)` (`pid` `None` means `-1`, any child): `Ok(None)`
/// while the child is still running.
pub fn try_wait(pid: Option<Pid>) -> nix::Result<Option<Reaped>> {
    waitpid_raw(pid.map_or(-1, Pid::as_raw), libc::WNOHANG)
}

/// The PID of a child that has ended, *without* reaping it (`waitid` with
/// `WNOWAIT`): its `/proc` entry can still be read. `Ok(None)` when no child
/// has ended yet; `Err(ECHILD)` when there are no children.
pub fn peek_ended() -> nix::Result<Option<Pid>> {
    use nix::sys::wait::{Id, WaitPidFlag, waitid};
    let flags = WaitPidFlag::WEXITED | WaitPidFlag::WNOHANG | WaitPidFlag::WNOWAIT;
    loop {
        match waitid(Id::All, flags) {
            Ok(WaitStatus::StillAlive) => return Ok(None),
            Ok(status) => return Ok(status.pid()),
            Err(Errno::EINTR) => continue,
            Err(e) => return Err(e),
        }
    }
}

/// One more `wait()`, expecting it to fail with `ECHILD`: no child is left
/// to wait for. Says so, `wait() errno=ECHILD (No child processes)` and
/// then `note`, and returns true; otherwise warns what `wait` did instead.
pub fn none_left(note: &str) -> bool {
    match wait_any() {
        Err(Errno::ECHILD) => {
            crate::say!("wait() errno=ECHILD ({}){note}", Errno::ECHILD.desc());
            return true;
        }
        Err(e) => crate::warn!("wait() failed with errno={e:?} ({}), not ECHILD", e.desc()),
        Ok(r) => crate::warn!("wait() still found a child: pid={} {}", r.pid, r.describe()),
    }
    false
}

/// Make the calling process a *child subreaper* (`prctl(PR_SET_CHILD_SUBREAPER)`):
/// orphans among its descendants are re-parented to it instead of to PID 1,
/// so it can reap them.
pub fn become_subreaper() -> nix::Result<()> {
    nix::sys::prctl::set_child_subreaper(true)
}

/// Reap every child until none is left (`wait` answers `ECHILD`), calling
/// `each` for every one reaped. Returns how many were reaped.
pub fn reap_all(mut each: impl FnMut(&Reaped)) -> usize {
    let mut n = 0;
    while let Ok(r) = wait_any() {
        each(&r);
        n += 1;
    }
    n
}

/// Run a lab's process family under a reaper, for labs that make orphans.
///
/// The calling process takes the role `reaper`, becomes a child subreaper
/// (and reads the attribute back with `PR_GET_CHILD_SUBREAPER` before saying
/// so), then forks the `parent`, which runs `parent(reaper_pid)`: the
/// course's program. Orphans made anywhere below are re-parented to the
/// reaper instead of PID 1 (which may or may not reap them: that depends on
/// the machine, see lab 5's `--adopt-by-init`). The reaper reaps every child until none is left,
/// printing each one as `reaped pid=N exited code=C adopted=yes|no`
/// (`adopted=no` only for the parent it forked itself), then shows `wait()`
/// failing with `errno=ECHILD`: nothing is left.
///
/// `SIGINT`, `SIGTERM` and `SIGHUP` (Ctrl-C signals the whole family) do
/// not end the reaper early: it notes the signal, goes on reaping until its
/// family is gone, says so, and only then ends. (`SIGQUIT`, Ctrl-\\, still
/// ends it at once.)
///
/// Returns the reaper's exit code: 0 when every process it reaped exited
/// with code 0, [`EXIT_FAILED`] otherwise (or when it could not become a
/// subreaper or fork), `128 + N` when signal N asked it to stop.
pub fn under_reaper<F: FnOnce(Pid) -> i32>(parent: F) -> i32 {
    out::set_role("reaper");
    let me = nix::unistd::getpid();
    let subreaper = become_subreaper().and_then(|()| nix::sys::prctl::get_child_subreaper());
    match subreaper {
        Ok(true) => crate::say!("subreaper=yes (prctl PR_SET_CHILD_SUBREAPER): orphans below me are re-parented to me"),
        Ok(false) => {
            crate::warn!("prctl(PR_GET_CHILD_SUBREAPER) says I am not a subreaper; not starting");
            return EXIT_FAILED;
        }
        Err(e) => {
            crate::warn!("prctl(PR_SET_CHILD_SUBREAPER) failed: {e}; not starting");
            return EXIT_FAILED;
        }
    }
    // Ctrl-C in a terminal signals the whole family at once. A reaper that
    // died with it would hand its family to PID 1 (or a subreaper above),
    // and whether that one reaps is not ours to know: the reaper notes the signal instead and stays until it
    // has reaped everyone. The signals are blocked across the fork so the
    // family keeps their default dispositions and none slips in between.
    let stop = crate::signals::STOP_SIGNALS.into_iter().collect::<SigSet>();
    let _ = stop.thread_block();
    let parent_pid = fork_child("parent", || {
        let _ = stop.thread_unblock();
        parent(me)
    });
    let _ = crate::signals::note_stop_signals();
    let _ = stop.thread_unblock();
    let parent_pid = match parent_pid {
        Ok(pid) => pid,
        Err(e) => {
            crate::warn!("fork failed: {e}");
            return EXIT_FAILED;
        }
    };
    // Success needs evidence: the parent was reaped here, and everyone exited 0.
    let mut all_ok = true;
    let mut parent_reaped = false;
    reap_all(|r| {
        all_ok &= r.exit_code() == Some(0);
        parent_reaped |= r.pid == parent_pid;
        crate::say!("reaped pid={} {} adopted={}", r.pid, r.describe(), if r.pid == parent_pid { "no" } else { "yes" });
    });
    if !parent_reaped {
        crate::warn!("never reaped my child parent={parent_pid}: was SIGCHLD ignored?");
    }
    let stopped_by = crate::signals::stop_noted();
    if let Some(sig) = stopped_by {
        crate::say!("got signal={}: stayed until all of my family was reaped", sig.as_str());
    }
    all_ok &= none_left(": nothing left to reap");
    match stopped_by {
        Some(sig) => 128 + sig as i32, // the shell's convention for "ended by this signal"
        None if all_ok && parent_reaped => 0,
        None => EXIT_FAILED,
    }
}

/// Pin the calling process to the CPU it is running on now
/// (`sched_setaffinity` with that one CPU); children forked afterwards
/// inherit the pin. Returns the CPU.
pub fn pin_to_current_cpu() -> nix::Result<usize> {
    use nix::sched::{CpuSet, sched_setaffinity};
    // SAFETY: sched_getcpu only reads which CPU the caller is on.
    let cpu = usize::try_from(unsafe { libc::sched_getcpu() }).map_err(|_| Errno::last())?;
    let mut set = CpuSet::new();
    set.set(cpu)?;
    sched_setaffinity(Pid::from_raw(0), &set)?;
    Ok(cpu)
}

/// How many CPUs the calling process may run on (`sched_getaffinity`).
pub fn cpus_usable() -> usize {
    use nix::sched::{CpuSet, sched_getaffinity};
    sched_getaffinity(Pid::from_raw(0))
        .map_or(1, |set| (0..CpuSet::count()).filter(|&c| set.is_set(c).unwrap_or(false)).count())
}

/// Exit code for "the program ran but what it observed was wrong".
pub const EXIT_FAILED: i32 = 1;
/// Exit code for bad command-line input (the same code clap uses).
pub const EXIT_USAGE: i32 = 2;

/// Print `what: err` as a tagged line on stderr (`[parent 4242] fork
/// failed: EAGAIN: ...`) and exit with [`EXIT_FAILED`]: for a system call a
/// lab cannot go on without (`pipe`, `fork`, `waitpid`), or a task that
/// failed. Every lab fails through this one helper (or [`fail_with`]). It
/// ends like [`exit_child`], so it serves in a forked child too.
pub fn fail(what: &str, err: impl std::fmt::Display) -> ! {
    fail_with(EXIT_FAILED, what, err)
}

/// [`fail`] with another exit code: [`EXIT_USAGE`] for bad input found
/// after the command line was parsed (a file that does not exist).
pub fn fail_with(code: i32, what: &str, err: impl std::fmt::Display) -> ! {
    crate::warn!("{what}: {err}");
    exit_child(code)
}
