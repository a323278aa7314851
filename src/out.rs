//! Output tagging: every line a lab prints says who printed it.
//!
//! A process has a *role* (`parent`, `child`, `reaper`, ...). [`say!`] prints
//! `[role PID] message` with the PID read at the moment of printing, so a line
//! printed after `fork` carries the new process's PID without any bookkeeping.
//! Each line goes out in a single `write(2)`, so lines from two processes
//! sharing a terminal or a pipe never mix inside a line.
//!
//! [`say!`]: crate::say

use std::io::Write;
use std::sync::Mutex;

static ROLE: Mutex<&'static str> = Mutex::new("main");

/// Name the role of the calling process (its lines will say `[role PID]`).
pub fn set_role(role: &'static str) {
    *ROLE.lock().unwrap_or_else(|e| e.into_inner()) = role;
}

/// The role of the calling process.
pub fn role() -> &'static str {
    *ROLE.lock().unwrap_or_else(|e| e.into_inner())
}

/// The tag that starts every line: `[role PID]`.
pub fn tag() -> String {
    format!("[{} {}]", role(), std::process::id())
}

/// Print one tagged line on stdout in a single write. Used by [`say!`](crate::say).
pub fn emit(args: std::fmt::Arguments<'_>) {
    let line = format!("{} {}\n", tag(), args);
    let mut out = std::io::stdout().lock();
    // A closed stdout (e.g. `| head`) must not panic a lab mid-lesson.
    let _ = out.write_all(line.as_bytes()).and_then(|()| out.flush());
}

/// Print one tagged line on stderr in a single write. Used by [`warn!`](crate::warn).
pub fn emit_err(args: std::fmt::Arguments<'_>) {
    let line = format!("{} {}\n", tag(), args);
    let _ = std::io::stderr().lock().write_all(line.as_bytes());
}

/// Print a tagged line on stdout: `say!("a = {a}")` prints `[child 4243] a = 1`.
#[macro_export]
macro_rules! say {
    ($($arg:tt)*) => { $crate::out::emit(format_args!($($arg)*)) };
}

/// Print a tagged line on stderr (errors and warnings).
#[macro_export]
macro_rules! warn {
    ($($arg:tt)*) => { $crate::out::emit_err(format_args!($($arg)*)) };
}

/// `yes` or `NO`: how labs print the outcome of a check they made (the
/// capitals make a failed one stand out).
pub fn yes_no(ok: bool) -> &'static str {
    if ok { "yes" } else { "NO" }
}

/// Flush stdout and stderr: done before `fork` so that nothing buffered is
/// printed twice (once by each process).
pub fn flush_all() {
    let _ = std::io::stdout().flush();
    let _ = std::io::stderr().flush();
}

/// For a command whose output may go to a reader that stops early
/// (`labkit grade | head`): Rust ignores `SIGPIPE`, so once the reader has
/// gone a `println!` fails with `EPIPE` and panics. With this hook, that
/// panic ends the process the way `SIGPIPE` ends `ls | head`: quietly,
/// killed by `SIGPIPE` (no message, no backtrace). Any other panic is
/// reported as before. (`SIGPIPE` itself stays ignored: the grader writes
/// to students' programs, and one that closes its stdin must not kill it.)
pub fn end_quietly_when_stdout_is_gone() {
    let report = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let message = info.payload().downcast_ref::<String>().map_or("", String::as_str);
        if message.starts_with("failed printing to stdout") && stdout_is_gone() {
            let _ = crate::signals::kill_self(nix::sys::signal::Signal::SIGPIPE);
        }
        report(info)
    }));
}

/// Whether stdout is a pipe or socket whose reader has gone (`poll` sees
/// `POLLERR`/`POLLHUP` on it).
fn stdout_is_gone() -> bool {
    use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
    let stdout = std::io::stdout();
    let mut fds = [PollFd::new(std::os::fd::AsFd::as_fd(&stdout), PollFlags::POLLOUT)];
    poll(&mut fds, PollTimeout::ZERO).is_ok()
        && fds[0].revents().is_some_and(|r| r.intersects(PollFlags::POLLERR | PollFlags::POLLHUP))
}

/// A parsed tagged line `[role PID] text`, as graders read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tagged {
    pub role: String,
    pub pid: i32,
    pub text: String,
}

impl Tagged {
    /// Parse `[role PID] text`; `None` for a line without the tag.
    pub fn parse(line: &str) -> Option<Tagged> {
        let rest = line.strip_prefix('[')?;
        let (inside, text) = rest.split_once(']')?;
        let (role, pid) = inside.rsplit_once(' ')?;
        let pid = pid.parse().ok()?;
        if role.is_empty() || role.contains(char::is_whitespace) {
            return None;
        }
        Some(Tagged { role: role.to_string(), pid, text: text.strip_prefix(' ').unwrap_or(text).to_string() })
    }

    /// The value of a `key=value` fact in the text (values hold no spaces).
    pub fn fact(&self, key: &str) -> Option<&str> {
        fact(&self.text, key)
    }
}

/// The value of the `key=value` token in `text`, if any.
///
/// Labs print the facts a grader reads as `key=value` tokens, e.g.
/// `[child 4243] getpid()=4243 getppid()=4242`. Punctuation that ends a
/// sentence or a clause right after a value is not part of it
/// (`errno=ECHILD:`, `code=3.`, `pid=42,`, `a=5)`, and their full-width
/// forms), nor are quotes around it (`name='bob'`); brackets that open
/// inside the value stay (`v=[1,2,3]`).
pub fn fact<'a>(text: &'a str, key: &str) -> Option<&'a str> {
    text.split_whitespace().find_map(|tok| {
        let (k, v) = tok.split_once('=')?;
        (k == key).then(|| clean_value(v))
    })
}

/// A fact's value without the punctuation around it (see [`fact`]).
fn clean_value(v: &str) -> &str {
    const TRAILING: &[char] = &[',', ';', ':', '.', '!', '?', '，', '；', '：', '。', '！', '？', '、'];
    const QUOTES: &[char] = &['\'', '"', '`', '‘', '’', '“', '”'];
    let mut v = v.trim_end_matches(TRAILING);
    // A closing bracket belongs to the value only if the value opened it.
    for (open, close) in [('(', ')'), ('[', ']'), ('{', '}'), ('（', '）')] {
        while v.ends_with(close) && v.matches(close).count() > v.matches(open).count() {
            v = v[..v.len() - close.len_utf8()].trim_end_matches(TRAILING);
        }
    }
    let v = v.trim_matches(QUOTES);
    v.trim_end_matches(TRAILING)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_tagged_lines_and_facts() {
        let t = Tagged::parse("[child 4243] a=10000 at &a=0x7ffd, ok").unwrap();
        assert_eq!(t.role, "child");
        assert_eq!(t.pid, 4243);
        assert_eq!(t.fact("a"), Some("10000"));
        assert_eq!(t.fact("&a"), Some("0x7ffd"));
        assert_eq!(t.fact("b"), None);
        assert!(Tagged::parse("no tag here").is_none());
        assert!(Tagged::parse("[child x] bad pid").is_none());
        assert!(Tagged::parse("[two words 12] hi").is_none());
    }

    #[test]
    fn a_fact_ends_before_the_punctuation_after_it() {
        let value = |text: &str, key: &str| fact(text, key).map(str::to_string);
        assert_eq!(value("wait() failed: errno=ECHILD: no children", "errno").as_deref(), Some("ECHILD"));
        assert_eq!(value("exited code=3.", "code").as_deref(), Some("3"));
        assert_eq!(value("child pid=42, code=0;", "pid").as_deref(), Some("42"));
        assert_eq!(value("(child pid=42)", "pid").as_deref(), Some("42"));
        assert_eq!(value("name='bob'", "name").as_deref(), Some("bob"));
        assert_eq!(value("code=\"7\",", "code").as_deref(), Some("7"));
        assert_eq!(value("结束 code=5。", "code").as_deref(), Some("5"));
        assert_eq!(value("v=[5,2,3].", "v").as_deref(), Some("[5,2,3]"));
        assert_eq!(value("getpid()=4243", "getpid()").as_deref(), Some("4243"));
        assert_eq!(value("addr=0x7ffd", "addr").as_deref(), Some("0x7ffd"));
        assert_eq!(value("key=", "key").as_deref(), Some(""));
    }
}
