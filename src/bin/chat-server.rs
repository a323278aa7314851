//! Capstone, lab 9, part 1: the group chat server.
//!
//! One UDP socket; the map name → address; every chat line forwarded to
//! everyone else. The administrator types on the server's terminal: a
//! forked child reads stdin and passes each line to the server over a
//! socketpair made before the fork, which nobody on the network can reach.
//! The server waits on three descriptors at once with `poll`: the UDP
//! socket, its end of the socketpair, and a `signalfd` for Ctrl-C.

use std::net::{Ipv4Addr, SocketAddrV4};
use std::os::fd::{AsFd, AsRawFd};
use std::time::{Duration, Instant};

use clap::Parser;
use labkit::chat::proto::{Lang, MAX_DATAGRAM};
use labkit::chat::server::{self, Outbox, RECV_BATCH, Room, Wire};
use labkit::chat::sys::{self, Signals};
use labkit::{delay, process, say, warn};
use nix::errno::Errno;
use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
use nix::sys::signal::{Signal, kill};
use nix::sys::socket::{AddressFamily, MsgFlags, SockFlag, SockType, recv, socketpair};

/// The chat server: UDP, the course's protocol, an admin child on stdin.
#[derive(Parser)]
#[command(name = "chat-server")]
struct Args {
    /// The address to listen on; `0.0.0.0` listens on every interface (a classroom).
    #[arg(long, default_value = "127.0.0.1")]
    host: Ipv4Addr,
    /// The UDP port; `0` takes any free port (the first line says which).
    #[arg(long, default_value_t = 8888)]
    port: u16,
    /// The notices' language: `zh` is the course's own wording.
    #[arg(long, value_enum, default_value_t = Lang::En)]
    lang: Lang,
    /// Log out a client silent this long (`0`: never). A dead client is
    /// normally found at once: a datagram sent to it comes back as an ICMP error.
    #[arg(long, default_value = "600s", value_parser = delay::parse)]
    idle_timeout: Duration,
    /// Do not log each chat line (for benchmarks).
    #[arg(long)]
    quiet: bool,
}

fn fail(what: &str, e: impl std::fmt::Display) -> ! {
    warn!("{what}: {e}");
    std::process::exit(process::EXIT_FAILED)
}

fn main() {
    let args = Args::parse();
    labkit::out::set_role("server");
    let stop_signals = [Signal::SIGINT, Signal::SIGTERM, Signal::SIGHUP];
    let signals = Signals::block(&stop_signals).unwrap_or_else(|e| fail("blocking signals", e));
    let mut wire = Wire::bind(SocketAddrV4::new(args.host, args.port))
        .unwrap_or_else(|e| fail(&format!("cannot listen on {}:{}", args.host, args.port), e));
    let addr = sys::local_addr(&wire.sock).unwrap_or_else(|e| fail("getsockname", e));
    let (rcvbuf, sndbuf) = sys::buffers(&wire.sock);
    let idle = args.idle_timeout;
    say!("listening addr={addr} lang={} idle_timeout={} rcvbuf={rcvbuf} sndbuf={sndbuf}", args.lang, delay::show(idle));

    // The administrator's channel, made before the fork: only the child holds the other end.
    let (mine, theirs) = socketpair(AddressFamily::Unix, SockType::SeqPacket, None, SockFlag::SOCK_CLOEXEC)
        .unwrap_or_else(|e| fail("socketpair", e));
    let me = nix::unistd::getpid();
    let admin = process::fork_child("admin", || {
        sys::close_in_child(&[wire.sock.as_raw_fd(), mine.as_raw_fd(), signals.as_fd().as_raw_fd()]);
        Signals::unblock_all();
        if !sys::die_with_parent(me) {
            say!("my parent {me} is already gone: stopping");
            return 1;
        }
        server::admin_child(&theirs)
    })
    .unwrap_or_else(|e| fail("fork", e));
    drop(theirs);
    say!("forked admin child={admin}: a line typed here reaches everyone as `{}`", args.lang.admin("...").trim());

    let mut room = Room::new(args.lang);
    room.log_chats = !args.quiet;
    let mut out = Outbox::default();
    let mut admin_alive = Some(admin);
    let sweep_every = (idle / 4).clamp(Duration::from_millis(10), Duration::from_secs(1));
    let mut next_sweep = Instant::now() + sweep_every;
    let mut line = vec![0u8; MAX_DATAGRAM];
    let stop = loop {
        let mut fds =
            vec![PollFd::new(wire.sock.as_fd(), PollFlags::POLLIN), PollFd::new(signals.as_fd(), PollFlags::POLLIN)];
        if admin_alive.is_some() {
            fds.push(PollFd::new(mine.as_fd(), PollFlags::POLLIN));
        }
        let timeout = if idle.is_zero() {
            PollTimeout::NONE
        } else {
            sys::poll_timeout(next_sweep.saturating_duration_since(Instant::now()))
        };
        match poll(&mut fds, timeout) {
            Ok(_) | Err(Errno::EINTR) => {}
            Err(e) => fail("poll", e),
        }
        let ready: Vec<PollFlags> = fds.iter().map(|f| f.revents().unwrap_or(PollFlags::empty())).collect();
        drop(fds);
        let (udp, sig, adm) = (ready[0], ready[1], ready.get(2).copied().unwrap_or(PollFlags::empty()));
        let now = Instant::now();

        if sig.contains(PollFlags::POLLIN)
            && let Some(s) = signals.read()
        {
            break s;
        }
        if let Some(pid) = admin_alive
            && adm.intersects(PollFlags::POLLIN | PollFlags::POLLHUP)
        {
            match recv(mine.as_raw_fd(), &mut line, MsgFlags::MSG_DONTWAIT) {
                Ok(n) if n > 0 => room.admin(&String::from_utf8_lossy(&line[..n]), &mut out),
                Err(Errno::EAGAIN | Errno::EINTR) => {}
                _ => {
                    // Its end of the socketpair closed: the admin child has ended. Reap it now.
                    let how = process::wait_for(pid).map_or_else(|e| format!("wait failed: {e}"), |r| r.describe());
                    say!("admin child {pid} {how}: no more admin input; still serving");
                    admin_alive = None;
                }
            }
        }
        if udp.contains(PollFlags::POLLIN) {
            for _ in 0..16 {
                let got = wire.recv_batch(|from, bytes, cut| room.handle(from, bytes, cut, now, &mut out));
                wire.flush(&mut out);
                match got {
                    Ok(n) if n == RECV_BATCH => continue,
                    Ok(_) => break,
                    Err(e) => fail("recvmmsg", e),
                }
            }
        }
        if udp.contains(PollFlags::POLLERR) {
            for e in wire.errors() {
                let why = if e.port_unreachable() {
                    "icmp-port-unreachable".to_string()
                } else {
                    format!("icmp-type-{}-code-{}", e.icmp.0, e.icmp.1)
                };
                if e.port_unreachable() {
                    room.unreachable(e.to, &why, &mut out);
                } else {
                    say!("send error to={} why={why}: ignored", e.to);
                }
            }
        }
        if !idle.is_zero() && now >= next_sweep {
            room.sweep_idle(now, idle, &mut out);
            next_sweep = now + sweep_every;
        }
        wire.flush(&mut out);
    };

    let told = room.close(&mut out);
    wire.flush(&mut out);
    say!("stopping on signal={}: told clients={told}", stop.as_str());
    if let Some(pid) = admin_alive {
        let _ = kill(pid, Signal::SIGTERM);
        let how = process::wait_for(pid).map_or_else(|e| format!("wait failed: {e}"), |r| r.describe());
        say!("admin child {pid} {how}");
    }
    let t = room.tally;
    say!("stopped logins={} chats={} deliveries={} rejected={}", t.logins, t.chats, t.deliveries, t.rejected);
}
