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

/// Run the half-copy check `check` on a deliberately wrong program: it must
/// fail, and its message must say `why`.
fn half_copy_check_fails(argv: &[&str], check: &str, why: &str) -> Result<(), String> {
    let lab = labkit::labs::find("half-copy").expect("half-copy in the manifest");
    let checks = lab.bin("half-copy").expect("the half-copy program").checks;
    let c = checks.iter().find(|c| c.name == check).unwrap_or_else(|| panic!("no check named `{check}`"));
    let program = labkit::grade::Program::new(argv.iter().copied());
    match (c.run)(&common::grader(), &program) {
        Ok(()) => Err(format!("check `{check}` passed `{}`, a wrong program", program.display())),
        Err(e) if e.contains(why) => Ok(()),
        Err(e) => Err(format!("check `{check}` failed `{}` but not saying `{why}`:\n{e}", program.display())),
    }
}

#[test]
fn half_copy_checks_catch_wrong_programs() {
    // One process copies everything (cp).
    let cp = ["cp"];
    // Writes DST directly: truncates, overwrites, leaves partial files.
    let naive = ["sh", "-c", r#"cat "$1" > "$2" || { echo "[naive $$] failed" >&2; exit 1; }"#, "naive"];
    // A child that writes DST directly; the parent ignores how it ended.
    let background = ["sh", "-c", r#"cat "$1" > "$2" & wait; exit 0"#, "background"];
    let naive_force = ["sh", "-c", r#"shift; cat "$1" > "$2""#, "naive"];
    // Two processes, one the parent of the other, each writing one half with
    // dd, but the parent waits for the child before copying its own half.
    let serial = [
        "sh",
        "-c",
        r#"h=$(( $(stat -c %s "$1") / 2 ))
           dd if="$1" of="$2" bs=64K iflag=count_bytes count=$h conv=notrunc status=none & wait
           exec dd if="$1" of="$2" bs=64K iflag=skip_bytes skip=$h oflag=seek_bytes seek=$h conv=notrunc status=none"#,
        "serial",
    ];
    // Copies exactly, then claims wrong bytes it never counted.
    let liar = ["sh", "-c", r#"cp "$2" "$3"; echo "[parent $$] wrong_bytes=7""#, "liar"];
    // The same, but DST is opened once before the fork: the child writes
    // through the parent's descriptor (and its shared offset).
    let prefork = [
        "sh",
        "-c",
        r#"h=$(( $(stat -c %s "$1") / 2 )); exec 3<>"$2"
           dd if="$1" bs=64K iflag=count_bytes count=$h conv=notrunc status=none >&3 & wait
           exec dd if="$1" bs=64K iflag=skip_bytes skip=$h conv=notrunc status=none >&3"#,
        "prefork",
    ];
    let cases: &[(&[&str], &str, &str)] = &[
        (&cp, "two processes each wrote one half (seen by strace)", "exactly two processes, strace saw 1"),
        (&cp, "each process reports its role, PID, byte range and time", "from=A to=B"),
        (&cp, "Ctrl-C during the copy leaves no DST and no temp file", "must be empty afterwards"),
        (&background, "a killed child makes the parent fail and remove the temp file", "expected exit code 1"),
        (&naive, "refuses a missing SRC", "exit code 2"),
        (&naive, "refuses an existing DST without --force", "exit code 2"),
        (&naive_force, "refuses DST that is SRC, even with --force", "exit code 2"),
        (&naive, "a failed write (file size limit) leaves no DST and no temp file", "must be empty afterwards"),
        (&serial, "the parent copies its half before waiting for the child (seen by strace)", "before writing"),
        (&liar, "--shared-offset reports the wrong bytes it really got", "but comparing DST with SRC finds 0"),
        (&prefork, "each process opens SRC and DST itself after the fork (seen by strace)", "opened by process"),
    ];
    let failures: Vec<String> =
        cases.iter().filter_map(|(argv, check, why)| half_copy_check_fails(argv, check, why).err()).collect();
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
