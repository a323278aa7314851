//! Each student's programs run as a user of their own when a class is
//! graded as root (`labkit grade-class`, the Gradescope bundle).
//!
//! The grader stays root; only the programs drop to the student's user
//! (`labkit reap --as-user`). The kernel then keeps a student's program
//! from the other students' files (each student's copy of the submission
//! and scratch folders are theirs alone, mode 0700), from signalling any
//! process but its own, and from the grader's results and logs. Not root,
//! every program runs as the grader's own user, which the grade says.

use std::io;
use std::os::unix::fs::{MetadataExt as _, PermissionsExt as _};
use std::path::Path;

use crate::procfs;

/// The first student's user (and group) unless `--uid-base` says
/// otherwise: far above the users a system or a directory service hands
/// out (Debian's dynamic range ends at 59999, systemd's `DynamicUser`
/// takes 61184 to 65519), within Linux's 32-bit user IDs.
pub const BASE: u32 = 2_000_000_000;

/// Who the students' programs run as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Users {
    /// The grader's own user (not root, or `--same-user`).
    Grader,
    /// Student number `i` (in the class's sorted list) as user and group `base + i`.
    Own { base: u32 },
}

impl Users {
    /// The user student number `index` runs as, if one of their own.
    pub fn of(self, index: usize) -> Option<u32> {
        match self {
            Users::Grader => None,
            Users::Own { base } => Some(base + index as u32),
        }
    }

    /// One line for the grade's banner.
    pub fn describe(self, count: usize) -> String {
        match self {
            Users::Own { base } => format!(
                "each student's programs run as a user of their own (uid {base} to {}), so none can read \
                 another's files or signal another's processes",
                base as u64 + count.saturating_sub(1) as u64
            ),
            Users::Grader => "the students' programs run as this grader's own user (as root, each student gets \
                              a user of their own)"
                .into(),
        }
    }
}

/// Whether this process is root.
pub fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() == 0 }
}

/// Users of their own for `count` students from `base`, or why not: the
/// grader must be root, the users must exist in this (possibly
/// containerised) system's range and be nobody's (no line in
/// `/etc/passwd`, no process), and `labkit` must be reachable by them (the
/// traced checks run `labkit trace` as the student).
pub fn own(base: u32, count: usize, labkit: &Path) -> Result<Users, String> {
    if !is_root() {
        return Err("only root can run programs as other users".into());
    }
    let last = base as u64 + count.max(1) as u64 - 1;
    if last >= u32::MAX as u64 {
        return Err(format!("uids {base} to {last} do not fit in 32 bits: give a smaller --uid-base"));
    }
    let range = base..=last as u32;
    for map in ["uid_map", "gid_map"] {
        let text =
            std::fs::read_to_string(format!("/proc/self/{map}")).map_err(|e| format!("/proc/self/{map}: {e}"))?;
        let covered = text.lines().any(|l| {
            let n: Vec<u64> = l.split_whitespace().filter_map(|w| w.parse().ok()).collect();
            n.len() == 3 && n[0] <= base as u64 && last < n[0] + n[2]
        });
        if !covered {
            return Err(format!(
                "ids {base} to {last} are not mapped in this user namespace (/proc/self/{map}): give a --uid-base \
                 inside it"
            ));
        }
    }
    if let Ok(passwd) = std::fs::read_to_string("/etc/passwd") {
        let taken = passwd
            .lines()
            .find(|l| l.split(':').nth(2).and_then(|u| u.parse().ok()).is_some_and(|u| range.contains(&u)));
        if let Some(line) = taken {
            return Err(format!(
                "/etc/passwd already has a user in {base} to {last} ({line}): give another --uid-base"
            ));
        }
    }
    if let Some(pid) = procfs::all()
        .iter()
        .map(|s| s.pid)
        .find(|&p| procfs::status_field(p, "Uid").is_ok_and(|u| u <= u32::MAX as u64 && range.contains(&(u as u32))))
    {
        return Err(format!("process {pid} already runs as a user in {base} to {last}: give another --uid-base"));
    }
    reachable_by_all(labkit, true)?;
    reachable_by_all(&std::env::temp_dir(), true)?;
    Ok(Users::Own { base })
}

/// Whether every user can reach `path`: every folder above it lets others
/// through (`o+x`), and, with `run`, `path` too lets them in or run it.
pub fn reachable_by_all(path: &Path, run: bool) -> Result<(), String> {
    let path = std::fs::canonicalize(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut steps: Vec<&Path> = path.ancestors().skip(1).collect();
    if run {
        steps.insert(0, &path);
    }
    for p in steps {
        let mode = std::fs::metadata(p).map_err(|e| format!("{}: {e}", p.display()))?.permissions().mode();
        if mode & 0o001 == 0 {
            return Err(format!(
                "{} is closed to other users (mode {:o}), so the students' users cannot reach {}: open it (chmod \
                 o+x) or grade with --same-user",
                p.display(),
                mode & 0o7777,
                path.display()
            ));
        }
    }
    Ok(())
}

/// Copy the folder `from` into `to` (new) as `uid`'s, `to` itself private
/// (mode 0700). Symbolic links are copied as links, never followed (a link
/// to another student's file stays a link the student's user cannot
/// follow); anything but files, folders and links is left out.
pub fn copy_folder(from: &Path, to: &Path, uid: u32) -> io::Result<()> {
    std::fs::create_dir(to)?;
    std::fs::set_permissions(to, std::fs::Permissions::from_mode(0o700))?;
    copy_into(from, to, uid)?;
    std::os::unix::fs::lchown(to, Some(uid), Some(uid))
}

fn copy_into(from: &Path, to: &Path, uid: u32) -> io::Result<()> {
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let (src, dst) = (entry.path(), to.join(entry.file_name()));
        let kind = entry.file_type()?;
        if kind.is_symlink() {
            std::os::unix::fs::symlink(std::fs::read_link(&src)?, &dst)?;
        } else if kind.is_dir() {
            std::fs::create_dir(&dst)?;
            std::fs::set_permissions(&dst, std::fs::Permissions::from_mode(entry.metadata()?.mode() & 0o7777))?;
            copy_into(&src, &dst, uid)?;
        } else if kind.is_file() {
            std::fs::copy(&src, &dst)?;
        } else {
            continue;
        }
        std::os::unix::fs::lchown(&dst, Some(uid), Some(uid))?;
    }
    Ok(())
}

/// Kill (`SIGKILL`) every process running as `uid`, until none is left:
/// the backstop behind each run's supervisor, which already kills
/// everything a run made. Returns how many there were.
pub fn sweep(uid: u32) -> usize {
    let mut killed = std::collections::HashSet::new();
    for _ in 0..50 {
        let left: Vec<i32> = procfs::all()
            .iter()
            .filter(|s| !s.is_zombie()) // a zombie is its parent's to reap
            .map(|s| s.pid)
            .filter(|&p| procfs::status_field(p, "Uid").is_ok_and(|u| u == uid as u64))
            .collect();
        if left.is_empty() {
            break;
        }
        for pid in left {
            let _ = nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), nix::sys::signal::Signal::SIGKILL);
            killed.insert(pid);
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    killed.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_student_has_a_user_of_their_own() {
        assert_eq!(Users::Own { base: 5000 }.of(0), Some(5000));
        assert_eq!(Users::Own { base: 5000 }.of(7), Some(5007));
        assert_eq!(Users::Grader.of(7), None);
    }

    #[test]
    fn the_root_folder_is_reachable_and_a_private_one_is_not() {
        assert!(reachable_by_all(Path::new("/"), true).is_ok());
        let dir = std::env::temp_dir().join(format!("labkit-users-test-{}", std::process::id()));
        let inner = dir.join("inner");
        std::fs::create_dir_all(&inner).unwrap();
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700)).unwrap();
        let err = reachable_by_all(&inner, true).unwrap_err();
        assert!(err.contains("is closed to other users (mode 700)"), "{err}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
