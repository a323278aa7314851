//! CPU-bound work, for the labs that need a process that computes and never
//! blocks (states' `R`, priority's two competitors, parallel's workers),
//! and the process's own account of the CPU it got.

use std::os::fd::AsFd;
use std::time::Duration;

use nix::poll::{PollFd, PollFlags, PollTimeout, poll};

/// Additions per slice of [`spin_until`]: between two looks at `stop`.
const SLICE: u64 = 10_000;

/// Compute (additions the compiler may not skip) until `stop()` says so,
/// asking it between slices of [`SLICE`] additions, so the process never
/// blocks: its time is all CPU, and it gives the CPU up only when the
/// scheduler takes it. Returns how many additions it did.
pub fn spin_until(mut stop: impl FnMut() -> bool) -> u64 {
    let mut done: u64 = 0;
    while !stop() {
        for _ in 0..SLICE {
            done = std::hint::black_box(done + 1);
        }
    }
    done
}

/// Whether `fd` has something to read (a byte, or end of file once every
/// write end is closed), asked without waiting (`poll` with a zero
/// timeout): a spinning child's way to hear "stop" from its parent without
/// ever blocking.
pub fn has_input(fd: impl AsFd) -> bool {
    let mut fds = [PollFd::new(fd.as_fd(), PollFlags::POLLIN)];
    poll(&mut fds, PollTimeout::ZERO).is_ok_and(|n| n > 0)
}

/// The CPU time this process has used so far, user and system
/// (`clock_gettime(CLOCK_PROCESS_CPUTIME_ID)`): the kernel's account, not
/// the wall clock, so the same on an idle and a busy machine.
pub fn process_time() -> Duration {
    let mut t = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: writes the calling process's CPU time into `t`.
    unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut t) };
    Duration::new(t.tv_sec as u64, t.tv_nsec as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spinning_uses_cpu_and_stops_when_told() {
        let start = process_time();
        let mut asked = 0;
        let done = spin_until(|| {
            asked += 1;
            asked > 3
        });
        assert_eq!(done, 3 * SLICE);
        assert!(process_time() >= start);
    }

    #[test]
    fn a_pipe_has_input_once_written_or_closed() {
        let (r, w) = nix::unistd::pipe().unwrap();
        assert!(!has_input(&r));
        nix::unistd::write(&w, b"x").unwrap();
        assert!(has_input(&r));
        let (r2, w2) = nix::unistd::pipe().unwrap();
        drop(w2);
        assert!(has_input(&r2), "end of file counts as input");
    }
}
