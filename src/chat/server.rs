//! The server's parts: the room (who is logged in, at which address), the
//! outbox of datagrams to send, the batched UDP socket, and the
//! administrator's child process.
//!
//! The room is plain bookkeeping and never touches a socket: it turns each
//! request into datagrams in the [`Outbox`]; the [`Wire`] sends the whole
//! outbox with as few system calls as it can (`sendmmsg`, up to
//! [`SEND_BATCH`] datagrams per call).
//!
//! The server's loop waits on its descriptors with [`wait_ready`], reads
//! the [`Admin`] child's lines, and looks for silent clients when its
//! [`IdleSweep`] says so.

use std::collections::HashMap;
use std::io::{self, BufRead as _};
use std::net::SocketAddrV4;
use std::ops::Range;
use std::os::fd::{AsFd, AsRawFd, OwnedFd, RawFd};
use std::time::{Duration, Instant};

use nix::errno::Errno;
use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
use nix::sys::socket::{self, ControlMessageOwned, MsgFlags, MultiHeaders, SockaddrIn, sockopt};
use nix::unistd::Pid;

use super::proto::{self, Bad, Lang, Refusal, Request};
use super::sys::{self, Signals};
use crate::{delay, process, say, warn};

/// Datagrams read per `recvmmsg` call.
pub const RECV_BATCH: usize = 64;
/// Datagrams sent per `sendmmsg` call (the kernel's limit, `UIO_MAXIOV`).
pub const SEND_BATCH: usize = 1024;
/// The socket buffers the server asks for.
pub const BUFFER_BYTES: usize = 4 << 20;

/// One person in the chat.
#[derive(Debug, Clone)]
pub struct Member {
    pub name: String,
    pub addr: SockaddrIn,
    /// When a datagram last came from this address (for `--idle-timeout`).
    pub last_heard: Instant,
}

/// Datagrams waiting to be sent: each payload once, then (payload, address)
/// pairs. A chat line to 999 people is one payload and 999 pairs.
#[derive(Debug, Default)]
pub struct Outbox {
    bytes: Vec<u8>,
    payloads: Vec<Range<usize>>,
    sends: Vec<(u32, SockaddrIn)>,
}

impl Outbox {
    /// Add a payload written by `write`; returns its number for [`Outbox::send`].
    pub fn payload(&mut self, write: impl FnOnce(&mut Vec<u8>)) -> u32 {
        let start = self.bytes.len();
        write(&mut self.bytes);
        self.payloads.push(start..self.bytes.len());
        (self.payloads.len() - 1) as u32
    }

    /// Queue payload `p` for `to`.
    pub fn send(&mut self, p: u32, to: SockaddrIn) {
        self.sends.push((p, to));
    }

    /// Queue `bytes` for `to`.
    pub fn reply(&mut self, to: SockaddrIn, bytes: &[u8]) {
        let p = self.payload(|b| b.extend_from_slice(bytes));
        self.send(p, to);
    }

    /// How many datagrams are queued.
    pub fn len(&self) -> usize {
        self.sends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.sends.is_empty()
    }

    fn clear(&mut self) {
        self.bytes.clear();
        self.payloads.clear();
        self.sends.clear();
    }
}

/// Counters for the server's last line.
#[derive(Debug, Default, Clone, Copy)]
pub struct Tally {
    pub logins: u64,
    pub chats: u64,
    pub deliveries: u64,
    pub rejected: u64,
}

/// The chat room: the map name → address (and back), as in the course, plus
/// the checks the course's servers lack.
#[derive(Debug)]
pub struct Room {
    pub lang: Lang,
    /// Log every chat line (`--quiet` turns it off for benchmarks).
    pub log_chats: bool,
    members: Vec<Member>,
    by_name: HashMap<String, usize>,
    by_addr: HashMap<SockaddrIn, usize>,
    pub tally: Tally,
}

/// Why a `C` or `Q` does not come from the member it names.
enum NotMember {
    /// Nobody is logged in with that name.
    Unknown,
    /// The name is logged in, from another address: someone speaks as them.
    OtherAddress,
}

/// A peer's text for the log: printable and at most 40 characters.
fn shown(text: &str) -> String {
    let p = proto::printable(text.as_bytes());
    if p.chars().count() > 40 { format!("{}...", p.chars().take(40).collect::<String>()) } else { p }
}

impl Room {
    pub fn new(lang: Lang) -> Room {
        Room {
            lang,
            log_chats: true,
            members: Vec::new(),
            by_name: HashMap::new(),
            by_addr: HashMap::new(),
            tally: Tally::default(),
        }
    }

    /// The people in the chat.
    pub fn members(&self) -> &[Member] {
        &self.members
    }

    /// Queue `payload` for every member except `except`; returns how many.
    fn broadcast(&self, out: &mut Outbox, payload: u32, except: Option<usize>) -> usize {
        for (i, m) in self.members.iter().enumerate() {
            if Some(i) != except {
                out.send(payload, m.addr);
            }
        }
        self.members.len() - usize::from(except.is_some())
    }

    fn notice_all(&self, out: &mut Outbox, text: &str, except: Option<usize>) -> usize {
        let p = out.payload(|b| b.extend_from_slice(text.as_bytes()));
        self.broadcast(out, p, except)
    }

    /// The member `name`, if the datagram comes from that member's address.
    fn sender(&self, from: SockaddrIn, name: &str) -> Result<usize, NotMember> {
        match self.by_name.get(name) {
            Some(&i) if self.members[i].addr == from => Ok(i),
            Some(_) => Err(NotMember::OtherAddress),
            None => Err(NotMember::Unknown),
        }
    }

    fn remove(&mut self, i: usize) -> Member {
        let m = self.members.swap_remove(i);
        self.by_name.remove(&m.name);
        self.by_addr.remove(&m.addr);
        if let Some(moved) = self.members.get(i) {
            self.by_name.insert(moved.name.clone(), i);
            self.by_addr.insert(moved.addr, i);
        }
        m
    }

    fn reject(&mut self, from: SockaddrIn, bytes: usize, why: &str) {
        self.tally.rejected += 1;
        say!("rejected datagram from={from} bytes={bytes} reason={why}");
    }

    /// Handle one datagram from `from` (`truncated`: longer than the read buffer).
    pub fn handle(&mut self, from: SockaddrIn, bytes: &[u8], truncated: bool, now: Instant, out: &mut Outbox) {
        if truncated {
            return self.reject(from, bytes.len(), Bad::TooLong.reason());
        }
        if let Some(&i) = self.by_addr.get(&from) {
            self.members[i].last_heard = now;
        }
        match proto::parse(bytes) {
            Err(bad) => self.reject(from, bytes.len(), bad.reason()),
            Ok(Request::Login(name)) => self.login(from, name, now, out),
            Ok(Request::Chat { name, text }) => match self.sender(from, name) {
                Ok(i) => {
                    let p = out.payload(|b| self.lang.said_into(b, name, text));
                    let n = self.broadcast(out, p, Some(i));
                    self.tally.chats += 1;
                    self.tally.deliveries += n as u64;
                    if self.log_chats {
                        say!("chat from={name} to={n} bytes={}", text.len());
                    }
                }
                Err(NotMember::Unknown) => self.reject(from, bytes.len(), "chat-from-unknown-name"),
                Err(NotMember::OtherAddress) => self.reject(from, bytes.len(), "chat-as-someone-else"),
            },
            Ok(Request::Quit(name)) => match self.sender(from, name) {
                Ok(i) => {
                    let m = self.remove(i);
                    out.reply(from, proto::EXIT);
                    let n = self.notice_all(out, &self.lang.left(&m.name), None);
                    say!("quit name={} from={from} told={n} clients={}", m.name, self.members.len());
                }
                // Not logged in: EXIT lets a stale client (its server restarted) end
                // its receiver, as the course's server does. Only to an address that
                // is not someone else in the chat.
                Err(NotMember::Unknown) if !self.by_addr.contains_key(&from) => {
                    out.reply(from, proto::EXIT);
                    self.tally.rejected += 1;
                    say!(
                        "rejected datagram from={from} bytes={} reason=quit-from-unknown-name: sent EXIT",
                        bytes.len()
                    );
                }
                Err(NotMember::Unknown) => self.reject(from, bytes.len(), "quit-for-unknown-name"),
                Err(NotMember::OtherAddress) => self.reject(from, bytes.len(), "quit-as-someone-else"),
            },
        }
    }

    fn login(&mut self, from: SockaddrIn, name: &str, now: Instant, out: &mut Outbox) {
        let refusal = match proto::check_name(name) {
            Err(e) => Some(Refusal::Name(e)),
            Ok(()) => match (self.by_addr.get(&from), self.by_name.get(name)) {
                // The same login again (its OK was lost): OK again, no second notice.
                (Some(&i), _) if self.members[i].name == name => {
                    out.reply(from, proto::OK);
                    say!("login again name={name} from={from}: OK resent");
                    return;
                }
                (Some(&i), _) => Some(Refusal::AddressInUse(self.members[i].name.clone())),
                (None, Some(_)) => Some(Refusal::Taken),
                (None, None) => None,
            },
        };
        if let Some(r) = refusal {
            let reason = self.lang.refusal(&r);
            out.reply(from, reason.as_bytes());
            self.tally.rejected += 1;
            say!("refused login name=\"{}\" from={from} reason={}", shown(name), r.token());
            return;
        }
        out.reply(from, proto::OK);
        let n = self.notice_all(out, &self.lang.joined(name), None);
        self.members.push(Member { name: name.to_string(), addr: from, last_heard: now });
        self.by_name.insert(name.to_string(), self.members.len() - 1);
        self.by_addr.insert(from, self.members.len() - 1);
        self.tally.logins += 1;
        say!("login name={name} from={from} told={n} clients={}", self.members.len());
    }

    /// A line the administrator typed: to everyone.
    pub fn admin(&mut self, text: &str, out: &mut Outbox) {
        let n = self.notice_all(out, &self.lang.admin(text), None);
        self.tally.deliveries += n as u64;
        say!("admin message to={n} bytes={}", text.len());
    }

    /// The kernel reported `addr` unreachable (ICMP port unreachable: no
    /// socket there any more, the client is dead). Remove whoever was there.
    pub fn unreachable(&mut self, addr: SockaddrIn, why: &str, out: &mut Outbox) {
        let Some(&i) = self.by_addr.get(&addr) else {
            return say!("unreachable addr={addr} why={why}: nobody in the chat there");
        };
        let m = self.remove(i);
        let n = self.notice_all(out, &self.lang.left(&m.name), None);
        say!("gone name={} addr={addr} why={why}: removed, told={n} clients={}", m.name, self.members.len());
    }

    /// The kernel's error queue gave back these datagrams: "port
    /// unreachable" means a dead client (removed, see [`Room::unreachable`]);
    /// any other ICMP error is only logged.
    pub fn send_errors(&mut self, errors: &[SendError], out: &mut Outbox) {
        for e in errors {
            if e.port_unreachable() {
                self.unreachable(e.to, "icmp-port-unreachable", out);
            } else {
                say!("send error to={} why=icmp-type-{}-code-{}: ignored", e.to, e.icmp.0, e.icmp.1);
            }
        }
    }

    /// Log out everyone silent for longer than `idle`: a notice and `EXIT`
    /// to them (in case they are alive), the usual notice to the others.
    pub fn sweep_idle(&mut self, now: Instant, idle: Duration, out: &mut Outbox) {
        while let Some(i) = self.members.iter().position(|m| now.duration_since(m.last_heard) > idle) {
            let m = self.remove(i);
            out.reply(m.addr, self.lang.idle_logout(&delay::show(idle)).as_bytes());
            out.reply(m.addr, proto::EXIT);
            let n = self.notice_all(out, &self.lang.left(&m.name), None);
            say!("idle name={} addr={} silent_over={}: logged out, told={n}", m.name, m.addr, delay::show(idle));
        }
    }

    /// The server stops: a notice and `EXIT` to everyone. Returns how many.
    pub fn close(&mut self, out: &mut Outbox) -> usize {
        let p = out.payload(|b| b.extend_from_slice(self.lang.closing().as_bytes()));
        let exit = out.payload(|b| b.extend_from_slice(proto::EXIT));
        for m in &self.members {
            out.send(p, m.addr);
            out.send(exit, m.addr);
        }
        self.members.len()
    }
}

/// What the kernel's error queue said about one datagram we sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SendError {
    /// Where the datagram was going.
    pub to: SockaddrIn,
    /// ICMP type and code (3/3: destination port unreachable).
    pub icmp: (u8, u8),
}

impl SendError {
    pub fn port_unreachable(&self) -> bool {
        self.icmp == (3, 3)
    }
}

/// The server's UDP socket, read and written in batches.
pub struct Wire {
    pub sock: OwnedFd,
    recv_bufs: Vec<u8>,
    recv_hdrs: MultiHeaders<SockaddrIn>,
    send_hdrs: Vec<libc::mmsghdr>,
    iovs: Vec<libc::iovec>,
}

impl Wire {
    /// Bind the UDP socket, with big buffers, and ask the kernel to report
    /// ICMP errors for the datagrams it sends (`IP_RECVERR`): "port
    /// unreachable" is how a dead client shows itself.
    pub fn bind(addr: SocketAddrV4) -> nix::Result<Wire> {
        let sock = super::sys::udp_bind(addr, BUFFER_BYTES)?;
        socket::setsockopt(&sock, sockopt::Ipv4RecvErr, &true)?;
        Ok(Wire {
            sock,
            recv_bufs: vec![0; RECV_BATCH * proto::MAX_DATAGRAM],
            recv_hdrs: MultiHeaders::preallocate(RECV_BATCH, None),
            // SAFETY: an all-zero mmsghdr is a valid empty header.
            send_hdrs: vec![unsafe { std::mem::zeroed() }; SEND_BATCH],
            iovs: Vec::new(),
        })
    }

    /// Read what is waiting (at most [`RECV_BATCH`] datagrams, one
    /// `recvmmsg` call, never blocking) and hand each to `each(from, bytes,
    /// truncated)`. Returns how many were read.
    pub fn recv_batch(&mut self, mut each: impl FnMut(SockaddrIn, &[u8], bool)) -> nix::Result<usize> {
        let mut slots: Vec<[io::IoSliceMut<'_>; 1]> =
            self.recv_bufs.chunks_mut(proto::MAX_DATAGRAM).map(|b| [io::IoSliceMut::new(b)]).collect();
        let flags = MsgFlags::MSG_DONTWAIT;
        let got = match socket::recvmmsg(self.sock.as_raw_fd(), &mut self.recv_hdrs, slots.iter_mut(), flags, None) {
            // A pending ICMP error is reported once, even with datagrams
            // waiting; they stay queued and `poll` reports them again.
            Err(Errno::ECONNREFUSED | Errno::EINTR | Errno::EAGAIN) => return Ok(0),
            other => other?,
        };
        let mut n = 0;
        for msg in got {
            let Some(from) = msg.address else { continue };
            let truncated = msg.flags.contains(MsgFlags::MSG_TRUNC);
            each(from, msg.iovs().next().unwrap_or(&[]), truncated);
            n += 1;
        }
        Ok(n)
    }

    /// Serve what is waiting: read it in batches ([`Wire::recv_batch`]),
    /// hand each datagram to the room, and send the answers after each
    /// batch; at most 16 full batches, so that the other descriptors get
    /// their turn.
    pub fn serve(&mut self, room: &mut Room, now: Instant, out: &mut Outbox) -> nix::Result<()> {
        for _ in 0..16 {
            let got = self.recv_batch(|from, bytes, cut| room.handle(from, bytes, cut, now, out));
            self.flush(out);
            if got? < RECV_BATCH {
                break;
            }
        }
        Ok(())
    }

    /// Send everything in the outbox, [`SEND_BATCH`] datagrams per
    /// `sendmmsg`, and empty it. Returns how many datagrams went out.
    ///
    /// `sendmmsg` is called through libc: nix's version gives no count of
    /// datagrams sent without reading headers it never filled.
    pub fn flush(&mut self, out: &mut Outbox) -> usize {
        self.iovs.clear();
        self.iovs.extend(
            out.payloads
                .iter()
                .map(|r| libc::iovec { iov_base: out.bytes[r.clone()].as_ptr() as *mut _, iov_len: r.len() }),
        );
        let mut sent = 0;
        let mut at = 0;
        let mut refused_retries = 0;
        while at < out.sends.len() {
            let batch = &out.sends[at..(at + SEND_BATCH).min(out.sends.len())];
            for (h, (p, to)) in self.send_hdrs.iter_mut().zip(batch) {
                h.msg_hdr.msg_name = to as *const SockaddrIn as *mut libc::c_void;
                h.msg_hdr.msg_namelen = std::mem::size_of::<libc::sockaddr_in>() as libc::socklen_t;
                h.msg_hdr.msg_iov = &self.iovs[*p as usize] as *const libc::iovec as *mut libc::iovec;
                h.msg_hdr.msg_iovlen = 1;
            }
            // SAFETY: the first batch.len() headers point at addresses in
            // `out.sends` and iovecs in `self.iovs` over `out.bytes`, all
            // alive and unchanged during the call.
            let r = unsafe { libc::sendmmsg(self.sock.as_raw_fd(), self.send_hdrs.as_mut_ptr(), batch.len() as _, 0) };
            match Errno::result(r) {
                Ok(n) => {
                    at += n as usize;
                    sent += n as usize;
                }
                Err(Errno::EINTR) => {}
                // An ICMP error from an earlier datagram (a dead client) fails the
                // *next* send once, without sending it: send that one again.
                Err(Errno::ECONNREFUSED) if refused_retries < 64 => refused_retries += 1,
                Err(e) => {
                    warn!("send to {} failed: {e}; that datagram is dropped", out.sends[at].1);
                    at += 1;
                }
            }
        }
        out.clear();
        sent
    }

    /// Read the socket's error queue (`MSG_ERRQUEUE`): one entry per
    /// datagram that came back as an ICMP error, naming where it was going.
    pub fn errors(&mut self) -> Vec<SendError> {
        let mut found = Vec::new();
        let mut buf = [0u8; 64];
        let mut cmsg = nix::cmsg_space!(libc::sock_extended_err, libc::sockaddr_in);
        for _ in 0..4096 {
            let mut iov = [io::IoSliceMut::new(&mut buf)];
            let flags = MsgFlags::MSG_ERRQUEUE | MsgFlags::MSG_DONTWAIT;
            let Ok(msg) = socket::recvmsg::<SockaddrIn>(self.sock.as_raw_fd(), &mut iov, Some(&mut cmsg), flags) else {
                break;
            };
            let Some(to) = msg.address else { continue };
            let Ok(cmsgs) = msg.cmsgs() else { continue };
            for c in cmsgs {
                if let ControlMessageOwned::Ipv4RecvErr(e, _) = c
                    && e.ee_origin == libc::SO_EE_ORIGIN_ICMP
                {
                    found.push(SendError { to, icmp: (e.ee_type, e.ee_code) });
                }
            }
        }
        // Reading SO_ERROR clears a pending error the queue did not hold, so
        // poll stops reporting POLLERR.
        let _ = socket::getsockopt(&self.sock, sockopt::SocketError);
        found
    }
}

/// What one `poll` on the server's descriptors found ([`wait_ready`]).
#[derive(Debug, Default, Clone, Copy)]
pub struct Ready {
    /// Datagrams wait on the UDP socket.
    pub datagrams: bool,
    /// The UDP socket's error queue holds ICMP errors ([`Wire::errors`]).
    pub send_errors: bool,
    /// A signal waits on the signal descriptor.
    pub signal: bool,
    /// The admin's channel holds a line, or has closed.
    pub admin: bool,
}

/// Wait, at most `timeout`, until one of the server's descriptors is
/// ready: the UDP socket, the signal descriptor, and (while the admin child
/// lives) the server's end of the socketpair. A `poll` interrupted by a
/// signal (`EINTR`) finds nothing ready.
pub fn wait_ready(wire: &Wire, signals: &Signals, admin: Option<&Admin>, timeout: PollTimeout) -> nix::Result<Ready> {
    let mut fds =
        vec![PollFd::new(wire.sock.as_fd(), PollFlags::POLLIN), PollFd::new(signals.as_fd(), PollFlags::POLLIN)];
    if let Some(a) = admin {
        fds.push(PollFd::new(a.chan.as_fd(), PollFlags::POLLIN));
    }
    match poll(&mut fds, timeout) {
        Ok(_) => {}
        Err(Errno::EINTR) => return Ok(Ready::default()),
        Err(e) => return Err(e),
    }
    let got = |i: usize| fds.get(i).and_then(PollFd::revents).unwrap_or(PollFlags::empty());
    let (udp, sig, adm) = (got(0), got(1), got(2));
    Ok(Ready {
        datagrams: udp.contains(PollFlags::POLLIN),
        send_errors: udp.contains(PollFlags::POLLERR),
        signal: sig.contains(PollFlags::POLLIN),
        admin: adm.intersects(PollFlags::POLLIN | PollFlags::POLLHUP),
    })
}

/// When to look for silent clients (`--idle-timeout`): a quarter of the
/// timeout apart, between 10 ms and 1 s; never when the timeout is zero.
#[derive(Debug, Clone, Copy)]
pub struct IdleSweep {
    pub timeout: Duration,
    every: Duration,
    next: Instant,
}

impl IdleSweep {
    pub fn new(timeout: Duration) -> IdleSweep {
        let every = (timeout / 4).clamp(Duration::from_millis(10), Duration::from_secs(1));
        IdleSweep { timeout, every, next: Instant::now() + every }
    }

    /// How long `poll` may wait for the next sweep.
    pub fn poll_timeout(&self) -> PollTimeout {
        if self.timeout.is_zero() {
            PollTimeout::NONE
        } else {
            sys::poll_timeout(self.next.saturating_duration_since(Instant::now()))
        }
    }

    /// Whether a sweep is due at `now` (if so, the next one is planned).
    pub fn due(&mut self, now: Instant) -> bool {
        if self.timeout.is_zero() || now < self.next {
            return false;
        }
        self.next = now + self.every;
        true
    }
}

/// The administrator's child as the server sees it: its PID, and the
/// server's end of the socketpair between them.
#[derive(Debug)]
pub struct Admin {
    pub pid: Pid,
    pub chan: OwnedFd,
}

/// What [`Admin::read`] found on the channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FromAdmin {
    /// A line typed on the server's terminal.
    Line(String),
    /// Nothing yet.
    Nothing,
    /// The child's end closed: the admin child has ended.
    Closed,
}

impl Admin {
    /// Read what the admin child sent, without blocking.
    pub fn read(&self) -> FromAdmin {
        let mut line = vec![0u8; proto::MAX_DATAGRAM];
        match socket::recv(self.chan.as_raw_fd(), &mut line, MsgFlags::MSG_DONTWAIT) {
            Ok(n) if n > 0 => FromAdmin::Line(String::from_utf8_lossy(&line[..n]).into_owned()),
            Err(Errno::EAGAIN | Errno::EINTR) => FromAdmin::Nothing,
            _ => FromAdmin::Closed,
        }
    }

    /// Reap the admin child (it has ended, or been told to) and say how it
    /// ended: `exited code=0`.
    pub fn reap(&self) -> String {
        process::wait_for(self.pid).map_or_else(|e| format!("wait failed: {e}"), |r| r.describe())
    }
}

/// The administrator's child: read lines from stdin and send each to the
/// server over `to_server`, its end of the socketpair. Only this process
/// holds that end, so only what is typed on the server's terminal becomes
/// an admin message: nothing on the network can. It starts as
/// [`sys::start_child`] says (`not_mine`: the server's descriptors, closed
/// here). Returns the exit code.
pub fn admin_child(to_server: &OwnedFd, parent: Pid, not_mine: &[RawFd]) -> i32 {
    if !sys::start_child(parent, not_mine) {
        return 1;
    }
    say!("reading stdin: each line goes to the server over a socketpair, then to everyone");
    let stdin = io::stdin();
    let mut input = stdin.lock();
    let mut line = Vec::new();
    loop {
        line.clear();
        match input.read_until(b'\n', &mut line) {
            Ok(0) => {
                say!("end of input: no more admin messages (the server keeps serving)");
                return 0;
            }
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => {
                warn!("reading stdin: {e}");
                return 1;
            }
        }
        let text: String = String::from_utf8_lossy(&line).chars().filter(|c| !c.is_control() || *c == '\t').collect();
        let text = text.trim_end();
        if text.is_empty() {
            continue;
        }
        let mut cut = text.len().min(proto::MAX_DATAGRAM - 64);
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        if let Err(e) = socket::send(to_server.as_raw_fd(), &text.as_bytes()[..cut], MsgFlags::empty()) {
            warn!("cannot reach the server: {e}");
            return 1;
        }
    }
}
