//! `labkit watch LAB -- COMMAND`: `labkit check` again each time a file of
//! the student's program is saved (inotify on the current folder and the
//! folders of the command's files), keeping the last result on screen, as
//! rustlings' watch mode does. `q` quits.

use std::os::fd::AsFd;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
use nix::sys::inotify::{AddWatchFlags, InitFlags, Inotify};
use nix::sys::termios::{self, LocalFlags, SetArg};

use super::check::CheckArgs;
use crate::cli::grade::{self, Target};
use crate::process;

/// The terminal in a mode where one key press is read at once, without
/// echo; restored when dropped.
struct KeyMode(Option<termios::Termios>);

impl KeyMode {
    fn new() -> KeyMode {
        let stdin = std::io::stdin();
        let Ok(old) = termios::tcgetattr(stdin.as_fd()) else { return KeyMode(None) };
        let mut raw = old.clone();
        raw.local_flags.remove(LocalFlags::ICANON | LocalFlags::ECHO);
        let _ = termios::tcsetattr(stdin.as_fd(), SetArg::TCSANOW, &raw);
        KeyMode(Some(old))
    }
}

impl Drop for KeyMode {
    fn drop(&mut self) {
        if let Some(old) = &self.0 {
            let _ = termios::tcsetattr(std::io::stdin().as_fd(), SetArg::TCSANOW, old);
        }
    }
}

/// The folders to watch: the current one and those of the command's files.
fn folders(command: &[String]) -> Vec<PathBuf> {
    let mut dirs = vec![PathBuf::from(".")];
    for w in command {
        let p = Path::new(w);
        if p.is_file()
            && let Some(d) = p.parent().filter(|d| !d.as_os_str().is_empty())
            && !dirs.iter().any(|x| x == d)
        {
            dirs.push(d.to_path_buf());
        }
    }
    dirs
}

/// Whether a changed file's name is the student's (not the progress file,
/// an editor's swap file or Python's cache).
fn counts(name: &std::ffi::OsStr) -> bool {
    let n = name.to_string_lossy();
    !(n.starts_with('.') || n.ends_with('~') || n.ends_with(".swp") || n == "__pycache__" || n == "4913")
}

/// Start `labkit check ARGS` on the terminal, the screen cleared first.
fn start_check(labkit: &Path, args: &CheckArgs, name: &str) -> std::io::Result<Child> {
    print!("\x1b[2J\x1b[H");
    let _ = std::io::Write::flush(&mut std::io::stdout());
    let mut cmd = Command::new(labkit);
    cmd.arg("check").arg(name).arg("--timeout").arg(format!("{}ms", args.timeout.as_millis()));
    if let Some(s) = args.seed {
        cmd.arg("--seed").arg(s.to_string());
    }
    cmd.arg("--").args(&args.command).stdin(Stdio::null()).env_remove("CARGO").spawn()
}

/// `labkit watch`.
pub fn main(args: &CheckArgs, labkit: &Path) -> i32 {
    let usage = |msg: String| {
        eprintln!("labkit watch: {msg}");
        process::EXIT_USAGE
    };
    if let Err(e) = super::check::one_program(args.lab) {
        return usage(e);
    }
    let name = match args.lab {
        Target::Lab(l) => l.id,
        Target::Program(_, b) => b.name,
    };
    let inotify = match Inotify::init(InitFlags::IN_NONBLOCK | InitFlags::IN_CLOEXEC) {
        Ok(i) => i,
        Err(e) => return usage(format!("inotify: {e}")),
    };
    let flags = AddWatchFlags::IN_CLOSE_WRITE | AddWatchFlags::IN_MOVED_TO | AddWatchFlags::IN_CREATE;
    for d in folders(&args.command) {
        if let Err(e) = inotify.add_watch(&d, flags) {
            return usage(format!("cannot watch {}: {e}", d.display()));
        }
    }
    grade::catch_stop_signals();
    let _keys = KeyMode::new();
    let mut child = match start_check(labkit, args, name) {
        Ok(c) => Some(c),
        Err(e) => return usage(format!("cannot run {}: {e}", labkit.display())),
    };
    let mut pending = false;
    let mut stdin_open = true;
    loop {
        if grade::stopped() {
            break;
        }
        if let Some(c) = child.as_mut()
            && !matches!(c.try_wait(), Ok(None))
        {
            child = None;
            println!("\n[watch] waiting for a file to be saved; q quits");
        }
        if child.is_none() && pending {
            pending = false;
            child = start_check(labkit, args, name).ok();
        }
        let stdin = std::io::stdin();
        let mut fds = vec![PollFd::new(inotify.as_fd(), PollFlags::POLLIN)];
        if stdin_open {
            fds.push(PollFd::new(stdin.as_fd(), PollFlags::POLLIN));
        }
        if poll(&mut fds, PollTimeout::from(100u16)).unwrap_or(0) == 0 {
            continue;
        }
        let key = stdin_open && fds.get(1).and_then(PollFd::revents).is_some_and(|r| !r.is_empty());
        let changed = fds[0].revents().is_some_and(|r| r.contains(PollFlags::POLLIN));
        if key {
            let mut b = [0u8; 64];
            match nix::unistd::read(stdin.as_fd(), &mut b) {
                Ok(0) | Err(_) => stdin_open = false,
                Ok(n) if b[..n].iter().any(|&c| c == b'q' || c == b'Q') => break,
                Ok(_) => {}
            }
        }
        if changed {
            // Let an editor finish saving, then take every event at once.
            std::thread::sleep(Duration::from_millis(100));
            let events = inotify.read_events().unwrap_or_default();
            if events.iter().any(|e| e.name.as_deref().is_some_and(counts)) {
                if let Some(c) = child.as_mut() {
                    // A new save: the running check is out of date.
                    let _ = nix::sys::signal::kill(
                        nix::unistd::Pid::from_raw(c.id() as i32),
                        nix::sys::signal::Signal::SIGTERM,
                    );
                }
                pending = true;
            }
        }
    }
    if let Some(mut c) = child {
        let _ = nix::sys::signal::kill(nix::unistd::Pid::from_raw(c.id() as i32), nix::sys::signal::Signal::SIGTERM);
        let _ = c.wait();
    }
    println!("[watch] bye");
    0
}
