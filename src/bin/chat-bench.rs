//! The chat benchmark (a tool of lab 9, not graded): N clients log in to a
//! chat server, one sends K lines with at most W unanswered, and every line
//! must reach the N-1 others. It speaks only the course's protocol, so it
//! measures any server: the kit's, the course's Python one, a student's.
//!
//! `chat-bench 127.0.0.1 8888 --clients 100 --messages 20000 --window 32 --server-pid PID`

use std::time::Duration;

use clap::Parser;
use labkit::chat::bench::{self, Config};
use labkit::{delay, process, say};

/// Measure a chat server: deliveries per second, loss, latency, server CPU.
#[derive(Parser)]
#[command(name = "chat-bench")]
struct Args {
    /// The server's host.
    host: String,
    /// The server's UDP port.
    port: u16,
    /// How many clients log in.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(2..=5000))]
    clients: u64,
    /// How many lines the first client sends.
    #[arg(long, default_value_t = 10_000, value_parser = clap::value_parser!(u64).range(1..=10_000_000))]
    messages: u64,
    /// At most this many lines on their way at once.
    #[arg(long, default_value_t = 32, value_parser = clap::value_parser!(u64).range(1..=100_000))]
    window: u64,
    /// The server's PID: report its CPU time per delivery (from /proc).
    #[arg(long)]
    server_pid: Option<i32>,
    /// Count a line's missing deliveries as lost after this long.
    #[arg(long, default_value = "2s", value_parser = delay::parse)]
    timeout: Duration,
}

fn main() {
    let a: Args = labkit::start("bench");
    let cfg = Config {
        host: a.host,
        port: a.port,
        clients: a.clients as usize,
        messages: a.messages as usize,
        window: a.window as usize,
        server_pid: a.server_pid,
        timeout: a.timeout,
    };
    say!("server={}:{} clients={} messages={} window={}", cfg.host, cfg.port, cfg.clients, cfg.messages, cfg.window);
    let r = bench::run(&cfg).unwrap_or_else(|e| process::fail("cannot measure", e));
    let secs = r.elapsed.as_secs_f64();
    say!(
        "delivered={} expected={} lost={} echoed={} seconds={secs:.3} deliveries_per_s={:.0}",
        r.delivered,
        r.expected,
        r.lost(),
        r.echoed,
        r.delivered as f64 / secs.max(1e-9)
    );
    say!(
        "latency p50={}us p99={}us (a line counts when all {} others have it)",
        r.percentile(50).as_micros(),
        r.percentile(99).as_micros(),
        cfg.clients - 1
    );
    if let Some(ns) = r.server_cpu_ns {
        let per = ns as f64 / 1000.0 / (r.delivered.max(1) as f64);
        say!("server_cpu_ms={:.1} cpu_per_delivery_us={per:.2} (from {})", ns as f64 / 1e6, r.cpu_source);
    }
    std::process::exit(if r.lost() == 0 && r.echoed == 0 { 0 } else { process::EXIT_FAILED });
}
