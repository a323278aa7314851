//! The manifest: the one list of the labs, in course order. The `labkit`
//! CLI, the graders, the tests and the docs all read it, so adding a lab is
//! one entry here (plus its binary, handout and checks).

use crate::checks::{self, Check};

/// One lab of the course.
#[derive(Debug)]
pub struct Lab {
    /// Course order; the handout is `labs/NN-<id>.md`.
    pub number: u32,
    /// The lab id: the name of its binary (or of its first binary).
    pub id: &'static str,
    /// The one concept the lab shows.
    pub concept: &'static str,
    /// The programs a student runs for this lab, each with its graders.
    pub bins: &'static [LabBin],
    /// The handout, `labs/NN-<id>.md`, built into the binary: a `labkit`
    /// copied alone (onto Gradescope, or a student's laptop) still has the
    /// hints its grading contract gives for each check.
    pub text: &'static str,
}

/// One program of a lab and the checks that grade it (run against the kit's
/// binary of that name, or a student's program in its place).
#[derive(Debug)]
pub struct LabBin {
    /// The binary's name (`src/bin/<name>.rs`).
    pub name: &'static str,
    pub checks: &'static [Check],
}

impl Lab {
    /// The handout's path, relative to the kit's top folder.
    pub fn handout(&self) -> String {
        format!("labs/{:02}-{}.md", self.number, self.id)
    }

    /// The program of this lab called `name`.
    pub fn bin(&self, name: &str) -> Option<&'static LabBin> {
        self.bins.iter().find(|b| b.name == name)
    }
}

/// Every lab, in course order.
pub const LABS: &[Lab] = &[
    Lab {
        number: 1,
        id: "fork-copy",
        concept: "fork copies memory: same addresses, separate values",
        bins: &[LabBin { name: "fork-copy", checks: checks::fork_copy::CHECKS }],
        text: include_str!("../labs/01-fork-copy.md"),
    },
    Lab {
        number: 2,
        id: "pids",
        concept: "getpid, getppid and fork's return value, checked against each other",
        bins: &[LabBin { name: "pids", checks: checks::pids::CHECKS }],
        text: include_str!("../labs/02-pids.md"),
    },
    Lab {
        number: 3,
        id: "wait-status",
        concept: "wait returns the child's PID and a status: exit code * 256, or the signal",
        bins: &[LabBin { name: "wait-status", checks: checks::wait_status::CHECKS }],
        text: include_str!("../labs/03-wait-status.md"),
    },
    Lab {
        number: 4,
        id: "zombie",
        concept: "an ended child is a zombie (state Z) until its parent waits for it",
        bins: &[LabBin { name: "zombie", checks: checks::zombie::CHECKS }],
        text: include_str!("../labs/04-zombie.md"),
    },
    Lab {
        number: 5,
        id: "orphan",
        concept: "the parent exits first: the nearest subreaper (or PID 1) adopts the orphan",
        bins: &[LabBin { name: "orphan", checks: checks::orphan::CHECKS }],
        text: include_str!("../labs/05-orphan.md"),
    },
    Lab {
        number: 6,
        id: "double-fork",
        concept: "double fork: the orphaned grandchild runs on, no zombie is left",
        bins: &[LabBin { name: "double-fork", checks: checks::double_fork::CHECKS }],
        text: include_str!("../labs/06-double-fork.md"),
    },
    Lab {
        number: 7,
        id: "sigchld-ignore",
        concept: "SIGCHLD=SIG_IGN: the kernel reaps the children, wait() fails with ECHILD",
        bins: &[LabBin { name: "sigchld-ignore", checks: checks::sigchld_ignore::CHECKS }],
        text: include_str!("../labs/07-sigchld-ignore.md"),
    },
    Lab {
        number: 8,
        id: "half-copy",
        concept: "parent and child each copy half of a file: own opens, positioned I/O",
        bins: &[LabBin { name: "half-copy", checks: checks::half_copy::CHECKS }],
        text: include_str!("../labs/08-half-copy.md"),
    },
    Lab {
        number: 9,
        id: "chat",
        concept: "capstone: UDP group chat; a server with an admin child, a client as sender + receiver",
        bins: &[
            LabBin { name: "chat-server", checks: checks::chat::server::CHECKS },
            LabBin { name: "chat-client", checks: checks::chat::client::CHECKS },
        ],
        text: include_str!("../labs/09-chat.md"),
    },
    Lab {
        number: 10,
        id: "states",
        concept: "process states R, S, T, D, Z and ps's flags, read from /proc beside ps -o stat",
        bins: &[LabBin { name: "states", checks: checks::states::CHECKS }],
        text: include_str!("../labs/10-states.md"),
    },
    Lab {
        number: 11,
        id: "exit-flush",
        concept: "a buffer filled before fork is in both processes: exit() flushes the child's copy, _exit() does not",
        bins: &[LabBin { name: "exit-flush", checks: checks::exit_flush::CHECKS }],
        text: include_str!("../labs/11-exit-flush.md"),
    },
    Lab {
        number: 12,
        id: "fork-order",
        concept: "who runs first after fork is not determined: measured over many forks; synchronise when order matters",
        bins: &[LabBin { name: "fork-order", checks: checks::fork_order::CHECKS }],
        text: include_str!("../labs/12-fork-order.md"),
    },
    Lab {
        number: 13,
        id: "inherit",
        concept: "made before fork, shared (one file offset, one socket); made after, separate (two offsets, EADDRINUSE)",
        bins: &[LabBin { name: "inherit", checks: checks::inherit::CHECKS }],
        text: include_str!("../labs/13-inherit.md"),
    },
    Lab {
        number: 14,
        id: "priority",
        concept: "nice sets a process's share of a busy CPU: two pinned children's CPU times follow the scheduler's weights",
        bins: &[LabBin { name: "priority", checks: checks::priority::CHECKS }],
        text: include_str!("../labs/14-priority.md"),
    },
    Lab {
        number: 15,
        id: "parallel",
        concept: "the same CPU work split among processes: the wall time drops only while there are free CPUs",
        bins: &[LabBin { name: "parallel", checks: checks::parallel::CHECKS }],
        text: include_str!("../labs/15-parallel.md"),
    },
];

/// The hint for `check` of this lab, for a student: the last column of
/// the check's row in the handout's grading contract (the row whose first
/// cell is the check's title).
impl Lab {
    pub fn hint(&self, check: &str) -> Option<String> {
        let contract = &self.text[self.text.find("## Grading contract")?..];
        contract.lines().filter_map(cells).find(|c| c.len() >= 3 && c[0] == check).map(|c| c[c.len() - 1].to_string())
    }
}

/// The cells of a Markdown table row `| a | b | c |`, trimmed.
fn cells(line: &str) -> Option<Vec<&str>> {
    let inner = line.trim().strip_prefix('|')?.strip_suffix('|')?;
    Some(inner.split('|').map(str::trim).collect())
}

/// The lab with this id or binary name.
pub fn find(name: &str) -> Option<&'static Lab> {
    LABS.iter().find(|l| l.id == name || l.bin(name).is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The built-in text is the handout at `labs/NN-<id>.md`, and its
    /// grading contract gives every check a hint.
    #[test]
    fn every_lab_has_its_handout_and_every_check_a_hint() {
        for lab in LABS {
            let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(lab.handout());
            let file = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            assert_eq!(lab.text, file, "{}: the manifest includes another file", lab.id);
            let contract = &lab.text[lab.text.find("## Grading contract").expect("a grading contract")..];
            assert!(contract.contains("clean environment"), "{}: the contract must say how programs run", lab.id);
            for c in lab.bins.iter().flat_map(|b| b.checks) {
                let h = lab.hint(c.title);
                assert!(h.as_deref().is_some_and(|h| h.len() > 10), "{}: no hint for `{}`", lab.id, c.title);
            }
        }
        assert!(LABS[0].hint("no such check").is_none());
    }
}
