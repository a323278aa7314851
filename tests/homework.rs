//! Every program a grade is tested on, graded through the front end as
//! `labkit grade` grades it (see `tests/common/homework.rs`): the kit's own
//! binary of every program of the manifest scores full marks; every program
//! under `tests/broken/<lab>/` (each lab's correct controls in Python and
//! in C, and wrong homework) gets exactly the grade its header states.

mod common;
use common::homework::{self, Expect, Mutant, Scope, Source, assert_graded, parse_header};

#[test]
fn the_kits_programs_score_full_marks() {
    assert_graded("the kit's programs", &homework::kit(), Scope::Grade, 4);
}

#[test]
fn every_program_in_tests_broken_gets_the_grade_its_header_states() {
    // LABKIT_HOMEWORK_LABS=pids,zombie grades only those labs' programs,
    // while one is working on them; the test says so in its name for it.
    let mut programs = homework::programs();
    let mut what = "tests/broken".to_string();
    if let Ok(only) = std::env::var("LABKIT_HOMEWORK_LABS") {
        let labs: Vec<&str> = only.split(',').map(str::trim).collect();
        programs.retain(|h| labs.contains(&h.lab.id));
        what = format!("tests/broken, ONLY the labs {only} (LABKIT_HOMEWORK_LABS)");
    }
    assert_graded(&what, &programs, Scope::Grade, 6);
}

/// Every program of the manifest is graded on a correct control and on
/// wrong programs, each in Python and in C: what the checks pass and what
/// they catch is shown in both languages.
#[test]
fn every_program_of_the_manifest_has_controls_and_wrong_programs_in_python_and_in_c() {
    let programs = homework::programs();
    let mut missing = Vec::new();
    for lab in labkit::labs::LABS {
        for bin in lab.bins {
            for (language, is_c) in [("Python", false), ("C", true)] {
                for control in [true, false] {
                    let found = programs.iter().any(|h| {
                        matches!(h.source, Source::File(_))
                            && h.bin.name == bin.name
                            && h.is_control() == control
                            && h.is_c() == is_c
                    });
                    if !found {
                        let what = if control { "control (`Expect: full marks`)" } else { "wrong program" };
                        missing.push(format!("{} ({}): no {what} in {language}", lab.id, bin.name));
                    }
                }
            }
        }
    }
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}

/// A mutant whose edits no longer fit its control stops with exit 3, which
/// a grade would read as a crash: for a program whose header names only
/// the basic check, that would pass unseen. So every mutant's edits are
/// made here, and each must change its control. (And a mutant of a C
/// control is named `NAME.c.py`, as the loop and the docs expect.)
#[test]
fn every_mutants_edits_fit_its_control() {
    let top = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut mutants = 0;
    let mut wrong = Vec::new();
    for h in homework::programs() {
        let Source::File(file) = &h.source else { continue };
        let Some(mutant) = Mutant::of(&top.join(file)) else { continue };
        mutants += 1;
        if file.ends_with(".c.py") != mutant.is_c() {
            wrong.push(format!("{file}: a mutant of a C control is named NAME.c.py, and only such a one"));
        }
        let original = std::fs::read(&mutant.control).unwrap_or_default();
        match mutant.source() {
            Err(why) => wrong.push(format!("{file}: {why}")),
            Ok(source) if source == original => {
                wrong.push(format!("{file}: its edits leave {} as it is", mutant.control.display()))
            }
            Ok(_) => {}
        }
    }
    assert!(mutants > 0, "no mutants found in tests/broken");
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn headers_are_read() {
    let fails = |t: &[&str]| Expect::Fails(t.iter().map(|s| s.to_string()).collect());
    let header =
        "#!/usr/bin/env python3\n\"\"\"Broken: ...\n\nExpect: fails \"a b\"; \"c; d\"\nBecause: \"x=1\"\n\"\"\"\n";
    assert_eq!(parse_header(header), Ok((fails(&["a b", "c; d"]), vec!["x=1".to_string()])));
    assert_eq!(parse_header("/* Control.\n   Expect: full marks\n*/\n"), Ok((Expect::FullMarks, vec![])));
    assert_eq!(parse_header("# Expect: fails \"a\"\n"), Ok((fails(&["a"]), vec![])));
    for bad in [
        "no header at all",
        "# Expect: full",
        "# Expect: fails a b",
        "# Expect: fails \"a\" \"b\"",
        "# Expect: fails \"a\"; \"b",
        "# Expect: fails x \"a\"",
        "# Expect: fails \"a\" x",
        "# Expect: full marks\n# Because: \"x\"",
    ] {
        assert!(parse_header(bad).is_err(), "accepted {bad:?}");
    }
}
