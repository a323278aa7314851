//! The system plumbing the chat's processes share: UDP sockets with big
//! buffers, signals read from a file descriptor, a child that starts clean
//! and dies with its parent, and `poll` timeouts.

use std::io;
use std::net::SocketAddrV4;
use std::os::fd::{AsFd, AsRawFd, OwnedFd, RawFd};
use std::time::Duration;

use nix::poll::PollTimeout;
use nix::sys::signal::{SigSet, SigmaskHow, Signal};
use nix::sys::signalfd::{SfdFlags, SignalFd};
use nix::sys::socket::{self, AddressFamily, SockFlag, SockType, SockaddrIn, sockopt};
use nix::unistd::Pid;

/// A UDP socket bound to `addr`, with receive and send buffers of about
/// `buffer` bytes (see [`set_buffers`]).
pub fn udp_bind(addr: SocketAddrV4, buffer: usize) -> nix::Result<OwnedFd> {
    let fd = socket::socket(AddressFamily::Inet, SockType::Datagram, SockFlag::SOCK_CLOEXEC, None)?;
    set_buffers(&fd, buffer);
    socket::bind(fd.as_raw_fd(), &SockaddrIn::from(addr))?;
    Ok(fd)
}

/// Ask for `bytes` of receive and send buffer. `SO_RCVBUFFORCE` passes the
/// system's limit (`net.core.rmem_max`) but needs `CAP_NET_ADMIN`; without
/// it, `SO_RCVBUF` gets what the limit allows. Returns what the kernel
/// granted (it doubles the request for its bookkeeping).
pub fn set_buffers(fd: &OwnedFd, bytes: usize) -> (usize, usize) {
    if socket::setsockopt(fd, sockopt::RcvBufForce, &bytes).is_err() {
        let _ = socket::setsockopt(fd, sockopt::RcvBuf, &bytes);
    }
    if socket::setsockopt(fd, sockopt::SndBufForce, &bytes).is_err() {
        let _ = socket::setsockopt(fd, sockopt::SndBuf, &bytes);
    }
    buffers(fd)
}

/// The receive and send buffer sizes the kernel granted.
pub fn buffers(fd: &OwnedFd) -> (usize, usize) {
    (
        socket::getsockopt(fd, sockopt::RcvBuf).unwrap_or_default(),
        socket::getsockopt(fd, sockopt::SndBuf).unwrap_or_default(),
    )
}

/// The address a socket is bound to.
pub fn local_addr(fd: &OwnedFd) -> nix::Result<SocketAddrV4> {
    let addr: SockaddrIn = socket::getsockname(fd.as_raw_fd())?;
    Ok(addr.into())
}

/// Signals read from a file descriptor (`signalfd`): they are blocked, so
/// instead of interrupting the program they wait to be read, and `poll`
/// sees them beside the sockets. No handler, no race, no flag.
pub struct Signals {
    fd: SignalFd,
}

impl Signals {
    /// Block `sigs` and open a `signalfd` for them.
    pub fn block(sigs: &[Signal]) -> nix::Result<Signals> {
        let mut mask = SigSet::empty();
        for s in sigs {
            mask.add(*s);
        }
        mask.thread_block()?;
        let fd = SignalFd::with_flags(&mask, SfdFlags::SFD_NONBLOCK | SfdFlags::SFD_CLOEXEC)?;
        Ok(Signals { fd })
    }

    /// The next pending signal, if any.
    pub fn read(&self) -> Option<Signal> {
        let info = self.fd.read_signal().ok()??;
        Signal::try_from(info.ssi_signo as i32).ok()
    }

    /// In a forked child: nothing blocked any more, as a fresh process.
    pub fn unblock_all() {
        let _ = nix::sys::signal::sigprocmask(SigmaskHow::SIG_SETMASK, Some(&SigSet::empty()), None);
    }
}

impl AsFd for Signals {
    fn as_fd(&self) -> std::os::fd::BorrowedFd<'_> {
        self.fd.as_fd()
    }
}

/// How a chat's forked child begins: close the parent's descriptors it
/// must not hold (`not_mine`), unblock every signal (as a fresh process
/// has them), and die with its parent ([`die_with_parent`]). False, said,
/// when the parent is already gone: the child must end.
pub fn start_child(parent: Pid, not_mine: &[RawFd]) -> bool {
    close_in_child(not_mine);
    Signals::unblock_all();
    if !die_with_parent(parent) {
        crate::say!("my parent {parent} is already gone: stopping");
        return false;
    }
    true
}

/// In a forked child: get `SIGTERM` when the parent dies
/// (`prctl(PR_SET_PDEATHSIG)`), so the child can never outlive it. Returns
/// false if the parent died *before* the call (the child is already
/// orphaned: `getppid()` is no longer `parent`), and the child must end.
pub fn die_with_parent(parent: Pid) -> bool {
    nix::sys::prctl::set_pdeathsig(Signal::SIGTERM).is_ok() && nix::unistd::getppid() == parent
}

/// In a forked child: close the child's copies of the parent's file
/// descriptors. (They are closed by number: the `OwnedFd`s belong to the
/// parent's stack, which the child leaves with `_exit`, never dropping them.)
pub fn close_in_child(fds: &[RawFd]) {
    for fd in fds {
        // SAFETY: the child never uses these descriptors again.
        unsafe { libc::close(*fd) };
    }
}

/// A `poll` timeout of at least `d` (rounded up to whole milliseconds).
pub fn poll_timeout(d: Duration) -> PollTimeout {
    let ms = d.as_micros().div_ceil(1000).min(i32::MAX as u128);
    PollTimeout::try_from(ms as i32).unwrap_or(PollTimeout::MAX)
}

/// Is this descriptor a terminal?
pub fn is_tty(fd: impl AsFd) -> bool {
    nix::unistd::isatty(fd).unwrap_or(false)
}

/// Turn an `io::Error`-free `nix` result into an `io::Result` (for `?` in
/// functions that mix std and nix calls).
pub fn io<T>(r: nix::Result<T>) -> io::Result<T> {
    r.map_err(io::Error::from)
}
