//! The benchmark: N clients log in to any server that speaks the protocol;
//! one of them sends K chat lines, keeping at most W unanswered; every line
//! must reach the N-1 others. Measured: deliveries per second, loss,
//! latency (until the last of the others has the line), and the server's
//! CPU time per delivery, read from `/proc`.

use std::collections::VecDeque;
use std::io;
use std::net::SocketAddrV4;
use std::os::fd::{AsFd, AsRawFd, OwnedFd};
use std::time::{Duration, Instant};

use nix::errno::Errno;
use nix::poll::{PollFd, PollFlags, poll};
use nix::sys::socket::{self, MsgFlags, MultiHeaders, SockaddrIn};

use super::client::{self, Answer};
use super::proto;
use super::sys;
use crate::say;

/// What to run.
#[derive(Debug, Clone)]
pub struct Config {
    pub host: String,
    pub port: u16,
    pub clients: usize,
    pub messages: usize,
    pub window: usize,
    pub server_pid: Option<i32>,
    /// Give up on a line (count what is missing as lost) after this long.
    pub timeout: Duration,
}

/// CPU time of a process: scheduler nanoseconds (all its threads) and
/// `utime + stime` clock ticks.
#[derive(Debug, Clone, Copy, Default)]
pub struct Cpu {
    pub sched_ns: Option<u64>,
    pub ticks: u64,
}

/// The clock ticks per second `/proc/PID/stat` counts in.
pub fn clock_ticks() -> u64 {
    // SAFETY: plain libc call.
    let t = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    if t > 0 { t as u64 } else { 100 }
}

/// Read a process's CPU time so far from `/proc`.
pub fn cpu_of(pid: i32) -> io::Result<Cpu> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
    let after = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    // Fields after the name: state is field 3, utime 14, stime 15.
    let f: Vec<&str> = after.split_whitespace().collect();
    let num = |i: usize| f.get(i - 3).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
    let ticks = num(14) + num(15);
    let mut sched = Some(0u64);
    for task in std::fs::read_dir(format!("/proc/{pid}/task"))? {
        let ns = task
            .ok()
            .and_then(|t| std::fs::read_to_string(t.path().join("schedstat")).ok())
            .and_then(|s| s.split_whitespace().next()?.parse::<u64>().ok());
        sched = match (sched, ns) {
            (Some(a), Some(b)) => Some(a + b),
            _ => None,
        };
    }
    Ok(Cpu { sched_ns: sched, ticks })
}

/// What one run measured.
#[derive(Debug, Clone, Default)]
pub struct Report {
    pub delivered: u64,
    pub expected: u64,
    /// Lines the sender got back (a server must not echo).
    pub echoed: u64,
    pub elapsed: Duration,
    /// Per completed line: until the last of the others had it.
    pub latencies: Vec<Duration>,
    /// The server's CPU time during the measurement, in nanoseconds.
    pub server_cpu_ns: Option<u64>,
    /// How it was measured.
    pub cpu_source: String,
}

impl Report {
    pub fn lost(&self) -> u64 {
        self.expected.saturating_sub(self.delivered)
    }

    /// The `p`-th percentile latency (`p` in 0..=100).
    pub fn percentile(&self, p: usize) -> Duration {
        let mut v = self.latencies.clone();
        v.sort();
        if v.is_empty() { Duration::ZERO } else { v[((v.len() - 1) * p) / 100] }
    }
}

/// Let this process open `n` more descriptors (raise the soft limit).
fn allow_descriptors(n: usize) -> Result<(), String> {
    let mut lim = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
    // SAFETY: plain libc calls with a valid pointer.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) != 0 {
            return Ok(());
        }
        let want = (n as u64 + 64).min(lim.rlim_max);
        if lim.rlim_cur < want {
            lim.rlim_cur = want;
            libc::setrlimit(libc::RLIMIT_NOFILE, &lim);
        }
        if (lim.rlim_cur as usize) < n + 16 {
            return Err(format!("the open-file limit ({}) is too low for {n} clients", lim.rlim_cur));
        }
    }
    Ok(())
}

/// Read everything waiting on `sock` without blocking, calling `each` per datagram.
fn drain(sock: &OwnedFd, hdrs: &mut MultiHeaders<SockaddrIn>, bufs: &mut [u8], mut each: impl FnMut(&[u8])) -> usize {
    let mut total = 0;
    loop {
        let mut slots: Vec<[io::IoSliceMut<'_>; 1]> = bufs.chunks_mut(2048).map(|b| [io::IoSliceMut::new(b)]).collect();
        let n = slots.len();
        let got = match socket::recvmmsg(sock.as_raw_fd(), hdrs, slots.iter_mut(), MsgFlags::MSG_DONTWAIT, None) {
            Ok(got) => got,
            Err(Errno::EINTR | Errno::ECONNREFUSED) => continue,
            Err(_) => return total,
        };
        let mut k = 0;
        for msg in got {
            each(msg.iovs().next().unwrap_or(&[]));
            k += 1;
        }
        total += k;
        if k < n {
            return total;
        }
    }
}

/// The sequence number after `marker` in a notice, if the notice holds it.
fn seq_in(notice: &[u8], marker: &[u8]) -> Option<usize> {
    let at = notice.windows(marker.len()).position(|w| w == marker)? + marker.len();
    let digits = notice[at..].iter().take_while(|b| b.is_ascii_digit()).count();
    std::str::from_utf8(&notice[at..at + digits]).ok()?.parse().ok()
}

/// Run the benchmark; progress lines are printed as it goes.
pub fn run(cfg: &Config) -> Result<Report, String> {
    if cfg.clients < 2 || cfg.window == 0 || cfg.messages == 0 {
        return Err("need --clients >= 2, --window >= 1, --messages >= 1".into());
    }
    allow_descriptors(cfg.clients)?;
    let tag = format!("{:06x}", crate::random::random_u64() & 0xff_ffff);
    let mut socks = Vec::with_capacity(cfg.clients);
    let mut server = None;
    for _ in 0..cfg.clients {
        let (s, addr): (OwnedFd, SocketAddrV4) =
            client::connect(&cfg.host, cfg.port).map_err(|e| format!("socket to {}:{}: {e}", cfg.host, cfg.port))?;
        sys::set_buffers(&s, 1 << 20);
        server = Some(addr);
        socks.push(s);
    }
    let server = server.unwrap_or_else(|| SocketAddrV4::new(std::net::Ipv4Addr::LOCALHOST, cfg.port));
    let names: Vec<String> = (0..cfg.clients).map(|i| format!("b{tag}-{i}")).collect();

    // Log in, one after the other (each login tells all the others).
    let t = Instant::now();
    for (s, name) in socks.iter().zip(&names) {
        let mut ok = false;
        for _ in 0..3 {
            match client::ask(s, &proto::login(name), Duration::from_secs(2)).map_err(|e| e.to_string())? {
                Answer::Reply(r) if r == proto::OK => {
                    ok = true;
                    break;
                }
                Answer::Reply(r) => return Err(format!("login {name} refused: {}", proto::printable(&r))),
                Answer::Silence => continue,
                Answer::Refused => return Err(format!("no server at {server} (connection refused)")),
            }
        }
        if !ok {
            return Err(format!("login {name}: no answer from {server}"));
        }
    }
    say!("logged in clients={} in={}ms", cfg.clients, t.elapsed().as_millis());

    // Empty every socket of the join notices, until all are quiet.
    let mut hdrs = MultiHeaders::<SockaddrIn>::preallocate(16, None);
    let mut bufs = vec![0u8; 16 * 2048];
    let mut fds: Vec<PollFd> = socks.iter().map(|s| PollFd::new(s.as_fd(), PollFlags::POLLIN)).collect();
    for _ in 0..100 {
        for s in &socks {
            drain(s, &mut hdrs, &mut bufs, |_| {});
        }
        if poll(&mut fds, sys::poll_timeout(Duration::from_millis(50))).unwrap_or(0) == 0 {
            break;
        }
    }

    // Measure.
    let marker = format!("bench{tag}#").into_bytes();
    let others = (cfg.clients - 1) as u64;
    let mut count = vec![0u32; cfg.messages];
    let mut sent_at = vec![None::<Instant>; cfg.messages];
    let mut pending: VecDeque<usize> = VecDeque::new();
    let mut rep = Report { expected: cfg.messages as u64 * others, ..Report::default() };
    let cpu0 = cfg.server_pid.map(cpu_of).transpose().map_err(|e| format!("reading /proc for the server: {e}"))?;
    let start = Instant::now();
    let mut next = 0;
    let mut last_progress = Instant::now();
    loop {
        // Retire finished lines, and lines given up on.
        while let Some(&seq) = pending.front() {
            let done = u64::from(count[seq]) >= others;
            let stale = sent_at[seq].is_some_and(|t| t.elapsed() > cfg.timeout);
            if !(done || stale) {
                break;
            }
            pending.pop_front();
        }
        while next < cfg.messages && pending.len() < cfg.window {
            let text = format!("{}{next}", String::from_utf8_lossy(&marker));
            sent_at[next] = Some(Instant::now());
            let _ = socket::send(socks[0].as_raw_fd(), &proto::chat(&names[0], &text), MsgFlags::empty());
            pending.push_back(next);
            next += 1;
        }
        if pending.is_empty() {
            break;
        }
        if last_progress.elapsed() > cfg.timeout {
            say!("no delivery for {}ms: giving up on lines={}", cfg.timeout.as_millis(), pending.len());
            break;
        }
        if poll(&mut fds, sys::poll_timeout(Duration::from_millis(100))).unwrap_or(0) == 0 {
            continue;
        }
        let ready: Vec<usize> = (0..fds.len())
            .filter(|&i| fds[i].revents().is_some_and(|r| r.intersects(PollFlags::POLLIN | PollFlags::POLLERR)))
            .collect();
        let now = Instant::now();
        for i in ready {
            drain(&socks[i], &mut hdrs, &mut bufs, |d| {
                let Some(seq) = seq_in(d, &marker).filter(|&s| s < cfg.messages) else { return };
                if i == 0 {
                    rep.echoed += 1;
                    return;
                }
                count[seq] += 1;
                rep.delivered += 1;
                last_progress = now;
                if u64::from(count[seq]) == others
                    && let Some(t0) = sent_at[seq]
                {
                    rep.latencies.push(now - t0);
                }
            });
        }
    }
    rep.elapsed = start.elapsed();
    if let (Some(pid), Some(c0)) = (cfg.server_pid, cpu0) {
        let c1 = cpu_of(pid).map_err(|e| format!("reading /proc for the server: {e}"))?;
        match (c0.sched_ns, c1.sched_ns) {
            (Some(a), Some(b)) => {
                rep.server_cpu_ns = Some(b.saturating_sub(a));
                rep.cpu_source = format!("/proc/{pid}/task/*/schedstat");
            }
            _ => {
                rep.server_cpu_ns = Some((c1.ticks - c0.ticks) * 1_000_000_000 / clock_ticks());
                rep.cpu_source = format!("/proc/{pid}/stat utime+stime");
            }
        }
    }

    // Leave politely: `Q` from each, waiting briefly for its EXIT.
    for (s, name) in socks.iter().zip(&names) {
        let _ = socket::send(s.as_raw_fd(), &proto::quit(name), MsgFlags::empty());
        let end = Instant::now() + Duration::from_millis(200);
        'wait: while Instant::now() < end {
            let mut one = [PollFd::new(s.as_fd(), PollFlags::POLLIN)];
            if poll(&mut one, sys::poll_timeout(Duration::from_millis(20))).unwrap_or(0) == 0 {
                continue;
            }
            let mut exit = false;
            drain(s, &mut hdrs, &mut bufs, |d| exit |= d == proto::EXIT);
            if exit {
                break 'wait;
            }
        }
    }
    Ok(rep)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_sequence_number_in_any_wording() {
        assert_eq!(seq_in(b"b1-0: bench1#42", b"bench1#"), Some(42));
        assert_eq!(seq_in("b1-0 说:bench1#7".as_bytes(), b"bench1#"), Some(7));
        assert_eq!(seq_in(b"b1-3 joined the chat", b"bench1#"), None);
    }
}
