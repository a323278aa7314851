//! Checks for a chat server (lab 9). The grader plays the clients: plain
//! UDP sockets on 127.0.0.1 that speak the course's protocol to the server.
//!
//! The server is started as `PROGRAM --port 0` and must print the address
//! it listens on as a fact `addr=IP:PORT` on its first line; with
//! `Program::fixed_port` set (the course's `server.py` takes no arguments)
//! it is started as `PROGRAM` and reached at 127.0.0.1 on that port. Either
//! way, the grader waits until the server answers a login, never a fixed time.
//!
//! A server can see only what arrives in order: a check that something must
//! *not* happen sends a datagram that must arrive after it, and fails if the
//! forbidden one arrives first.
//!
//! Notices are read for their meaning, never their wording ([`carries`]):
//! a join notice carries the joiner's name, a chat line the sender's name
//! and the exact text, a leave notice the leaver's name, an admin line the
//! admin's text, in any language, with any white space around. The wording
//! a server used is noted in the run's log, not scored. A refusal is any
//! reply other than `OK`.

use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4};
use std::time::{Duration, Instant};

use nix::sys::signal::Signal;

use super::{ANSWER, Live, Peer, carries, is_reply, judged, name, show, text, text_of};
use crate::chat::proto;
use crate::checks::{Check, Grader, Program, Verdict, draw_u64, expect};
use crate::out::Tagged;

const BASIC: Check = Check::new(1, "starts, says where it listens, and accepts a login", starts);

pub const CHECKS: &[Check] = &[
    BASIC,
    Check::new(1, "refuses a name already in use, then accepts another", unique_names).after(&BASIC),
    Check::new(2, "tells the others when someone joins", join_notice).after(&BASIC),
    Check::new(3, "forwards a chat line to everyone else, not to the sender", forwards_chat).after(&BASIC),
    Check::new(2, "quit: EXIT to the one who leaves, a notice to the others", quit).after(&BASIC),
    Check::new(2, "admin lines typed on its stdin reach everyone", admin_lines).after(&BASIC),
    Check::new(1, "keeps serving after its stdin ends", stdin_end).after(&BASIC),
    Check::new(2, "SIGTERM stops it with its admin child, leaving nothing behind", sigterm).after(&BASIC),
    Check::new(2, "survives empty, unknown, non-UTF-8 and cut datagrams", bad_datagrams).after(&BASIC),
    Check::new(2, "refuses bad names: none, empty, spaces, control characters, too long", bad_names).after(&BASIC),
    Check::new(2, "rejects datagrams longer than its buffer, even cut inside a character", too_long).after(&BASIC),
    Check::new(1, "ignores C and Q naming someone not logged in", unknown_names).after(&BASIC),
    Check::new(3, "rejects C and Q for a logged-in name from another address", impersonation).after(&BASIC),
    Check::new(2, "nobody on the network can log in or speak as the administrator", admin_impersonation).after(&BASIC),
    Check::new(2, "a killed client's name is freed and the others are told", dead_client).after(&BASIC),
];

/// How long a server may take to start and answer its first login: long
/// enough for an interpreter starting on a busy machine.
pub const START: Duration = Duration::from_secs(10);

/// How long bob may wait to be told a killed client left, while alice
/// talks: a server that checks for ICMP errors knows at her next line.
pub const DEAD_CLIENT: Duration = Duration::from_secs(3);

/// A server under test, answering logins.
pub struct Server {
    pub live: Live,
    pub addr: SocketAddr,
    /// The peer that found the server ready (it stays logged in, quietly).
    _probe: Peer,
}

impl Server {
    /// Start the server and wait until it answers a login.
    pub fn start(g: &Grader, p: &Program) -> Result<Server, String> {
        let (mut live, addr) = match p.fixed_port {
            Some(port) => (Live::start(g, p, &[])?, SocketAddr::from(([127, 0, 0, 1], port))),
            None => {
                let mut live = Live::start(g, p, &["--port", "0"])?;
                let Some(line) = live.line(START, |l| Tagged::parse(l).is_some_and(|t| t.fact("addr").is_some()))
                else {
                    return Err(format!(
                        "expected a first line `[role PID] ... addr=IP:PORT` within {}s\n{}",
                        START.as_secs(),
                        live.excerpt()
                    ));
                };
                let fact = Tagged::parse(&line).and_then(|t| t.fact("addr").map(str::to_string)).unwrap_or_default();
                let Ok(addr) = fact.parse::<SocketAddrV4>() else {
                    return Err(format!("addr={fact} is not IP:PORT, in the line: {line}"));
                };
                let ip = if addr.ip().is_unspecified() { Ipv4Addr::LOCALHOST } else { *addr.ip() };
                (live, SocketAddr::from((ip, addr.port())))
            }
        };
        let probe = Peer::new(&name("probe"))?;
        let end = Instant::now() + START;
        loop {
            probe.send(addr, &proto::login(&probe.name))?;
            if probe.recv(Duration::from_millis(50)).is_some() {
                break;
            }
            if Instant::now() >= end || live.ended() {
                return Err(format!(
                    "the server at {addr} did not answer `L name` within {}s\n{}",
                    START.as_secs(),
                    live.excerpt()
                ));
            }
        }
        Ok(Server { live, addr, _probe: probe })
    }

    /// The next datagram `to` gets within [`ANSWER`], or `None`: at once if
    /// the server has ended (crashed) meanwhile.
    pub fn answer(&mut self, to: &Peer) -> Option<Vec<u8>> {
        let end = Instant::now() + ANSWER;
        loop {
            let left = end.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return None;
            }
            if let Some(got) = to.recv(left.min(Duration::from_millis(200))) {
                return Some(got);
            }
            if self.live.ended() {
                return None;
            }
        }
    }

    /// A new peer that sends `L name` and must get `OK`.
    pub fn login(&mut self, who: &str) -> Result<Peer, String> {
        let peer = Peer::new(&name(who))?;
        self.expect_welcome(&peer, &peer.name, "")?;
        Ok(peer)
    }

    /// `peer` sends `L name` and must get `OK`; `when` (e.g. `"after alice
    /// quit, "`) begins the message.
    pub fn expect_welcome(&mut self, peer: &Peer, name: &str, when: &str) -> Verdict {
        peer.send(self.addr, &proto::login(name))?;
        let got = match self.answer(peer) {
            Some(r) if is_reply(&r, proto::OK) => return Ok(()),
            Some(r) => format!("{} instead of OK", show(&r)),
            None => format!("no answer within {}s", ANSWER.as_secs()),
        };
        Err(format!("{when}`L {name}` got {got}\n{}", self.live.excerpt()))
    }

    /// `from` sends `C from text`.
    pub fn say(&self, from: &Peer, text: &str) -> Result<(), String> {
        from.send(self.addr, &proto::chat(&from.name, text))
    }

    /// `to` reads until a datagram carries all of `parts` (`what` describes
    /// it); one satisfying `forbidden` on the way (and not wanted) fails.
    /// The wording of the one found is noted as `wording`.
    pub fn expect_notice(
        &mut self,
        to: &Peer,
        wording: &str,
        what: &str,
        parts: &[&str],
        forbidden: impl Fn(&[u8]) -> Option<String>,
    ) -> Verdict {
        let mut seen = Vec::new();
        loop {
            let Some(got) = self.answer(to) else {
                return Err(format!(
                    "{} expected {what} within {}s; got {}\n{}",
                    to.name,
                    ANSWER.as_secs(),
                    if seen.is_empty() { "nothing".to_string() } else { seen.join(", ") },
                    self.live.excerpt()
                ));
            };
            if carries(&got, parts) {
                self.live.note(format!("wording of {wording}: {}", show(&got)));
                return Ok(());
            }
            if let Some(why) = forbidden(&got) {
                return Err(format!("{} received {}: {why}\n{}", to.name, show(&got), self.live.excerpt()));
            }
            seen.push(show(&got));
        }
    }

    /// `to` reads datagrams up to the notice that `joiner` joined.
    pub fn expect_join_notice(&mut self, to: &Peer, joiner: &str) -> Verdict {
        let what = format!("the notice that {joiner} joined (a datagram with the name {joiner})");
        self.expect_notice(to, "a join notice", &what, &[joiner], nothing)
    }

    /// `from` says something new and `to` must get it: proof the server is
    /// still serving, and that nothing forbidden came to `to` before it.
    pub fn still_serving(&mut self, from: &Peer, to: &Peer, forbidden: impl Fn(&[u8]) -> Option<String>) -> Verdict {
        let t = text();
        self.say(from, &t)?;
        let what = format!("{}'s line \"{t}\" (a datagram with the name {} and that text)", from.name, from.name);
        self.expect_notice(to, "a chat line", &what, &[&from.name, &t], forbidden)
    }

    /// Stop it (SIGTERM), killing whatever is left.
    pub fn stop(self) -> Verdict {
        self.live.stop(Signal::SIGTERM, Duration::from_secs(3)).map(drop)
    }
}

fn nothing(_: &[u8]) -> Option<String> {
    None
}

/// `(what, parts)` of a forbidden datagram: one that carries all `parts`.
fn forbid(why: String, parts: Vec<String>) -> impl Fn(&[u8]) -> Option<String> {
    move |g| parts.iter().all(|p| text_of(g).contains(p.as_str())).then(|| why.clone())
}

/// The reply to one datagram, as text for a message.
fn shown_reply(r: Option<&[u8]>) -> String {
    r.map_or_else(|| "nothing".to_string(), show)
}

fn starts(g: &Grader, p: &Program) -> Verdict {
    let mut s = Server::start(g, p)?;
    s.login("alice")?;
    s.stop()
}

fn unique_names(g: &Grader, p: &Program) -> Verdict {
    let mut s = Server::start(g, p)?;
    let alice = s.login("alice")?;
    let other = Peer::new(&alice.name)?;
    other.send(s.addr, &proto::login(&alice.name))?;
    match s.answer(&other) {
        Some(r) if is_reply(&r, proto::OK) => {
            return Err(format!("a second `L {}` from another address got OK", alice.name));
        }
        Some(r) => s.live.note(format!("wording of a refusal (name taken): {}", show(&r))),
        None => return Err(format!("a second `L {}` got no answer: a refusal must say why", alice.name)),
    }
    s.expect_welcome(&other, &name("carol"), "after the refusal, from the same client, ")?;
    s.stop()
}

fn join_notice(g: &Grader, p: &Program) -> Verdict {
    let mut s = Server::start(g, p)?;
    let alice = s.login("alice")?;
    let bob = s.login("bob")?;
    let next = s.answer(&alice);
    expect(next.as_deref().is_some_and(|n| carries(n, &[&bob.name])), || {
        format!(
            "alice's next datagram after {0}'s login should tell of {0} (carry the name {0}), got {1}\n{2}",
            bob.name,
            shown_reply(next.as_deref()),
            s.live.excerpt()
        )
    })?;
    s.live.note(format!("wording of a join notice: {}", show(next.as_deref().unwrap_or_default())));
    // Bob is not told about himself: the next thing he gets is alice's line.
    s.still_serving(&alice, &bob, forbid("the newcomer was told of his own arrival".into(), vec![bob.name.clone()]))?;
    s.stop()
}

fn forwards_chat(g: &Grader, p: &Program) -> Verdict {
    let mut s = Server::start(g, p)?;
    let alice = s.login("alice")?;
    let bob = s.login("bob")?;
    let carol = s.login("carol")?;
    let t = text();
    s.say(&alice, &t)?;
    for to in [&bob, &carol] {
        let what = format!("{}'s line \"{t}\" (a datagram with the name {} and that text)", alice.name, alice.name);
        s.expect_notice(to, "a chat line", &what, &[&alice.name, &t], nothing)?;
    }
    // Alice must not get her own line back: bob's next line reaches her first.
    s.still_serving(&bob, &alice, forbid(format!("the sender got its own line \"{t}\" back"), vec![t.clone()]))?;
    s.stop()
}

fn quit(g: &Grader, p: &Program) -> Verdict {
    let mut s = Server::start(g, p)?;
    let alice = s.login("alice")?;
    let bob = s.login("bob")?;
    alice.send(s.addr, &proto::quit(&alice.name))?;
    let mut before = Vec::new();
    loop {
        match s.answer(&alice) {
            Some(g) if is_reply(&g, proto::EXIT) => break,
            Some(g) => before.push(show(&g)),
            None => {
                let got = if before.is_empty() { "nothing".to_string() } else { before.join(", ") };
                return Err(format!("after `Q {}`, expected EXIT; got {got}\n{}", alice.name, s.live.excerpt()));
            }
        }
    }
    let what = format!("a notice that {0} left (a datagram with the name {0})", alice.name);
    s.expect_notice(&bob, "a leave notice", &what, &[&alice.name], nothing)?;
    // The name is free again.
    s.expect_welcome(&Peer::new(&alice.name)?, &alice.name, "after alice quit, her name must be free again: ")?;
    s.stop()
}

fn admin_lines(g: &Grader, p: &Program) -> Verdict {
    let mut s = Server::start(g, p)?;
    let alice = s.login("alice")?;
    let bob = s.login("bob")?;
    let t = text();
    s.live.type_line(&t)?;
    for to in [&alice, &bob] {
        let what = format!("the admin line (a datagram with the text \"{t}\")");
        s.expect_notice(to, "an admin line", &what, &[&t], nothing)
            .map_err(|e| format!("after typing \"{t}\" on the server's stdin: {e}"))?;
    }
    s.stop()
}

fn stdin_end(g: &Grader, p: &Program) -> Verdict {
    let mut s = Server::start(g, p)?;
    let alice = s.login("alice")?;
    s.live.close_stdin();
    let bob = s.login("bob").map_err(|e| format!("after its stdin ended: {e}"))?;
    s.still_serving(&alice, &bob, nothing)?;
    s.stop()
}

fn sigterm(g: &Grader, p: &Program) -> Verdict {
    let mut s = Server::start(g, p)?;
    s.login("alice")?;
    let (run, ended) = s.live.stop(Signal::SIGTERM, Duration::from_secs(3))?;
    judged(&run, |run| {
        expect(ended, || "the server did not end within 3s of SIGTERM".into())?;
        run.expect_clean()
    })
}

fn bad_datagrams(g: &Grader, p: &Program) -> Verdict {
    let mut s = Server::start(g, p)?;
    let alice = s.login("alice")?;
    let bob = s.login("bob")?;
    let mallory = Peer::new("mallory")?;
    let from_anyone: [&[u8]; 5] = [b"", b"X hello", b"\xff\xfe\xfd", b"L \xe4\xb8", b"C \xe4\xb8"];
    for d in from_anyone {
        mallory.send(s.addr, d)?;
    }
    // Alice's own line, with bytes that are not UTF-8 in a random text.
    let mark = format!("bad-{:x}", draw_u64() & 0xffff_ffff);
    let mut bad = proto::chat(&alice.name, &mark);
    bad.extend_from_slice(b" \xff\xfe text");
    alice.send(s.addr, &bad)?;
    s.still_serving(&alice, &bob, move |g| {
        if std::str::from_utf8(g).is_err() {
            Some("bytes that are not UTF-8 were forwarded".into())
        } else if text_of(g).contains(&mark) {
            Some("a line with bytes that are not UTF-8 was forwarded".into())
        } else {
            None
        }
    })
    .map_err(|e| format!("after empty, unknown-type, non-UTF-8 and cut datagrams: {e}"))?;
    s.login("carol").map_err(|e| format!("after bad datagrams: {e}"))?;
    s.stop()
}

fn bad_names(g: &Grader, p: &Program) -> Verdict {
    let mut s = Server::start(g, p)?;
    let alice = s.login("alice")?;
    let long = "x".repeat(proto::MAX_NAME + 8);
    let names = [
        "L".to_string(),
        "L ".to_string(),
        format!("L {} two", name("a")),
        format!("L {}\x07", name("b")),
        format!("L {long}"),
    ];
    for login in &names {
        let peer = Peer::new("bad-name")?;
        peer.send(s.addr, login.as_bytes())?;
        match s.answer(&peer) {
            Some(r) if is_reply(&r, proto::OK) => {
                return Err(format!("{} got OK: that name must be refused", show(login.as_bytes())));
            }
            Some(_) => {}
            None => {
                return Err(format!(
                    "{} got no answer within {}s: a refused login must be told why\n{}",
                    show(login.as_bytes()),
                    ANSWER.as_secs(),
                    s.live.excerpt()
                ));
            }
        }
    }
    // Nobody joined: alice's next datagram announces dave, the first good name.
    let dave = s.login("dave")?;
    let next = s.answer(&alice);
    expect(next.as_deref().is_some_and(|n| carries(n, &[&dave.name])), || {
        format!(
            "after the refused names, alice's next datagram should tell of {} (the first good name), got {}",
            dave.name,
            shown_reply(next.as_deref())
        )
    })?;
    s.stop()
}

fn too_long(g: &Grader, p: &Program) -> Verdict {
    let mut s = Server::start(g, p)?;
    let alice = s.login("alice")?;
    let bob = s.login("bob")?;
    // 9000 bytes: over the 4096 of the contract. In the second one the
    // text starts at a multiple of 3 bytes, so that cutting at any power of
    // two (1024, 2048, 4096, 8192) lands inside a 3-byte character.
    let mut ascii = proto::chat(&alice.name, "");
    ascii.resize(9000, b'a');
    let mut cjk = proto::chat(&alice.name, "");
    while cjk.len() % 3 != 0 {
        cjk.push(b'x');
    }
    while cjk.len() < 9000 {
        cjk.extend_from_slice("中".as_bytes());
    }
    alice.send(s.addr, &ascii)?;
    alice.send(s.addr, &cjk)?;
    let from = alice.name.clone();
    s.still_serving(&alice, &bob, move |g| {
        (g.len() > 1000 && carries(g, &[&from])).then(|| format!("a {}-byte datagram was forwarded (cut?)", g.len()))
    })
    .map_err(|e| format!("after two 9000-byte datagrams: {e}"))?;
    s.stop()
}

fn unknown_names(g: &Grader, p: &Program) -> Verdict {
    let mut s = Server::start(g, p)?;
    let alice = s.login("alice")?;
    let bob = s.login("bob")?;
    let ghost = name("ghost");
    let mallory = Peer::new("mallory")?;
    let t = text();
    mallory.send(s.addr, &proto::chat(&ghost, &t))?;
    mallory.send(s.addr, &proto::quit(&ghost))?;
    let why = format!("{ghost} is not logged in: nothing about it may be forwarded");
    s.still_serving(&alice, &bob, forbid(why, vec![ghost.clone()]))?;
    s.stop()
}

fn impersonation(g: &Grader, p: &Program) -> Verdict {
    let mut s = Server::start(g, p)?;
    let alice = s.login("alice")?;
    let bob = s.login("bob")?;
    let mallory = s.login("mallory")?;
    // Alice has been told of bob and mallory: read up to mallory's join, so
    // that from here on nothing may carry bob's name but his own next line.
    s.expect_join_notice(&alice, &mallory.name)?;
    let stranger = Peer::new("stranger")?;
    let t = text();
    for who in [&mallory, &stranger] {
        who.send(s.addr, &proto::chat(&bob.name, &t))?;
        who.send(s.addr, &proto::quit(&bob.name))?;
    }
    let (b, t2) = (bob.name.clone(), t.clone());
    let forged = move |got: &[u8]| -> Option<String> {
        if text_of(got).contains(&t2) {
            Some(format!("someone else's `C {b} {t2}` was forwarded"))
        } else if carries(got, &[&b]) {
            Some(format!("someone else's `Q {b}` made {b} leave"))
        } else {
            None
        }
    };
    s.still_serving(&bob, &alice, &forged)?;
    // Bob is still in: he still receives.
    s.still_serving(&alice, &bob, nothing).map_err(|e| format!("bob should still be logged in: {e}"))?;
    s.stop()
}

fn admin_impersonation(g: &Grader, p: &Program) -> Verdict {
    let mut s = Server::start(g, p)?;
    let alice = s.login("alice")?;
    let bob = s.login("bob")?;
    for admin in proto::RESERVED {
        let peer = Peer::new(admin)?;
        peer.send(s.addr, &proto::login(admin))?;
        if s.answer(&peer).is_some_and(|r| is_reply(&r, proto::OK)) {
            return Err(format!("`L {admin}` got OK: the administrator's name is reserved"));
        }
    }
    let stranger = Peer::new("stranger")?;
    let t = text();
    for admin in proto::RESERVED {
        stranger.send(s.addr, &proto::chat(admin, &t))?;
        bob.send(s.addr, &proto::chat(admin, &t))?;
    }
    let why = format!("`C {} {t}` from the network was forwarded as the administrator's", proto::RESERVED[1]);
    s.still_serving(&bob, &alice, forbid(why, vec![t.clone()]))?;
    s.stop()
}

fn dead_client(g: &Grader, p: &Program) -> Verdict {
    let mut s = Server::start(g, p)?;
    let alice = s.login("alice")?;
    let bob = s.login("bob")?;
    let dave = s.login("dave")?;
    let dave_name = dave.name.clone();
    // Bob has been told dave joined: read that first, so that from here on
    // a datagram with dave's name tells bob dave left.
    s.expect_join_notice(&bob, &dave_name)?;
    drop(dave); // like SIGKILL: the socket is gone, no `Q`
    // Alice keeps talking (so datagrams go to dave's dead address) while bob
    // waits for the news: a datagram with dave's name.
    let within = DEAD_CLIENT;
    let end = Instant::now() + within;
    let mut told = None;
    while told.is_none() && Instant::now() < end {
        s.say(&alice, &text())?;
        while let Some(got) = bob.recv(Duration::from_millis(200)) {
            if carries(&got, &[&dave_name]) {
                told = Some(got);
                break;
            }
        }
    }
    let Some(told) = told else {
        return Err(format!(
            "{dave_name}'s socket was closed without `Q` and alice kept talking; within {}s bob should be told that \
             {dave_name} left (a datagram with the name {dave_name}), but nothing came\n{}",
            within.as_secs(),
            s.live.excerpt()
        ));
    };
    s.live.note(format!("wording of a dead client's leave notice: {}", show(&told)));
    let when = "the dead client's name must be free again: from a new client, ";
    s.expect_welcome(&Peer::new(&dave_name)?, &dave_name, when)?;
    s.stop()
}
