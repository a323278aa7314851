//! Fair under load: a grade depends on the program alone, not on how busy
//! the grading machine is. Every program of `tests/broken/` is graded (see
//! `tests/common/homework.rs`), with the kit's own programs, with two
//! CPU-bound processes running beside the grader: each lab's correct
//! controls, in Python and in C, and the kit's programs score full marks,
//! and each wrong program still fails the checks aimed at its bugs (the
//! checks its header names). Then the controls and the kit's programs
//! again, with the grader, the programs and one CPU-bound process all
//! pinned to one core.
//!
//! A test binary of its own, so that its load slows no other test: cargo
//! runs test binaries one after the other.

mod common;
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, MutexGuard};

use common::homework::{self, Homework, Scope, assert_graded};

/// One scenario at a time: the test harness would otherwise run them side
/// by side, and each would be graded under the other's load too.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

fn one_at_a_time() -> MutexGuard<'static, ()> {
    ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner())
}

/// CPU-bound processes, killed and reaped when dropped (also when a test fails).
struct Load(Vec<Child>);

impl Load {
    /// `n` busy loops, started from the calling thread (so they share its CPU affinity).
    fn start(n: usize) -> Load {
        let start = || {
            Command::new("sh")
                .args(["-c", "while :; do :; done"])
                .stdin(Stdio::null())
                .spawn()
                .expect("start a CPU-bound sh")
        };
        Load((0..n).map(|_| start()).collect())
    }
}

impl Drop for Load {
    fn drop(&mut self) {
        for c in &mut self.0 {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// Pin the calling thread to the first CPU it may run on, as `taskset -c
/// CPU` does for a command: every thread it starts from now on, and every
/// process those start, inherit it.
fn pin_this_thread_to_one_cpu() {
    // SAFETY: a zeroed cpu_set_t is a valid empty set; the CPU_* macros
    // read and write inside the set passed to them.
    unsafe {
        let mut set: libc::cpu_set_t = std::mem::zeroed();
        let size = std::mem::size_of::<libc::cpu_set_t>();
        assert_eq!(libc::sched_getaffinity(0, size, &mut set), 0, "{}", std::io::Error::last_os_error());
        let cpu = (0..libc::CPU_SETSIZE as usize).find(|&c| libc::CPU_ISSET(c, &set)).expect("a CPU to run on");
        libc::CPU_ZERO(&mut set);
        libc::CPU_SET(cpu, &mut set);
        assert_eq!(libc::sched_setaffinity(0, size, &set), 0, "CPU {cpu}: {}", std::io::Error::last_os_error());
    }
}

/// Every program of `tests/broken/` and the kit's.
fn all() -> Vec<Homework> {
    homework::programs().into_iter().chain(homework::kit()).collect()
}

#[test]
fn controls_score_full_marks_and_bugs_are_caught_beside_two_cpu_bound_processes() {
    let _turn = one_at_a_time();
    let programs = all();
    let _load = Load::start(2);
    assert_graded("beside two CPU-bound processes", &programs, Scope::Aimed, 4);
}

#[test]
fn controls_score_full_marks_pinned_to_one_core_with_a_cpu_bound_process() {
    let _turn = one_at_a_time();
    // A thread of its own, so that the pinning ends with it.
    std::thread::spawn(|| {
        pin_this_thread_to_one_cpu();
        let controls: Vec<Homework> = all().into_iter().filter(Homework::is_control).collect();
        let _load = Load::start(1);
        assert_graded("pinned to one core with a CPU-bound process", &controls, Scope::Grade, 2);
    })
    .join()
    .unwrap_or_else(|e| std::panic::resume_unwind(e));
}
