//! `labkit grade`, run as teachers run it: the real binary as a subprocess.
//! The kit's reference programs score full marks and the results file is
//! Gradescope's JSON; bad command lines are usage errors; a hung program is
//! killed with everything it started; `--check`, `--seed` and `--port`.
//! (Every program under `tests/broken/` is graded by `tests/homework.rs`.)

mod common;
use common::{free_port, labkit_bin, processes_with, python3};
use labkit::harness::Program;
use labkit::random::random_u64;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

/// A fresh folder for one test's grade output.
fn scratch(what: &str) -> PathBuf {
    std::env::temp_dir().join(format!("labkit-grade-test-{what}-{}-{:x}", std::process::id(), random_u64()))
}

fn labkit_grade() -> Command {
    let mut cmd = Command::new(labkit_bin());
    // Under `cargo test`, CARGO is set: `labkit grade` would run `cargo build`.
    cmd.arg("grade").env_remove("CARGO");
    cmd
}

/// What one `labkit grade` printed.
struct Grade {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl Grade {
    fn from(out: Output) -> Grade {
        Grade {
            code: out.status.code(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// `OK` or `FAIL`: the status of the check named `check`.
    fn status(&self, check: &str) -> &str {
        let line = self
            .stdout
            .lines()
            .find(|l| l.contains(&format!("  {check}  (")))
            .unwrap_or_else(|| panic!("no line for the check `{check}` in:\n{}", self.stdout));
        line.split_whitespace().next().unwrap_or("")
    }

    /// The line of the check named `check`.
    fn line(&self, check: &str) -> &str {
        self.stdout.lines().find(|l| l.contains(&format!("  {check}  ("))).unwrap_or("")
    }
}

impl std::fmt::Debug for Grade {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "exit {:?}\nstdout:\n{}\nstderr:\n{}", self.code, self.stdout, self.stderr)
    }
}

/// `labkit grade ARGS --out <fresh folder>`; the folder is removed after.
fn grade(args: &[&str]) -> Grade {
    let out = scratch("out");
    let g = grade_into(&out, args);
    let _ = std::fs::remove_dir_all(&out);
    g
}

/// `labkit grade ARGS --out OUT`.
fn grade_into(out: &Path, args: &[&str]) -> Grade {
    Grade::from(labkit_grade().args(args).arg("--out").arg(out).output().expect("run labkit grade"))
}

/// Grade the broken (or control) program `tests/broken/<lab>/<file>` in place of the kit's `bin`.
fn grade_student(lab: &str, bin: &str, file: &str) -> Grade {
    let out = scratch("out");
    let g = grade_into(&out, &[lab, "--impl", &student(lab, bin, file)]);
    let _ = std::fs::remove_dir_all(&out);
    g
}

/// `--impl BIN=COMMAND` for `tests/broken/<lab>/<file>`.
fn student(lab: &str, bin: &str, file: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/broken").join(lab).join(file);
    assert!(path.is_file(), "missing {}", path.display());
    let interp = if file.ends_with(".py") { format!("{} -S", python3()) } else { "sh".into() };
    format!("{bin}={interp} '{}'", path.display())
}

/// The checks of the kit's program `bin`, from the manifest.
fn checks(bin: &str) -> Vec<&'static str> {
    let lab = labkit::labs::find(bin).unwrap_or_else(|| panic!("no lab with program {bin}"));
    lab.bin(bin).unwrap().checks.iter().map(|c| c.title).collect()
}

/// Assert that `g` passed the basic check of `bin` and failed each of `failing`
/// (real check names of `bin`), and did not score full marks.
fn assert_fails_only_on(g: &Grade, bin: &str, failing: &[&str]) {
    let all = checks(bin);
    for f in failing {
        assert!(all.contains(f), "`{f}` is not a check of {bin}: {all:?}");
        assert_eq!(g.status(f), "FAIL", "the check `{f}` should fail: {g:?}");
    }
    if !failing.contains(&all[0]) {
        assert_eq!(g.status(all[0]), "OK", "the basic check should pass: {g:?}");
    }
    assert_eq!(g.code, Some(1), "below full marks: exit 1; {g:?}");
    assert!(!g.stdout.contains("Score: 0/0"), "{g:?}");
}

#[test]
fn the_kit_scores_full_marks_and_writes_gradescope_json() {
    let dir = scratch("json");
    std::fs::create_dir_all(&dir).unwrap();
    let json = dir.join("results.json");
    // A lab by its id, and one program of the chat lab by its name.
    let g = grade(&["fork-copy", "chat-server", "--json", json.to_str().unwrap()]);
    let (fork_copy, server) = (checks("fork-copy"), checks("chat-server"));
    let chat = labkit::labs::find("chat-server").unwrap();
    let max =
        |bin: &str| labkit::labs::find(bin).unwrap().bin(bin).unwrap().checks.iter().map(|c| c.points).sum::<u32>();
    let total = max("fork-copy") + max("chat-server");
    assert_eq!(g.code, Some(0), "{g:?}");
    assert!(g.stdout.contains(&format!("Score: {total}/{total}")), "{g:?}");
    assert!(g.stdout.contains(&format!("Subtotal lab 1 fork-copy: {0}/{0}", max("fork-copy"))), "{g:?}");
    assert!(!g.stdout.contains("chat-client"), "only the program asked for: {g:?}");
    for name in fork_copy.iter().chain(&server) {
        assert_eq!(g.status(name), "OK", "{g:?}");
        assert!(g.line(name).ends_with("s)"), "each check shows its time: {}", g.line(name));
    }
    let text = std::fs::read_to_string(&json).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    let v = json_of(&text);
    assert_eq!(v["score"], total, "{text}");
    assert!(v["execution_time"].is_number(), "{text}");
    let tests = v["tests"].as_array().unwrap_or_else(|| panic!("no tests: {text}"));
    let names: Vec<&str> = tests.iter().map(|t| t["name"].as_str().unwrap_or("")).collect();
    let mut expected: Vec<String> = fork_copy.iter().map(|n| format!("Lab 1 fork-copy: {n}")).collect();
    expected.extend(server.iter().map(|n| format!("Lab {} chat-server: {n}", chat.number)));
    assert_eq!(names, expected, "{text}");
    for t in tests {
        assert!(t["max_score"].is_u64() && t["score"] == t["max_score"], "{t}");
    }
}

/// The JSON value `text` holds, or the test fails saying why.
fn json_of(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("invalid JSON ({e}):\n{text}"))
}

/// The command lines of every run a grade kept in `out` (`command: ...` of
/// each `run-N.log`), in order of the logs' paths.
fn commands_run(out: &Path) -> Vec<String> {
    let mut logs = Vec::new();
    let mut dirs = vec![out.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "log") {
                logs.push(path);
            }
        }
    }
    logs.sort();
    logs.iter()
        .filter_map(|log| {
            let text = std::fs::read_to_string(log).unwrap();
            text.lines().find_map(|l| l.strip_prefix("command: ")).map(str::to_string)
        })
        .collect()
}

#[test]
fn a_seed_replays_the_same_inputs_and_is_recorded() {
    let (a, b, c) = (scratch("seed-a"), scratch("seed-b"), scratch("seed-c"));
    let json = scratch("seed-json");
    std::fs::create_dir_all(&json).unwrap();
    let results = json.join("results.json");
    let ga = grade_into(&a, &["fork-copy", "--seed", "12345", "--json", results.to_str().unwrap()]);
    let gb = grade_into(&b, &["fork-copy", "--seed", "12345"]);
    let gc = grade_into(&c, &["fork-copy", "--seed", "54321"]);
    let (ra, rb, rc) = (commands_run(&a), commands_run(&b), commands_run(&c));
    let text = std::fs::read_to_string(&results).unwrap_or_default();
    for d in [&a, &b, &c, &json] {
        let _ = std::fs::remove_dir_all(d);
    }
    for g in [&ga, &gb, &gc] {
        assert_eq!(g.code, Some(0), "{g:?}");
    }
    assert!(ga.stdout.contains("seed 12345 (the same inputs again: --seed 12345)"), "{ga:?}");
    assert_eq!(ra.len(), checks("fork-copy").len(), "one run per check: {ra:?}");
    assert_eq!(ra, rb, "the same seed gives the same inputs");
    assert_ne!(ra, rc, "another seed gives other inputs");
    assert_eq!(json_of(&text)["extra_data"]["seed"], 12345, "{text}");
    // Without --seed, a fresh one is printed.
    let g = grade(&["fork-copy", "--check", "child starts"]);
    assert!(g.stdout.lines().any(|l| l.starts_with("labkit grade: seed ") && !l.contains("seed 12345")), "{g:?}");
}

#[test]
fn graded_programs_run_in_a_clean_environment() {
    // This test process has many variables (cargo's, the machine's): the
    // program sees only PATH, HOME (the grader's scratch folder) and LANG,
    // plus what keep_env names.
    let mut g = common::grader();
    let kept = std::env::vars().map(|(k, _)| k).find(|k| !["PATH", "HOME", "LANG"].contains(&k.as_str()));
    let kept = kept.expect("the test process has some variable besides PATH, HOME and LANG");
    let env = g.run(&Program::new(["/usr/bin/env"]), &[]).expect("env runs");
    let mut names: Vec<&str> = env.stdout.lines().filter_map(|l| l.split_once('=').map(|(k, _)| k)).collect();
    names.sort();
    assert_eq!(names, ["HOME", "LANG", "PATH"], "{}", env.stdout);
    assert!(env.stdout.contains("LANG=C.UTF-8\n"), "{}", env.stdout);
    let home = env.stdout.lines().find_map(|l| l.strip_prefix("HOME=")).unwrap();
    assert!(home.contains("labkit-grade-"), "HOME is the grader's scratch folder: {home}");
    g.keep_env = vec![kept.clone()];
    let env = g.run(&Program::new(["/usr/bin/env"]), &[]).expect("env runs");
    assert!(env.stdout.lines().any(|l| l.starts_with(&format!("{kept}="))), "{kept} kept: {}", env.stdout);
}

#[test]
fn bad_command_lines_are_usage_errors() {
    let out = scratch("usage");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("keep.txt"), "a teacher's file").unwrap();
    let cases: &[(&[&str], &str)] = &[
        (&["no-such-lab"], "no lab or program named 'no-such-lab'"),
        (&["--impl", "fork-copy"], "NAME=COMMAND"),
        (&["--impl", "fork-copy="], "no command"),
        (&["--impl", "fork-copy=python3 'unclosed.py"], "unterminated"),
        (&["--impl", "nosuch=prog"], "no lab or program named 'nosuch'"),
        (&["--impl", "fork-copy=a", "--impl", "fork-copy=b"], "given twice"),
        (&["--timeout", "0"], "more than 0"),
        (&["--json", "/nonexistent-dir/results.json"], "not a file in an existing folder"),
        (&["--out", out.to_str().unwrap()], "not empty"),
        (&["fork-copy", "--check", "no such check"], "no check of the programs to grade"),
        (&["fork-copy", "--seed", "x"], "--seed"),
        (&["fork-copy", "--keep-env", "A=B"], "not a variable name"),
    ];
    for (args, want) in cases {
        let g = Grade::from(labkit_grade().args(*args).output().unwrap());
        assert_eq!(g.code, Some(2), "{args:?}: {g:?}");
        assert!(g.stderr.contains(want), "{args:?} should say {want:?}: {g:?}");
        assert!(!g.stdout.contains("Score:"), "nothing graded: {g:?}");
    }
    assert_eq!(std::fs::read_to_string(out.join("keep.txt")).unwrap(), "a teacher's file", "--out lost nothing");
    std::fs::remove_dir_all(&out).unwrap();
}

#[test]
fn a_hung_program_is_killed_with_its_processes_and_graded_timed_out() {
    let token = format!("hang-token-{:x}", random_u64());
    let hang = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/broken/fork-copy/hang.sh");
    let command = format!("fork-copy=sh '{}' {token}", hang.display());
    let g = grade(&["fork-copy", "--timeout", "300ms", "--impl", &command]);
    let names = checks("fork-copy");
    assert_eq!(g.code, Some(1), "{g:?}");
    assert_eq!(g.status(names[0]), "FAIL", "{g:?}");
    assert!(g.line(names[0]).contains("timed out"), "{g:?}");
    assert!(g.stdout.contains("timed out after 300ms"), "{g:?}");
    for name in &names[1..] {
        assert!(g.line(name).contains("not run: it needs"), "{g:?}");
    }
    assert!(g.stdout.contains("Score: 0/8"), "{g:?}");
    let left = processes_with(&token);
    assert!(left.is_empty(), "left running: {left:?}");
}

#[test]
fn an_interrupted_grade_stops_the_program_it_runs() {
    let token = format!("hang-token-{:x}", random_u64());
    let hang = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/broken/fork-copy/hang.sh");
    let out = scratch("int");
    let child = labkit_grade()
        .args(["fork-copy", "--impl", &format!("fork-copy=sh '{}' {token}", hang.display())])
        .arg("--out")
        .arg(&out)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // The program's subshell carries the token too: wait until it runs.
    let started = labkit::procfs::poll_until(Duration::from_secs(5), || processes_with(&token).len() >= 2);
    let _ = nix::sys::signal::kill(nix::unistd::Pid::from_raw(child.id() as i32), nix::sys::signal::Signal::SIGTERM);
    let g = Grade::from(child.wait_with_output().unwrap());
    let _ = std::fs::remove_dir_all(&out);
    assert!(started, "the hung program never started");
    assert_eq!(g.code, Some(130), "{g:?}");
    assert!(g.stderr.contains("interrupted"), "{g:?}");
    let left = processes_with(&token);
    assert!(left.is_empty(), "left running: {left:?}");
}

/// A grader killed with SIGKILL cannot stop its runs itself: their
/// supervisors see they were handed to another parent and kill and reap
/// everything at once, not at their timeout (60 s here). The grader runs
/// under an outer `labkit reap`, which adopts those supervisors, waits for
/// them (its grace is a minute too) and reports what it reaped.
#[test]
fn a_grader_killed_with_sigkill_leaves_nothing_running() {
    use nix::sys::signal::{Signal, kill};
    use nix::unistd::Pid;
    let token = format!("hang-token-{:x}", random_u64());
    let hang = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/broken/fork-copy/hang.sh");
    let (out, report) = (scratch("sigkill"), scratch("sigkill-report"));
    let mut outer = Command::new(labkit_bin())
        .args(["reap", "--timeout", "60s", "--grace", "60s", "--report"])
        .arg(&report)
        .args(["--", labkit_bin().to_str().unwrap(), "grade", "fork-copy", "--timeout", "60s", "--out"])
        .arg(&out)
        .args(["--impl", &format!("fork-copy=sh '{}' {token}", hang.display())])
        .env_remove("CARGO")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let outer_pid = outer.id() as i32;
    // The grader is the outer reaper's child. Its run has started once the
    // hung script and its subshell (`sh` with the token) both run.
    let grader = || labkit::procfs::children(outer_pid).first().map(|s| s.pid);
    let scripts = || {
        processes_with(&token).iter().filter(|p| p.split_once(": ").is_some_and(|(_, c)| c.starts_with("sh "))).count()
    };
    let started = labkit::procfs::poll_until(Duration::from_secs(10), || scripts() >= 2);
    let grader_pid = grader();
    if let Some(pid) = grader_pid.filter(|_| started) {
        kill(Pid::from_raw(pid), Signal::SIGKILL).unwrap();
    }
    let ended = labkit::procfs::poll_until(Duration::from_secs(20), || outer.try_wait().unwrap().is_some());
    if !ended {
        let _ = kill(Pid::from_raw(outer_pid), Signal::SIGTERM); // it kills and reaps the rest
        let _ = outer.wait();
    }
    let text = std::fs::read_to_string(&report).unwrap_or_default();
    let _ = std::fs::remove_dir_all(&out);
    let _ = std::fs::remove_file(&report);
    assert!(started && grader_pid.is_some(), "the grader's hung run never started: {:?}", processes_with(&token));
    assert!(ended, "20 s after the grader was killed, its supervisor still ran its program");
    let left = processes_with(&token);
    assert!(left.is_empty(), "left running: {left:?}");
    let r = labkit::reaper::Report::from_text(&text).unwrap_or_else(|| panic!("no report:\n{text}"));
    assert_eq!(r.main.as_ref().map(|m| m.how.as_str()), Some("killed signal=SIGKILL"), "{text}");
    assert!(r.adopted.iter().any(|a| a.comm == "labkit"), "the supervisor was not adopted:\n{text}");
    assert!(
        r.adopted.iter().all(|a| !a.killed_by_reaper),
        "the outer reaper had to kill what the supervisor should have:\n{text}"
    );
}

#[test]
fn fork_copy_in_python_scores_full_marks() {
    let g = grade_student("fork-copy", "fork-copy", "correct.py");
    assert_eq!(g.code, Some(0), "{g:?}");
    assert!(g.stdout.contains("Score: 8/8"), "{g:?}");
}

#[test]
fn check_runs_only_the_named_checks_after_the_basic_one() {
    let g = grade(&["fork-copy", "--check", "unchanged", "--impl", &student("fork-copy", "fork-copy", "shared.py")]);
    let names = checks("fork-copy");
    let unchanged = names.iter().find(|n| n.contains("unchanged")).expect("a check with `unchanged` in its title");
    assert_eq!(g.status(names[0]), "OK", "{g:?}");
    assert_eq!(g.status(unchanged), "FAIL", "{g:?}");
    for name in names.iter().filter(|n| *n != unchanged).skip(1) {
        assert!(!g.stdout.contains(name), "`{name}` was not asked for: {g:?}");
    }
    assert!(g.stdout.contains("Score: 1/3"), "{g:?}");
    assert_eq!(g.code, Some(1), "{g:?}");
}

#[test]
fn fork_copy_broken_orphan_fails_the_basic_check_and_skips_the_rest() {
    let out = scratch("out");
    let g = grade_into(&out, &["fork-copy", "--impl", &student("fork-copy", "fork-copy", "orphan.py")]);
    let log = g.stdout.lines().find_map(|l| l.trim().strip_prefix("whole output: ")).map(PathBuf::from);
    let kept = log.as_ref().and_then(|l| std::fs::read_to_string(l).ok()).unwrap_or_default();
    let _ = std::fs::remove_dir_all(&out);
    // The failure points at the whole output of the run, kept in a file.
    assert!(log.is_some_and(|l| l.starts_with(&out)), "{g:?}");
    for part in ["command: ", "--- stdout ---", "[child ", "--- stderr ---", "--- reaper report ---", "adopted pid="] {
        assert!(kept.contains(part), "{part:?} not in the kept output:\n{kept}");
    }
    let names = checks("fork-copy");
    assert_fails_only_on(&g, "fork-copy", &[names[0]]);
    assert!(g.stdout.contains("left processes behind"), "{g:?}");
    for name in &names[1..] {
        assert!(g.line(name).contains("not run: it needs"), "{g:?}");
    }
}

/// `labkit grade chat-server --port PORT`, as a teacher grades the course's
/// own server (a replica that takes the port as an argument, to keep tests
/// apart and off 8888): every feature point, whatever its wording; a
/// security check catches its bug.
#[test]
fn a_fixed_port_server_is_graded_with_port_and_loses_only_robustness_points() {
    let port = free_port();
    let server = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/course/server.py");
    let command = format!("chat-server={} -S '{}' {port}", python3(), server.display());
    let features = &checks("chat-server")[1..7];
    let security = "nobody on the network can log in or speak as the administrator";
    let mut args = vec!["chat-server".to_string(), "--port".into(), port.to_string(), "--impl".into(), command];
    for c in features.iter().chain([&security]) {
        args.extend(["--check".to_string(), c.to_string()]);
    }
    let g = grade(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(g.status(checks("chat-server")[0]), "OK", "{g:?}");
    for f in features {
        assert_eq!(g.status(f), "OK", "a course feature: {g:?}");
    }
    assert_eq!(g.status(security), "FAIL", "{g:?}");
    assert!(g.stdout.contains("Score: 12/14"), "{g:?}");
    assert_eq!(g.code, Some(1), "{g:?}");
}
