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
use labkit::chat::proto::Lang;
use labkit::chat::server::{self, Admin, FromAdmin, IdleSweep, Outbox, Room, Wire};
use labkit::chat::sys::{self, Signals};
use labkit::signals::STOP_SIGNALS;
use labkit::{delay, process, say};
use nix::sys::signal::{Signal, kill};
use nix::sys::socket::{AddressFamily, SockFlag, SockType, socketpair};

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

fn main() {
    let args: Args = labkit::start("server");
    let signals = Signals::block(&STOP_SIGNALS).unwrap_or_else(|e| process::fail("blocking signals", e));
    let mut wire = Wire::bind(SocketAddrV4::new(args.host, args.port))
        .unwrap_or_else(|e| process::fail(&format!("cannot listen on {}:{}", args.host, args.port), e));
    let addr = sys::local_addr(&wire.sock).unwrap_or_else(|e| process::fail("getsockname", e));
    let (rcvbuf, sndbuf) = sys::buffers(&wire.sock);
    let idle = delay::show(args.idle_timeout);
    say!("listening addr={addr} lang={} idle_timeout={idle} rcvbuf={rcvbuf} sndbuf={sndbuf}", args.lang);

    // The administrator's channel, made before the fork: only the child holds the other end.
    let (mine, theirs) = socketpair(AddressFamily::Unix, SockType::SeqPacket, None, SockFlag::SOCK_CLOEXEC)
        .unwrap_or_else(|e| process::fail("socketpair", e));
    let me = nix::unistd::getpid();
    let pid = process::fork_child("admin", || {
        let not_mine = [wire.sock.as_raw_fd(), mine.as_raw_fd(), signals.as_fd().as_raw_fd()];
        server::admin_child(&theirs, me, &not_mine)
    })
    .unwrap_or_else(|e| process::fail("fork", e));
    drop(theirs);
    say!("forked admin child={pid}: a line typed here reaches everyone as `{}`", args.lang.admin("...").trim());

    let mut room = Room::new(args.lang);
    room.log_chats = !args.quiet;
    let mut out = Outbox::default();
    let mut admin = Some(Admin { pid, chan: mine });
    let mut sweep = IdleSweep::new(args.idle_timeout);
    // One poll waits on the three at once: the UDP socket, the signals, the admin's channel.
    let stop = loop {
        let ready = server::wait_ready(&wire, &signals, admin.as_ref(), sweep.poll_timeout())
            .unwrap_or_else(|e| process::fail("poll", e));
        let now = Instant::now();
        if ready.signal
            && let Some(s) = signals.read()
        {
            break s;
        }
        if ready.admin
            && let Some(a) = &admin
        {
            match a.read() {
                FromAdmin::Line(text) => room.admin(&text, &mut out),
                FromAdmin::Nothing => {}
                FromAdmin::Closed => {
                    // The admin child has ended: reap it now.
                    say!("admin child {} {}: no more admin input; still serving", a.pid, a.reap());
                    admin = None;
                }
            }
        }
        if ready.datagrams {
            wire.serve(&mut room, now, &mut out).unwrap_or_else(|e| process::fail("recvmmsg", e));
        }
        if ready.send_errors {
            room.send_errors(&wire.errors(), &mut out);
        }
        if sweep.due(now) {
            room.sweep_idle(now, sweep.timeout, &mut out);
        }
        wire.flush(&mut out);
    };

    let told = room.close(&mut out);
    wire.flush(&mut out);
    say!("stopping on signal={}: told clients={told}", stop.as_str());
    if let Some(a) = admin {
        let _ = kill(a.pid, Signal::SIGTERM);
        say!("admin child {} {}", a.pid, a.reap());
    }
    let t = room.tally;
    say!("stopped logins={} chats={} deliveries={} rejected={}", t.logins, t.chats, t.deliveries, t.rejected);
}
