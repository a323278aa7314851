//! Lab 1, fork-copy: `fork` copies the parent's memory.
//!
//! Values made before `fork` (an integer on the stack, a `String` and a
//! `Vec` on the heap) exist in both processes afterwards, at the *same*
//! virtual addresses. The child changes its copies; the parent, once the
//! child has ended, still sees its own values: two address spaces.

use clap::Parser;
use labkit::{delay, out, process, say};
use nix::unistd::{ForkResult, fork};
use std::time::Duration;

/// fork copies memory: the child changes its copies, the parent's stay.
#[derive(Parser)]
#[command(name = "fork-copy")]
struct Args {
    /// The integer's value before the fork (the course's a=1).
    #[arg(long, default_value_t = 1, allow_negative_numbers = true)]
    start: i64,
    /// The value the child gives its copy (the course's a=10000).
    #[arg(long, default_value_t = 10000, allow_negative_numbers = true)]
    child_value: i64,
    /// How long the child lives after changing its copies (watch `ps` meanwhile).
    #[arg(long, default_value = "1s", value_parser = delay::parse)]
    delay: Duration,
}

/// One line of facts: each value and the address it lives at (`&a`, and
/// the heap buffers of the `String` and the `Vec`).
fn show(what: &str, a: &i64, s: &str, v: &[i64]) {
    let items: Vec<String> = v.iter().map(i64::to_string).collect();
    say!("{what}: a={a} a_addr={:p} s={s} s_addr={:p} v=[{}] v_addr={:p}", a, s.as_ptr(), items.join(","), v.as_ptr());
}

fn main() {
    let args: Args = labkit::start("parent");

    // Made before the fork: one on the stack, two with heap buffers.
    let mut a: i64 = args.start;
    let mut s = String::from("made-by-parent");
    let mut v: Vec<i64> = vec![args.start, 2, 3];
    show("before fork", &a, &s, &v);

    out::flush_all(); // nothing buffered may be copied into the child: it would be printed twice
    // fork returns twice: in the parent with the child's PID, in the child with 0.
    // SAFETY: the lab is single-threaded; the child leaves through `_exit`.
    let child = match unsafe { fork() } {
        Ok(ForkResult::Parent { child }) => child,
        Ok(ForkResult::Child) => {
            out::set_role("child");
            show("my copies after fork", &a, &s, &v);
            a = args.child_value;
            s.make_ascii_uppercase(); // changes the bytes in place, in the child's copy of the buffer
            v[0] = args.child_value;
            show("changed my copies", &a, &s, &v);
            delay::pause(args.delay);
            process::exit_child(0) // _exit(0): never run on into the parent's code below
        }
        Err(e) => process::fail("fork failed", e),
    };
    say!("fork() returned child={child}; waiting for it");

    let reaped = process::wait_for(child).unwrap_or_else(|e| process::fail("waitpid failed", e));
    say!("child {} {}", reaped.pid, reaped.describe());
    show("after the child ended", &a, &s, &v);

    // Check, not claim: are the parent's values what they were before the fork?
    let unchanged = a == args.start && s == "made-by-parent" && v == [args.start, 2, 3];
    say!("my values unchanged={}", out::yes_no(unchanged));
    std::process::exit(if unchanged && reaped.exit_code() == Some(0) { 0 } else { process::EXIT_FAILED });
}
