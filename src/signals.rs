//! Signal names as students type them: `KILL`, `SIGKILL`, `kill`, `9`.
//!
//! [`parse_terminating`] is a clap `value_parser` for flags that name a
//! signal meant to end a process: it refuses signals whose default action
//! does not terminate (`SIGCHLD`, `SIGCONT`, `SIGSTOP`, `SIGTSTP`, ...), with
//! a message that says why.

use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};

use nix::sys::signal::Signal;

/// Parse a signal name or number: `KILL`, `SIGKILL`, `sigkill`, `kill`, `9`.
pub fn parse(text: &str) -> Result<Signal, String> {
    let t = text.trim();
    if let Ok(n) = t.parse::<i32>() {
        return Signal::try_from(n).map_err(|_| {
            format!("'{text}' is not a signal number this lab supports: 1 to 31 (real-time signals are not supported)")
        });
    }
    let upper = t.to_ascii_uppercase();
    let name = upper.strip_prefix("SIG").unwrap_or(&upper);
    let name = match name {
        "IOT" => "ABRT",
        "POLL" => "IO",
        other => other,
    };
    format!("SIG{name}").parse().map_err(|_| format!("'{text}' is not a signal name (examples: TERM, SIGKILL, 9)"))
}

/// What the signal's *default* action does when it does not end the
/// process (signal(7)): `Some("ignores it")` for `SIGCHLD`, `Some("stops
/// the process")` for `SIGSTOP`, ...; `None` when it ends the process
/// (`Term` or `Core`).
pub fn default_action_if_not_fatal(sig: Signal) -> Option<&'static str> {
    use Signal::*;
    match sig {
        SIGCHLD | SIGURG | SIGWINCH => Some("ignores it"),
        SIGSTOP | SIGTSTP | SIGTTIN | SIGTTOU => Some("stops the process"),
        SIGCONT => Some("continues a stopped process"),
        _ => None,
    }
}

/// Whether the signal's default action ends the process.
pub fn terminates_by_default(sig: Signal) -> bool {
    default_action_if_not_fatal(sig).is_none()
}

/// Parse a signal that ends a process by default; for clap's `value_parser`.
pub fn parse_terminating(text: &str) -> Result<Signal, String> {
    let sig = parse(text)?;
    match default_action_if_not_fatal(sig) {
        None => Ok(sig),
        Some(action) => Err(format!(
            "{} does not end a process: its default action {action}; pick one that does, e.g. TERM, INT, KILL",
            sig.as_str()
        )),
    }
}

/// End the calling process by the signal `sig`, the way a signal from
/// elsewhere would: restore its default action (a Rust program starts with
/// `SIGPIPE` ignored, and `nohup` leaves `SIGHUP` ignored), unblock it, and
/// send it with `kill(getpid(), sig)`. Returns only if the process survived.
pub fn kill_self(sig: Signal) -> nix::Result<()> {
    use nix::sys::signal::{SigHandler, SigSet, kill, signal};
    if !matches!(sig, Signal::SIGKILL | Signal::SIGSTOP) {
        // SAFETY: installs the default action, no handler code runs.
        unsafe { signal(sig, SigHandler::SigDfl) }?;
    }
    let mut set = SigSet::empty();
    set.add(sig);
    set.thread_unblock()?;
    kill(nix::unistd::getpid(), sig)
}

/// The signals that ask a supervising process (a reaper) to stop: Ctrl-C,
/// `kill`, a closed terminal.
pub const STOP_SIGNALS: [Signal; 3] = [Signal::SIGINT, Signal::SIGTERM, Signal::SIGHUP];

/// The kit's one stop flag: the last of [`STOP_SIGNALS`] that came (0 for
/// none), how many came, and whether the last came from the terminal.
static STOP_NOTED: AtomicI32 = AtomicI32::new(0);
static STOP_COUNT: AtomicI32 = AtomicI32::new(0);
static STOP_FROM_TERMINAL: AtomicBool = AtomicBool::new(false);

extern "C" fn note_stop(sig: libc::c_int, info: *mut libc::siginfo_t, _: *mut libc::c_void) {
    // SAFETY: the kernel passes a valid siginfo to an SA_SIGINFO handler.
    let code = unsafe { (*info).si_code };
    STOP_FROM_TERMINAL.store(code == libc::SI_KERNEL, Ordering::SeqCst);
    STOP_NOTED.store(sig, Ordering::SeqCst);
    STOP_COUNT.fetch_add(1, Ordering::SeqCst);
}

/// Catch [`STOP_SIGNALS`] instead of dying of them: the handler only notes
/// which one came, for [`stop_noted`]. A reaper uses this to outlive Ctrl-C
/// (which signals its whole family) long enough to reap everyone; half-copy
/// to stop between chunks and remove what it created; `labkit grade` to give
/// up the running check; the tracer to pass a stop on, or end the family
/// on a second one ([`stops_noted`]). A child forked afterwards inherits the
/// handler; `exec` resets caught signals to their default, so programs
/// started with it are not affected.
pub fn note_stop_signals() -> nix::Result<()> {
    use nix::sys::signal::{SaFlags, SigAction, SigHandler, SigSet, sigaction};
    let action = SigAction::new(SigHandler::SigAction(note_stop), SaFlags::empty(), SigSet::empty());
    for sig in STOP_SIGNALS {
        // SAFETY: the handler only stores to atomics.
        unsafe { sigaction(sig, &action) }?;
    }
    Ok(())
}

/// The stop signal that has arrived since [`note_stop_signals`], if any.
pub fn stop_noted() -> Option<Signal> {
    Signal::try_from(STOP_NOTED.load(Ordering::SeqCst)).ok()
}

/// What [`note_stop_signals`] has noted so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stops {
    /// How many stop signals came.
    pub count: i32,
    /// The last one, if any.
    pub last: Option<Signal>,
    /// Whether the last came from the terminal (`SI_KERNEL`: Ctrl-C or a
    /// hang-up signals the whole foreground group) rather than from a
    /// `kill` aimed at this process.
    pub from_terminal: bool,
}

/// The stop signals noted so far ([`Stops`]).
pub fn stops_noted() -> Stops {
    Stops {
        count: STOP_COUNT.load(Ordering::SeqCst),
        last: stop_noted(),
        from_terminal: STOP_FROM_TERMINAL.load(Ordering::SeqCst),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_names_numbers_and_refuses_the_rest() {
        for t in ["KILL", "SIGKILL", "kill", "sigKill", "9", " 9 "] {
            assert_eq!(parse(t), Ok(Signal::SIGKILL), "{t}");
        }
        assert_eq!(parse("iot"), Ok(Signal::SIGABRT));
        assert_eq!(parse("POLL"), Ok(Signal::SIGIO));
        assert!(parse("NOPE").is_err());
        assert!(parse("0").is_err());
        assert!(parse("65").is_err());
        assert!(parse("").is_err());
        assert_eq!(parse_terminating("term"), Ok(Signal::SIGTERM));
        for t in ["CHLD", "SIGCONT", "stop", "TSTP", "TTIN", "TTOU", "URG", "WINCH", "17"] {
            let e = parse_terminating(t).unwrap_err();
            assert!(e.contains("does not end a process: its default action"), "{t}: {e}");
        }
    }
}
