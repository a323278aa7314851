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
use labkit::chat::client::{self, Event, Lines, Retry};
use labkit::chat::sys::{self, Signals};
use labkit::{delay, process, say};
use nix::sys::signal::Signal;

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

fn main() {
    let args: Args = labkit::start("client");
    let (sock, server) = client::connect(&args.host, args.port)
        .unwrap_or_else(|e| process::fail(&format!("cannot reach {}:{}", args.host, args.port), e));
    let mut lines = Lines::default();
    let retry = Retry { tries: args.tries, timeout: args.timeout };
    let name = client::login(&sock, server, args.name, &mut lines, retry)
        .unwrap_or_else(|e| process::fail("cannot log in", e));
    say!("logged in name={name} server={server}");

    // From here on Ctrl-C, kill, a closed terminal and the receiver's end
    // are read from a descriptor, beside stdin.
    let stop = [Signal::SIGINT, Signal::SIGTERM, Signal::SIGHUP, Signal::SIGCHLD];
    let signals = Signals::block(&stop).unwrap_or_else(|e| process::fail("blocking signals", e));
    let prompt = (sys::is_tty(io::stdin()) && sys::is_tty(io::stdout())).then(|| format!("{name}> "));
    let me = nix::unistd::getpid();
    let receiver = process::fork_child("receiver", || {
        client::receiver(&sock, prompt.as_deref(), me, &[signals.as_fd().as_raw_fd()])
    })
    .unwrap_or_else(|e| process::fail("fork", e));
    labkit::out::set_role("sender");
    say!("forked receiver={receiver}; type a line to chat; `quit`, Ctrl-D or Ctrl-C leaves");
    client::show_prompt(prompt.as_deref());

    let why = loop {
        match lines.next_event(&signals) {
            Event::Line(line) if line.trim() == "quit" => break "quit".to_string(),
            Event::Line(line) => {
                if !line.is_empty() {
                    client::send_line(&sock, &name, &line);
                }
                client::show_prompt(prompt.as_deref());
            }
            Event::EndOfInput => break "end-of-input".to_string(),
            // SIGCHLD: if the receiver has ended (EXIT from the server, or killed), reap it and leave.
            Event::Signal(Signal::SIGCHLD) => {
                if let Some(r) = client::receiver_ended(receiver) {
                    say!("receiver {receiver} {}: the session is over", r.describe());
                    std::process::exit(if r.exit_code() == Some(0) { 0 } else { process::EXIT_FAILED });
                }
            }
            Event::Signal(s) => break s.as_str().to_string(),
            Event::Failed(why) => break why,
        }
    };

    say!("leaving on {why}");
    let r = client::quit(&sock, &name, receiver, &signals, args.exit_wait)
        .unwrap_or_else(|e| process::fail("waiting for the receiver", e));
    say!("receiver {receiver} {}", r.describe());
    say!("left the chat name={name}");
}
