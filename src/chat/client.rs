//! The client's parts: a UDP socket connected to the server, the login with
//! retries, stdin read line by line in a way `poll` can see (beside the
//! signals: [`Lines::next_event`]), the receiver process's loop, and the
//! quit that ends both processes.

use std::io::{self, Write as _};
use std::net::{SocketAddrV4, ToSocketAddrs};
use std::os::fd::{AsFd, AsRawFd, OwnedFd, RawFd};
use std::time::{Duration, Instant};

use nix::errno::Errno;
use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
use nix::sys::signal::{SigHandler, Signal, kill, signal};
use nix::sys::socket::{self, AddressFamily, MsgFlags, SockFlag, SockType, SockaddrIn};
use nix::unistd::Pid;

use super::proto::{self, Lang, MAX_DATAGRAM, Refusal};
use super::sys::{self, Signals};
use crate::{delay, out, process, say};

/// A UDP socket connected to the server at `host:port`. Connected, the
/// kernel takes datagrams only from the server, and an ICMP "port
/// unreachable" (no server there) shows as `ECONNREFUSED` at once.
pub fn connect(host: &str, port: u16) -> io::Result<(OwnedFd, SocketAddrV4)> {
    let server = (host, port)
        .to_socket_addrs()?
        .find_map(|a| match a {
            std::net::SocketAddr::V4(v4) => Some(v4),
            std::net::SocketAddr::V6(_) => None,
        })
        .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, format!("{host} has no IPv4 address")))?;
    let fd = sys::io(socket::socket(AddressFamily::Inet, SockType::Datagram, SockFlag::SOCK_CLOEXEC, None))?;
    sys::io(socket::connect(fd.as_raw_fd(), &SockaddrIn::from(server)))?;
    Ok((fd, server))
}

/// What came back for one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    Reply(Vec<u8>),
    /// Nothing within the timeout.
    Silence,
    /// `ECONNREFUSED`: an ICMP error said nothing listens there.
    Refused,
}

/// Send `request` and wait up to `timeout` for a datagram back.
pub fn ask(sock: &OwnedFd, request: &[u8], timeout: Duration) -> io::Result<Answer> {
    match socket::send(sock.as_raw_fd(), request, MsgFlags::empty()) {
        Err(Errno::ECONNREFUSED) => return Ok(Answer::Refused),
        other => sys::io(other)?,
    };
    let end = Instant::now() + timeout;
    let mut buf = vec![0u8; 65536];
    loop {
        let left = end.saturating_duration_since(Instant::now());
        let mut fds = [PollFd::new(sock.as_fd(), PollFlags::POLLIN)];
        match poll(&mut fds, sys::poll_timeout(left)) {
            Ok(0) => return Ok(Answer::Silence),
            Ok(_) | Err(Errno::EINTR) => {}
            Err(e) => return Err(e.into()),
        }
        match socket::recv(sock.as_raw_fd(), &mut buf, MsgFlags::MSG_DONTWAIT) {
            Ok(n) => return Ok(Answer::Reply(buf[..n].to_vec())),
            Err(Errno::ECONNREFUSED) => return Ok(Answer::Refused),
            Err(Errno::EAGAIN | Errno::EINTR) if !left.is_zero() => continue,
            Err(Errno::EAGAIN | Errno::EINTR) => return Ok(Answer::Silence),
            Err(e) => return Err(e.into()),
        }
    }
}

/// Lines from stdin, read with `read(2)` into a buffer of our own, so that
/// `poll` on stdin tells the truth (no line hides in a library's buffer).
#[derive(Debug, Default)]
pub struct Lines {
    buf: Vec<u8>,
    pub eof: bool,
}

impl Lines {
    /// One `read` from stdin; sets `eof` at end of input.
    pub fn fill(&mut self) -> io::Result<()> {
        let mut chunk = [0u8; 4096];
        loop {
            match nix::unistd::read(io::stdin(), &mut chunk) {
                Ok(0) => self.eof = true,
                Ok(n) => self.buf.extend_from_slice(&chunk[..n]),
                Err(Errno::EINTR) => continue,
                Err(e) => return Err(e.into()),
            }
            return Ok(());
        }
    }

    /// The next complete line in the buffer (without `\n` or `\r\n`); at
    /// end of input, also a last line without `\n`.
    pub fn take(&mut self) -> Option<String> {
        let end = match self.buf.iter().position(|&b| b == b'\n') {
            Some(i) => i + 1,
            None if self.eof && !self.buf.is_empty() => self.buf.len(),
            None => return None,
        };
        let raw: Vec<u8> = self.buf.drain(..end).collect();
        let text = String::from_utf8_lossy(&raw);
        Some(text.trim_end_matches(['\n', '\r']).to_string())
    }

    /// What the sender does next: a complete line from stdin, the end of
    /// input, or a signal read from `signals`, whichever comes first
    /// (`poll` waits on both).
    pub fn next_event(&mut self, signals: &Signals) -> Event {
        loop {
            if let Some(line) = self.take() {
                return Event::Line(line);
            }
            if self.eof {
                return Event::EndOfInput;
            }
            let stdin = io::stdin();
            let mut fds =
                [PollFd::new(stdin.as_fd(), PollFlags::POLLIN), PollFd::new(signals.as_fd(), PollFlags::POLLIN)];
            match poll(&mut fds, PollTimeout::NONE) {
                Ok(_) | Err(Errno::EINTR) => {}
                Err(e) => return Event::Failed(format!("poll-error ({e})")),
            }
            let (input, sig) = (fds[0].revents().unwrap_or(PollFlags::empty()), fds[1].revents());
            if sig.is_some_and(|s| s.contains(PollFlags::POLLIN))
                && let Some(s) = signals.read()
            {
                return Event::Signal(s);
            }
            if input.intersects(PollFlags::POLLIN | PollFlags::POLLHUP | PollFlags::POLLERR)
                && let Err(e) = self.fill()
            {
                return Event::Failed(format!("stdin-error ({e})")); // e.g. EIO: the terminal is gone
            }
        }
    }

    /// Block until a line is there; `None` at end of input.
    pub fn next_blocking(&mut self) -> io::Result<Option<String>> {
        loop {
            if let Some(l) = self.take() {
                return Ok(Some(l));
            }
            if self.eof {
                return Ok(None);
            }
            self.fill()?;
        }
    }
}

/// What [`Lines::next_event`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// A line typed (without its `\n`).
    Line(String),
    EndOfInput,
    Signal(Signal),
    /// stdin or `poll` failed: why, as a token for `leaving on ...`.
    Failed(String),
}

/// Send one typed line as `C name text`, if the server can take it; say
/// why not otherwise.
pub fn send_line(sock: &OwnedFd, name: &str, line: &str) {
    let msg = proto::chat(name, line);
    if line.chars().any(|c| c.is_control() && c != '\t') {
        say!("not sent: the line holds control characters");
    } else if msg.len() > MAX_DATAGRAM {
        say!("not sent: {} bytes, the server takes at most {MAX_DATAGRAM}", msg.len());
    } else if let Err(e) = socket::send(sock.as_raw_fd(), &msg, MsgFlags::empty()) {
        say!("could not send: {e}");
    }
}

/// How hard to try a login.
#[derive(Debug, Clone, Copy)]
pub struct Retry {
    /// Logins sent before giving up.
    pub tries: u32,
    /// How long to wait for each answer.
    pub timeout: Duration,
}

/// Log in: send `L name` until the server answers (at most `retry.tries`
/// times). `OK` returns the name; any other answer is a refusal: show the
/// reason and ask for another name. `Err` says why the client must stop.
pub fn login(
    sock: &OwnedFd,
    server: SocketAddrV4,
    mut name: Option<String>,
    lines: &mut Lines,
    retry: Retry,
) -> Result<String, String> {
    loop {
        let name = match name.take() {
            Some(n) => n,
            None => {
                say!("your name?");
                match lines.next_blocking() {
                    Ok(Some(n)) => n,
                    Ok(None) => return Err("end of input before the server accepted a name".into()),
                    Err(e) => return Err(format!("reading stdin: {e}")),
                }
            }
        };
        if let Err(e) = proto::check_name(&name) {
            say!("cannot use \"{}\": {}", proto::printable(name.as_bytes()), Lang::En.refusal(&Refusal::Name(e)));
            continue;
        }
        let mut answered = false;
        for attempt in 1..=retry.tries {
            say!("sent L {name} to={server} try={attempt}/{}", retry.tries);
            match ask(sock, &proto::login(&name), retry.timeout) {
                Ok(Answer::Reply(r)) if r == proto::OK => return Ok(name),
                Ok(Answer::Reply(r)) => {
                    say!("refused by the server: {}", proto::shown(&r));
                    answered = true;
                    break;
                }
                Ok(Answer::Silence) => say!("no answer from {server} within {}", delay::show(retry.timeout)),
                Ok(Answer::Refused) => {
                    say!("no server at {server}: connection refused");
                    if attempt < retry.tries {
                        delay::pause(retry.timeout / 4);
                    }
                }
                Err(e) => return Err(format!("talking to {server}: {e}")),
            }
        }
        if !answered {
            return Err(format!("no server answered at {server} after {} tries: is chat-server running?", retry.tries));
        }
    }
}

/// Show a notice on stdout, tagged, on a line of its own: without the white
/// space around it (the course's leading newline), any control character
/// left inside escaped. `prompt`: the terminal's input prompt,
/// printed again after the notice (which first clears the prompt's line).
pub fn show_notice(bytes: &[u8], prompt: Option<&str>) {
    let line = format!("{} {}\n", out::tag(), proto::shown(bytes));
    let text = match prompt {
        Some(p) => format!("\r\x1b[K{line}{p}"),
        None => line,
    };
    let mut stdout = io::stdout().lock();
    let _ = stdout.write_all(text.as_bytes()).and_then(|()| stdout.flush());
}

/// Print the input prompt (terminals only).
pub fn show_prompt(prompt: Option<&str>) {
    if let Some(p) = prompt {
        let mut stdout = io::stdout().lock();
        let _ = stdout.write_all(p.as_bytes()).and_then(|()| stdout.flush());
    }
}

/// The receiver process: print every notice, stop at `EXIT`. It starts as
/// [`sys::start_child`] says (`not_mine`: the sender's descriptors, closed
/// here), with Ctrl-C ignored. Returns the exit code.
pub fn receiver(sock: &OwnedFd, prompt: Option<&str>, parent: Pid, not_mine: &[RawFd]) -> i32 {
    // Ctrl-C reaches both processes; the sender answers it for both (`Q`,
    // then the server's `EXIT` ends the receiver). Ignored before it is
    // unblocked, so that a Ctrl-C already pending is dropped.
    // SAFETY: SIG_IGN installs no handler code.
    let _ = unsafe { signal(Signal::SIGINT, SigHandler::SigIgn) };
    if !sys::start_child(parent, not_mine) {
        return 1;
    }
    let mut buf = vec![0u8; 65536];
    let mut warned = false;
    loop {
        match socket::recv(sock.as_raw_fd(), &mut buf, MsgFlags::empty()) {
            Ok(n) if &buf[..n] == proto::EXIT => {
                say!("got EXIT from the server: the receiver stops");
                return 0;
            }
            Ok(n) => show_notice(&buf[..n], prompt),
            Err(Errno::EINTR) => {}
            // An ICMP error came back for something the sender sent.
            Err(Errno::ECONNREFUSED) if !warned => {
                say!("the server does not answer (connection refused): is it still running?");
                warned = true;
            }
            Err(Errno::ECONNREFUSED) => {}
            Err(e) => {
                crate::warn!("receiving: {e}");
                return process::EXIT_FAILED;
            }
        }
    }
}

/// Has the receiver ended? Reap it if so, and say how it ended.
pub fn receiver_ended(receiver: Pid) -> Option<process::Reaped> {
    process::try_wait(Some(receiver)).ok().flatten()
}

/// Leave: send `Q name`, give the receiver `exit_wait` to get `EXIT` and
/// end, else stop it ourselves (the `EXIT` was lost). Reaps it either way.
pub fn quit(
    sock: &OwnedFd,
    name: &str,
    receiver: Pid,
    signals: &Signals,
    exit_wait: Duration,
) -> nix::Result<process::Reaped> {
    match socket::send(sock.as_raw_fd(), &proto::quit(name), MsgFlags::empty()) {
        Ok(_) => say!("sent Q {name}; waiting up to {} for the receiver to get EXIT", delay::show(exit_wait)),
        Err(e) => say!("could not send Q {name}: {e}"),
    }
    let end = Instant::now() + exit_wait;
    loop {
        if let Some(r) = receiver_ended(receiver) {
            return Ok(r);
        }
        let left = end.saturating_duration_since(Instant::now());
        if left.is_zero() {
            break;
        }
        // SIGCHLD arrives on the signal descriptor when the receiver ends.
        let mut fds = [PollFd::new(signals.as_fd(), PollFlags::POLLIN)];
        let _ = poll(&mut fds, sys::poll_timeout(left));
        while signals.read().is_some() {}
    }
    say!("no EXIT within {}: stopping the receiver {receiver} myself", delay::show(exit_wait));
    let _ = kill(receiver, Signal::SIGTERM);
    process::wait_for(receiver)
}
