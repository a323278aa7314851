//! Checks for lab 13, inherit. See `labs/13-inherit.md`, "Grading contract".
//!
//! The grader reads the two files itself after the run (whose records
//! survived, in which order), and reads `/proc/PID/fd` of the program's
//! processes while they hold the shared socket (one kernel socket, one
//! inode, in both).

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::time::Duration;

use super::watch::watched;
use super::{Check, Grader, Pace, Program, RUNS_CLEAN, Transcript, Verdict, expect, random_in};

const BASIC: Check = Check::new(1, RUNS_CLEAN, basic);

pub const CHECKS: &[Check] = &[
    BASIC,
    Check::new(3, "a file opened before fork has one offset: the parent's records follow the child's", file_before)
        .after(&BASIC),
    Check::new(2, "a file opened after fork has two offsets: the parent overwrites the child's records", file_after)
        .after(&BASIC),
    Check::new(
        3,
        "a UDP socket bound before fork is one socket: each datagram reaches exactly one process",
        one_socket,
    )
    .after(&BASIC),
    Check::new(1, "a socket bound after fork to the same port fails with EADDRINUSE", addr_in_use).after(&BASIC),
];

/// The size of one record, newline included (stated in the contract).
const RECORD: usize = 32;

/// One run of the program in a fresh folder, with random `--writes` and
/// `--datagrams`: its transcript, the records the grader read from the two
/// files, and (if it watched) the sockets it saw each process hold.
struct Scene {
    run: Transcript,
    writes: u32,
    datagrams: u32,
    /// Each record of each file: its `pid=`, or `None` when it has none or the wrong size.
    before: Vec<Option<i32>>,
    after: Vec<Option<i32>>,
    /// The socket inodes the grader saw in each process's `/proc/PID/fd`.
    sockets: HashMap<i32, HashSet<String>>,
}

/// How often the grader reads the program's open files, when it watches.
const LOOK_EVERY: Duration = Duration::from_millis(2);

/// Run in a fresh folder with random counts, each process holding its
/// socket `hold`; with `watch`, note the socket inodes each process holds.
fn scenario(g: &Grader, p: &Program, hold: Duration, watch: bool) -> Result<Scene, String> {
    let writes = random_in(2, 6) as u32;
    let datagrams = random_in(4, 12) as u32;
    let dir = g.scratch_path("inherit");
    std::fs::create_dir_all(&dir)
        .and_then(|()| g.hand_over(&dir))
        .map_err(|e| format!("cannot make a folder for the files: {e}"))?;
    let (w, d, h) = (writes.to_string(), datagrams.to_string(), format!("{}ms", hold.as_millis()));
    let dir_arg = dir.to_string_lossy().into_owned();
    let args = ["--writes", &w, "--datagrams", &d, "--dir", &dir_arg, "--hold", &h];
    let mut sockets: HashMap<i32, HashSet<String>> = HashMap::new();
    let run = watched(g, p, &args, watch.then_some(LOOK_EVERY), |_, family| {
        for pid in family {
            let Ok(fds) = std::fs::read_dir(format!("/proc/{pid}/fd")) else { continue };
            for fd in fds.filter_map(Result::ok) {
                let Ok(link) = std::fs::read_link(fd.path()) else { continue };
                let link = link.to_string_lossy();
                if let Some(inode) = link.strip_prefix("socket:[").and_then(|l| l.strip_suffix(']')) {
                    sockets.entry(pid).or_default().insert(inode.to_string());
                }
            }
        }
    })?;
    let before = records(&dir.join("inherit-before.txt"));
    let after = records(&dir.join("inherit-after.txt"));
    let _ = std::fs::remove_dir_all(&dir);
    Ok(Scene { run, writes, datagrams, before, after, sockets })
}

fn records(path: &Path) -> Vec<Option<i32>> {
    let bytes = std::fs::read(path).unwrap_or_default();
    bytes
        .chunks(RECORD)
        .map(|r| {
            let text = String::from_utf8_lossy(r);
            (r.len() == RECORD && r.ends_with(b"\n"))
                .then(|| crate::out::fact(&text, "pid").and_then(|p| p.parse().ok()))
                .flatten()
        })
        .collect()
}

fn show(recs: &[Option<i32>]) -> String {
    let r: Vec<String> = recs.iter().map(|p| p.map_or("(unreadable record)".into(), |p| format!("pid={p}"))).collect();
    if r.is_empty() { "(no records: missing or empty)".into() } else { r.join(", ") }
}

impl Scene {
    /// The `file=WHICH ... from=N` lines: `(by the parent, by another process)`.
    fn offsets(&self, which: &str, parent: i32) -> Result<(u64, u64), String> {
        let from = |mine: bool| -> Result<u64, String> {
            let who = if mine { "the parent" } else { "the child" };
            self.run
                .lines
                .iter()
                .filter(|l| (l.pid == parent) == mine && l.fact("file") == Some(which))
                .find_map(|l| l.fact("from").and_then(|v| v.parse().ok()))
                .ok_or_else(|| format!("expected a line from {who} with `file={which} ... from=OFFSET`"))
        };
        Ok((from(true)?, from(false)?))
    }
}

fn basic(g: &Grader, p: &Program) -> Verdict {
    scenario(g, p, Duration::from_millis(20), false)?.run.expect_basic()
}

fn file_before(g: &Grader, p: &Program) -> Verdict {
    let o = scenario(g, p, Duration::from_millis(20), false)?;
    let parent = o.run.pid_of("parent")?;
    let n = o.writes as usize;
    let (mine, child) = o.offsets("before", parent)?;
    expect(child == 0 && mine == (n * RECORD) as u64, || {
        format!(
            "with --writes {n}, the child writes from=0 and the parent, whose offset the child's writes moved, from={}; got child from={child}, parent from={mine}",
            n * RECORD
        )
    })?;
    let recs = &o.before;
    let childs = recs.first().copied().flatten();
    let ok = recs.len() == 2 * n
        && childs.is_some_and(|c| c != parent)
        && recs[..n].iter().all(|r| *r == childs)
        && recs[n..].iter().all(|r| *r == Some(parent));
    expect(ok, || {
        format!(
            "inherit-before.txt should hold {n} records of the child, then {n} of the parent (pid={parent}), {RECORD} bytes each; the grader read: {}",
            show(recs)
        )
    })
}

fn file_after(g: &Grader, p: &Program) -> Verdict {
    let o = scenario(g, p, Duration::from_millis(20), false)?;
    let parent = o.run.pid_of("parent")?;
    let n = o.writes as usize;
    let (mine, child) = o.offsets("after", parent)?;
    expect(child == 0 && mine == 0, || {
        format!("each process opened the file itself: both write from=0; got child from={child}, parent from={mine}")
    })?;
    let recs = &o.after;
    expect(recs.len() == n && recs.iter().all(|r| *r == Some(parent)), || {
        format!(
            "inherit-after.txt should hold only the parent's {n} records (pid={parent}), written over the child's; the grader read: {}",
            show(recs)
        )
    })
}

fn one_socket(g: &Grader, p: &Program) -> Verdict {
    g.timed(|pace: Pace| {
        let o = scenario(g, p, pace.of(Duration::from_millis(100)), true)?;
        let parent = o.run.pid_of("parent")?;
        // Every datagram received once, by the parent or one child.
        let mut got: HashMap<u32, Vec<i32>> = HashMap::new();
        for l in &o.run.lines {
            if let Some(i) = l.fact("datagram").and_then(|v| v.parse::<u32>().ok()) {
                got.entry(i).or_default().push(l.pid);
            }
        }
        let receivers: HashSet<i32> = got.values().flatten().copied().collect();
        for i in 1..=o.datagrams {
            let by = got.get(&i).cloned().unwrap_or_default();
            expect(by.len() == 1, || {
                format!(
                    "datagram={i} (of --datagrams {}) should be received exactly once, by the parent or the child; lines with datagram={i}: {}",
                    o.datagrams,
                    by.len()
                )
            })?;
        }
        // One socket: the inode the parent printed is in the parent's and a child's /proc/PID/fd.
        let inode = o.run.lines.iter().filter(|l| l.pid == parent).find_map(|l| l.fact("socket_inode"));
        let Some(inode) = inode else {
            return Err("expected a parent line with socket_inode= for the socket it bound before fork".into());
        };
        let holders: Vec<i32> = o.sockets.iter().filter(|(_, s)| s.contains(inode)).map(|(p, _)| *p).collect();
        let child_holds = holders.iter().any(|&p| p != parent);
        expect(holders.contains(&parent) && child_holds, || {
            let seen: Vec<String> = o
                .sockets
                .iter()
                .map(|(p, s)| format!("pid {p}: {}", s.iter().cloned().collect::<Vec<_>>().join(" ")))
                .collect();
            format!(
                "a socket bound before fork is one kernel socket in both processes: the grader should see socket:[{inode}] in /proc/PID/fd of the parent and of its child; it saw {}",
                if seen.is_empty() { "no socket at all".to_string() } else { seen.join("; ") }
            )
        })?;
        let elsewhere: Vec<&str> = o
            .run
            .lines
            .iter()
            .filter(|l| l.fact("datagram").is_some())
            .filter_map(|l| l.fact("socket_inode"))
            .filter(|i| *i != inode)
            .collect();
        expect(elsewhere.is_empty(), || {
            format!(
                "every datagram should be read from the one socket socket:[{inode}]; some were read from socket_inode={}",
                elsewhere.join(", ")
            )
        })?;
        let strangers: Vec<String> = receivers.iter().filter(|p| !holders.contains(p)).map(i32::to_string).collect();
        expect(strangers.is_empty(), || {
            format!(
                "datagrams should be received only by processes holding socket:[{inode}]; also received by pid {}",
                strangers.join(", ")
            )
        })
    })
}

fn addr_in_use(g: &Grader, p: &Program) -> Verdict {
    let o = scenario(g, p, Duration::from_millis(20), false)?;
    let parent = o.run.pid_of("parent")?;
    let refused = o.run.lines.iter().find(|l| l.pid != parent && l.fact("errno") == Some("EADDRINUSE"));
    let Some(line) = refused else {
        return Err("expected a child line with errno=EADDRINUSE and port=".into());
    };
    let port = line.fact("port").unwrap_or_default();
    let parents: Vec<&str> = o.run.lines.iter().filter(|l| l.pid == parent).filter_map(|l| l.fact("port")).collect();
    expect(!port.is_empty() && parents.last() == Some(&port), || {
        format!(
            "the child's bind should fail on the port the parent bound after fork, the parent's last port=; got port={port} and parent ports {}",
            parents.join(", ")
        )
    })
}
