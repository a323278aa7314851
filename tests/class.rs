//! The workflow around the graders, run as teachers and students run it:
//! `labkit grade-class` on small classes built from `tests/broken/`, the
//! resource caps on runaway programs, the Gradescope bundle end to end in a
//! simulated `/autograder`, and `labkit check` / `labkit watch`.

mod common;
use common::homework::{self, Mutant};
use common::{labkit_bin, processes_with};
use labkit::random::random_u64;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

/// A fresh folder for one test.
fn scratch(what: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("labkit-class-test-{what}-{}-{:x}", std::process::id(), random_u64()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// `labkit ARGS` in `dir`, as a teacher or student runs it.
fn labkit(dir: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(labkit_bin());
    // Under `cargo test`, CARGO is set: labkit would run `cargo build`.
    cmd.args(args).current_dir(dir).env_remove("CARGO").env_remove("PYTHONUNBUFFERED");
    cmd
}

/// `labkit grade-class ARGS` in `dir`, the students' users (as root) from
/// `base`: each test its own range, since the tests grade at the same time
/// (the Gradescope bundle's one student is uid 2000000000).
fn grade_class(dir: &Path, base: u32, args: &[&str]) -> Command {
    let mut cmd = labkit(dir, &["grade-class", "--uid-base", &base.to_string()]);
    cmd.args(args);
    cmd
}

fn text(out: &Output) -> String {
    format!(
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// `tests/broken/LAB/FILE`.
fn broken(lab: &str, file: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/broken").join(lab).join(file)
}

/// Put `tests/broken/LAB/FILE` into a student's folder as `AS`. A mutant
/// of its lab's control (`wrong.mutant`) is handed in as the standalone
/// program it runs, as a student would write it.
fn hand_in(student: &Path, lab: &str, file: &str, as_name: &str) {
    std::fs::create_dir_all(student).unwrap();
    if let Some(mutant) = Mutant::of(&broken(lab, file)) {
        let source = mutant.source().unwrap_or_else(|why| panic!("{lab}/{file} as a standalone program: {why}"));
        std::fs::write(student.join(as_name), source).unwrap();
    } else {
        std::fs::copy(broken(lab, file), student.join(as_name)).unwrap();
    }
}

/// A student's tests from results.json: `(name, score, max_score)`.
fn results(path: &Path) -> Vec<(String, u64, u64)> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    v["tests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (t["name"].as_str().unwrap().to_string(), t["score"].as_u64().unwrap(), t["max_score"].as_u64().unwrap())
        })
        .collect()
}

/// The names of the checks a student lost points on.
fn failed(tests: &[(String, u64, u64)]) -> Vec<&str> {
    tests.iter().filter(|t| t.1 < t.2).map(|t| t.0.as_str()).collect()
}

/// A class of six: fork-copy and pids from `tests/broken/`, right and
/// wrong, in Python and in C, in the file names and languages the docs allow:
/// `(student, lab, file in tests/broken/LAB/, handed in as)`.
const HANDED_IN: &[(&str, &str, &str, &str)] = &[
    ("ann", "fork-copy", "correct.py", "fork_copy.py"),
    ("ann", "pids", "correct.py", "pids.py"),
    ("bob", "fork-copy", "shared.py", "fork-copy.py"),
    ("bob", "pids", "getpid_as_ppid.py", "pids.py"),
    ("cy", "fork-copy", "hardcoded.py", "fork_copy.py"),
    ("cy", "pids", "own_pid_as_child.py", "pids.py"),
    ("eve", "fork-copy", "no_flush_before_fork.c.py", "fork_copy.c"),
    ("eve", "pids", "parent_exits_first.py", "pids.py"),
    ("fay", "fork-copy", "orphan.py", "fork_copy.py"),
    ("fay", "pids", "correct.c", "pids.c"),
];

/// The class of [`HANDED_IN`], and dee, who hands in no fork-copy and a
/// pids in C that does not compile.
fn small_class(dir: &Path) -> PathBuf {
    let sub = dir.join("submissions");
    for (student, lab, file, as_name) in HANDED_IN {
        hand_in(&sub.join(student), lab, file, as_name);
    }
    std::fs::create_dir_all(sub.join("dee")).unwrap();
    std::fs::write(sub.join("dee/pids.c"), "int main(void) { return 0 }\n").unwrap();
    sub
}

#[test]
fn a_class_gets_the_same_gradebook_with_one_job_or_two() {
    let dir = scratch("jobs");
    let sub = small_class(&dir);
    let mut books = Vec::new();
    for jobs in ["1", "2"] {
        let out = dir.join(format!("grades-{jobs}"));
        let args = ["submissions", "fork-copy", "pids", "--jobs", jobs, "--seed", "4242", "-o"];
        let run = grade_class(&dir, 2_000_000_300, &args).arg(&out).output().unwrap();
        assert_eq!(run.status.code(), Some(0), "{}", text(&run));
        let stdout = String::from_utf8_lossy(&run.stdout);
        assert!(stdout.contains(&format!("6 students in {}", sub.canonicalize().unwrap().display())), "{stdout}");
        assert!(stdout.contains("Score distribution per lab"), "{stdout}");
        assert!(stdout.contains("Checks most often failed"), "{stdout}");
        books.push(std::fs::read_to_string(out.join("gradebook.csv")).unwrap());
        for s in ["ann", "bob", "cy", "dee", "eve", "fay"] {
            assert!(out.join("students").join(s).join("results.json").is_file(), "{s} has no results.json");
        }
    }
    assert_eq!(books[0], books[1], "--jobs 1 and --jobs 2 give different gradebooks");
    let rows: Vec<&str> = books[0].lines().collect();
    let max = |id: &str| labkit::labs::find(id).unwrap().bins[0].checks.iter().map(|c| c.points).sum::<u32>();
    let (fc, pids) = (max("fork-copy"), max("pids"));
    assert_eq!(rows[0], format!("student,fork-copy (/{fc}),pids (/{pids}),total (/{})", fc + pids));
    assert_eq!(rows[1], format!("ann,{fc},{pids},{}", fc + pids), "the correct programs score full marks");
    assert_eq!(rows.len(), 7);
    // fay's pids in C is compiled and scores full marks; her fork-copy
    // leaves an orphan: the basic check fails and the rest are not run.
    assert!(rows.contains(&format!("fay,0,{pids},{pids}").as_str()), "{rows:?}");
    // Each program loses the points its header says (see tests/homework.rs).
    let out = dir.join("grades-1/students");
    for (student, lab, file, _) in HANDED_IN {
        let program = homework::program(lab, file);
        let tests = results(&out.join(student).join("results.json"));
        let prefix = format!("Lab {} {lab}: ", program.lab.number);
        let lost: Vec<&str> = failed(&tests).into_iter().filter_map(|t| t.strip_prefix(&prefix)).collect();
        assert_eq!(lost, program.lost(), "{student}'s {lab} ({file}): {tests:?}");
    }
    assert!(rows.contains(&"dee,0,0,0"), "{rows:?}");
    let dee = std::fs::read_to_string(out.join("dee/results.json")).unwrap();
    assert!(dee.contains("no program for fork-copy found: looked for fork-copy.py, fork_copy.py"), "{dee}");
    assert!(dee.contains("pids.c does not compile with `cc -O2`"), "{dee}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn an_interrupted_class_resumes_where_it_stopped() {
    let dir = scratch("resume");
    small_class(&dir);
    let out = dir.join("grades");
    let args = ["submissions", "fork-copy", "--jobs", "1", "-o"];
    let child = grade_class(&dir, 2_000_000_400, &args)
        .arg(&out)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Stop it once the first student is graded (a grade takes seconds).
    let first = labkit::procfs::poll_until(Duration::from_secs(120), || {
        std::fs::read_dir(out.join("students"))
            .map(|d| d.flatten().any(|s| s.path().join("results.json").is_file()))
            .unwrap_or(false)
    });
    let _ = nix::sys::signal::kill(nix::unistd::Pid::from_raw(child.id() as i32), nix::sys::signal::Signal::SIGTERM);
    let run = child.wait_with_output().unwrap();
    assert!(first, "no student was graded in 120 s: {}", text(&run));
    assert_eq!(run.status.code(), Some(130), "{}", text(&run));
    assert!(String::from_utf8_lossy(&run.stderr).contains("the same command again resumes"), "{}", text(&run));
    let seed = std::fs::read_to_string(out.join("class.txt")).unwrap();
    let done: Vec<String> = ["ann", "bob", "cy", "dee", "eve", "fay"]
        .iter()
        .filter(|s| out.join("students").join(s).join("results.json").is_file())
        .map(|s| s.to_string())
        .collect();
    assert!(!done.is_empty() && done.len() < 6, "graded before the stop: {done:?}");
    let before: Vec<String> = done
        .iter()
        .map(|s| std::fs::read_to_string(out.join("students").join(s).join("results.json")).unwrap())
        .collect();

    let run = grade_class(&dir, 2_000_000_400, &args).arg(&out).output().unwrap();
    assert_eq!(run.status.code(), Some(0), "{}", text(&run));
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(stdout.contains(&format!("{} to grade ({} already graded)", 6 - done.len(), done.len())), "{stdout}");
    assert_eq!(std::fs::read_to_string(out.join("class.txt")).unwrap(), seed, "the same seed");
    for (s, old) in done.iter().zip(&before) {
        let now = std::fs::read_to_string(out.join("students").join(s).join("results.json")).unwrap();
        assert_eq!(&now, old, "{s} was graded again");
    }
    assert_eq!(std::fs::read_to_string(out.join("gradebook.csv")).unwrap().lines().count(), 7);
    // The same output folder for other labs is refused, not mixed.
    let other = grade_class(&dir, 2_000_000_400, &["submissions", "pids", "-o"]).arg(&out).output().unwrap();
    assert_eq!(other.status.code(), Some(2), "{}", text(&other));
    assert!(String::from_utf8_lossy(&other.stderr).contains("holds a grade of other programs"), "{}", text(&other));
    let _ = std::fs::remove_dir_all(&dir);
}

/// Runaway fork-copy programs, each bounded so that a cap that failed
/// could not harm the machine: at most 64 processes, 64 MiB of disk,
/// 256 MiB of output, and the run's timeout.
const FLOOD: &str =
    "import sys\nfor i in range(256 * 1024):\n    sys.stdout.write('[parent 1] a=1 ' + 'x' * 1000 + '\\n')\n";
const FLOOD_STDERR: &str = "import sys\nfor i in range(256 * 1024):\n    sys.stderr.write('x' * 1000 + '\\n')\n";
const FORK_BOMB: &str = "import os, time\nfor i in range(64):\n    if os.fork() == 0:\n        time.sleep(20)\n        os._exit(0)\ntime.sleep(20)\n";
const DISK_FILLER: &str = "f = open('filler', 'wb')\nfor i in range(64):\n    f.write(b'x' * (1 << 20))\n    f.flush()\nprint('[parent 1] wrote 64 MiB')\n";
const NEVER_ENDS: &str = "import time\nwhile True:\n    time.sleep(1)\n";

#[test]
fn runaway_programs_cost_their_points_with_a_reason_and_stop_nothing_else() {
    let token = format!("runaway{:x}", random_u64());
    let dir = scratch(&token);
    let sub = dir.join("submissions");
    let runaways = [
        ("flood", FLOOD),
        ("errflood", FLOOD_STDERR),
        ("bomb", FORK_BOMB),
        ("filler", DISK_FILLER),
        ("endless", NEVER_ENDS),
    ];
    for (student, program) in runaways {
        std::fs::create_dir_all(sub.join(student)).unwrap();
        std::fs::write(sub.join(student).join("fork_copy.py"), program).unwrap();
    }
    hand_in(&sub.join("good"), "fork-copy", "correct.py", "fork_copy.py");
    let out = dir.join("grades");
    let args = ["submissions", "fork-copy", "--timeout", "3s"];
    let caps = ["--max-procs", "16", "--max-disk", "8M", "--max-output", "1M", "-o"];
    let run = grade_class(&dir, 2_000_000_500, &args).args(caps).arg(&out).output().unwrap();
    assert_eq!(run.status.code(), Some(0), "{}", text(&run));
    let basic = labkit::checks::RUNS_CLEAN;
    let reason = |student: &str| -> String {
        let text = std::fs::read_to_string(out.join("students").join(student).join("results.json")).unwrap();
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        let t = v["tests"].as_array().unwrap().iter().find(|t| t["name"].as_str().unwrap().ends_with(basic)).unwrap();
        assert_eq!(t["score"], 0, "{student}: {t}");
        t["output"].as_str().unwrap().to_string()
    };
    for student in ["flood", "errflood"] {
        let flood = reason(student);
        assert!(flood.contains("stopped by a resource cap: output: more than 1048576 bytes"), "{student}: {flood}");
    }
    let bomb = reason("bomb");
    assert!(bomb.contains("stopped by a resource cap: processes:") && bomb.contains("past the cap of 16"), "{bomb}");
    let filler = reason("filler");
    assert!(filler.contains("stopped by a resource cap: disk:") && filler.contains("8388608 bytes"), "{filler}");
    let endless = reason("endless");
    assert!(endless.contains("timed out after 3s"), "{endless}");
    let book = std::fs::read_to_string(out.join("gradebook.csv")).unwrap();
    assert!(book.contains("good,8,8"), "{book}");
    for s in ["flood", "errflood", "bomb", "filler", "endless"] {
        assert!(book.contains(&format!("{s},0,0")), "{s}: {book}");
    }
    // A flood's log holds the first 1 MiB, not 256.
    for s in ["flood", "errflood"] {
        let logs = out.join(format!("students/{s}/logs/01-fork-copy/1-runs-and-exits-0-leaving-no-process-behind"));
        let size = std::fs::metadata(logs.join("run-1.log")).unwrap().len();
        assert!(size < 2 << 20, "{s}'s log holds {size} bytes");
    }
    let left = processes_with(&token);
    assert!(left.is_empty(), "left running: {left:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_gradescope_bundle_grades_a_submission_end_to_end() {
    let dir = scratch("gradescope");
    let zip = dir.join("autograder.zip");
    let run = labkit(&dir, &["autograder", "fork-copy", "-o"]).arg(&zip).output().unwrap();
    assert_eq!(run.status.code(), Some(0), "{}", text(&run));
    // Gradescope unpacks the bundle into /autograder/source and runs setup.sh there.
    let root = dir.join("autograder");
    let source = root.join("source");
    let mut archive = zip::ZipArchive::new(std::fs::File::open(&zip).unwrap()).unwrap();
    let mut names: Vec<String> = archive.file_names().map(String::from).collect();
    names.sort();
    assert_eq!(names, ["labkit", "run_autograder", "setup.sh"]);
    archive.extract(&source).unwrap();
    let setup = Command::new("bash").arg(source.join("setup.sh")).output().unwrap();
    assert!(setup.status.success(), "{}", text(&setup));
    for program in ["correct.py", "shared.py", "spy"] {
        let submission = root.join("submission");
        let _ = std::fs::remove_dir_all(&submission);
        let _ = std::fs::remove_dir_all(root.join("results"));
        // The spy tries to write into /autograder; refused (the program
        // runs as a user of its own), it runs correct.py and scores full marks.
        let header = homework::program("fork-copy", if program == "spy" { "correct.py" } else { program });
        if program == "spy" {
            let attempts = [
                ("write into the bundle", format!("open({:?}, 'w').write('x')", source.join("forged"))),
                ("make the results folder", format!("os.mkdir({:?})", root.join("results"))),
            ];
            std::fs::create_dir_all(&submission).unwrap();
            std::fs::write(submission.join("fork_copy.py"), spy(&attempts)).unwrap();
            std::fs::copy(broken("fork-copy", "correct.py"), submission.join("real.py")).unwrap();
        } else {
            hand_in(&submission, "fork-copy", program, "fork_copy.py");
        }
        let graded = Command::new(source.join("run_autograder"))
            .env("LABKIT_AUTOGRADER_ROOT", &root)
            .env_remove("CARGO")
            .current_dir(&root)
            .output()
            .unwrap();
        assert_eq!(graded.status.code(), Some(0), "{program}: {}", text(&graded));
        let text = std::fs::read_to_string(root.join("results/results.json")).unwrap();
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert!(v["execution_time"].as_u64().is_some_and(|t| t > 0), "{text}");
        assert!(v["extra_data"]["seed"].as_u64().is_some(), "{text}");
        let tests = v["tests"].as_array().unwrap();
        assert_eq!(tests.len(), 4, "{text}");
        for t in tests {
            for key in ["name", "score", "max_score", "output", "visibility"] {
                assert!(!t[key].is_null(), "{program}: a test without {key}: {t}");
            }
        }
        // Each check scores what the program's header says (see tests/homework.rs).
        let lost = header.lost();
        let mut score = 0;
        for (t, c) in tests.iter().zip(header.bin.checks) {
            let points = if lost.contains(&c.title) { 0 } else { c.points };
            assert_eq!(t["name"], format!("Lab 1 fork-copy: {}", c.title), "{text}");
            assert_eq!(t["score"], points, "{program}: {text}");
            score += points;
        }
        assert_eq!(v["score"], score, "{text}");
        if !lost.is_empty() {
            assert!(tests.iter().any(|t| t["output"].as_str().unwrap().contains("should still be")), "{text}");
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// A fork-copy that first tries each of `attempts` (Python expressions
/// that raise OSError when refused): if any works, it says so and fails
/// (exit 3); if every one is refused, it runs `real.py` beside it (the
/// correct fork-copy), which scores full marks.
fn spy(attempts: &[(&str, String)]) -> String {
    let mut text = String::from("import os, sys\ngot = []\n");
    for (what, expr) in attempts {
        text += &format!("try:\n    {expr}\n    got.append({what:?})\nexcept OSError:\n    pass\n");
    }
    text +=
        "if got:\n    print('[spy %d] got in: %s' % (os.getpid(), ', '.join(got)), file=sys.stderr)\n    sys.exit(3)\n";
    text += "real = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'real.py')\n";
    text += "os.execv(sys.executable, [sys.executable, real] + sys.argv[1:])\n";
    text
}

/// Live processes running as a user in `range`.
fn processes_of_users(range: std::ops::Range<u64>) -> Vec<String> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(status) = std::fs::read_to_string(entry.path().join("status")) else { continue };
        let field = |name: &str| status.lines().find_map(|l| l.strip_prefix(name)).unwrap_or("").trim().to_string();
        let uid: u64 = field("Uid:").split_whitespace().next().and_then(|u| u.parse().ok()).unwrap_or(0);
        if range.contains(&uid) && !field("State:").starts_with('Z') {
            found.push(format!("{} uid {uid}: {}", entry.file_name().to_string_lossy(), field("Name:")));
        }
    }
    found
}

fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() == 0 }
}

#[test]
fn each_student_runs_as_a_user_of_their_own_and_reaches_nothing_else() {
    if !is_root() {
        // Only root can run programs as other users: then the grade says
        // that the programs run as the teacher's own user, and refuses
        // --as-user. (CI runs as root, and checks the users below.)
        eprintln!("not root: checking what a grade without students' users says");
        let dir = scratch("users");
        hand_in(&dir.join("submissions/alice"), "fork-copy", "correct.py", "fork_copy.py");
        let run = grade_class(&dir, 2_000_000_100, &["submissions", "fork-copy", "-o", "grades"]).output().unwrap();
        assert_eq!(run.status.code(), Some(0), "{}", text(&run));
        assert!(String::from_utf8_lossy(&run.stdout).contains("run as this grader's own user"), "{}", text(&run));
        let refused = labkit(&dir, &["grade", "fork-copy", "--as-user", "12345"]).output().unwrap();
        assert_eq!(refused.status.code(), Some(2), "{}", text(&refused));
        assert!(String::from_utf8_lossy(&refused.stderr).contains("only root may"), "{}", text(&refused));
        let _ = std::fs::remove_dir_all(&dir);
        return;
    }
    let dir = scratch("users");
    let sub = dir.join("submissions");
    std::fs::create_dir_all(&sub).unwrap();
    // As a careful teacher keeps it: the submissions are root's alone.
    std::fs::set_permissions(&sub, std::os::unix::fs::PermissionsExt::from_mode(0o700)).unwrap();
    hand_in(&sub.join("alice"), "fork-copy", "correct.py", "fork_copy.py");
    std::fs::write(sub.join("alice/secret.txt"), "alice's answers\n").unwrap();
    let grades = dir.join("grades");
    let attempts = [
        ("read alice's submission", format!("open({:?}).read()", sub.join("alice/secret.txt"))),
        ("list the grades", format!("os.listdir({grades:?})")),
        ("write into the grades", format!("open({:?}, 'w').write('x')", grades.join("forged.txt"))),
        ("signal the grader's processes", format!("os.kill({}, 0)", std::process::id())),
        // A hard process limit (RLIMIT_NPROC), 4 times the polled cap (64).
        (
            "fork past a hard limit",
            "import resource as r\n    if r.getrlimit(r.RLIMIT_NPROC)[1] <= 256: raise OSError".into(),
        ),
    ];
    std::fs::create_dir_all(sub.join("mallory")).unwrap();
    std::fs::write(sub.join("mallory/fork_copy.py"), spy(&attempts)).unwrap();
    std::fs::copy(broken("fork-copy", "correct.py"), sub.join("mallory/real.py")).unwrap();
    let max = labkit::labs::find("fork-copy").unwrap().bins[0].checks.iter().map(|c| c.points).sum::<u32>();
    // Users of their own, apart from the other tests' (which grade at the same time).
    let base = 2_000_000_100;

    // Each as a user of their own: every attempt is refused, so mallory's
    // program runs as the correct one and scores full marks.
    let args = ["submissions", "fork-copy", "--jobs", "2", "-o"];
    let run = grade_class(&dir, base, &args).arg(&grades).output().unwrap();
    assert_eq!(run.status.code(), Some(0), "{}", text(&run));
    assert!(
        String::from_utf8_lossy(&run.stdout).contains("a user of their own (uid 2000000100 to 2000000101)"),
        "{}",
        text(&run)
    );
    let book = std::fs::read_to_string(grades.join("gradebook.csv")).unwrap();
    assert!(book.contains(&format!("alice,{max},{max}")) && book.contains(&format!("mallory,{max},{max}")), "{book}");
    assert!(!grades.join("forged.txt").exists());
    let mallory = std::fs::read_to_string(
        grades.join("students/mallory/logs/01-fork-copy/1-runs-and-exits-0-leaving-no-process-behind/run-1.log"),
    )
    .unwrap();
    assert!(!mallory.contains("got in"), "{mallory}");

    // The same class with every program as root: the spy gets in, says
    // so, and fails. (The test can tell.)
    let same = dir.join("grades-same-user");
    let run =
        labkit(&dir, &["grade-class", "submissions", "fork-copy", "--same-user", "-o"]).arg(&same).output().unwrap();
    assert_eq!(run.status.code(), Some(0), "{}", text(&run));
    let book = std::fs::read_to_string(same.join("gradebook.csv")).unwrap();
    assert!(book.contains(&format!("alice,{max},{max}")) && book.contains("mallory,0,0"), "{book}");
    let why = std::fs::read_to_string(same.join("students/mallory/results.json")).unwrap();
    for (what, _) in &attempts {
        assert!(why.contains(what), "mallory's spy as root should say it could {what}: {why}");
    }
    let left = processes_of_users(base as u64..base as u64 + 2);
    assert!(left.is_empty(), "processes still running as the students' users: {left:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_class_graded_by_grade_class_scores_the_kits_own_programs_full_marks() {
    // Every lab, traced checks and chat included, through the same path
    // as a student's folder: each program an executable by its name.
    let dir = scratch("kit");
    let kit = dir.join("submissions/kit");
    std::fs::create_dir_all(&kit).unwrap();
    for lab in labkit::labs::LABS {
        for bin in lab.bins {
            std::os::unix::fs::symlink(labkit_bin().with_file_name(bin.name), kit.join(bin.name)).unwrap();
        }
    }
    let out = dir.join("grades");
    // As root, as a user of its own, apart from the other tests'.
    let run = grade_class(&dir, 2_000_000_200, &["submissions", "-o"]).arg(&out).output().unwrap();
    assert_eq!(run.status.code(), Some(0), "{}", text(&run));
    let tests = results(&out.join("students/kit/results.json"));
    let total: u32 = labkit::labs::LABS.iter().flat_map(|l| l.bins).flat_map(|b| b.checks).map(|c| c.points).sum();
    assert_eq!(tests.len(), labkit::labs::LABS.iter().flat_map(|l| l.bins).flat_map(|b| b.checks).count());
    assert!(failed(&tests).is_empty(), "the kit's own programs lost points: {:?}", failed(&tests));
    let book = std::fs::read_to_string(out.join("gradebook.csv")).unwrap();
    assert!(book.lines().nth(1).is_some_and(|row| row.ends_with(&format!(",{total}"))), "{book}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_student_checks_their_program_and_replays_the_inputs() {
    let dir = scratch("check");
    hand_in(&dir, "fork-copy", "shared.py", "fork_copy.py");
    let run = labkit(&dir, &["check", "fork-copy", "--", "python3", "fork_copy.py"]).output().unwrap();
    assert_eq!(run.status.code(), Some(1), "{}", text(&run));
    let stdout = String::from_utf8_lossy(&run.stdout).into_owned();
    // A line per check, as the program's header says (see tests/homework.rs).
    let shared = homework::program("fork-copy", "shared.py");
    for c in shared.bin.checks {
        let (verdict, got) = if shared.lost().contains(&c.title) { ("FAIL", 0) } else { ("PASS", c.points) };
        let line = format!("  {verdict}  {}  ({got}/{})", c.title, c.points);
        assert!(stdout.contains(&line), "{line:?} in {stdout}");
    }
    assert!(stdout.contains("Hint (labs/01-fork-copy.md, \"Grading contract\"): the grader checks"), "{stdout}");
    assert!(stdout.contains("2 of 4 checks pass: 3/8 points."), "{stdout}");
    // The replay line, run as printed, gives the same inputs and verdicts.
    let replay = stdout.lines().find_map(|l| l.strip_prefix("The same inputs again: labkit ")).expect(&stdout);
    let words = labkit::cli::grade::split_words(replay).unwrap();
    assert_eq!(words[..3], ["check", "fork-copy", "--seed"], "{replay}");
    let again = labkit(&dir, &words.iter().map(String::as_str).collect::<Vec<_>>()).output().unwrap();
    let wrong = |s: &str| -> Vec<String> {
        s.lines().skip_while(|l| !l.contains("What went wrong")).nth(1).into_iter().map(String::from).collect()
    };
    let again = String::from_utf8_lossy(&again.stdout).into_owned();
    assert_eq!(wrong(&stdout), wrong(&again), "the same seed gave other inputs:\n{stdout}\n{again}");
    assert!(!wrong(&stdout).is_empty());
    // Fixed: all pass, and `labkit list` shows it from the progress file.
    std::fs::copy(broken("fork-copy", "correct.py"), dir.join("fork_copy.py")).unwrap();
    let run = labkit(&dir, &["check", "fork-copy", "--", "python3", "fork_copy.py"]).output().unwrap();
    assert_eq!(run.status.code(), Some(0), "{}", text(&run));
    assert!(String::from_utf8_lossy(&run.stdout).contains("4 of 4 checks pass: 8/8 points."), "{}", text(&run));
    let list = labkit(&dir, &["list"]).output().unwrap();
    let list = String::from_utf8_lossy(&list.stdout).into_owned();
    assert!(list.contains("run fork-copy  [passes: 8/8]"), "{list}");
    assert!(!list.contains("run pids  ["), "{list}");
    // A lab of two programs needs one named.
    let run = labkit(&dir, &["check", "chat", "--", "python3", "x.py"]).output().unwrap();
    assert_eq!(run.status.code(), Some(2), "{}", text(&run));
    assert!(String::from_utf8_lossy(&run.stderr).contains("check one of chat-server, chat-client"), "{}", text(&run));
    let _ = std::fs::remove_dir_all(&dir);
}

/// Read `child`'s stdout (on a thread) into `seen` as it comes.
fn collect(mut out: impl std::io::Read + Send + 'static) -> std::sync::Arc<std::sync::Mutex<String>> {
    let seen = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
    let s = std::sync::Arc::clone(&seen);
    std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        while let Ok(n) = out.read(&mut buf) {
            if n == 0 {
                break;
            }
            s.lock().unwrap().push_str(&String::from_utf8_lossy(&buf[..n]));
        }
    });
    seen
}

#[test]
fn watch_rechecks_when_the_program_is_saved_and_q_quits() {
    let dir = scratch("watch");
    hand_in(&dir, "fork-copy", "shared.py", "fork_copy.py");
    let mut child = labkit(&dir, &["watch", "fork-copy", "--", "python3", "fork_copy.py"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let seen = collect(child.stdout.take().unwrap());
    // A failed assertion below must not leave `labkit watch` running.
    struct KillOnDrop(u32);
    impl Drop for KillOnDrop {
        fn drop(&mut self) {
            let pid = nix::unistd::Pid::from_raw(self.0 as i32);
            let _ = nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGKILL);
        }
    }
    let _guard = KillOnDrop(child.id());
    let has = |s: &str| seen.lock().unwrap().contains(s);
    let first = labkit::procfs::poll_until(Duration::from_secs(120), || has("waiting for a file to be saved"));
    assert!(first && has("2 of 4 checks pass"), "{}", seen.lock().unwrap());
    // The student fixes the program and saves it.
    std::fs::copy(broken("fork-copy", "correct.py"), dir.join("fork_copy.py")).unwrap();
    let fixed = labkit::procfs::poll_until(Duration::from_secs(120), || has("4 of 4 checks pass"));
    assert!(fixed, "{}", seen.lock().unwrap());
    child.stdin.as_mut().unwrap().write_all(b"q").unwrap();
    let mut ended = None;
    labkit::procfs::poll_until(Duration::from_secs(30), || {
        ended = child.try_wait().unwrap();
        ended.is_some()
    });
    if ended.is_none() {
        let _ = child.kill();
        let _ = child.wait();
    }
    assert_eq!(ended.and_then(|s| s.code()), Some(0), "{}", seen.lock().unwrap());
    let _ = std::fs::remove_dir_all(&dir);
}
