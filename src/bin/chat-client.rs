//! Capstone, lab 9, part 2: the group chat client.
//!
//! Log in (`L name` until the server answers `OK`), then fork: the child,
//! the *receiver*, prints what the server sends; the parent, the *sender*,
//! reads lines and sends each as `C name text`. Two processes, so typing and
//! receiving go on at the same time, on one shared socket. `quit`, end of
//! input or Ctrl-C send `Q name`; the server answers `EXIT`, which ends the
//! receiver; the sender reaps it and leaves.

use std::io;
use std::os::fd::{AsFd, AsRawFd};
use std::time::Duration;

use clap::Parser;
use labkit::chat::client::{self, Lines, Retry};
use labkit::chat::proto::{self, MAX_DATAGRAM};
use labkit::chat::sys::{self, Signals};
use labkit::{delay, process, say, warn};
use nix::errno::Errno;
use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
use nix::sys::signal::{SigHandler, Signal, signal};
use nix::sys::socket::{MsgFlags, send};

/// The chat client: a sender and a receiver process on one UDP socket.
#[derive(Parser)]
#[command(name = "chat-client")]
struct Args {
    /// The server's host name or address.
    #[arg(default_value = "127.0.0.1")]
    host: String,
    /// The server's UDP port.
    #[arg(default_value_t = 8888)]
    port: u16,
    /// The name to log in with (otherwise it is asked on stdin).
    #[arg(long)]
    name: Option<String>,
    /// Logins sent before giving up when no server answers.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..=100))]
    tries: u32,
    /// How long to wait for the answer to each login.
    #[arg(long, default_value = "1s", value_parser = delay::parse)]
    timeout: Duration,
    /// After `Q`, how long the receiver may wait for `EXIT` before the sender stops it.
    #[arg(long, default_value = "1s", value_parser = delay::parse)]
    exit_wait: Duration,
}

fn fail(what: impl std::fmt::Display) -> ! {
    warn!("{what}");
    std::process::exit(process::EXIT_FAILED)
}

/// Send one typed line as `C name text`, if the server can take it.
fn send_line(sock: &std::os::fd::OwnedFd, name: &str, line: &str) {
    let msg = proto::chat(name, line);
    if line.chars().any(|c| c.is_control() && c != '\t') {
        say!("not sent: the line holds control characters");
    } else if msg.len() > MAX_DATAGRAM {
        say!("not sent: {} bytes, the server takes at most {MAX_DATAGRAM}", msg.len());
    } else if let Err(e) = send(sock.as_raw_fd(), &msg, MsgFlags::empty()) {
        say!("could not send: {e}");
    }
}

fn main() {
    let args = Args::parse();
    labkit::out::set_role("client");
    let (sock, server) = client::connect(&args.host, args.port)
        .unwrap_or_else(|e| fail(format!("cannot reach {}:{}: {e}", args.host, args.port)));
    let mut lines = Lines::default();
    let retry = Retry { tries: args.tries, timeout: args.timeout };
    let name = client::login(&sock, server, args.name, &mut lines, retry).unwrap_or_else(|e| fail(e));
    say!("logged in name={name} server={server}");

    // From here on Ctrl-C, kill, a closed terminal and the receiver's end
    // are read from a descriptor, beside stdin.
    let stop = [Signal::SIGINT, Signal::SIGTERM, Signal::SIGHUP, Signal::SIGCHLD];
    let signals = Signals::block(&stop).unwrap_or_else(|e| fail(format!("blocking signals: {e}")));
    let prompt = (sys::is_tty(io::stdin()) && sys::is_tty(io::stdout())).then(|| format!("{name}> "));
    let me = nix::unistd::getpid();
    let receiver = process::fork_child("receiver", || {
        sys::close_in_child(&[signals.as_fd().as_raw_fd()]);
        // Ctrl-C reaches both processes; the sender answers it for both (`Q`,
        // then the server's `EXIT` ends the receiver). Ignored before it is
        // unblocked, so that a Ctrl-C already pending is dropped.
        // SAFETY: SIG_IGN installs no handler code.
        let _ = unsafe { signal(Signal::SIGINT, SigHandler::SigIgn) };
        Signals::unblock_all();
        if !sys::die_with_parent(me) {
            say!("my parent {me} is already gone: stopping");
            return 1;
        }
        client::receiver(&sock, prompt.as_deref())
    })
    .unwrap_or_else(|e| fail(format!("fork: {e}")));
    labkit::out::set_role("sender");
    say!("forked receiver={receiver}; type a line to chat; `quit`, Ctrl-D or Ctrl-C leaves");
    client::show_prompt(prompt.as_deref());

    let why = 'chat: loop {
        while let Some(line) = lines.take() {
            if line.trim() == "quit" {
                break 'chat "quit".to_string();
            }
            if !line.is_empty() {
                send_line(&sock, &name, &line);
            }
            client::show_prompt(prompt.as_deref());
        }
        if lines.eof {
            break "end-of-input".to_string();
        }
        let stdin = io::stdin();
        let mut fds = [PollFd::new(stdin.as_fd(), PollFlags::POLLIN), PollFd::new(signals.as_fd(), PollFlags::POLLIN)];
        match poll(&mut fds, PollTimeout::NONE) {
            Ok(_) | Err(Errno::EINTR) => {}
            Err(e) => break format!("poll-error ({e})"),
        }
        let (input, sig) = (fds[0].revents().unwrap_or(PollFlags::empty()), fds[1].revents());
        if sig.is_some_and(|s| s.contains(PollFlags::POLLIN)) {
            match signals.read() {
                Some(Signal::SIGCHLD) => {
                    if let Some(r) = client::receiver_ended(receiver) {
                        say!("receiver {receiver} {}: the session is over", r.describe());
                        std::process::exit(if r.exit_code() == Some(0) { 0 } else { process::EXIT_FAILED });
                    }
                }
                Some(s) => break s.as_str().to_string(),
                None => {}
            }
        }
        if input.intersects(PollFlags::POLLIN | PollFlags::POLLHUP | PollFlags::POLLERR)
            && let Err(e) = lines.fill()
        {
            break format!("stdin-error ({e})"); // e.g. EIO: the terminal is gone
        }
    };

    say!("leaving on {why}");
    let r = client::quit(&sock, &name, receiver, &signals, args.exit_wait)
        .unwrap_or_else(|e| fail(format!("waiting for the receiver: {e}")));
    say!("receiver {receiver} {}", r.describe());
    say!("left the chat name={name}");
}
