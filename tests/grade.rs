//! `labkit grade`, run as teachers run it: the real binary as a subprocess.
//! The kit's reference programs score full marks; bad command lines are
//! usage errors; a hung program is killed with everything it started.
//!
//! `tests/broken/<lab>/`: for each lab, a correct program in Python (the
//! control: `labkit grade` gives it full marks, so a student's program in
//! another language can pass) and deliberately broken ones, each failing on
//! the check that targets its bug while passing the basic check (unless the
//! bug is basic). Fork-copy's go through `labkit grade`; the other labs'
//! run through the front end's runner (`run_check`), checks in parallel,
//! broken programs only their basic and targeted checks, to keep the suite
//! fast.

mod common;
use common::{labkit_bin, python3};
use labkit::checks::Check;
use labkit::cli::session::{CheckResult, Outcome, Settings, grade_check};
use labkit::harness::Program;
use labkit::random::random_u64;
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

/// A tiny JSON parser: `Ok(rest)` after one value, or where it went wrong.
fn json_value(s: &str) -> Result<&str, String> {
    let s = s.trim_start();
    let mut chars = s.chars();
    match chars.next() {
        Some('{') | Some('[') => {
            let (close, object) = if s.starts_with('{') { ('}', true) } else { (']', false) };
            let mut rest = s[1..].trim_start();
            if let Some(r) = rest.strip_prefix(close) {
                return Ok(r);
            }
            loop {
                if object {
                    rest = json_string(rest)?.trim_start();
                    rest = rest.strip_prefix(':').ok_or_else(|| format!("expected ':' at {rest:.30}"))?;
                }
                rest = json_value(rest)?.trim_start();
                if let Some(r) = rest.strip_prefix(',') {
                    rest = r.trim_start();
                } else {
                    return rest.strip_prefix(close).ok_or_else(|| format!("expected '{close}' at {rest:.30}"));
                }
            }
        }
        Some('"') => json_string(s),
        Some(c) if c == '-' || c.is_ascii_digit() => {
            let end = s.find(|c: char| !(c.is_ascii_digit() || "+-.eE".contains(c))).unwrap_or(s.len());
            s[..end].parse::<f64>().map_err(|e| format!("bad number {}: {e}", &s[..end]))?;
            Ok(&s[end..])
        }
        _ => ["true", "false", "null"]
            .iter()
            .find_map(|w| s.strip_prefix(w))
            .ok_or_else(|| format!("unexpected JSON at {s:.30}")),
    }
}

fn json_string(s: &str) -> Result<&str, String> {
    let body = s.strip_prefix('"').ok_or_else(|| format!("expected a string at {s:.30}"))?;
    let mut chars = body.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return Ok(&body[i + 1..]),
            '\\' => match chars.next() {
                Some((_, 'u')) => {
                    for _ in 0..4 {
                        chars.next().filter(|(_, h)| h.is_ascii_hexdigit()).ok_or("bad \\u escape")?;
                    }
                }
                Some((_, e)) if "\"\\/bfnrt".contains(e) => {}
                _ => return Err("bad escape".into()),
            },
            c if (c as u32) < 0x20 => return Err(format!("raw control character {:?} in a string", c)),
            _ => {}
        }
    }
    Err("unterminated string".into())
}

fn assert_json(text: &str) {
    let rest = json_value(text).unwrap_or_else(|e| panic!("invalid JSON ({e}):\n{text}"));
    assert!(rest.trim().is_empty(), "text after the JSON value: {rest}");
}

#[test]
fn json_checker_rejects_broken_json() {
    assert_json("{\"a\": [1, -2.5e3, \"x\\n\\u00e9\", true, null, {}], \"b\": []}");
    for bad in ["{\"a\": 1,}", "{\"a\" 1}", "[1 2]", "\"a\nb\"", "{\"a\": tru}", "\"\\x\""] {
        assert!(json_value(bad).map(|r| r.trim().is_empty()) != Ok(true), "accepted {bad}");
    }
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
    assert_json(&text);
    assert!(text.contains(&format!("\"score\": {total},")), "{text}");
    assert!(text.contains("\"execution_time\": "), "{text}");
    assert_eq!(text.matches("\"max_score\": ").count(), fork_copy.len() + server.len(), "{text}");
    for name in fork_copy {
        assert!(text.contains(&format!("\"name\": \"Lab 1 fork-copy: {name}\"")), "{name} in {text}");
    }
    for name in server {
        assert!(text.contains(&format!("\"name\": \"Lab {} chat-server: {name}\"", chat.number)), "{name} in {text}");
    }
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
    assert_json(&text);
    let results: serde_json::Value = serde_json::from_str(&text).expect("results.json is JSON");
    assert_eq!(results["extra_data"]["seed"].as_u64(), Some(12345), "{text}");
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

/// Every live process whose command line holds `token`.
fn processes_with(token: &str) -> Vec<String> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        if let Ok(cmd) = std::fs::read(entry.path().join("cmdline")) {
            let cmd = String::from_utf8_lossy(&cmd).replace('\0', " ");
            if cmd.contains(token) {
                found.push(format!("{}: {cmd}", entry.file_name().to_string_lossy()));
            }
        }
    }
    found
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
    assert_eq!(g.status(names[0]), "OK", "{g:?}");
    assert_eq!(g.status("parent's values unchanged after the child ends"), "FAIL", "{g:?}");
    for name in &names[1..3] {
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

/// Run the checks of the program `bin` chosen by `which` on
/// `tests/broken/<lab>/<file>`, in parallel, with the front end's own
/// runner (the same guarded, logged run as `labkit grade`).
fn run_checks(lab: &str, bin: &str, file: &str, which: impl Fn(usize, &Check) -> bool) -> Vec<CheckResult> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/broken").join(lab).join(file);
    assert!(path.is_file(), "missing {}", path.display());
    let program = if file.ends_with(".py") {
        Program::new([python3(), "-S", &path.to_string_lossy()])
    } else if file.ends_with(".c") {
        Program::new([common::c_program(&format!("tests/broken/{lab}/{file}")).to_string_lossy()])
    } else {
        Program::new(["sh", &path.to_string_lossy()])
    };
    run_checks_on(bin, &program, which)
}

/// [`run_checks`] on any program.
fn run_checks_on(bin: &str, program: &Program, which: impl Fn(usize, &Check) -> bool) -> Vec<CheckResult> {
    let checks = labkit::labs::find(bin).and_then(|l| l.bin(bin)).expect("program in the manifest").checks;
    let settings = Settings::new(labkit_bin().to_path_buf(), Duration::from_secs(20));
    let dir = scratch("checks");
    let results = std::thread::scope(|s| {
        let runs: Vec<_> = checks
            .iter()
            .enumerate()
            .filter(|(i, c)| which(*i, c))
            .map(|(i, c)| {
                let (settings, program, dir) = (&settings, program, &dir);
                s.spawn(move || grade_check(settings, c, program, &dir.join(i.to_string())))
            })
            .collect();
        runs.into_iter().map(|r| r.join().expect("check thread")).collect()
    });
    let _ = std::fs::remove_dir_all(&dir);
    results
}

/// Run the basic check and the checks in `failing` of the program `bin` on
/// `tests/broken/<lab>/<file>` (only those: the suite stays fast). The
/// basic check must pass (unless named in `failing`) and each check in
/// `failing` must fail. Returns the failures' messages.
fn broken_bin(lab: &str, bin: &str, file: &str, failing: &[&str]) -> Vec<String> {
    let checks = labkit::labs::find(bin).and_then(|l| l.bin(bin)).expect("program in the manifest").checks;
    for f in failing {
        assert!(checks.iter().any(|c| c.title == *f), "`{f}` is not a check of {bin}");
    }
    let mut messages = Vec::new();
    for r in run_checks(lab, bin, file, |i, c| i == 0 || failing.contains(&c.title)) {
        if failing.contains(&r.name) {
            let Outcome::Failed(why) = &r.outcome else {
                panic!("{file}: the check `{}` should fail, got {:?}", r.name, r.outcome)
            };
            messages.push(why.clone());
        } else {
            assert_eq!(r.outcome, Outcome::Passed, "{file}: the basic check `{}` should pass", r.name);
        }
    }
    messages
}

/// The control `tests/broken/<lab>/<file>` passes every check of `bin`.
fn control_bin(lab: &str, bin: &str, file: &str) {
    for r in run_checks(lab, bin, file, |_, _| true) {
        assert_eq!(r.outcome, Outcome::Passed, "{lab}/{file}: the check `{}` should pass", r.name);
    }
}

/// One case of a lab's test: a name for messages, and what to check.
type Case = (&'static str, Box<dyn Fn() + Send + Sync>);

fn case(what: &'static str, f: impl Fn() + Send + Sync + 'static) -> Case {
    (what, Box::new(f))
}

/// Run the cases side by side (they mostly wait on the programs they
/// grade), and fail with every case that failed.
fn concurrently(cases: Vec<Case>) {
    let failed: Vec<String> = std::thread::scope(|s| {
        let runs: Vec<_> = cases.iter().map(|(what, f)| (what, s.spawn(f))).collect();
        runs.into_iter()
            .filter_map(|(what, run)| {
                run.join().err().map(|e| {
                    let why =
                        e.downcast_ref::<String>().cloned().or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()));
                    format!("{what}: {}", why.unwrap_or_default())
                })
            })
            .collect()
    });
    assert!(failed.is_empty(), "{}", failed.join("\n\n"));
}

/// The program `tests/broken/<lab>/<file>` as the grader runs it: Python
/// with `python3 -S`, C compiled by [`common::c_program`], shell with `sh`.
fn broken_program(lab: &str, file: &str) -> Program {
    let rel = format!("tests/broken/{lab}/{file}");
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(&rel);
    assert!(path.is_file(), "missing {}", path.display());
    match file.rsplit_once('.').map(|(_, ext)| ext) {
        Some("py") => Program::new([python3(), "-S", &path.to_string_lossy()]),
        Some("c") => Program::new([common::c_program(&rel).to_string_lossy().into_owned()]),
        _ => Program::new(["sh", &path.to_string_lossy()]),
    }
}

/// What the `Expect:` line of `tests/broken/<lab>/<file>` says the grade
/// gives: `None` for `Expect: full marks`, else the checks that fail.
fn expected_failures(lab: &str, file: &str) -> Option<Vec<String>> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/broken").join(lab).join(file);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let line = text
        .lines()
        .find_map(|l| l.trim_start_matches(['#', '*', '/', ' ']).strip_prefix("Expect: "))
        .unwrap_or_else(|| panic!("{}: no `Expect:` line", path.display()));
    if line.trim() == "full marks" {
        return None;
    }
    let names = line.strip_prefix("fails ").unwrap_or_else(|| panic!("{}: bad `Expect: {line}`", path.display()));
    Some(names.split("; ").map(|n| n.trim().trim_matches('"').to_string()).collect())
}

/// Grade `tests/broken/<lab>/<file>` as its `Expect:` line says: full
/// marks, or exactly the named checks fail. A program expected to fail the
/// basic check is run on the basic check only (`labkit grade` runs no other).
fn graded_as_its_header_says(lab: &str, bin: &str, file: &str) {
    let checks = labkit::labs::find(bin).and_then(|l| l.bin(bin)).expect("program in the manifest").checks;
    let failing = expected_failures(lab, file).unwrap_or_default();
    for f in &failing {
        assert!(checks.iter().any(|c| c.title == f), "{file}: `{f}` is not a check of {bin}");
    }
    let basic_fails = failing.iter().any(|f| f == checks[0].title);
    let program = broken_program(lab, file);
    for r in run_checks_on(bin, &program, |i, _| i == 0 || !basic_fails) {
        let want_fail = failing.iter().any(|f| f == r.name);
        match (&r.outcome, want_fail) {
            (Outcome::Passed, false) | (Outcome::Failed(_), true) => {}
            (other, _) => panic!(
                "{lab}/{file}: the check `{}` should {}, got {other:?}",
                r.name,
                if want_fail { "fail" } else { "pass" }
            ),
        }
    }
}

/// Every Python and C program in `tests/broken/<lab>/` is graded as its
/// header says, side by side.
fn lab_programs(lab: &'static str) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/broken").join(lab);
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|f| f.ends_with(".py") || f.ends_with(".c"))
        .collect();
    files.sort();
    for control in ["correct.py", "correct.c"] {
        assert!(files.iter().any(|f| f == control), "{lab}: no {control} control");
    }
    concurrently(
        files
            .into_iter()
            .map(|file| {
                let what: &'static str = Box::leak(file.clone().into_boxed_str());
                case(what, move || graded_as_its_header_says(lab, lab, &file))
            })
            .collect(),
    );
}

#[test]
fn lab01_fork_copy_programs_in_python_and_c() {
    lab_programs("fork-copy");
}

#[test]
fn lab02_pids_programs_in_python_and_c() {
    lab_programs("pids");
}

#[test]
fn lab03_wait_status_programs_in_python_and_c() {
    lab_programs("wait-status");
}

#[test]
fn lab04_zombie_programs_in_python_and_c() {
    lab_programs("zombie");
}

#[test]
fn lab05_orphan_programs_in_python_and_c() {
    lab_programs("orphan");
}

#[test]
fn lab06_double_fork_programs_in_python_and_c() {
    lab_programs("double-fork");
}

#[test]
fn lab07_sigchld_ignore_programs_in_python_and_c() {
    lab_programs("sigchld-ignore");
}

/// Half-copy's checks copy files of up to 256 MiB and 4 GiB (sparse) and
/// run strace: to keep the suite fast, its controls get every check and
/// each wrong program only the basic check and the checks its `Expect:`
/// line names, which must fail (the basic one must pass unless named).
/// `homework.py` is the broken programs' shared module, not a program.
#[test]
fn lab08_half_copy_programs_in_python_and_c() {
    let lab = "half-copy";
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/broken").join(lab);
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|f| (f.ends_with(".py") || f.ends_with(".c")) && f != "homework.py")
        .collect();
    files.sort();
    for control in ["correct.py", "correct.c"] {
        assert!(files.iter().any(|f| f == control), "{lab}: no {control} control");
    }
    concurrently(
        files
            .into_iter()
            .map(|file| {
                let what: &'static str = Box::leak(file.clone().into_boxed_str());
                case(what, move || {
                    let failing = expected_failures(lab, &file).unwrap_or_default();
                    let program = broken_program(lab, &file);
                    let all = failing.is_empty();
                    let run = |i: usize, c: &Check| all || i == 0 || failing.iter().any(|f| f == c.title);
                    for r in run_checks_on(lab, &program, run) {
                        let want_fail = failing.iter().any(|f| f == r.name);
                        match (&r.outcome, want_fail) {
                            (Outcome::Passed, false) | (Outcome::Failed(_), true) => {}
                            (other, _) => panic!(
                                "{lab}/{file}: the check `{}` should {}, got {other:?}",
                                r.name,
                                if want_fail { "fail" } else { "pass" }
                            ),
                        }
                    }
                })
            })
            .collect(),
    );
}

/// A UDP port free on 127.0.0.1 a moment ago (for servers bound to a fixed port).
fn free_port() -> u16 {
    std::net::UdpSocket::bind("127.0.0.1:0").and_then(|s| s.local_addr()).expect("a free UDP port").port()
}

/// `tests/broken/chat/<file>`, a server that binds $CHAT_PORT, as `env CHAT_PORT=PORT python3 -S FILE`.
fn fixed_port_server(file: &str, port: u16) -> Vec<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/broken/chat").join(file);
    assert!(path.is_file(), "missing {}", path.display());
    vec!["env".into(), format!("CHAT_PORT={port}"), python3().into(), "-S".into(), path.to_string_lossy().into_owned()]
}

/// The basic check and `failing` of chat-server on a server bound to a fixed
/// port: one check at a time (they share the port), as `labkit grade --port` does.
fn broken_server(file: &str, failing: &str) {
    let port = free_port();
    let settings = Settings::new(labkit_bin().to_path_buf(), Duration::from_secs(20));
    let program = Program::new(fixed_port_server(file, port)).on_fixed_port(Some(port));
    let checks = labkit::labs::find("chat-server").and_then(|l| l.bin("chat-server")).expect("chat-server").checks;
    let target = checks.iter().find(|c| c.title == failing).unwrap_or_else(|| panic!("no check `{failing}`"));
    let dir = scratch("server");
    let basic = grade_check(&settings, &checks[0], &program, &dir.join("1"));
    let bug = grade_check(&settings, target, &program, &dir.join("2"));
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(basic.outcome, Outcome::Passed, "{file}: the basic check should pass");
    assert!(matches!(bug.outcome, Outcome::Failed(_)), "{file}: `{failing}` should fail, got {:?}", bug.outcome);
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

/// The chat cases wait for answers that never come (5 s each): they run
/// side by side in one test rather than holding the test harness's few
/// threads one after the other. The controls, a correct server and client
/// in Python and in C written from the handout alone, pass every check.
#[test]
fn lab09_chat_in_python() {
    concurrently(vec![
        case("correct_server.py", || control_bin("chat", "chat-server", "correct_server.py")),
        case("correct_server.c", || control_bin("chat", "chat-server", "correct_server.c")),
        case("correct_client.py", || control_bin("chat", "chat-client", "correct_client.py")),
        case("correct_client.c", || control_bin("chat", "chat-client", "correct_client.c")),
        case("echo_server.py", || {
            broken_server("echo_server.py", "forwards a chat line to everyone else, not to the sender");
        }),
        case("no_exit_server.py", || {
            broken_server("no_exit_server.py", "quit: EXIT to the one who leaves, a notice to the others");
        }),
        case("no_unique_server.py", || {
            broken_server("no_unique_server.py", "refuses a name already in use, then accepts another");
        }),
        case("student_server.py", || {
            broken_server("student_server.py", "refuses bad names: none, empty, spaces, control characters, too long");
        }),
        case("student_client.py", || {
            broken_bin(
                "chat",
                "chat-client",
                "student_client.py",
                &[
                    "shows a notice that is not UTF-8 lossily, and goes on",
                    "end of input sends `Q name` and ends cleanly",
                ],
            );
        }),
        case("student_client.py features", || {
            let features = ["sends each typed line", "shows a refusal", "prints the notices", "`quit` sends"];
            let chosen = |_: usize, c: &Check| features.iter().any(|f| c.title.starts_with(f));
            for r in run_checks("chat", "chat-client", "student_client.py", chosen) {
                assert_eq!(r.outcome, Outcome::Passed, "a course feature: `{}`", r.name);
            }
        }),
        case("no_fork_client.py", || {
            broken_bin("chat", "chat-client", "no_fork_client.py", &["runs as two processes after the login"]);
        }),
        case("no_reask_client.py", || {
            broken_bin(
                "chat",
                "chat-client",
                "no_reask_client.py",
                &["shows a refusal's reason and asks for another name"],
            );
        }),
    ]);
}
