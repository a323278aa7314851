//! Checks for a chat client (lab 9). The grader plays the server: a UDP
//! socket on 127.0.0.1 to which the client is pointed, `PROGRAM 127.0.0.1
//! PORT`. It types on the client's stdin, reads the datagrams the client
//! sends, answers them, and reads the client's tagged stdout lines.

use std::net::SocketAddr;
use std::time::Duration;

use nix::sys::signal::Signal;

use super::{ANSWER, Live, Peer, name, show, text};
use crate::chat::proto::{self, Lang};
use crate::grade::{Check, Grader, Program, Run, Verdict, draw_u64, expect};

pub const CHECKS: &[Check] = &[
    Check { name: "sends `L name` for the name typed on stdin, ends after quit and EXIT", points: 1, run: logs_in },
    Check { name: "shows a refusal's reason and asks for another name", points: 2, run: refusal },
    Check { name: "sends each typed line as `C name text`", points: 2, run: chat_lines },
    Check { name: "runs as two processes after the login", points: 1, run: two_processes },
    Check { name: "prints the notices it receives on tagged lines", points: 2, run: notices },
    Check { name: "shows a notice that is not UTF-8 lossily, and goes on", points: 1, run: lossy },
    Check { name: "`quit` sends `Q name`; EXIT ends all its processes", points: 2, run: quit_clean },
    Check { name: "end of input sends `Q name` and ends cleanly", points: 1, run: end_of_input },
    Check { name: "Ctrl-C sends `Q name` and ends cleanly", points: 1, run: ctrl_c },
    Check { name: "ends cleanly even when EXIT is lost", points: 2, run: lost_exit },
    Check { name: "no server: a clear error after a few tries, not a hang", points: 1, run: no_server },
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

    /// The next datagram from the client must be `want` (a login repeated
    /// by a client that retries is skipped).
    pub fn expect(&mut self, want: &[u8], after: &str) -> Verdict {
        for _ in 0..6 {
            let Some((got, from)) = self.server.recv_from(ANSWER) else {
                return Err(format!(
                    "after {after}, expected the datagram {} within {}s, got nothing\n{}",
                    show(want),
                    ANSWER.as_secs(),
                    self.live.excerpt()
                ));
            };
            self.client.get_or_insert(from);
            if got == want {
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
    pub fn quit(mut self) -> Result<Run, String> {
        self.live.type_line("quit")?;
        self.expect(&proto::quit(&self.name), "typing quit")?;
        self.reply(proto::EXIT)?;
        self.live.wait_end(Duration::from_secs(3), "quit and EXIT")
    }

    /// A tagged stdout line containing `needle` must appear.
    pub fn shows(&mut self, needle: &str, after: &str) -> Verdict {
        match self.live.tagged_containing(ANSWER, needle) {
            Some(_) => Ok(()),
            None => Err(format!(
                "after {after}, expected a tagged line `[role PID] ...{needle}...` within {}s\n{}",
                ANSWER.as_secs(),
                self.live.excerpt()
            )),
        }
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
    s.shows(&reason, &format!("the refusal \"{reason}\""))?;
    let n = s.name.clone();
    s.live.type_line(&n)?;
    s.expect(&proto::login(&n), &format!("the refusal and typing another name \"{n}\""))?;
    s.reply(proto::OK)?;
    s.quit().map(drop)
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
    for n in &sent {
        s.shows(n, &format!("the server sent the notice \"{n}\""))?;
    }
    s.quit().map(drop)
}

fn lossy(g: &Grader, p: &Program) -> Verdict {
    let mut s = Session::start(g, p)?;
    s.login()?;
    let (bad, good) = (text(), text());
    let mut notice = b"\xff\xfe ".to_vec();
    notice.extend_from_slice(bad.as_bytes());
    s.reply(&notice)?;
    s.reply(good.as_bytes())?;
    s.shows(&bad, "a notice starting with bytes that are not UTF-8")?;
    s.shows(&good, "a notice that is not UTF-8, then a good one")?;
    s.quit().map(drop)
}

fn quit_clean(g: &Grader, p: &Program) -> Verdict {
    let mut s = Session::start(g, p)?;
    s.login()?;
    let run = s.quit()?;
    run.expect_success()?;
    run.expect_clean()
}

fn end_of_input(g: &Grader, p: &Program) -> Verdict {
    let mut s = Session::start(g, p)?;
    s.login()?;
    s.live.close_stdin();
    let q = proto::quit(&s.name);
    s.expect(&q, "end of input")?;
    s.reply(proto::EXIT)?;
    let run = s.live.wait_end(Duration::from_secs(3), "end of input and EXIT")?;
    run.expect_clean()
}

fn ctrl_c(g: &Grader, p: &Program) -> Verdict {
    let mut s = Session::start(g, p)?;
    s.login()?;
    // Ctrl-C signals the terminal's whole foreground group: once both
    // processes exist, SIGINT goes to each.
    crate::procfs::poll_until(ANSWER, || s.live.processes().len() >= 2);
    s.live.signal_all(Signal::SIGINT);
    let q = proto::quit(&s.name);
    s.expect(&q, "SIGINT to all its processes (Ctrl-C)")?;
    s.reply(proto::EXIT)?;
    let run = s.live.wait_end(Duration::from_secs(3), "Ctrl-C and EXIT")?;
    run.expect_clean()
}

fn lost_exit(g: &Grader, p: &Program) -> Verdict {
    let mut s = Session::start(g, p)?;
    s.login()?;
    s.live.type_line("quit")?;
    let q = proto::quit(&s.name);
    s.expect(&q, "typing quit")?;
    // No EXIT comes back.
    let run = s.live.wait_end(Duration::from_secs(5), "quit, with the EXIT lost")?;
    run.expect_clean()
}

fn no_server(g: &Grader, p: &Program) -> Verdict {
    // A port nothing listens on: bind one, then let it go.
    let port = Peer::new("nobody")?.addr().port().to_string();
    let mut live = Live::start(g, p, &["127.0.0.1", &port])?;
    live.type_line(&name("alice"))?;
    let run = live.wait_end(Duration::from_secs(10), "starting it with no server on the port")?;
    expect(run.code() == 1, || format!("expected exit code 1 (a failure), got {}\n{}", run.code(), run.excerpt()))?;
    expect(!run.stderr.trim().is_empty(), || format!("expected an error message on stderr\n{}", run.excerpt()))?;
    run.expect_clean()
}
