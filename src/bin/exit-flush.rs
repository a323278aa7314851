//! Lab 11, exit-flush: `exit` flushes buffers, `_exit` does not, and a
//! buffer filled before `fork` exists in both processes.
//!
//! A *writer* process writes one line through a buffered C stream (stdio's
//! `FILE`, like Python's `sys.stdout`) into a pipe, without flushing, and
//! forks. The child ends with `exit()` (which flushes every stdio buffer:
//! its copy of the line goes out) or with `_exit()` (which flushes nothing);
//! the writer then flushes its own copy. The parent reads the pipe and counts
//! how many times the line arrived: twice with `exit`, once with `_exit`,
//! and once with `exit` when the stream is line-buffered, as it is on a
//! terminal. That is why every child in the kit ends with `_exit`.

use std::ffi::CString;
use std::io::Read;
use std::os::fd::AsRawFd;

use clap::{Parser, ValueEnum};
use labkit::{out, process, say, warn};
use nix::unistd::{ForkResult, getpid};

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Ending {
    /// The child calls exit(0): stdio buffers are flushed, atexit handlers run.
    Exit,
    /// The child calls _exit(0): the process ends at once, nothing is flushed.
    #[value(name = "_exit")]
    UnderscoreExit,
    /// One run of each.
    Both,
}

/// exit() flushes the stdio buffer the child copied at fork; _exit() does not.
#[derive(Parser)]
#[command(name = "exit-flush")]
struct Args {
    /// How the child ends.
    #[arg(long, value_enum, default_value = "both")]
    ending: Ending,
    /// Make the writer's stream line-buffered, as stdout is on a terminal.
    #[arg(long)]
    line_buffered: bool,
    /// A word that appears only in the buffered line, so the copies can be counted.
    #[arg(long, default_value = "hello-before-fork", value_parser = one_word)]
    text: String,
}

fn one_word(s: &str) -> Result<String, String> {
    let ok = !s.is_empty() && s.len() <= 64 && s.bytes().all(|b| b.is_ascii_graphic() && b != b'%');
    if ok { Ok(s.to_string()) } else { Err(format!("'{s}' should be one word of 1 to 64 visible characters")) }
}

/// One write(2) of a tagged line straight into the pipe: no buffer involved.
fn write_now(fd: i32, text: &str) {
    let line = format!("{} {text}\n", out::tag());
    // SAFETY: writes `line`'s bytes to an open descriptor.
    unsafe { libc::write(fd, line.as_ptr().cast(), line.len()) };
}

/// The writer: fill a stdio buffer, fork, let the child end as asked, flush.
fn writer(fd: i32, child_exit: bool, line_buffered: bool, text: &str) -> i32 {
    // SAFETY: a new FILE on our own descriptor; it is used by this process (and its forked copy) only.
    let stream = unsafe { libc::fdopen(fd, c"w".as_ptr()) };
    if stream.is_null() {
        warn!("fdopen failed: {}", nix::errno::Errno::last());
        return process::EXIT_FAILED;
    }
    if line_buffered {
        // SAFETY: set before the first write, as setvbuf requires.
        unsafe { libc::setvbuf(stream, std::ptr::null_mut(), libc::_IOLBF, 0) };
    }
    let line = CString::new(format!("{} text={text} written once, before fork(), into my stdio buffer\n", out::tag()))
        .expect("no NUL in the line");
    // SAFETY: writes a NUL-terminated string to a valid FILE.
    unsafe { libc::fputs(line.as_ptr(), stream) };
    write_now(fd, &format!("buffered one line, {} flushed; fork() now", if line_buffered { "already" } else { "not" }));

    // A raw fork: the kit's fork_child always ends in _exit, and this lab is about the difference.
    // SAFETY: the writer is single-threaded; the child only writes and exits.
    match unsafe { nix::unistd::fork() } {
        Err(e) => {
            warn!("fork failed: {e}");
            process::EXIT_FAILED
        }
        Ok(ForkResult::Child) => {
            out::set_role("child");
            if child_exit {
                write_now(fd, "ending with exit(0): it flushes my stdio buffers, then ends");
                // SAFETY: ends the process; exit() flushes the FILE's buffer first.
                unsafe { libc::exit(0) }
            }
            write_now(fd, "ending with _exit(0): nothing is flushed");
            // SAFETY: ends the process at once.
            unsafe { libc::_exit(0) }
        }
        Ok(ForkResult::Parent { child }) => {
            let reaped = process::wait_for(child);
            let how = reaped.map_or_else(|e| format!("waitpid failed: {e}"), |r| r.describe());
            write_now(fd, &format!("child {child} {how}; now I flush my own buffer (fclose)"));
            // SAFETY: flushes and closes the FILE, once.
            unsafe { libc::fclose(stream) };
            0
        }
    }
}

/// Run one case: a writer on a pipe; read everything from the pipe; count the copies.
fn case(ending: &str, child_exit: bool, args: &Args) -> bool {
    let (r, w) = nix::unistd::pipe().unwrap_or_else(|e| process::fail("pipe failed", e));
    let (r_fd, w_fd) = (r.as_raw_fd(), w.as_raw_fd());
    let line_buffered = args.line_buffered;
    let writer_pid = process::fork_child("writer", || {
        // SAFETY: the writer's copy of the read end; it never reads.
        unsafe { libc::close(r_fd) };
        writer(w_fd, child_exit, line_buffered, &args.text)
    })
    .unwrap_or_else(|e| process::fail("fork failed", e));
    // Our copy of the write end goes: the pipe ends when the writer's family is done.
    drop(w);

    let mut captured = String::new();
    let mut reader = std::fs::File::from(r);
    let _ = reader.read_to_string(&mut captured);
    let reaped = process::wait_for(writer_pid).unwrap_or_else(|e| process::fail("waitpid failed", e));
    for (i, l) in captured.lines().enumerate() {
        say!("pipe line {}: {l}", i + 1);
    }
    let copies: Vec<&str> =
        captured.lines().filter(|l| l.split_whitespace().any(|t| t == format!("text={}", args.text))).collect();
    let identical = copies.windows(2).all(|w| w[0] == w[1]);
    let buffering = if args.line_buffered { "line" } else { "full" };
    say!(
        "ending={ending} buffering={buffering} copies={} identical={}: the line written once before fork() came out of the pipe {} time(s); writer {}",
        copies.len(),
        out::yes_no(identical),
        copies.len(),
        reaped.describe()
    );
    let expected = if child_exit && !args.line_buffered { 2 } else { 1 };
    copies.len() == expected && identical && reaped.exit_code() == Some(0)
}

fn main() {
    let args: Args = labkit::start("parent");
    say!("getpid()={}: I read what my writer sends through a pipe", getpid());
    let mut ok = true;
    if matches!(args.ending, Ending::Exit | Ending::Both) {
        ok &= case("exit", true, &args);
    }
    if matches!(args.ending, Ending::UnderscoreExit | Ending::Both) {
        ok &= case("_exit", false, &args);
    }
    say!("as_expected={}", out::yes_no(ok));
    std::process::exit(if ok { 0 } else { process::EXIT_FAILED });
}
