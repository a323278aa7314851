//! Checks for a chat client (lab 9). The grader plays the server: a UDP
//! socket on 127.0.0.1 to which the client is pointed, `PROGRAM 127.0.0.1
//! PORT`. It types on the client's stdin, reads the datagrams the client
//! sends, answers them, and reads what the client prints.
//!
//! What a client prints is read from its whole stdout once it has ended
//! (after `quit` and `EXIT`): a program whose stdout is a pipe may keep its
//! output in a buffer until it ends (Python's `print`, C's `printf`), and
//! that is fine. A notice or refusal counts when its text, without the white
//! space around it, appears in a line, tagged or not, after any prompt. What
//! it *sends* is read from the wire as it happens. Which process sends and
//! which receives is the client's choice.

use std::net::SocketAddr;
use std::time::Duration;

use nix::sys::signal::Signal;

use super::{ANSWER, Live, Peer, judged, name, show, text, text_of};
use crate::chat::proto::{self, Lang};
use crate::checks::{Check, Grader, Program, Transcript, Verdict, draw_u64, expect};

const BASIC: Check = Check::new(1, "sends `L name` for the name typed on stdin, ends after quit and EXIT", logs_in);

pub const CHECKS: &[Check] = &[
    BASIC,
    Check::new(2, "shows a refusal's reason and asks for another name", refusal).after(&BASIC),
    Check::new(2, "sends each typed line as `C name text`", chat_lines).after(&BASIC),
    Check::new(1, "runs as two processes after the login", two_processes).after(&BASIC),
    Check::new(2, "prints the notices it receives", notices).after(&BASIC),
    Check::new(1, "shows a notice that is not UTF-8 lossily, and goes on", lossy).after(&BASIC),
    Check::new(2, "`quit` sends `Q name`; EXIT ends all its processes", quit_clean).after(&BASIC),
    Check::new(1, "end of input sends `Q name` and ends cleanly", end_of_input).after(&BASIC),
    Check::new(1, "Ctrl-C sends `Q name` and ends cleanly", ctrl_c).after(&BASIC),
    Check::new(2, "ends cleanly even when EXIT is lost", lost_exit).after(&BASIC),
    Check::new(1, "no server: a clear error after a few tries, not a hang", no_server).after(&BASIC),
];

/// A client under test, pointed at the grader's fake server.
pub struct Session {
    pub live: Live,
    pub server: Peer,
    /// The client's address, learned from its first datagram.
    pub client: Option<SocketAddr>,
    pub name: String,
    last_login: Option<Vec<u8>>,
}

impl Session {
    /// Bind the fake server and start `PROGRAM 127.0.0.1 PORT`.
    pub fn start(g: &Grader, p: &Program) -> Result<Session, String> {
        let server = Peer::new("the grader's server")?;
        let port = server.addr().port().to_string();
        let live = Live::start(g, p, &["127.0.0.1", &port])?;
        Ok(Session { live, server, client: None, name: name("alice"), last_login: None })
    }

    /// The next datagram from the client must be `want`, white space around
    /// it aside (a login repeated by a client that retries is skipped).
    pub fn expect(&mut self, want: &[u8], after: &str) -> Verdict {
        for _ in 0..6 {
            let Some((got, from)) = self.next_datagram() else {
                return Err(format!(
                    "after {after}, expected the datagram {} within {}s, got nothing\n{}",
                    show(want),
                    ANSWER.as_secs(),
                    self.live.excerpt()
                ));
            };
            self.client.get_or_insert(from);
            if text_of(&got) == text_of(want) {
                if got.starts_with(b"L ") {
                    self.last_login = Some(got);
                }
                return Ok(());
            }
            if self.last_login.as_deref() == Some(&got[..]) {
                continue;
            }
            return Err(format!(
                "after {after}, expected the datagram {}, got {}\n{}",
                show(want),
                show(&got),
                self.live.excerpt()
            ));
        }
        Err(format!("after {after}, the client kept repeating its login instead of sending {}", show(want)))
    }

    /// The next datagram from the client within [`ANSWER`]; `None` at once
    /// if the client has ended meanwhile (and nothing it sent is left).
    fn next_datagram(&mut self) -> Option<(Vec<u8>, SocketAddr)> {
        let end = std::time::Instant::now() + ANSWER;
        loop {
            let left = end.saturating_duration_since(std::time::Instant::now());
            if left.is_zero() {
                return None;
            }
            if let Some(got) = self.server.recv_from(left.min(Duration::from_millis(200))) {
                return Some(got);
            }
            if self.live.ended() {
                return self.server.recv_from(Duration::from_millis(1));
            }
        }
    }

    /// Send `bytes` to the client.
    pub fn reply(&self, bytes: &[u8]) -> Verdict {
        let to = self.client.ok_or("the client has not sent anything yet")?;
        self.server.send(to, bytes)
    }

    /// Type the name, expect `L name`, answer `OK`.
    pub fn login(&mut self) -> Verdict {
        let n = self.name.clone();
        self.live.type_line(&n)?;
        self.expect(&proto::login(&n), &format!("typing the name \"{n}\""))?;
        self.reply(proto::OK)
    }

    /// Type `quit`, expect `Q name`, answer `EXIT`, and wait for the end.
    pub fn quit(mut self) -> Result<Transcript, String> {
        self.live.type_line("quit")?;
        self.exits("typing quit")
    }

    /// After `after`, the next datagram must be `Q name`.
    pub fn expect_quit(&mut self, after: &str) -> Verdict {
        let q = proto::quit(&self.name);
        self.expect(&q, after)
    }

    /// After `after`, expect `Q name`, answer `EXIT`, and wait for the end.
    pub fn exits(mut self, after: &str) -> Result<Transcript, String> {
        self.expect_quit(after)?;
        self.reply(proto::EXIT)?;
        self.live.wait_end(Duration::from_secs(3), &format!("{after} and EXIT"))
    }

    /// Quit (as [`Session::quit`]), then find in all the client printed
    /// each `(text, after)`: the text (trimmed of white space) in a line.
    pub fn quit_and_find(self, wanted: &[(String, String)]) -> Verdict {
        let run = self.quit().map_err(|e| format!("to read what the client printed, the grader quit it: {e}"))?;
        judged(&run, |run| {
            for (text, after) in wanted {
                let needle = text.trim();
                expect(run.stdout.lines().any(|l| l.contains(needle)), || {
                    format!(
                        "after {after}, expected a line with \"{needle}\" in what the client printed by the time it ended"
                    )
                })?;
            }
            Ok(())
        })
    }
}

fn logs_in(g: &Grader, p: &Program) -> Verdict {
    let mut s = Session::start(g, p)?;
    s.login()?;
    s.quit().map(drop)
}

fn refusal(g: &Grader, p: &Program) -> Verdict {
    let mut s = Session::start(g, p)?;
    let first = name("bob");
    s.live.type_line(&first)?;
    s.expect(&proto::login(&first), &format!("typing the name \"{first}\""))?;
    let reason = format!("name taken, try another (ref {:x})", draw_u64() & 0xffff);
    s.reply(reason.as_bytes())?;
    let n = s.name.clone();
    s.live.type_line(&n)?;
    s.expect(&proto::login(&n), &format!("the refusal and typing another name \"{n}\""))?;
    s.reply(proto::OK)?;
    s.quit_and_find(&[(reason.clone(), format!("the refusal \"{reason}\""))])
}

fn chat_lines(g: &Grader, p: &Program) -> Verdict {
    let mut s = Session::start(g, p)?;
    s.login()?;
    for _ in 0..2 {
        let t = text();
        s.live.type_line(&t)?;
        let n = s.name.clone();
        s.expect(&proto::chat(&n, &t), &format!("typing \"{t}\""))?;
    }
    s.quit().map(drop)
}

fn two_processes(g: &Grader, p: &Program) -> Verdict {
    let mut s = Session::start(g, p)?;
    s.login()?;
    let mut count = 0;
    crate::procfs::poll_until(ANSWER, || {
        count = s.live.processes().len();
        count >= 2
    });
    expect(count >= 2, || format!("after OK, expected 2 processes (sender and receiver), found {count}"))?;
    s.quit().map(drop)
}

fn notices(g: &Grader, p: &Program) -> Verdict {
    let mut s = Session::start(g, p)?;
    s.login()?;
    let bob = name("bob");
    let sent = [
        Lang::En.said(&bob, &text()),
        Lang::Zh.said(&bob, &text()),
        Lang::En.admin(&text()),
        Lang::En.joined(&name("carol")),
    ];
    for n in &sent {
        s.reply(n.as_bytes())?;
    }
    let wanted: Vec<(String, String)> =
        sent.iter().map(|n| (n.clone(), format!("the server sent the notice {}", show(n.as_bytes())))).collect();
    s.quit_and_find(&wanted)
}

fn lossy(g: &Grader, p: &Program) -> Verdict {
    let mut s = Session::start(g, p)?;
    s.login()?;
    let (bad, good) = (text(), text());
    let mut notice = b"\xff\xfe ".to_vec();
    notice.extend_from_slice(bad.as_bytes());
    s.reply(&notice)?;
    s.reply(good.as_bytes())?;
    s.quit_and_find(&[
        (bad, "a notice starting with bytes that are not UTF-8".into()),
        (good, "a notice that is not UTF-8, then a good one".into()),
    ])
}

fn quit_clean(g: &Grader, p: &Program) -> Verdict {
    let mut s = Session::start(g, p)?;
    s.login()?;
    let run = s.quit()?;
    judged(&run, |run| {
        run.expect_success()?;
        run.expect_clean()
    })
}

fn end_of_input(g: &Grader, p: &Program) -> Verdict {
    let mut s = Session::start(g, p)?;
    s.login()?;
    s.live.close_stdin();
    let run = s.exits("end of input")?;
    judged(&run, Transcript::expect_clean)
}

fn ctrl_c(g: &Grader, p: &Program) -> Verdict {
    let mut s = Session::start(g, p)?;
    s.login()?;
    // Ctrl-C signals the terminal's whole foreground group: once both
    // processes exist, SIGINT goes to each.
    crate::procfs::poll_until(ANSWER, || s.live.processes().len() >= 2);
    s.live.signal_all(Signal::SIGINT);
    let run = s.exits("SIGINT to all its processes (Ctrl-C)")?;
    judged(&run, Transcript::expect_clean)
}

fn lost_exit(g: &Grader, p: &Program) -> Verdict {
    let mut s = Session::start(g, p)?;
    s.login()?;
    s.live.type_line("quit")?;
    s.expect_quit("typing quit")?;
    // No EXIT comes back.
    let run = s.live.wait_end(Duration::from_secs(5), "quit, with the EXIT lost")?;
    judged(&run, Transcript::expect_clean)
}

fn no_server(g: &Grader, p: &Program) -> Verdict {
    // A port nothing listens on: bind one, then let it go.
    let port = Peer::new("nobody")?.addr().port().to_string();
    let mut live = Live::start(g, p, &["127.0.0.1", &port])?;
    live.type_line(&name("alice"))?;
    let run = live.wait_end(Duration::from_secs(10), "starting it with no server on the port")?;
    judged(&run, |run| {
        expect(run.code() == 1, || format!("expected exit code 1 (a failure), got {}", run.code()))?;
        expect(!run.stderr.trim().is_empty(), || "expected an error message on stderr".into())?;
        run.expect_clean()
    })
}
