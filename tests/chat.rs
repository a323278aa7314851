//! Lab 9, the chat: the graders on the replicas of the course's own
//! programs (`tests/course/`: both versions of its server, its client),
//! whose features pass and whose bugs are caught; interop both ways, on pipes and in a real terminal under tmux;
//! the bad-input list; dead and silent clients.
//!
//! Every program runs under `labkit reap` (through the grader's `Live`), and
//! each test checks that nothing was left behind (or, for the course's
//! programs, that nothing is left running: leaving processes is their bug).

mod common;
use common::{free_port, grader, labkit_bin, python3};

use std::net::UdpSocket;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use labkit::chat::proto::{self, Lang};
use labkit::checks::chat::server::{self as server_checks, Server};
use labkit::checks::chat::{ANSWER, Live, Peer, carries, name, text};
use labkit::harness::{Program, Verdict};
use labkit::procfs::poll_until;
use labkit::reaper::Report;
use nix::sys::signal::Signal;

fn course(file: &str) -> String {
    format!("{}/tests/course/{file}", env!("CARGO_MANIFEST_DIR"))
}

/// The two published versions of the course's server (replicas, bugs kept).
const COURSE_SERVERS: [&str; 2] = ["server.py", "server_v2.py"];

fn kit(bin: &str) -> Program {
    Program::kit(labkit_bin(), bin)
}

/// The kit's server with the course's wording (`--lang zh`).
fn kit_server_in_chinese() -> Program {
    Program::new([kit("chat-server").argv[0].clone(), "--lang".into(), "zh".into()])
}

/// Stop a kit server with SIGTERM: it must end, leaving nothing behind.
fn stop_clean(s: Server) {
    let (run, ended) = s.live.stop(Signal::SIGTERM, Duration::from_secs(3)).unwrap();
    assert!(ended, "the server did not end on SIGTERM\n{}", run.excerpt());
    run.expect_clean().unwrap();
}

/// A course server, as a grader starts it in fixed-port mode: no flags; the
/// replica's one addition, a port argument, keeps tests off 8888 and apart.
fn course_server(file: &str) -> Program {
    let port = free_port();
    Program::new([python3().to_string(), course(file), port.to_string()]).on_fixed_port(Some(port))
}

/// The course's client, as the course runs it (no `-u`: under the grader's
/// clean environment its stdout is a block-buffered pipe).
fn course_client() -> Program {
    Program::new([python3(), &course("client.py")])
}

/// The graders on both versions of the course's server: the seven feature
/// checks pass, whatever the wording; the eight robustness and security
/// checks each catch one of its bugs. Each check runs on its own port, all
/// at once.
#[test]
fn course_servers_pass_the_features_and_fail_every_robustness_check() {
    let features = 7; // the first seven checks: the course's features
    let handles: Vec<_> = COURSE_SERVERS
        .iter()
        .flat_map(|file| server_checks::CHECKS.iter().enumerate().map(move |(i, c)| (*file, i, c)))
        .map(|(file, i, check)| {
            std::thread::spawn(move || {
                let g = grader();
                let p = course_server(file);
                (file, i, check.title, (check.test)(&g, &p))
            })
        })
        .collect();
    let verdicts = handles.into_iter().map(|h| h.join().expect("check thread"));
    let wrong = misjudged(verdicts.map(|(file, i, name, v)| (format!("the course's {file}"), i < features, name, v)));
    assert!(wrong.is_empty(), "{}", wrong.join("\n\n"));
}

/// What the checks got wrong on a course program: a feature check
/// (`should_pass`) that failed, or a robustness check that passed.
fn misjudged(verdicts: impl Iterator<Item = (String, bool, &'static str, Verdict)>) -> Vec<String> {
    let mut wrong = Vec::new();
    for (program, should_pass, name, verdict) in verdicts {
        match (should_pass, verdict) {
            (true, Err(e)) => wrong.push(format!("`{name}` should pass on {program}:\n{e}")),
            (false, Ok(())) => wrong.push(format!("`{name}` should catch a bug of {program}, yet it passed")),
            _ => {}
        }
    }
    wrong
}

/// The client graders on the course's own client: its five feature checks
/// pass (its output read once it has ended: no tags, no flush needed, the
/// parent as receiver); the robustness ones fail. The two it fails only by
/// hanging (no server; a lost EXIT) are left out: they would wait out their
/// full deadlines.
#[test]
fn course_client_passes_the_features_and_fails_the_robustness_checks() {
    use labkit::checks::chat::client::CHECKS;
    let features = 5;
    let hangs = ["ends cleanly even when EXIT is lost", "no server:"];
    let handles: Vec<_> = CHECKS
        .iter()
        .enumerate()
        .filter(|(_, c)| !hangs.iter().any(|h| c.title.starts_with(h)))
        .map(|(i, check)| std::thread::spawn(move || (i, check.title, (check.test)(&grader(), &course_client()))))
        .collect();
    let verdicts = handles.into_iter().map(|h| h.join().expect("check thread"));
    let wrong = misjudged(verdicts.map(|(i, name, v)| ("the course's client".to_string(), i < features, name, v)));
    assert!(wrong.is_empty(), "{}", wrong.join("\n\n"));
}

/// The kit's client against both course servers (their wordings, refusals,
/// admin lines, the leading newline): every notice on a tagged line of its
/// own, trimmed, with no literal `\n`.
#[test]
fn kit_client_works_with_the_course_servers() {
    let cases: Vec<_> = COURSE_SERVERS.iter().map(|file| std::thread::spawn(move || kit_client_with(file))).collect();
    for c in cases {
        c.join().expect("the kit's client works with a course server");
    }
}

fn kit_client_with(file: &str) {
    let g = grader();
    let program = course_server(file);
    let mut s = Server::start(&g, &program).expect("course server starts");
    let bob = s.login("bob").unwrap();
    let mut client = Live::start(&g, &kit("chat-client"), &["127.0.0.1", &s.addr.port().to_string()]).unwrap();
    // Bob's name is taken: the course server refuses, the client asks again.
    client.type_line(&bob.name).unwrap();
    assert!(client.tagged_containing(ANSWER, "该用户").is_some(), "{file}: {}", client.excerpt());
    let alice = name("alice");
    client.type_line(&alice).unwrap();
    bob.until(ANSWER, "alice's join", |g| carries(g, &[&alice]), |_| None).unwrap();
    let t = text();
    client.type_line(&t).unwrap();
    bob.until(ANSWER, "alice's line", |g| carries(g, &[&alice, &t]), |_| None).unwrap();
    // Each notice the course server sends (a leading newline) shows trimmed
    // on the receiver's tagged line.
    let mut sent = Vec::new();
    let t2 = text();
    s.say(&bob, &t2).unwrap();
    sent.push(t2);
    let t3 = text();
    s.live.type_line(&t3).unwrap();
    sent.push(t3);
    for t in &sent {
        let line = client.tagged_containing(ANSWER, t);
        let line = line.unwrap_or_else(|| panic!("{file}: no notice with {t}\n{}", client.excerpt()));
        let text = line.split_once("] ").map(|(_, t)| t).unwrap_or_default();
        assert_eq!(text, text.trim(), "{file}: no white space around the notice: {line:?}");
        assert!(!line.contains("\\n"), "{file}: no literal \\n: {line}");
    }
    client.type_line("quit").unwrap();
    bob.until(ANSWER, "alice's leaving", |g| carries(g, &[&alice]), |_| None).unwrap();
    let run = client.wait_end(Duration::from_secs(3), "quit").unwrap();
    run.expect_success().unwrap();
    run.expect_clean().unwrap();
    assert!(run.by("receiver").any(|l| l.text.contains("got EXIT")), "{}", run.excerpt());
    drop(s.live.stop(Signal::SIGTERM, Duration::from_secs(3)).unwrap()); // the course server leaves its admin child behind
}

/// The course's client against the kit's server in `--lang zh`: the kit
/// sends the course's bytes exactly (leading newline included), and the
/// course's client, unchanged and block-buffered, shows each notice on a
/// line of its own (read once it has ended).
#[test]
fn course_client_works_with_the_kit_server_in_chinese() {
    let g = grader();
    let mut s = Server::start(&g, &kit_server_in_chinese()).unwrap();
    let bob = s.login("bob").unwrap();
    let mut client = Live::start(&g, &course_client(), &["127.0.0.1", &s.addr.port().to_string()]).unwrap();
    let alice = name("alice");
    client.type_line(&alice).unwrap();
    let exact = |want: String| move |g: &[u8]| g == want.as_bytes();
    bob.until(ANSWER, "alice's join", exact(format!("\n欢迎 {alice} 进入聊天室")), |_| None).unwrap();
    let t = text();
    client.type_line(&t).unwrap();
    bob.until(ANSWER, "alice's line", exact(format!("\n{alice} 说:{t}")), |_| None).unwrap();
    let t2 = text();
    s.say(&bob, &t2).unwrap();
    let t3 = text();
    s.live.type_line(&t3).unwrap();
    bob.until(ANSWER, "the admin line", exact(format!("\n管理员 说:{t3}")), |_| None).unwrap();
    client.type_line("quit").unwrap();
    bob.until(ANSWER, "alice's leaving", exact(format!("\n{alice}退出了聊天室")), |_| None).unwrap();
    let run = client.wait_end(Duration::from_secs(3), "quit").unwrap();
    assert_eq!(run.report.left_running().count(), 0, "{}", run.excerpt());
    for notice in [format!("{} 说:{t2}", bob.name), format!("管理员 说:{t3}")] {
        assert!(run.stdout.lines().any(|l| l == notice), "{notice} on a line of its own:\n{}", run.excerpt());
    }
    stop_clean(s);
}

/// Every item of the bad-input list: the server answers what needs an
/// answer, forwards nothing, logs each with its reason, and keeps serving.
#[test]
fn server_rejects_every_bad_input_and_says_why() {
    let g = grader();
    let mut s = Server::start(&g, &kit("chat-server")).unwrap();
    let alice = s.login("alice").unwrap();
    let bob = s.login("bob").unwrap();
    let mallory = Peer::new("mallory").unwrap();
    let long_name = format!("L {}", "n".repeat(proto::MAX_NAME + 1));
    let mut cut = proto::chat(&alice.name, "");
    cut.extend("中".repeat(3000).as_bytes());
    let bad: Vec<(Vec<u8>, &str)> = vec![
        (b"".to_vec(), "reason=empty"),
        (b"X hi".to_vec(), "reason=unknown-type"),
        (b"L".to_vec(), "reason=empty-name"),
        (b"L ".to_vec(), "reason=empty-name"),
        (b"L a b".to_vec(), "reason=space-in-name"),
        (b"L a\x1bb".to_vec(), "reason=control-character-in-name"),
        (long_name.into_bytes(), "reason=name-too-long"),
        (b"L admin".to_vec(), "reason=reserved-name"),
        ("L 管理员".as_bytes().to_vec(), "reason=reserved-name"),
        (b"\xff\xfe".to_vec(), "reason=not-utf-8"),
        (vec![b'C'; 5000], "reason=longer-than-buffer"),
        (cut, "reason=longer-than-buffer"),
        (b"C ghost hi".to_vec(), "reason=chat-from-unknown-name"),
        (b"Q ghost".to_vec(), "reason=quit-from-unknown-name"),
        (proto::chat(&bob.name, "forged"), "reason=chat-as-someone-else"),
        (proto::quit(&bob.name), "reason=quit-as-someone-else"),
        (proto::chat("admin", "forged"), "reason=chat-from-unknown-name"),
        (b"C alice \x1b[2Jx".to_vec(), "reason=control-character-in-text"),
    ];
    for (datagram, why) in &bad {
        mallory.send(s.addr, datagram).unwrap();
        assert!(
            s.live.line(ANSWER, |l| l.contains(why)).is_some(),
            "no log line with {why} after {}\n{}",
            labkit::checks::chat::show(datagram),
            s.live.excerpt()
        );
    }
    // Nothing reached bob before alice's next line; the server still serves.
    let from_alice = alice.name.clone();
    s.still_serving(&alice, &bob, |g| {
        (!g.starts_with(from_alice.as_bytes())).then(|| "bob got something from the bad inputs".to_string())
    })
    .unwrap();
    s.login("carol").unwrap();
    let (run, ended) = s.live.stop(Signal::SIGTERM, Duration::from_secs(3)).unwrap();
    assert!(ended);
    run.expect_clean().unwrap();
    assert!(run.stderr.is_empty(), "no panic, no warning: {}", run.stderr);
    assert!(
        run.by("server").any(|l| l.text.starts_with("stopped ") && l.fact("rejected").is_some()),
        "{}",
        run.excerpt()
    );
}

/// `--idle-timeout`: a silent client is logged out (a notice and EXIT to
/// it), the others are told it left, and its name is free; a client that
/// keeps talking stays.
#[test]
fn server_logs_out_a_silent_client_after_the_idle_timeout() {
    let g = grader();
    let p = Program::new([kit("chat-server").argv[0].clone(), "--idle-timeout".into(), "500ms".into()]);
    let mut s = Server::start(&g, &p).unwrap();
    let dave = s.login("dave").unwrap();
    let bob = s.login("bob").unwrap();
    // Bob keeps talking; dave says nothing.
    let end = Instant::now() + Duration::from_secs(3);
    let mut told = false;
    while !told && Instant::now() < end {
        s.say(&bob, &text()).unwrap();
        while let Some(got) = bob.recv(Duration::from_millis(50)) {
            told |= got == Lang::En.left(&dave.name).as_bytes();
        }
    }
    assert!(told, "bob was not told that dave left\n{}", s.live.excerpt());
    let mut last = Vec::new();
    while let Some(got) = dave.recv(Duration::from_millis(200)) {
        last = got;
    }
    assert_eq!(last, proto::EXIT, "dave's last datagram is EXIT");
    assert!(s.live.tagged_containing(ANSWER, &format!("idle name={}", dave.name)).is_some());
    let again = Peer::new(&dave.name).unwrap();
    again.send(s.addr, &proto::login(&dave.name)).unwrap();
    assert_eq!(again.recv(ANSWER).as_deref(), Some(proto::OK));
    stop_clean(s);
}

/// A real client killed with SIGKILL: its receiver dies with it
/// (PR_SET_PDEATHSIG), and the server finds the dead address through the
/// ICMP error of its next datagram, frees the name and tells the others.
#[test]
fn a_killed_client_is_found_dead_and_its_receiver_dies_with_it() {
    let g = grader();
    let mut s = Server::start(&g, &kit("chat-server")).unwrap();
    let bob = s.login("bob").unwrap();
    let dave = name("dave");
    let mut client =
        Live::start(&g, &kit("chat-client"), &["127.0.0.1", &s.addr.port().to_string(), "--name", &dave]).unwrap();
    bob.until(ANSWER, "dave's join", |g| g == Lang::En.joined(&dave).as_bytes(), |_| None).unwrap();
    assert!(client.tagged_containing(ANSWER, "forked receiver=").is_some(), "{}", client.excerpt());
    let sender = client.main_pid().unwrap();
    nix::sys::signal::kill(nix::unistd::Pid::from_raw(sender), Signal::SIGKILL).unwrap();
    let run = client.wait_end(Duration::from_secs(3), "SIGKILL").unwrap();
    assert_eq!(run.report.left_running().count(), 0, "the receiver must die with the sender: {:?}", run.report);
    // Killed by its PR_SET_PDEATHSIG signal, or (killed before it set it up) it saw getppid() change.
    let how = |a: &labkit::reaper::Ended| a.how == "killed signal=SIGTERM" || a.how == "exited code=1";
    assert!(run.report.adopted.iter().all(how), "{:?}", run.report);
    // Bob talks: the datagram to dave's dead address comes back as ICMP.
    s.say(&bob, &text()).unwrap();
    let alice = s.login("alice").unwrap();
    assert!(
        s.live
            .tagged_containing(ANSWER, &format!("gone name={dave}"))
            .is_some_and(|l| l.contains("why=icmp-port-unreachable")),
        "{}",
        s.live.excerpt()
    );
    drop(alice);
    let again = Peer::new(&dave).unwrap();
    again.send(s.addr, &proto::login(&dave)).unwrap();
    assert_eq!(again.recv(ANSWER).as_deref(), Some(proto::OK), "dave's name is free again");
    stop_clean(s);
}

/// Ctrl-C in the server's terminal signals the server and its admin child;
/// a SIGKILLed server takes its admin child with it (PR_SET_PDEATHSIG).
#[test]
fn server_ends_with_its_admin_child_on_ctrl_c_and_on_sigkill() {
    let g = grader();
    let mut s = Server::start(&g, &kit("chat-server")).unwrap();
    let alice = s.login("alice").unwrap();
    poll_until(ANSWER, || s.live.processes().len() == 2);
    s.live.signal_all(Signal::SIGINT);
    // Everyone is told, then EXIT.
    alice.until(ANSWER, "the closing notice", |g| g == Lang::En.closing().as_bytes(), |_| None).unwrap();
    alice.until(ANSWER, "EXIT", |g| g == proto::EXIT, |_| None).unwrap();
    let run = s.live.wait_end(Duration::from_secs(3), "SIGINT").unwrap();
    run.expect_clean().unwrap();
    assert!(run.by("server").any(|l| l.text.contains("signal=SIGINT")), "{}", run.excerpt());

    let mut s = Server::start(&g, &kit("chat-server")).unwrap();
    poll_until(ANSWER, || s.live.processes().len() == 2);
    let main = s.live.main_pid().unwrap();
    nix::sys::signal::kill(nix::unistd::Pid::from_raw(main), Signal::SIGKILL).unwrap();
    let run = s.live.wait_end(Duration::from_secs(3), "SIGKILL").unwrap();
    assert_eq!(run.report.left_running().count(), 0, "the admin child must die with the server: {:?}", run.report);
}

#[test]
fn bad_command_lines_get_clear_errors() {
    let run = |bin: &str, args: &[&str]| {
        Command::new(labkit_bin().with_file_name(bin)).args(args).stdin(Stdio::null()).output().expect("run")
    };
    for (bin, args) in [
        ("chat-server", &["--port", "http"][..]),
        ("chat-server", &["--lang", "fr"][..]),
        ("chat-server", &["--idle-timeout", "soon"][..]),
        ("chat-client", &["127.0.0.1", "99999"][..]),
        ("chat-client", &["--tries", "0"][..]),
        ("chat-bench", &["127.0.0.1"][..]),
        ("chat-bench", &["127.0.0.1", "8888", "--clients", "1"][..]),
    ] {
        let out = run(bin, args);
        assert_eq!(out.status.code(), Some(2), "{bin} {args:?}: {out:?}");
    }
    // A port already taken: a clear error, exit 1.
    let taken = UdpSocket::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let out = run("chat-server", &["--port", &port]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("cannot listen on 127.0.0.1") && err.contains("in use"), "{err}");
    // End of input before any name: exit 1, said on stderr.
    let out = run("chat-client", &["127.0.0.1", &port]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("end of input"), "{out:?}");
}

/// chat-bench against the kit's server and against the course's: every
/// line reaches everyone else, and the server's CPU time is reported.
#[test]
fn bench_measures_the_kit_server_and_the_course_server() {
    let g = grader();
    let g2 = grader();
    let py = course_server("server.py");
    for (g, p) in [(&g, kit("chat-server")), (&g2, py)] {
        let mut s = Server::start(g, &p).unwrap();
        let pid = s.live.main_pid().unwrap().to_string();
        let port = s.addr.port().to_string();
        let bench = ["127.0.0.1", &port, "--clients", "4", "--messages", "50", "--window", "4", "--server-pid", &pid];
        let run = g.run(&kit("chat-bench"), &bench).unwrap();
        run.expect_success().unwrap();
        run.expect_clean().unwrap();
        let (_, lost) = run.fact("bench", "lost").unwrap();
        assert_eq!(lost, "0", "{}", run.excerpt());
        assert_eq!(run.fact("bench", "delivered").unwrap().1, "150", "{}", run.excerpt());
        let per: f64 = run.fact("bench", "cpu_per_delivery_us").unwrap().1.parse().unwrap();
        assert!(per > 0.0, "{}", run.excerpt());
        let (run, ended) = s.live.stop(Signal::SIGTERM, Duration::from_secs(3)).unwrap();
        if p.argv[0].ends_with("chat-server") {
            assert!(ended);
            run.expect_clean().unwrap();
        }
    }
}

/// tmux on a private socket, its server in the foreground (`-D`) under the
/// reaper: the panes' processes are its children, so nothing escapes.
struct Tmux {
    sock: PathBuf,
    dir: PathBuf,
    server: std::process::Child,
}

impl Tmux {
    fn start() -> Tmux {
        if let Err(e) = Command::new("tmux").arg("-V").output() {
            panic!("tmux is required for the real-terminal test of chat-client (apt-get install tmux): {e}");
        }
        let dir =
            std::env::temp_dir().join(format!("labkit-tmux-{}-{:x}", std::process::id(), labkit::random::random_u64()));
        std::fs::create_dir_all(&dir).unwrap();
        let sock = dir.join("sock");
        let server = Command::new(labkit_bin())
            .args(["reap", "--timeout", "20s", "--report"])
            .arg(dir.join("tmux.report"))
            .args(["--", "tmux", "-S"])
            .arg(&sock)
            .args(["-f", "/dev/null", "-D"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start the tmux server");
        let t = Tmux { sock, dir, server };
        // `list-sessions` never starts a server: it succeeds once ours is up.
        assert!(poll_until(Duration::from_secs(5), || t.sock.exists() && t.cmd(&["list-sessions"]).status.success()));
        t
    }

    fn cmd(&self, args: &[&str]) -> std::process::Output {
        Command::new("tmux").arg("-S").arg(&self.sock).args(args).output().expect("run tmux")
    }

    fn screen(&self) -> String {
        String::from_utf8_lossy(&self.cmd(&["capture-pane", "-p", "-t", "chat"]).stdout).into_owned()
    }

    fn wait_screen(&self, what: &str, cond: impl Fn(&str) -> bool) -> String {
        let mut last = String::new();
        let ok = poll_until(ANSWER, || {
            last = self.screen();
            cond(&last)
        });
        assert!(ok, "the terminal never showed {what}; it shows:\n{last}");
        last
    }

    fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "chat"];
        args.extend_from_slice(keys);
        assert!(self.cmd(&args).status.success());
    }
}

impl Tmux {
    /// Start `argv` (a chat client) in the pane under `labkit reap`, answer
    /// its name `question` with a fresh name, and wait for the screen to
    /// show `logged_in(screen, name)`; the name.
    fn log_in(&self, argv: &[String], question: &str, logged_in: impl Fn(&str, &str) -> bool) -> String {
        let cmd = pane_command(&self.client_report(), argv);
        assert!(self.cmd(&["new-session", "-d", "-s", "chat", "-x", "120", "-y", "30", &cmd]).status.success());
        self.wait_screen("the name question", |t| t.contains(question));
        let alice = name("alice");
        self.keys(&[&alice, "Enter"]);
        self.wait_screen("the login", |t| logged_in(t, &alice));
        alice
    }

    /// The report of the pane's `labkit reap`.
    fn client_report(&self) -> PathBuf {
        self.dir.join("client.report")
    }

    /// Wait for the pane's client to end, and return what its reaper saw.
    /// The pane closes when its process (the client's reaper) has exited,
    /// not merely written its report: wait for that too.
    fn client_ended(&self) -> Report {
        let report = self.client_report();
        let ended = poll_until(Duration::from_secs(5), || {
            report.exists() && !self.cmd(&["has-session", "-t", "chat"]).status.success()
        });
        assert!(ended, "the client did not end:\n{}", self.screen());
        Report::from_text(&std::fs::read_to_string(&report).unwrap()).unwrap()
    }

    /// Stop tmux: nothing may still be running. (tmux's server may exit,
    /// its last session closed, before it reaps the pane's process, which
    /// then ends up with tmux's reaper having already exited: fine.)
    fn finish_with_nothing_running(self) {
        let t = self.finish();
        assert!(!t.timed_out && t.left_running().count() == 0, "processes still running after tmux ended: {t:?}");
    }

    /// Stop the tmux server and return what its reaper saw.
    fn finish(mut self) -> Report {
        let _ = self.cmd(&["kill-server"]);
        let _ = self.server.wait();
        let text = std::fs::read_to_string(self.dir.join("tmux.report")).unwrap_or_default();
        Report::from_text(&text).unwrap_or_else(|| panic!("no report from the tmux server's reaper: {text:?}"))
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.cmd(&["kill-server"]);
        let _ = self.server.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[test]
fn client_in_a_real_terminal_under_tmux() {
    let g = grader();
    let mut s = Server::start(&g, &kit("chat-server")).unwrap();
    let bob = s.login("bob").unwrap();
    let tmux = Tmux::start();
    let client = labkit_bin().with_file_name("chat-client").display().to_string();
    let argv = [client, "127.0.0.1".into(), s.addr.port().to_string()];
    let alice = tmux.log_in(&argv, "your name?", |t, alice| t.contains(&format!("logged in name={alice}")));
    bob.until(ANSWER, "alice's join", |g| g == Lang::En.joined(&alice).as_bytes(), |_| None).unwrap();
    // Typed at the prompt, sent as `C alice ...`.
    let t = text();
    tmux.keys(&[&t, "Enter"]);
    bob.until(ANSWER, "alice's line", |g| g == Lang::En.said(&alice, &t).as_bytes(), |_| None).unwrap();
    // A notice arrives while alice is at the prompt: it is printed on its
    // own tagged line, and the prompt comes back under it.
    let t2 = text();
    s.say(&bob, &t2).unwrap();
    let notice = Lang::En.said(&bob.name, &t2).trim().to_string();
    let screen = tmux.wait_screen("bob's line", |t| t.contains(&notice));
    let lines: Vec<&str> = screen.lines().filter(|l| !l.trim().is_empty()).collect();
    let at = lines.iter().position(|l| l.contains(&notice)).unwrap();
    assert!(lines[at].starts_with("[receiver "), "the notice is tagged: {screen}");
    assert_eq!(lines.get(at + 1).map(|l| l.trim_end()), Some(format!("{alice}>").as_str()), "prompt back:\n{screen}");
    // `quit`: Q, EXIT, both processes end; the pane's reaper saw nothing left.
    tmux.keys(&["quit", "Enter"]);
    bob.until(ANSWER, "alice's leaving", |g| g == Lang::En.left(&alice).as_bytes(), |_| None).unwrap();
    let r = tmux.client_ended();
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.clean(), "the client left processes behind: {r:?}");
    tmux.finish_with_nothing_running();
    stop_clean(s);
}

/// The pane's command: `labkit reap --report REPORT -- ARGV`, in the
/// environment a student's terminal has (no PYTHONUNBUFFERED).
fn pane_command(report: &std::path::Path, argv: &[String]) -> String {
    format!(
        "env -u PYTHONUNBUFFERED {} reap --report {} -- {}",
        labkit_bin().display(),
        report.display(),
        argv.join(" ")
    )
}

/// The lines of a screen, without trailing blanks.
fn screen_lines(screen: &str) -> Vec<&str> {
    screen.lines().map(str::trim_end).filter(|l| !l.is_empty()).collect()
}

/// Mix 1 in a real terminal: the kit's client and the course's server
/// (leading newlines, Chinese wording): each notice on a tagged line of its
/// own, no literal `\n`, no blank part.
#[test]
fn kit_client_shows_a_course_servers_notices_in_a_real_terminal() {
    let g = grader();
    let mut s = Server::start(&g, &course_server("server.py")).unwrap();
    let client = labkit_bin().with_file_name("chat-client").display().to_string();
    let mix = Mix {
        question: "your name?",
        logged_in: &|t, alice| t.contains(&format!("logged in name={alice}")),
        joined: &|g, alice| carries(g, &[alice]),
        left: &|g, alice| carries(g, &[alice]),
    };
    let argv = [client, "127.0.0.1".into(), s.addr.port().to_string()];
    let (screen, notices, r) = mix.run(&mut s, &argv);
    for notice in &notices {
        let line = screen_lines(&screen).into_iter().find(|l| l.contains(notice.as_str())).unwrap();
        assert!(
            line.starts_with("[receiver ") && line.ends_with(&format!("] {notice}")),
            "the notice alone on its tagged line: {line:?}\n{screen}"
        );
    }
    assert!(!screen.contains("\\n"), "no literal \\n on the screen:\n{screen}");
    assert!(r.code == 0 && r.clean(), "the client ends cleanly: {r:?}");
    drop(s.live.stop(Signal::SIGTERM, Duration::from_secs(3)).unwrap()); // the course server leaves its admin child behind
}

/// A chat client in a real terminal beside a server with bob logged in.
struct Mix<'a> {
    /// What the client asks first (its name question)...
    question: &'a str,
    /// ...and what the screen shows once it is logged in as `alice`.
    logged_in: &'a dyn Fn(&str, &str) -> bool,
    /// What bob gets when alice joins, and when she leaves.
    joined: &'a dyn Fn(&[u8], &str) -> bool,
    left: &'a dyn Fn(&[u8], &str) -> bool,
}

impl Mix<'_> {
    /// Start `argv` in a tmux pane and log it in; bob says a line and the
    /// server's administrator types one; once the screen shows both notices
    /// (`bob 说:...`, `管理员 说:...`), quit. The screen then, the two
    /// notices, and what the client's reaper saw; tmux ended with nothing
    /// running.
    fn run(&self, s: &mut Server, argv: &[String]) -> (String, [String; 2], Report) {
        let bob = s.login("bob").unwrap();
        let tmux = Tmux::start();
        let alice = tmux.log_in(argv, self.question, self.logged_in);
        bob.until(ANSWER, "alice's join", |g| (self.joined)(g, &alice), |_| None).unwrap();
        let (t2, t3) = (text(), text());
        s.say(&bob, &t2).unwrap();
        s.live.type_line(&t3).unwrap();
        let notices = [format!("{} 说:{t2}", bob.name), format!("管理员 说:{t3}")];
        let screen = tmux.wait_screen("both notices", |t| notices.iter().all(|n| t.contains(n)));
        tmux.keys(&["quit", "Enter"]);
        bob.until(ANSWER, "alice's leaving", |g| (self.left)(g, &alice), |_| None).unwrap();
        let r = tmux.client_ended();
        tmux.finish_with_nothing_running();
        (screen, notices, r)
    }
}

/// Mix 2 in a real terminal: the course's client, unchanged, and the kit's
/// server in `--lang zh`: each notice shows on a line of its own, not glued
/// to the course's `发言:` prompt.
#[test]
fn course_client_shows_the_kit_servers_notices_in_a_real_terminal() {
    let g = grader();
    let mut s = Server::start(&g, &kit_server_in_chinese()).unwrap();
    let mix = Mix {
        question: "请输入姓名:",
        logged_in: &|t, _| t.contains("您已进入聊天室"),
        joined: &|g, alice| g == format!("\n欢迎 {alice} 进入聊天室").as_bytes(),
        left: &|g, alice| g == format!("\n{alice}退出了聊天室").as_bytes(),
    };
    let argv = [python3().to_string(), course("client.py"), "127.0.0.1".into(), s.addr.port().to_string()];
    let (screen, notices, r) = mix.run(&mut s, &argv);
    let lines = screen_lines(&screen);
    for notice in &notices {
        assert!(lines.contains(&notice.as_str()), "{notice:?} on a line of its own:\n{screen}");
    }
    // The course's client leaves its sender as a zombie for the pane's
    // reaper (a known bug of the course's): nothing may still be running.
    assert_eq!(r.left_running().count(), 0, "{r:?}");
    stop_clean(s);
}
