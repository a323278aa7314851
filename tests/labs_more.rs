//! The course's process unit beyond the first nine labs (labs 10 to 15):
//! the kit's own programs pass their checks, and the programs under
//! `tests/broken/<lab>/` (a correct control in Python and in C, and wrong
//! programs) get exactly the verdict their `Expect:` header states.

mod common;
use common::{c_program, grade_kit, grader, labkit_bin, python3};
use labkit::harness::Program;
use std::path::Path;

/// What a program under `tests/broken/` says the grade must give it.
#[derive(Debug, PartialEq)]
enum Expect {
    FullMarks,
    Fails(Vec<String>),
}

/// Read the `Expect:` line of a program's header comment.
fn expectation(path: &Path) -> Expect {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let line = text
        .lines()
        .take(20)
        .find_map(|l| l.trim_start_matches(['#', '/', '*', ' ']).strip_prefix("Expect: "))
        .unwrap_or_else(|| panic!("{} has no `Expect:` line in its header", path.display()));
    if line.trim() == "full marks" {
        return Expect::FullMarks;
    }
    let list = line.strip_prefix("fails ").unwrap_or_else(|| panic!("{}: bad Expect line `{line}`", path.display()));
    // `"name one"; "name two"`: the names are the quoted parts (a name may hold `;`).
    let names: Vec<String> = list.split('"').skip(1).step_by(2).map(str::to_string).collect();
    assert!(!names.is_empty(), "{}: bad Expect line `{line}`", path.display());
    Expect::Fails(names)
}

/// The program `tests/broken/<lab>/<file>`: Python runs with `python3 -S`, C is compiled.
fn program(lab: &str, file: &str) -> Program {
    let rel = format!("tests/broken/{lab}/{file}");
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(&rel);
    assert!(path.is_file(), "missing {}", path.display());
    if file.ends_with(".c") {
        Program::new([c_program(&rel).to_string_lossy().into_owned()])
    } else {
        Program::new([python3(), "-S", &path.to_string_lossy()])
    }
}

/// Grade `tests/broken/<lab>/<file>` with the checks of `lab`, side by
/// side, and compare with its `Expect:` header: every named check fails,
/// every other check run passes.
fn as_expected(lab: &str, file: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/broken").join(lab).join(file);
    let want = expectation(&path);
    let checks = labkit::labs::find(lab).and_then(|l| l.bin(lab)).expect("lab in the manifest").checks;
    let failing: Vec<String> = match &want {
        Expect::FullMarks => Vec::new(),
        Expect::Fails(names) => names.clone(),
    };
    for name in &failing {
        assert!(checks.iter().any(|c| c.title == name), "{file}: `{name}` is not a check of {lab}");
    }
    let prog = program(lab, file);
    let g = grader();
    // A wrong program runs its basic check and the checks its header names
    // (to keep the suite fast); a control runs them all.
    let run = |i: usize, name: &str| i == 0 || want == Expect::FullMarks || failing.iter().any(|f| f == name);
    let results: Vec<(&str, Result<(), String>)> = std::thread::scope(|s| {
        let runs: Vec<_> = checks
            .iter()
            .enumerate()
            .filter(|(i, c)| run(*i, c.title))
            .map(|(_, c)| c)
            .map(|c| (c.title, s.spawn(|| (c.test)(&g, &prog))))
            .collect();
        runs.into_iter().map(|(n, r)| (n, r.join().expect("check thread"))).collect()
    });
    let mut wrong = Vec::new();
    for (name, verdict) in results {
        let should_fail = failing.iter().any(|f| f == name);
        match (&verdict, should_fail) {
            (Ok(()), true) => wrong.push(format!("`{name}` passed, but {file} should fail it")),
            (Err(why), false) => wrong.push(format!("`{name}` failed, but {file} should pass it:\n{why}")),
            _ => {}
        }
    }
    assert!(wrong.is_empty(), "{lab}/{file}:\n{}", wrong.join("\n\n"));
}

/// Every program under `tests/broken/<lab>/`, side by side.
fn every_program(lab: &str) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/broken").join(lab);
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|f| f.ends_with(".py") || f.ends_with(".c"))
        .collect();
    files.sort();
    assert!(
        files.iter().any(|f| f.ends_with(".py")) && files.iter().any(|f| f.ends_with(".c")),
        "{lab}: a Python and a C control"
    );
    // Compile the C programs first, once, outside the threads.
    for f in files.iter().filter(|f| f.ends_with(".c")) {
        let _ = program(lab, f);
    }
    let failed: Vec<String> = std::thread::scope(|s| {
        let runs: Vec<_> = files.iter().map(|f| (f, s.spawn(|| as_expected(lab, f)))).collect();
        runs.into_iter()
            .filter_map(|(f, r)| {
                r.join().err().map(|e| {
                    let why =
                        e.downcast_ref::<String>().cloned().or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()));
                    format!("{f}: {}", why.unwrap_or_default())
                })
            })
            .collect()
    });
    assert!(failed.is_empty(), "{}", failed.join("\n\n"));
}

#[test]
fn expect_headers_are_read() {
    let dir = std::env::temp_dir().join(format!("labkit-expect-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let f = dir.join("x.py");
    std::fs::write(&f, "#!/usr/bin/env python3\n# Broken: ...\n# Expect: fails \"a b\"; \"c; d\"\n").unwrap();
    assert_eq!(expectation(&f), Expect::Fails(vec!["a b".into(), "c; d".into()]));
    std::fs::write(&f, "/* Control.\n   Expect: full marks\n*/\n").unwrap();
    assert_eq!(expectation(&f), Expect::FullMarks);
    let _ = std::fs::remove_dir_all(&dir);
    let _ = labkit_bin();
}

#[test]
fn lab10_states_kit() {
    grade_kit("states", "states");
}

#[test]
fn lab10_states_controls_and_wrong_programs() {
    every_program("states");
}

#[test]
fn lab11_exit_flush_kit() {
    grade_kit("exit-flush", "exit-flush");
}

#[test]
fn lab11_exit_flush_controls_and_wrong_programs() {
    every_program("exit-flush");
}

#[test]
fn lab12_fork_order_kit() {
    grade_kit("fork-order", "fork-order");
}

#[test]
fn lab12_fork_order_controls_and_wrong_programs() {
    every_program("fork-order");
}

#[test]
fn lab13_inherit_kit() {
    grade_kit("inherit", "inherit");
}

#[test]
fn lab13_inherit_controls_and_wrong_programs() {
    every_program("inherit");
}

#[test]
fn lab14_priority_kit() {
    grade_kit("priority", "priority");
}

#[test]
fn lab14_priority_controls_and_wrong_programs() {
    every_program("priority");
}

#[test]
fn lab15_parallel_kit() {
    grade_kit("parallel", "parallel");
}

#[test]
fn lab15_parallel_controls_and_wrong_programs() {
    every_program("parallel");
}
