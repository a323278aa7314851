//! Observe a program's system calls with `strace -f`, for checks that must
//! not trust what the program prints (which process really wrote which
//! bytes of a file, and through which file descriptor).
//!
//! [`wrap`] puts `strace -f -qq -y -s 0 -e trace=... -o LOG` in front of the
//! program's command line: `-y` decorates every file descriptor with the
//! path it refers to (`4</tmp/x/.dst.tmp>`), `-s 0` leaves out buffer
//! contents. [`Trace::parse`] reads the log back and replays it: it keeps
//! one file descriptor table per process (copied at `fork`, shared by
//! threads) and one offset per *open file description* (shared by every
//! descriptor `dup`ed or inherited from it, as in the kernel), so that a
//! plain `write` after an `lseek` lands where the kernel put it.
//!
//! Writes made through `mmap` or `io_uring` are not seen.

use std::collections::HashMap;
use std::path::Path;

use super::Program;

/// The system calls traced: process management, opening, offsets, writes.
pub const TRACED: &str = "%process,open,openat,openat2,creat,close,dup,dup2,dup3,fcntl,lseek,read,readv,\
write,writev,pwrite64,pwritev,pwritev2,copy_file_range,sendfile,splice";

/// Fails with a clear message when `strace` cannot be run: checks that
/// observe system calls must fail loudly, never skip.
pub fn available() -> Result<(), String> {
    match std::process::Command::new("strace").arg("-V").output() {
        Ok(out) if out.status.success() => Ok(()),
        Ok(out) => Err(format!("`strace -V` failed ({}): this check needs strace", out.status)),
        Err(e) => Err(format!(
            "this check observes the program's system calls with strace, which cannot be run ({e}): \
             install it (apt-get install strace)"
        )),
    }
}

/// `program` run under `strace -f`, writing the trace to `log`.
pub fn wrap(program: &Program, log: &Path) -> Program {
    let mut argv: Vec<String> = ["strace", "-f", "-qq", "-y", "-s", "0", "-e"].iter().map(|s| s.to_string()).collect();
    argv.push(format!("trace={TRACED}"));
    argv.push("-o".into());
    argv.push(log.to_string_lossy().into_owned());
    argv.extend(program.argv.iter().cloned());
    Program { argv, ..program.clone() }
}

/// One system call, its entry and exit lines merged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call {
    pub pid: i32,
    pub name: String,
    /// The arguments, split at top-level commas and trimmed.
    pub args: Vec<String>,
    /// The return value as printed (`3</tmp/f>`, `-1 ENOENT (...)`, `?`).
    pub ret: String,
    /// Line number of its entry and of its result in the log.
    pub entry: usize,
    pub exit: usize,
}

/// A file opened: by which process, when (position in the replay), as what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Open {
    pub pid: i32,
    pub at: usize,
    pub fd: i32,
    pub path: String,
}

/// A new process: `parent` forked `child` at position `at`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fork {
    pub parent: i32,
    pub child: i32,
    pub at: usize,
}

/// Bytes `start..end` written to `path` by process `pid` at position `at`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Write {
    pub pid: i32,
    pub at: usize,
    pub call: String,
    pub path: String,
    pub start: u64,
    pub end: u64,
    /// The file description written through: which process opened it, and when.
    pub opened_by: i32,
    pub opened_at: usize,
}

/// What the trace shows. PIDs are process IDs (thread group IDs): a write
/// from a thread counts for its process.
#[derive(Debug, Clone, Default)]
pub struct Trace {
    pub opens: Vec<Open>,
    pub forks: Vec<Fork>,
    pub writes: Vec<Write>,
    /// `(pid, position)` of every `wait4`/`waitid`/`waitpid` call.
    pub waits: Vec<(i32, usize)>,
}

/// Split at commas outside brackets, braces, parentheses, `<...>` and quotes.
fn split_args(s: &str) -> Vec<String> {
    let (mut out, mut cur, mut depth, mut quoted, mut escaped) = (Vec::new(), String::new(), 0i32, false, false);
    for c in s.chars() {
        if quoted {
            cur.push(c);
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => quoted = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => quoted = true,
            '(' | '[' | '{' | '<' => depth += 1,
            ')' | ']' | '}' | '>' => depth -= 1,
            ',' if depth == 0 => {
                out.push(cur.trim().to_string());
                cur.clear();
                continue;
            }
            _ => {}
        }
        cur.push(c);
    }
    if !cur.trim().is_empty() {
        out.push(cur.trim().to_string());
    }
    out
}

/// `4</tmp/f>` → `(4, Some("/tmp/f"))`; `4` → `(4, None)`.
fn fd_arg(s: &str) -> Option<(i32, Option<String>)> {
    let end = s.find(|c: char| !(c.is_ascii_digit() || c == '-')).unwrap_or(s.len());
    let fd = s[..end].parse().ok()?;
    let path = s[end..].strip_prefix('<').and_then(|p| p.strip_suffix('>')).map(str::to_string);
    Some((fd, path))
}

/// The leading integer of a return value or argument (`[524288]`, `12 (x)`).
fn number(s: &str) -> Option<i64> {
    let s = s.trim().trim_start_matches('[');
    let end = s.find(|c: char| !(c.is_ascii_digit() || c == '-')).unwrap_or(s.len());
    s[..end].parse().ok()
}

impl Call {
    /// Parse `name(args) = ret` (strace pads before `=` to align the results).
    fn parse(pid: i32, text: &str, entry: usize, exit: usize) -> Option<Call> {
        let open = text.find('(')?;
        let (eq, _) = text.rmatch_indices(" = ").find(|(i, _)| text[..*i].trim_end().ends_with(')'))?;
        let close = text[..eq].trim_end().len() - 1;
        Some(Call {
            pid,
            name: text[..open].trim().to_string(),
            args: split_args(text.get(open + 1..close)?),
            ret: text[eq + 3..].trim().to_string(),
            entry,
            exit,
        })
    }

    fn arg(&self, i: usize) -> &str {
        self.args.get(i).map_or("", String::as_str)
    }

    fn is_fork(&self) -> bool {
        matches!(self.name.as_str(), "clone" | "clone3" | "fork" | "vfork")
    }
}

/// Read the log: merge `<unfinished ...>` / `<... resumed>` pairs.
pub fn calls(log: &str) -> Vec<Call> {
    let mut pending: HashMap<i32, (String, usize)> = HashMap::new();
    let mut out = Vec::new();
    for (n, line) in log.lines().enumerate() {
        let Some((pid, rest)) = line.split_once(' ') else { continue };
        let Ok(pid) = pid.parse::<i32>() else { continue };
        let rest = rest.trim_start();
        if rest.starts_with("---") || rest.starts_with("+++") {
            continue;
        }
        let (text, entry) = if let Some(resumed) = rest.strip_prefix("<... ") {
            let Some((_, tail)) = resumed.split_once(" resumed>") else { continue };
            let Some((head, entry)) = pending.remove(&pid) else { continue };
            (head + tail, entry)
        } else {
            (rest.to_string(), n)
        };
        if let Some(head) = text.strip_suffix("<unfinished ...>") {
            pending.insert(pid, (head.to_string(), entry));
            continue;
        }
        out.extend(Call::parse(pid, &text, entry, n));
    }
    out
}

/// One open file description: where its offset is, and who opened it when.
#[derive(Debug, Clone)]
struct Desc {
    offset: i64,
    path: String,
    opened_by: i32,
    opened_at: usize,
}

impl Trace {
    /// Replay a strace log (see the module docs).
    pub fn parse(log: &str) -> Trace {
        let mut calls = calls(log);
        // A fork takes effect when it starts (the child's first lines may
        // come before the parent's `clone` returns); everything else when it returns.
        calls.sort_by_key(|c| if c.is_fork() { c.entry } else { c.exit });

        let mut trace = Trace::default();
        let mut descs: Vec<Desc> = Vec::new();
        let mut tables: Vec<HashMap<i32, usize>> = Vec::new(); // fd -> desc
        let mut table_of: HashMap<i32, usize> = HashMap::new(); // pid -> table
        let mut tgid: HashMap<i32, i32> = HashMap::new();
        for (at, c) in calls.iter().enumerate() {
            let t = *table_of.entry(c.pid).or_insert_with(|| {
                tables.push(HashMap::new());
                tables.len() - 1
            });
            let me = *tgid.entry(c.pid).or_insert(c.pid);
            let ret = number(&c.ret);
            let fd_of = |i: usize| fd_arg(c.arg(i)).map(|(fd, _)| fd);
            let desc_of =
                |tables: &Vec<HashMap<i32, usize>>, i: usize| fd_of(i).and_then(|fd| tables[t].get(&fd).copied());
            match c.name.as_str() {
                _ if c.is_fork() => {
                    let Some(child) = ret.filter(|&r| r > 0).map(|r| r as i32) else { continue };
                    let shared_files = c.args.iter().any(|a| a.contains("CLONE_FILES"));
                    let thread = c.args.iter().any(|a| a.contains("CLONE_THREAD"));
                    let child_table = if shared_files {
                        t
                    } else {
                        tables.push(tables[t].clone());
                        tables.len() - 1
                    };
                    table_of.insert(child, child_table);
                    tgid.insert(child, if thread { me } else { child });
                    if !thread {
                        trace.forks.push(Fork { parent: me, child, at });
                    }
                }
                "open" | "openat" | "openat2" | "creat" => {
                    if let Some((fd, Some(path))) = fd_arg(&c.ret).filter(|(fd, _)| *fd >= 0) {
                        descs.push(Desc { offset: 0, path: path.clone(), opened_by: me, opened_at: at });
                        tables[t].insert(fd, descs.len() - 1);
                        trace.opens.push(Open { pid: me, at, fd, path });
                    }
                }
                "close" => {
                    if let Some(fd) = fd_of(0) {
                        tables[t].remove(&fd);
                    }
                }
                "dup" | "dup2" | "dup3" | "fcntl" => {
                    let dup = c.name != "fcntl" || c.arg(1).starts_with("F_DUPFD");
                    if let (true, Some(d), Some(new)) = (dup, desc_of(&tables, 0), ret.filter(|&r| r >= 0)) {
                        tables[t].insert(new as i32, d);
                    }
                }
                "lseek" => {
                    if let (Some(d), Some(r)) = (desc_of(&tables, 0), ret.filter(|&r| r >= 0)) {
                        descs[d].offset = r;
                    }
                }
                "read" | "readv" => {
                    if let (Some(d), Some(r)) = (desc_of(&tables, 0), ret.filter(|&r| r > 0)) {
                        descs[d].offset += r;
                    }
                }
                "wait4" | "waitid" | "waitpid" => trace.waits.push((me, at)),
                _ => {
                    // Writes: which descriptor, at which offset (None: the file offset).
                    let (fd_i, off_i) = match c.name.as_str() {
                        "write" | "writev" => (0, None),
                        "pwrite64" | "pwritev" | "pwritev2" => (0, Some(3)),
                        "copy_file_range" | "splice" => (2, Some(3)),
                        "sendfile" => (0, None),
                        _ => continue,
                    };
                    let (Some(d), Some(n)) = (desc_of(&tables, fd_i), ret.filter(|&r| r > 0)) else { continue };
                    let explicit = off_i.and_then(|i| number(c.arg(i))).filter(|&o| o >= 0);
                    let start = explicit.unwrap_or(descs[d].offset);
                    if explicit.is_none() {
                        descs[d].offset += n;
                    }
                    if matches!(c.name.as_str(), "copy_file_range" | "splice")
                        && number(c.arg(1)).is_none()
                        && let Some(src) = desc_of(&tables, 0)
                    {
                        descs[src].offset += n; // a NULL input offset reads at (and moves) the file offset
                    }
                    let path = fd_arg(c.arg(fd_i)).and_then(|(_, p)| p).unwrap_or_else(|| descs[d].path.clone());
                    trace.writes.push(Write {
                        pid: me,
                        at,
                        call: c.name.clone(),
                        path,
                        start: start as u64,
                        end: (start + n) as u64,
                        opened_by: descs[d].opened_by,
                        opened_at: descs[d].opened_at,
                    });
                }
            }
        }
        trace
    }

    /// The writes into files under the folder `dir` (a path prefix).
    pub fn writes_under<'a>(&'a self, dir: &'a str) -> impl Iterator<Item = &'a Write> + 'a {
        let prefix = format!("{}/", dir.trim_end_matches('/'));
        self.writes.iter().filter(move |w| w.path.starts_with(&prefix))
    }

    /// The process that forked `child`, if the trace shows it.
    pub fn parent_of(&self, child: i32) -> Option<&Fork> {
        self.forks.iter().find(|f| f.child == child)
    }
}

/// Merge byte ranges: sorted, overlapping or touching ones joined.
pub fn merged(mut ranges: Vec<(u64, u64)>) -> Vec<(u64, u64)> {
    ranges.sort();
    let mut out: Vec<(u64, u64)> = Vec::new();
    for (s, e) in ranges {
        match out.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => out.push((s, e)),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replays_offsets_forks_and_unfinished_lines() {
        let log = "\
100 openat(AT_FDCWD</d>, \"/d/out\", O_WRONLY|O_CREAT, 0600) = 3</d/out>
100 clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|SIGCHLD, child_tidptr=0x7f)   = 101
101 lseek(3</d/out>, 10, SEEK_SET <unfinished ...>
100 openat(AT_FDCWD</d>, \"/d/out\", O_WRONLY) = 4</d/out>
101 <... lseek resumed>)          = 10
101 write(3</d/out>, \"\"..., 5) = 5
100 pwrite64(4</d/out>, \"\"..., 7, 100) = 7
100  write(3</d/out>, \"\"..., 2)        = 2
100 copy_file_range(5</s>, [0], 4</d/out>, [20], 30, 0) = 30
100 wait4(101,  <unfinished ...>
101 exit_group(0) = ?
100 <... wait4 resumed>[{WIFEXITED(s) && WEXITSTATUS(s) == 0}], 0, NULL) = 101
";
        let t = Trace::parse(log);
        assert_eq!(t.forks, vec![Fork { parent: 100, child: 101, at: 1 }]);
        let w: Vec<(i32, u64, u64, i32)> = t.writes.iter().map(|w| (w.pid, w.start, w.end, w.opened_by)).collect();
        // fd 3 is inherited: the child's lseek and write move the parent's offset too.
        assert_eq!(w, vec![(101, 10, 15, 100), (100, 100, 107, 100), (100, 15, 17, 100), (100, 20, 50, 100)]);
        assert_eq!(t.writes_under("/d").count(), 4);
        assert_eq!(t.writes_under("/e").count(), 0);
        assert_eq!(t.waits.len(), 1);
        assert_eq!(t.opens.iter().filter(|o| o.pid == 100).count(), 2);
        assert_eq!(merged(vec![(5, 9), (0, 5), (20, 30), (25, 26)]), vec![(0, 9), (20, 30)]);
    }
}
