//! The graders run on the kit's own binaries: each lab's reference
//! implementation must pass every one of its checks. One test per lab, so
//! labs are graded in parallel.

mod common;
use common::grade_kit;

#[test]
fn lab01_fork_copy() {
    grade_kit("fork-copy", "fork-copy");
}

#[test]
fn lab08_half_copy() {
    grade_kit("half-copy", "half-copy");
}
