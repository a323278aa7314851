//! Checks for lab 9, the chat: [`server`] grades a chat server, [`client`] a
//! chat client, in any language, by speaking the course's protocol to them
//! over real UDP sockets on 127.0.0.1. See `labs/09-chat.md`, "Grading contract".
//!
//! The pieces both share: [`Live`] (a program under the grader's supervisor
//! whose output is read while it runs) and [`Peer`] (a plain UDP socket playing a
//! client, or the server).

pub mod client;
pub mod server;

use std::io::{BufRead as _, BufReader, Write as _};
use std::net::{SocketAddr, UdpSocket};
use std::process::ChildStdin;
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;

use super::{Grader, Program, Transcript, Verdict, draw_u64};
use crate::chat::proto;
use crate::harness::Spawned;
use crate::out::Tagged;
use crate::procfs;

/// How long a check waits for an answer that should come at once. Generous:
/// a slow student's server on a busy machine still passes; a correct one
/// answers in microseconds, so checks stay fast (only a missing answer
/// waits this long).
pub const ANSWER: Duration = Duration::from_secs(5);

/// A fresh random name (`alice-3fa2c1`): at most 14 bytes. The six hex
/// digits after a word and a `-` cannot occur in a [`text`], nor in another
/// name of the same check.
pub fn name(who: &str) -> String {
    format!("{who}-{:06x}", draw_u64() & 0xff_ffff)
}

/// A fresh random chat text, with spaces and non-ASCII characters.
pub fn text() -> String {
    let r = draw_u64();
    format!("hello {:x} 你好 {:x}", r & 0xffff, r >> 48)
}

/// A datagram's text as the checks read its meaning: invalid UTF-8 replaced
/// by `�`, the white space around it (the course's leading newline) trimmed.
pub fn text_of(datagram: &[u8]) -> String {
    String::from_utf8_lossy(datagram).trim().to_string()
}

/// Does the datagram carry each of `parts` (a name, a chat text), in any
/// wording, language or surrounding white space? This is how every check
/// reads a notice: the joiner's name; the sender's name and the exact text;
/// the leaver's name; the administrator's text.
pub fn carries(datagram: &[u8], parts: &[&str]) -> bool {
    let t = text_of(datagram);
    parts.iter().all(|p| t.contains(p))
}

/// Is this datagram the reply `want` (`OK`, `EXIT`), white space aside?
pub fn is_reply(datagram: &[u8], want: &[u8]) -> bool {
    text_of(datagram).as_bytes() == want
}

/// A datagram, as a failure message shows it.
pub fn show(bytes: &[u8]) -> String {
    let p = proto::printable(bytes);
    if p.chars().count() > 80 {
        format!("\"{}...\" ({} bytes)", p.chars().take(60).collect::<String>(), bytes.len())
    } else {
        format!("\"{p}\"")
    }
}

/// Test `run`, a run whose stdout the check read while it ran ([`Live`]):
/// a failure shows what it printed. (The front end adds a finished run's
/// output to a failed check's message only when the harness read that
/// output itself, and a live run's it did not.)
pub fn judged(run: &Transcript, test: impl FnOnce(&Transcript) -> Verdict) -> Verdict {
    test(run).map_err(|why| {
        let excerpt = run.excerpt();
        if why.contains(excerpt.trim_end()) { why } else { format!("{why}\n{excerpt}") }
    })
}

/// A UDP socket on 127.0.0.1 speaking the protocol by hand.
#[derive(Debug)]
pub struct Peer {
    pub sock: UdpSocket,
    /// The name this peer logs in with (if it is a client).
    pub name: String,
}

impl Peer {
    pub fn new(name: &str) -> Result<Peer, String> {
        let sock = UdpSocket::bind("127.0.0.1:0").map_err(|e| format!("cannot bind a UDP socket on 127.0.0.1: {e}"))?;
        Ok(Peer { sock, name: name.to_string() })
    }

    pub fn addr(&self) -> SocketAddr {
        self.sock.local_addr().unwrap_or_else(|_| SocketAddr::from(([127, 0, 0, 1], 0)))
    }

    pub fn send(&self, to: SocketAddr, bytes: &[u8]) -> Result<(), String> {
        self.sock.send_to(bytes, to).map(drop).map_err(|e| format!("sending to {to}: {e}"))
    }

    /// The next datagram, with its sender, within `within`.
    pub fn recv_from(&self, within: Duration) -> Option<(Vec<u8>, SocketAddr)> {
        let end = Instant::now() + within;
        let mut buf = vec![0u8; 65536];
        loop {
            let left = end.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return None;
            }
            let _ = self.sock.set_read_timeout(Some(left));
            match self.sock.recv_from(&mut buf) {
                Ok((n, from)) => return Some((buf[..n].to_vec(), from)),
                // ECONNREFUSED on Linux comes from an unrelated ICMP error: read on.
                Err(e) if e.kind() == std::io::ErrorKind::ConnectionRefused => continue,
                Err(_) => return None,
            }
        }
    }

    /// The next datagram within `within`.
    pub fn recv(&self, within: Duration) -> Option<Vec<u8>> {
        self.recv_from(within).map(|(b, _)| b)
    }

    /// Read datagrams until one satisfies `want` (within `within`); a
    /// datagram satisfying `forbidden` on the way (and not `want`) fails.
    /// `what` names the wanted datagram for the message.
    pub fn until(
        &self,
        within: Duration,
        what: &str,
        want: impl Fn(&[u8]) -> bool,
        forbidden: impl Fn(&[u8]) -> Option<String>,
    ) -> Result<(), String> {
        let end = Instant::now() + within;
        let mut seen = Vec::new();
        loop {
            let left = end.saturating_duration_since(Instant::now());
            let Some(got) = self.recv(left) else {
                return Err(format!(
                    "{} expected {what} within {}s; got {}",
                    self.name,
                    within.as_secs_f32(),
                    if seen.is_empty() { "nothing".to_string() } else { seen.join(", ") }
                ));
            };
            if want(&got) {
                return Ok(());
            }
            if let Some(why) = forbidden(&got) {
                return Err(format!("{} received {}: {why}", self.name, show(&got)));
            }
            seen.push(show(&got));
        }
    }
}

/// A program started under the grader's supervisor (`labkit reap`) whose
/// stdout is read while it runs. Its log (when the grader keeps runs) gets
/// what it printed and the check's [`Live::note`]s.
pub struct Live {
    running: Option<Spawned>,
    /// The run's log file, if the grader keeps one.
    log: Option<std::path::PathBuf>,
    notes: Vec<String>,
    lines: mpsc::Receiver<String>,
    seen: Vec<String>,
    reader: Option<JoinHandle<()>>,
    pub stdin: Option<ChildStdin>,
    main: Option<i32>,
}

impl Live {
    pub fn start(g: &Grader, p: &Program, args: &[&str]) -> Result<Live, String> {
        let mut running = g.spawn(p, args)?;
        let stdout = running.child.stdout.take();
        let stdin = running.child.stdin.take();
        let (tx, rx) = mpsc::channel();
        let reader = std::thread::spawn(move || {
            if let Some(out) = stdout {
                for line in BufReader::new(out).split(b'\n').map_while(Result::ok) {
                    if tx.send(String::from_utf8_lossy(&line).into_owned()).is_err() {
                        break;
                    }
                }
            }
        });
        let log = running.log_path().map(std::path::Path::to_path_buf);
        let mut live = Live {
            running: Some(running),
            log,
            notes: Vec::new(),
            lines: rx,
            seen: Vec::new(),
            reader: Some(reader),
            stdin,
            main: None,
        };
        // Find the program's process now, while it surely runs: the supervisor's only child.
        let _ = live.main_pid();
        Ok(live)
    }

    fn pull(&mut self) {
        while let Ok(l) = self.lines.try_recv() {
            self.seen.push(l);
        }
    }

    /// The first stdout line so far, or within `within`, that satisfies `want`.
    pub fn line(&mut self, within: Duration, want: impl Fn(&str) -> bool) -> Option<String> {
        let end = Instant::now() + within;
        let mut from = 0;
        loop {
            self.pull();
            if let Some(l) = self.seen[from..].iter().find(|l| want(l)) {
                return Some(l.clone());
            }
            from = self.seen.len();
            let left = end.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(l) => self.seen.push(l),
                Err(_) => return None,
            }
        }
    }

    /// The first tagged line whose text contains `needle`.
    pub fn tagged_containing(&mut self, within: Duration, needle: &str) -> Option<String> {
        self.line(within, |l| Tagged::parse(l).is_some_and(|t| t.text.contains(needle)))
    }

    /// A fact the check saw but does not score (e.g. a notice's wording),
    /// kept in the run's log.
    pub fn note(&mut self, fact: String) {
        if !self.notes.contains(&fact) {
            self.notes.push(fact);
        }
    }

    /// The output so far, for a failure message.
    pub fn excerpt(&mut self) -> String {
        self.pull();
        let cut: String = self.seen.iter().take(40).map(|l| format!("  | {l}\n")).collect();
        let state = if self.ended() { "; it has ended" } else { "" };
        if cut.is_empty() {
            format!("the program printed nothing so far{state}")
        } else {
            format!("the program printed so far{state}:\n{cut}")
        }
    }

    /// Type a line on the program's stdin.
    pub fn type_line(&mut self, line: &str) -> Result<(), String> {
        let stdin = self.stdin.as_mut().ok_or("stdin is already closed")?;
        stdin
            .write_all(format!("{line}\n").as_bytes())
            .and_then(|()| stdin.flush())
            .map_err(|e| format!("the program no longer reads stdin: {e}"))
    }

    /// End of input on the program's stdin.
    pub fn close_stdin(&mut self) {
        self.stdin = None;
    }

    /// The PID of the grader's supervisor running the program: its parent.
    fn supervisor_pid(&self) -> i32 {
        self.running.as_ref().map_or(0, Spawned::supervisor_pid)
    }

    /// The program's own process (the supervisor's child).
    pub fn main_pid(&mut self) -> Result<i32, String> {
        if let Some(pid) = self.main {
            return Ok(pid);
        }
        let supervisor = self.supervisor_pid();
        let mut found = None;
        let mut supervisor_done = false;
        procfs::poll_until(Duration::from_secs(2), || {
            found = procfs::children(supervisor).first().map(|s| s.pid);
            supervisor_done = procfs::stat(supervisor).ok().flatten().is_none_or(|s| s.is_zombie());
            found.is_some() || supervisor_done
        });
        self.main = found;
        found.ok_or_else(|| "the program's process could not be found".to_string())
    }

    /// The program's processes still running (not zombies), main first.
    /// The kit's own tracer (`labkit trace -- PROGRAM`, when a program is
    /// graded traced) is not one of them: counted, it would pass a client
    /// of one process as "two processes", and a Ctrl-C sent once it and the
    /// client's first process exist would come before the client forks.
    pub fn processes(&self) -> Vec<procfs::Stat> {
        procfs::descendants(self.supervisor_pid())
            .into_iter()
            .filter(|s| !s.is_zombie() && s.comm != "labkit")
            .collect()
    }

    /// Send `sig` to every process of the program, as Ctrl-C in a terminal
    /// does (to the whole foreground process group).
    pub fn signal_all(&self, sig: Signal) {
        for s in self.processes() {
            let _ = kill(Pid::from_raw(s.pid), sig);
        }
    }

    /// Has the program's own process ended?
    pub fn ended(&mut self) -> bool {
        match self.main_pid() {
            Ok(pid) => procfs::stat(pid).ok().flatten().is_none_or(|s| s.is_zombie()),
            Err(_) => true,
        }
    }

    /// Wait up to `within` for the program to end by itself, then collect
    /// its run. `Err` if it did not end (it is then killed, with all its
    /// processes) or could not be run.
    pub fn wait_end(mut self, within: Duration, after: &str) -> Result<Transcript, String> {
        let ended = procfs::poll_until(within, || self.ended());
        if !ended {
            let excerpt = self.excerpt();
            let _ = self.finish(true);
            return Err(format!("the program did not end within {}s after {after}\n{excerpt}", within.as_secs_f32()));
        }
        self.finish(false)
    }

    /// Stop the program with `sig` (to its own process) and collect its run;
    /// if it has not ended within `within`, it is killed with all its processes.
    pub fn stop(mut self, sig: Signal, within: Duration) -> Result<(Transcript, bool), String> {
        if let Ok(pid) = self.main_pid() {
            let _ = kill(Pid::from_raw(pid), sig);
        }
        let ended = procfs::poll_until(within, || self.ended());
        let run = self.finish(!ended)?;
        Ok((run, ended))
    }

    /// Collect the run; `kill_all`: first have the supervisor kill everything.
    fn finish(&mut self, kill_all: bool) -> Result<Transcript, String> {
        self.stdin = None;
        let running = self.running.take().ok_or("already finished")?;
        if kill_all {
            let _ = kill(Pid::from_raw(running.supervisor_pid()), Signal::SIGTERM);
        }
        let run = running.finish();
        if let Some(r) = self.reader.take() {
            let _ = r.join();
        }
        self.pull();
        let mut run = match run {
            Ok(run) => run,
            Err(e) if kill_all => return Err(format!("{e}\n{}", self.excerpt())),
            Err(e) => return Err(e),
        };
        run.stdout = self.seen.iter().map(|l| format!("{l}\n")).collect();
        run.lines = self.seen.iter().filter_map(|l| Tagged::parse(l)).collect();
        self.append_to_log(&run.stdout);
        Ok(run)
    }
}

impl Live {
    /// Add to the run's log what the check read while it ran: the stdout
    /// lines and the check's notes.
    fn append_to_log(&self, stdout: &str) {
        let Some(path) = &self.log else { return };
        let notes: String = self.notes.iter().map(|n| format!("{n}\n")).collect();
        let text = format!(
            "\n--- stdout, as the check read it ---\n{stdout}\n--- the check's notes (not scored) ---\n{notes}"
        );
        if let Ok(mut f) = std::fs::OpenOptions::new().append(true).open(path) {
            let _ = f.write_all(text.as_bytes());
        }
    }
}

impl Drop for Live {
    fn drop(&mut self) {
        if self.running.is_some() {
            let _ = self.finish(true);
        }
    }
}
