//! Shared by the test files: grade the kit's own binaries with the library's checks.
#![allow(dead_code)] // each test file uses its own part of this module

use std::path::Path;
use std::time::Duration;

use labkit::grade::{Grader, Program};
use labkit::labs;

/// The `labkit` binary cargo built for these tests.
pub fn labkit_bin() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_labkit"))
}

/// A grader that runs programs through the kit's `labkit reap`.
pub fn grader() -> Grader {
    let mut g = Grader::new(labkit_bin()).expect("scratch folder for the grader");
    g.timeout = Duration::from_secs(20);
    g
}

/// Run every check of the lab `id`'s program `bin` against the kit's own
/// binary: the reference implementation must pass them all.
pub fn grade_kit(id: &str, bin: &str) {
    let lab = labs::find(id).unwrap_or_else(|| panic!("lab {id} is not in the manifest"));
    let checks = lab.bin(bin).unwrap_or_else(|| panic!("lab {id} has no program {bin}")).checks;
    let g = grader();
    let program = Program::kit(labkit_bin(), bin);
    let failures: Vec<String> = checks
        .iter()
        .filter_map(|c| (c.run)(&g, &program).err().map(|e| format!("check `{}` failed:\n{e}", c.name)))
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// Run only the check called `name` of lab `id`'s program `bin` against
/// `program` (e.g. a deliberately wrong one, to show the check can fail).
pub fn run_check(id: &str, bin: &str, name: &str, program: &Program) -> Result<(), String> {
    let lab = labs::find(id).unwrap_or_else(|| panic!("lab {id} is not in the manifest"));
    let checks = lab.bin(bin).unwrap_or_else(|| panic!("lab {id} has no program {bin}")).checks;
    let check = checks.iter().find(|c| c.name == name).unwrap_or_else(|| panic!("{bin} has no check `{name}`"));
    (check.run)(&grader(), program)
}
