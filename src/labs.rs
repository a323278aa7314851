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
    },
    Lab {
        number: 2,
        id: "pids",
        concept: "getpid, getppid and fork's return value, checked against each other",
        bins: &[LabBin { name: "pids", checks: checks::pids::CHECKS }],
    },
    Lab {
        number: 3,
        id: "wait-status",
        concept: "wait returns the child's PID and a status: exit code * 256, or the signal",
        bins: &[LabBin { name: "wait-status", checks: checks::wait_status::CHECKS }],
    },
    Lab {
        number: 4,
        id: "zombie",
        concept: "an ended child is a zombie (state Z) until its parent waits for it",
        bins: &[LabBin { name: "zombie", checks: checks::zombie::CHECKS }],
    },
    Lab {
        number: 5,
        id: "orphan",
        concept: "the parent exits first: the nearest subreaper (or PID 1) adopts the orphan",
        bins: &[LabBin { name: "orphan", checks: checks::orphan::CHECKS }],
    },
    Lab {
        number: 6,
        id: "double-fork",
        concept: "double fork: the orphaned grandchild runs on, no zombie is left",
        bins: &[LabBin { name: "double-fork", checks: checks::double_fork::CHECKS }],
    },
    Lab {
        number: 7,
        id: "sigchld-ignore",
        concept: "SIGCHLD=SIG_IGN: the kernel reaps the children, wait() fails with ECHILD",
        bins: &[LabBin { name: "sigchld-ignore", checks: checks::sigchld_ignore::CHECKS }],
    },
    Lab {
        number: 8,
        id: "half-copy",
        concept: "parent and child each copy half of a file: own opens, positioned I/O",
        bins: &[LabBin { name: "half-copy", checks: checks::half_copy::CHECKS }],
    },
    Lab {
        number: 9,
        id: "chat",
        concept: "capstone: UDP group chat; a server with an admin child, a client as sender + receiver",
        bins: &[
            LabBin { name: "chat-server", checks: checks::chat::server::CHECKS },
            LabBin { name: "chat-client", checks: checks::chat::client::CHECKS },
        ],
    },
    Lab {
        number: 10,
        id: "states",
        concept: "process states R, S, T, D, Z and ps's flags, read from /proc beside ps -o stat",
        bins: &[LabBin { name: "states", checks: checks::states::CHECKS }],
    },
    Lab {
        number: 11,
        id: "exit-flush",
        concept: "a buffer filled before fork is in both processes: exit() flushes the child's copy, _exit() does not",
        bins: &[LabBin { name: "exit-flush", checks: checks::exit_flush::CHECKS }],
    },
    Lab {
        number: 12,
        id: "fork-order",
        concept: "who runs first after fork is not determined: measured over many forks; synchronise when order matters",
        bins: &[LabBin { name: "fork-order", checks: checks::fork_order::CHECKS }],
    },
    Lab {
        number: 13,
        id: "inherit",
        concept: "made before fork, shared (one file offset, one socket); made after, separate (two offsets, EADDRINUSE)",
        bins: &[LabBin { name: "inherit", checks: checks::inherit::CHECKS }],
    },
    Lab {
        number: 14,
        id: "priority",
        concept: "nice sets a process's share of a busy CPU: two pinned children's CPU times follow the scheduler's weights",
        bins: &[LabBin { name: "priority", checks: checks::priority::CHECKS }],
    },
    Lab {
        number: 15,
        id: "parallel",
        concept: "the same CPU work split among processes: the wall time drops only while there are free CPUs",
        bins: &[LabBin { name: "parallel", checks: checks::parallel::CHECKS }],
    },
];

/// The lab with this id or binary name.
pub fn find(name: &str) -> Option<&'static Lab> {
    LABS.iter().find(|l| l.id == name || l.bin(name).is_some())
}
