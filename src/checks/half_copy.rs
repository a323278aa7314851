//! Checks for lab 8, half-copy. See `labs/08-half-copy.md`, "Grading contract".
//!
//! `PROGRAM [--force] SRC DST` copies SRC to DST with two processes: the
//! child copies the first half (bytes `0..SIZE/2`), the parent the rest, at
//! the same time, each through descriptors of its own, into a temp file
//! renamed to DST at the end. It refuses bad input (exit 2) changing
//! nothing, and a failed copy (exit 1) leaves no DST and no temp file.
//! Some checks read an strace of the run, or interrupt it. The check of
//! what each process reports runs under the kit's tracer (see
//! [`crate::trace`]; strace cannot attach to a traced process, so the
//! strace checks keep their own runs): the two processes that print the
//! halves must be the two that wrote them.
//!
//! Every check makes its own folder in the grader's scratch folder, with
//! random file names and random contents. DST always goes into a folder of
//! its own, so anything a program leaves there (a temp file) is seen.

use std::fs;
use std::os::unix::fs::{FileExt as _, MetadataExt as _, PermissionsExt as _};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use nix::sys::signal::{Signal, kill};
use nix::unistd::{Pid, Whence, lseek};

use super::{Check, Grader, Program, Transcript, Verdict, draw_u64, expect, random_in};
use crate::harness::strace::{self, Trace, merged};
use crate::out::Tagged;
use crate::procfs;
use crate::random::random_u64;

const BASIC: Check = Check::new(2, "copies a file exactly, exits 0, leaves no process behind", copies_exactly);

pub const CHECKS: &[Check] = &[
    BASIC,
    Check::new(2, "copies empty, 1-byte and odd-sized files exactly", small_sizes).after(&BASIC),
    Check::new(1, "each process reports its role, PID, byte range and time", reports_ranges).after(&BASIC),
    Check::new(3, "two processes each wrote one half (seen by strace)", two_writers).after(&BASIC),
    Check::new(2, "each process opens SRC and DST itself after the fork (seen by strace)", own_opens).after(&BASIC),
    Check::new(1, "the parent copies its half before waiting for the child (seen by strace)", same_time).after(&BASIC),
    Check::new(2, "copies a sparse file over 4 GiB quickly, keeping its holes", sparse_4g).after(&BASIC),
    Check::new(1, "refuses a missing SRC", refuses_missing).after(&BASIC),
    Check::new(1, "refuses an unreadable SRC", refuses_unreadable).after(&BASIC),
    Check::new(1, "refuses a directory, a FIFO or a device as SRC", refuses_not_regular).after(&BASIC),
    Check::new(2, "refuses DST that is SRC, even with --force", refuses_self).after(&BASIC),
    Check::new(1, "refuses an existing DST without --force", refuses_existing).after(&BASIC),
    Check::new(1, "--force replaces an existing DST", force_replaces).after(&BASIC),
    Check::new(1, "refuses a DST whose folder is missing", refuses_missing_folder).after(&BASIC),
    Check::new(2, "a failed write (file size limit) leaves no DST and no temp file", injected_efbig).after(&BASIC),
    Check::new(2, "Ctrl-C during the copy leaves no DST and no temp file", interrupted).after(&BASIC),
    Check::new(2, "a killed child makes the parent fail and remove the temp file", child_killed).after(&BASIC),
    Check::new(1, "--shared-offset reports the wrong bytes it really got", shared_offset_honest).after(&BASIC),
];

/// Exit code of a refusal (bad input, nothing created) and of a failed copy.
const REFUSED: i32 = 2;
const FAILED: i32 = 1;

/// Fast pseudo-random bytes (xorshift), seeded from the check's inputs.
fn random_bytes(len: usize) -> Vec<u8> {
    let mut x = draw_u64() | 1;
    let mut out = Vec::with_capacity(len + 8);
    while out.len() < len {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        out.extend_from_slice(&x.to_le_bytes());
    }
    out.truncate(len);
    out
}

fn s(p: &Path) -> Result<&str, String> {
    p.to_str().ok_or_else(|| format!("scratch path {} is not UTF-8", p.display()))
}

fn io<T>(what: &str, r: std::io::Result<T>) -> Result<T, String> {
    r.map_err(|e| format!("grader: {what}: {e}"))
}

/// One check's files: `dir` holds SRC, `out` (empty) is DST's folder.
struct Case {
    dir: PathBuf,
    src: PathBuf,
    out: PathBuf,
    dst: PathBuf,
    data: Vec<u8>,
}

impl Case {
    fn new(g: &Grader, size: usize) -> Result<Case, String> {
        let dir = g.scratch_path("case");
        io("create a case folder", fs::create_dir(&dir))?;
        let src = dir.join(format!("src-{:x}.bin", random_u64() & 0xffffff));
        let data = random_bytes(size);
        io("write SRC", fs::write(&src, &data))?;
        let out = dir.join(format!("out-{:x}", random_u64() & 0xffffff));
        io("create DST's folder", fs::create_dir(&out))?;
        let dst = out.join(format!("copy-{:x}.bin", random_u64() & 0xffffff));
        for made in [&dir, &src, &out] {
            io("give the case's files to the program's user", g.hand_over(made))?;
        }
        Ok(Case { dir, src, out, dst, data })
    }

    /// DST written beforehand, as the program's user's file.
    fn write_dst(&self, g: &Grader, size: usize) -> Verdict {
        io("write DST", fs::write(&self.dst, random_bytes(size)))?;
        io("give DST to the program's user", g.hand_over(&self.dst))
    }

    fn args(&self) -> Result<[&str; 2], String> {
        Ok([s(&self.src)?, s(&self.dst)?])
    }
}

/// Names as text: `a.bin, b.tmp`, or `nothing`.
fn names(list: &[String]) -> String {
    if list.is_empty() { "nothing".to_string() } else { list.join(", ") }
}

/// Byte ranges as text: `0..512, 1024..2048`, or `nothing`.
fn byte_ranges(list: &[(u64, u64)]) -> String {
    if list.is_empty() {
        "nothing".to_string()
    } else {
        list.iter().map(|(a, b)| format!("{a}..{b}")).collect::<Vec<_>>().join(", ")
    }
}

/// The names in a folder, sorted.
fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .map(|d| d.filter_map(|e| Some(e.ok()?.file_name().to_string_lossy().into_owned())).collect())
        .unwrap_or_default();
    names.sort();
    names
}

/// Everything in the given folders: name, inode, size, content (regular
/// files; modification time for big ones) or link target, to tell whether
/// a run touched anything.
fn snapshot(dirs: &[&Path]) -> Vec<String> {
    let mut out = Vec::new();
    for dir in dirs {
        for name in listing(dir) {
            let p = dir.join(&name);
            let Ok(m) = fs::symlink_metadata(&p) else { continue };
            let what = if m.is_file() && m.len() > 16 << 20 {
                format!("file size={} mtime={}.{:09}", m.len(), m.mtime(), m.mtime_nsec())
            } else if m.is_file() {
                let content = fs::read(&p).unwrap_or_default();
                let sum =
                    content.iter().fold(0xcbf29ce484222325u64, |h, b| (h ^ u64::from(*b)).wrapping_mul(0x100000001b3));
                format!("file size={} fnv={sum:x}", m.len())
            } else if m.file_type().is_symlink() {
                format!(
                    "symlink to {}",
                    fs::read_link(&p).map_or_else(|e| format!("? ({e})"), |t| t.display().to_string())
                )
            } else {
                format!("mode={:o}", m.mode())
            };
            out.push(format!("{} inode={} {what}", p.display(), m.ino()));
        }
    }
    out
}

/// Lines as a message shows them, one `  | line` each.
fn shown<S: AsRef<str>>(lines: &[S]) -> String {
    lines.iter().map(|l| format!("  | {}\n", l.as_ref())).collect()
}

/// Fails unless a stderr line is tagged `[role PID]`: errors must say who printed them.
fn expect_tagged_error(run: &Transcript) -> Verdict {
    expect(run.stderr.lines().any(|l| Tagged::parse(l).is_some()), || {
        "expected the reason on stderr, tagged `[role PID] ...`, found none".to_string()
    })
}

/// A refusal: exit 2, a tagged reason, nothing changed in `dirs`.
fn expect_refused(run: &Transcript, what: &str, before: &[String], dirs: &[&Path]) -> Verdict {
    expect(run.code() == REFUSED, || {
        format!("{what}: expected a refusal with exit code {REFUSED}, got {}", run.code())
    })?;
    expect_tagged_error(run)?;
    run.expect_clean()?;
    let after = snapshot(dirs);
    expect(after == before, || {
        format!(
            "{what}: a refusal must change nothing, but the files changed: before\n{}after\n{}",
            shown(before),
            shown(&after)
        )
    })
}

/// Fails unless `path` holds exactly `want`.
fn expect_same_bytes(path: &Path, want: &[u8]) -> Verdict {
    let got = fs::read(path).map_err(|e| format!("cannot read DST {}: {e}", path.display()))?;
    if got == want {
        return Ok(());
    }
    let first = got.iter().zip(want).position(|(a, b)| a != b).unwrap_or(got.len().min(want.len()));
    let wrong = got.iter().zip(want).filter(|(a, b)| a != b).count() + got.len().abs_diff(want.len());
    Err(format!(
        "DST is not an exact copy: size {} (SRC {}), {wrong} bytes wrong, the first at offset {first}",
        got.len(),
        want.len()
    ))
}

/// A successful copy: exit 0, nothing left running, DST exact, only DST in
/// its folder (no temp file), SRC unchanged.
fn expect_copied(run: &Transcript, c: &Case) -> Verdict {
    run.expect_success()?;
    run.expect_clean()?;
    expect_same_bytes(&c.dst, &c.data)?;
    let left = listing(&c.out);
    let want = c.dst.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    expect(left == [want], || format!("DST's folder must hold only DST afterwards, it holds {}", names(&left)))?;
    let src = fs::read(&c.src).unwrap_or_default();
    expect(src == c.data, || "SRC changed during the copy".to_string())
}

/// A failed copy: exit 1 (or non-zero when `any_code`), a tagged reason,
/// nothing left running, no DST and no temp file, SRC unchanged (`src_was`).
fn expect_cleaned_up(run: &Transcript, c: &Case, what: &str, src_was: &[String], any_code: bool) -> Verdict {
    let code_ok = if any_code { run.code() != 0 } else { run.code() == FAILED };
    expect(code_ok, || {
        let want = if any_code { "a non-zero exit code".to_string() } else { format!("exit code {FAILED}") };
        format!("{what}: expected {want} (the copy failed), got {}", run.code())
    })?;
    let left = listing(&c.out);
    expect(left.is_empty(), || {
        format!("{what}: DST's folder must be empty afterwards (no DST, no temp file), it holds {}", names(&left))
    })?;
    let now = snapshot(&[&c.dir]);
    let src_now: Vec<&String> = now.iter().filter(|l| l.contains(&*c.src.to_string_lossy())).collect();
    let src_was: Vec<&String> = src_was.iter().filter(|l| l.contains(&*c.src.to_string_lossy())).collect();
    expect(src_now == src_was, || {
        format!("{what}: SRC changed: before\n{}after\n{}", shown(&src_was), shown(&src_now))
    })?;
    run.expect_clean()?;
    expect_tagged_error(run)
}

fn copies_exactly(g: &Grader, p: &Program) -> Verdict {
    // Odd sizes only: an even size would hide a split that rounds H up.
    let c = Case::new(g, random_in(1 << 19, 2 << 20) as usize * 2 + 1)?;
    let run = g.run(p, &c.args()?)?;
    expect_copied(&run, &c)?;
    run.expect_tagged()
}

fn small_sizes(g: &Grader, p: &Program) -> Verdict {
    for size in [0, 1, random_in(1, 49_999) as usize * 2 + 1] {
        let c = Case::new(g, size)?;
        let run = g.run(p, &c.args()?)?;
        expect_copied(&run, &c).map_err(|e| format!("copying a {size}-byte file: {e}"))?;
    }
    Ok(())
}

/// The `from=`/`to=` facts of `role`'s line that has both, and whether it says `time=`.
fn range_of(run: &Transcript, role: &str) -> Result<(u64, u64, bool), String> {
    let line = run
        .by(role)
        .find(|l| l.fact("from").is_some() && l.fact("to").is_some())
        .ok_or_else(|| format!("expected a line `[{role} PID] ... from=A to=B ... time=T`, found none"))?;
    let num = |k: &str| -> Result<u64, String> {
        let v = line.fact(k).unwrap_or_default();
        v.parse().map_err(|_| format!("`{k}={v}` is not a byte offset in `{}`", line.text))
    };
    Ok((num("from")?, num("to")?, line.fact("time").is_some()))
}

fn reports_ranges(g: &Grader, p: &Program) -> Verdict {
    let size = random_in(50_000, 499_999) * 2 + 1; // odd: H = SIZE / 2 rounded down shows
    let c = Case::new(g, size as usize)?;
    let (run, trace) = g.run_traced(p, &c.args()?)?;
    expect_copied(&run, &c)?;
    let half = size / 2;
    for (role, want) in [("child", (0, half)), ("parent", (half, size))] {
        let (from, to, timed) = range_of(&run, role)?;
        expect((from, to) == want, || {
            format!(
                "SRC has {size} bytes: the {role} copies from={} to={}, it reported from={from} to={to}",
                want.0, want.1
            )
        })?;
        expect(timed, || format!("the {role}'s from=/to= line must also say how long it took: time=..."))?;
    }
    let (parent, child) = (run.pid_of("parent")?, run.pid_of("child")?);
    expect(parent != child, || format!("parent and child printed the same PID {parent}"))?;
    // The trace: the two processes that report the halves wrote them.
    let out = io("resolve a path", fs::canonicalize(&c.out))?;
    let wrote = trace.writers(&format!("{}/", out.to_string_lossy()));
    let wrote_by = |pid: i32| wrote.iter().find(|w| w.0 == pid).map_or(0, |w| w.1);
    for (role, pid, want) in [("child", child, half), ("parent", parent, size - half)] {
        expect(wrote_by(pid) == want as i64, || {
            let all: Vec<String> = wrote.iter().map(|(p, bytes, _)| format!("process {p} {bytes} bytes")).collect();
            format!(
                "SRC has {size} bytes: the {role} (PID {pid}) reports copying {want} of them, but the trace shows \
                 it writing {} bytes into DST's folder (writes seen: {})",
                wrote_by(pid),
                if all.is_empty() { "none".to_string() } else { all.join(", ") }
            )
        })?;
    }
    Ok(())
}

/// A copy run under strace: the run, the replayed trace, the case, and
/// DST's folder and SRC as strace names them (real paths).
struct Traced {
    run: Transcript,
    trace: Trace,
    case: Case,
    out: String,
    src: String,
}

fn traced_copy(g: &Grader, p: &Program) -> Result<Traced, String> {
    strace::available()?;
    let case = Case::new(g, random_in(150_000, 1_500_000) as usize * 2 + 1)?; // odd, as in copies_exactly
    let log = g.scratch_path("strace");
    let run = g.run(&strace::wrap(p, &log), &case.args()?)?;
    expect_copied(&run, &case)?;
    let text = io("read the strace log", fs::read_to_string(&log))?;
    let real = |p: &Path| io("resolve a path", fs::canonicalize(p)).map(|r| r.to_string_lossy().into_owned());
    Ok(Traced { trace: Trace::parse(&text), out: real(&case.out)?, src: real(&case.src)?, run, case })
}

/// The two processes strace saw write into DST's folder: `(parent, child, fork position)`.
fn writers(t: &Traced) -> Result<(i32, i32, usize), String> {
    let mut pids: Vec<i32> = t.trace.writes_under(&t.out).map(|w| w.pid).collect();
    pids.sort();
    pids.dedup();
    let [a, b] = pids[..] else {
        return Err(format!(
            "expected writes into DST's folder from exactly two processes, strace saw {}: {}",
            pids.len(),
            if pids.is_empty() {
                "none".to_string()
            } else {
                pids.iter().map(|p| format!("PID {p}")).collect::<Vec<_>>().join(", ")
            }
        ));
    };
    let fork = t
        .trace
        .forks
        .iter()
        .find(|f| (f.parent, f.child) == (a, b) || (f.parent, f.child) == (b, a))
        .ok_or_else(|| format!("processes {a} and {b} wrote into DST's folder, but neither forked the other"))?;
    Ok((fork.parent, fork.child, fork.at))
}

fn two_writers(g: &Grader, p: &Program) -> Verdict {
    let t = traced_copy(g, p)?;
    let (parent, child, _) = writers(&t)?;
    let size = t.case.data.len() as u64;
    let half = size / 2;
    for (who, pid, want) in [("child", child, (0, half)), ("parent", parent, (half, size))] {
        let ranges = merged(t.trace.writes_under(&t.out).filter(|w| w.pid == pid).map(|w| (w.start, w.end)).collect());
        expect(ranges == [want], || {
            format!(
                "SRC has {size} bytes: the {who} (PID {pid}) must write bytes {}..{} of DST, strace saw it write {}",
                want.0,
                want.1,
                byte_ranges(&ranges)
            )
        })?;
        let printed = t.run.pid_of(who)?;
        expect(printed == pid, || {
            format!("the lines tagged `{who}` carry PID {printed}, but strace saw the {who} as PID {pid}")
        })?;
    }
    Ok(())
}

fn own_opens(g: &Grader, p: &Program) -> Verdict {
    let t = traced_copy(g, p)?;
    let (parent, child, forked_at) = writers(&t)?;
    for (who, pid) in [("child", child), ("parent", parent)] {
        for w in t.trace.writes_under(&t.out).filter(|w| w.pid == pid) {
            expect(w.opened_by == pid && w.opened_at > forked_at, || {
                format!(
                    "the {who} (PID {pid}) wrote {}..{} with {} through a descriptor {}: it must open DST itself, after the fork",
                    w.start,
                    w.end,
                    w.call,
                    if w.opened_by == pid {
                        "it opened before the fork".to_string()
                    } else {
                        format!("opened by process {}", w.opened_by)
                    }
                )
            })?;
        }
        let opened_src = t.trace.opens.iter().any(|o| o.pid == pid && o.at > forked_at && o.path == t.src);
        expect(opened_src, || format!("the {who} (PID {pid}) never opened SRC {} itself after the fork", t.src))?;
    }
    Ok(())
}

fn same_time(g: &Grader, p: &Program) -> Verdict {
    let t = traced_copy(g, p)?;
    let (parent, _, forked_at) = writers(&t)?;
    let first_write = t.trace.writes_under(&t.out).filter(|w| w.pid == parent).map(|w| w.at).min().unwrap_or(0);
    let wait = t.trace.waits.iter().find(|(pid, at)| *pid == parent && *at > forked_at).map(|(_, at)| *at);
    let Some(wait) = wait else {
        return Err(format!("the parent (PID {parent}) never waited for its child (no wait4/waitid after the fork)"));
    };
    expect(first_write < wait, || {
        format!(
            "the parent (PID {parent}) waited for its child before writing its own half: the halves were copied one after the other"
        )
    })
}

/// The data extents of a file (`SEEK_DATA`/`SEEK_HOLE`).
fn data_extents(path: &Path) -> Result<Vec<(u64, u64)>, String> {
    let f = io("open a file", fs::File::open(path))?;
    let mut out = Vec::new();
    let mut pos = 0i64;
    loop {
        let Ok(start) = lseek(&f, pos, Whence::SeekData) else { return Ok(out) };
        let end = lseek(&f, start, Whence::SeekHole).map_err(|e| format!("grader: SEEK_HOLE: {e}"))?;
        out.push((start as u64, end as u64));
        pos = end;
    }
}

/// Quickly: within 5 s, or on a busy machine, within 5 s times the pace of
/// its second try ([`Grader::timed`]); reading every byte of 4 GiB is slower.
fn sparse_4g(g: &Grader, p: &Program) -> Verdict {
    g.timed(|pace| sparse_4g_within(g, p, pace.of(Duration::from_secs(5))))
}

fn sparse_4g_within(g: &Grader, p: &Program, limit: Duration) -> Verdict {
    let c = Case::new(g, 0)?;
    let size = (4u64 << 30) + random_in(1 << 20, 64 << 20) * 2 + 1;
    let half = size / 2;
    let four = 4u64 << 30;
    // Data at the start, across the split, across the 4 GiB boundary, at the very end.
    let last = random_in(6000, 7000);
    let places = [(0, random_in(6000, 7000)), (half - 3000, 6000), (four - 5000, 10_000), (size - last, last)];
    let f = io("open SRC", fs::OpenOptions::new().write(true).open(&c.src))?;
    io("size SRC", f.set_len(size))?;
    for (at, len) in places {
        io("write SRC", f.write_all_at(&random_bytes(len as usize), at))?;
    }
    drop(f);
    let started = Instant::now();
    let run = g.run(p, &c.args()?)?;
    let took = started.elapsed();
    run.expect_success()?;
    run.expect_clean()?;
    let m = fs::metadata(&c.dst).map_err(|e| format!("DST {} was not created: {e}", c.dst.display()))?;
    expect(m.len() == size, || format!("DST has {} bytes, SRC {size}", m.len()))?;
    let extents = merged([data_extents(&c.src)?, data_extents(&c.dst)?].concat());
    let data: u64 = extents.iter().map(|(a, b)| b - a).sum();
    expect(data <= 64 << 20, || {
        format!(
            "SRC holds about 30 KB of data in a {size}-byte file, but DST holds {data} bytes of data: the holes were filled in"
        )
    })?;
    let (fs_src, fs_dst) = (io("open SRC", fs::File::open(&c.src))?, io("open DST", fs::File::open(&c.dst))?);
    for (start, end) in extents {
        let (mut a, mut b) = (vec![0u8; (end - start) as usize], vec![0u8; (end - start) as usize]);
        io("read SRC", fs_src.read_exact_at(&mut a, start))?;
        io("read DST", fs_dst.read_exact_at(&mut b, start))?;
        if let Some(i) = a.iter().zip(&b).position(|(x, y)| x != y) {
            return Err(format!("DST differs from SRC at offset {} (SRC is {size} bytes, sparse)", start + i as u64));
        }
    }
    let left = listing(&c.out);
    expect(left.len() == 1, || format!("DST's folder must hold only DST afterwards, it holds {}", names(&left)))?;
    expect(took < limit, || {
        format!(
            "copying a sparse {size}-byte file with 30 KB of data took {:.2}s (more than {:.0}s): skip the holes (SEEK_DATA/SEEK_HOLE)",
            took.as_secs_f64(),
            limit.as_secs_f64()
        )
    })
}

fn refuses_missing(g: &Grader, p: &Program) -> Verdict {
    let c = Case::new(g, 10)?;
    let missing = c.dir.join(format!("no-such-{:x}", random_u64() & 0xffffff));
    let before = snapshot(&[&c.dir, &c.out]);
    let run = g.run(p, &[s(&missing)?, s(&c.dst)?])?;
    expect_refused(&run, "SRC does not exist", &before, &[&c.dir, &c.out])
}

fn refuses_unreadable(g: &Grader, p: &Program) -> Verdict {
    let c = Case::new(g, random_in(10, 5000) as usize)?;
    io("chmod SRC", fs::set_permissions(&c.src, fs::Permissions::from_mode(0o000)))?;
    // DST's folder is open to all: only the unreadable SRC may stop the copy.
    io("chmod DST's folder", fs::set_permissions(&c.out, fs::Permissions::from_mode(0o777)))?;
    let mut prog = p.clone();
    if g.programs_run_as_root() {
        // root reads any file: run the program as user nobody instead.
        let ok = std::process::Command::new("setpriv").arg("--version").output().is_ok_and(|o| o.status.success());
        expect(ok, || {
            "the grader runs as root, so it runs this check as user nobody with setpriv (util-linux), which cannot be run".into()
        })?;
        prog.argv.splice(0..0, ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--"].map(String::from));
    }
    let before = snapshot(&[&c.dir, &c.out]);
    let run = g.run(&prog, &c.args()?)?;
    let as_nobody = prog.argv[0] == "setpriv";
    if as_nobody && (run.code() == 126 || run.code() == 127) {
        return Err(format!(
            "the grader runs as root, so it ran the program as user nobody, who cannot start it (exit {}): \
             put the program where every user can read and run it",
            run.code()
        ));
    }
    let run_as = if as_nobody { " (run as user nobody, since the grader is root)" } else { "" };
    expect_refused(&run, &format!("SRC is not readable{run_as}"), &before, &[&c.dir, &c.out])
}

fn refuses_not_regular(g: &Grader, p: &Program) -> Verdict {
    let c = Case::new(g, 10)?;
    let fifo = c.dir.join(format!("fifo-{:x}", random_u64() & 0xffffff));
    nix::unistd::mkfifo(&fifo, nix::sys::stat::Mode::from_bits_truncate(0o644))
        .map_err(|e| format!("grader: mkfifo: {e}"))?;
    // A program that opens a FIFO without O_NONBLOCK waits for a writer forever: give it 5 s.
    let mut quick = io("make a grader", g.alike())?;
    quick.timeout = Duration::from_secs(5);
    for (what, src) in
        [("SRC is a directory", c.dir.clone()), ("SRC is a FIFO", fifo), ("SRC is /dev/zero", "/dev/zero".into())]
    {
        let before = snapshot(&[&c.dir, &c.out]);
        let run = quick.run(p, &[s(&src)?, s(&c.dst)?]).map_err(|e| format!("{what}: {e}"))?;
        // A run of the quick grader, not of the check's: the front end does
        // not know it, so the message carries what it printed.
        expect_refused(&run, what, &before, &[&c.dir, &c.out]).map_err(|e| format!("{e}\n{}", run.excerpt()))?;
    }
    Ok(())
}

fn refuses_self(g: &Grader, p: &Program) -> Verdict {
    let c = Case::new(g, random_in(1000, 200_000) as usize)?;
    let name = c.src.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let hard = c.dir.join(format!("hard-{:x}", random_u64() & 0xffffff));
    let sym = c.dir.join(format!("sym-{:x}", random_u64() & 0xffffff));
    io("hard link", fs::hard_link(&c.src, &hard))?;
    io("symlink", std::os::unix::fs::symlink(&c.src, &sym))?;
    let dotted = c.dir.join(".").join(&name);
    for (what, dst) in [
        ("DST is SRC", &c.src),
        ("DST is ./SRC", &dotted),
        ("DST is a hard link to SRC", &hard),
        ("DST is a symlink to SRC", &sym),
    ] {
        let before = snapshot(&[&c.dir, &c.out]);
        let run = g.run(p, &["--force", s(&c.src)?, s(dst)?])?;
        expect_refused(&run, &format!("{what} (with --force)"), &before, &[&c.dir, &c.out])?;
    }
    Ok(())
}

fn refuses_existing(g: &Grader, p: &Program) -> Verdict {
    let c = Case::new(g, random_in(1000, 200_000) as usize)?;
    c.write_dst(g, random_in(10, 5000) as usize)?;
    let before = snapshot(&[&c.dir, &c.out]);
    let run = g.run(p, &c.args()?)?;
    expect_refused(&run, "DST exists and --force was not given", &before, &[&c.dir, &c.out])
}

fn force_replaces(g: &Grader, p: &Program) -> Verdict {
    let c = Case::new(g, random_in(1000, 2_000_000) as usize)?;
    // Longer than SRC: a DST opened without truncating keeps a stale tail.
    c.write_dst(g, c.data.len() + random_in(1, 5000) as usize)?;
    let run = g.run(p, &["--force", s(&c.src)?, s(&c.dst)?])?;
    expect_copied(&run, &c).map_err(|e| format!("DST exists, with --force: {e}"))
}

fn refuses_missing_folder(g: &Grader, p: &Program) -> Verdict {
    let c = Case::new(g, 10)?;
    let dst = c.out.join(format!("missing-{:x}", random_u64() & 0xffffff)).join("copy.bin");
    let before = snapshot(&[&c.dir, &c.out]);
    let run = g.run(p, &[s(&c.src)?, s(&dst)?])?;
    expect_refused(&run, "DST's folder does not exist", &before, &[&c.dir, &c.out])
}

fn injected_efbig(g: &Grader, p: &Program) -> Verdict {
    let ok = std::process::Command::new("prlimit").arg("--version").output().is_ok_and(|o| o.status.success());
    expect(ok, || "this check limits the file size with prlimit (util-linux), which cannot be run".into())?;
    let size = random_in(400_000, 3_000_000);
    let half = size / 2;
    // Below the half both processes fail; above it only the parent.
    for limit in [random_in(1, half - 1), random_in(half + 1, size - 1)] {
        let c = Case::new(g, size as usize)?;
        let before = snapshot(&[&c.dir]);
        // SIGXFSZ ignored (that survives exec): writes past the limit fail with EFBIG.
        let script = format!("trap '' XFSZ; exec prlimit --fsize={limit} -- \"$@\"");
        let mut prog = Program::new(["sh", "-c", &script, "sh"]);
        prog.argv.extend(p.argv.iter().cloned());
        let run = g.run(&prog, &c.args()?)?;
        let what = format!("file size limited to {limit} bytes (SRC {size} bytes)");
        expect_cleaned_up(&run, &c, &what, &before, false)?;
    }
    Ok(())
}

/// A SRC big enough that copying it takes a while: 256 MiB of non-zero data.
fn big_case(g: &Grader) -> Result<Case, String> {
    let c = Case::new(g, 0)?;
    let block = random_bytes(1 << 20);
    let mut f = io("open SRC", fs::OpenOptions::new().write(true).open(&c.src))?;
    for i in 0..256u64 {
        use std::io::Write as _;
        io("write SRC", f.write_all(&i.to_le_bytes()).and_then(|()| f.write_all(&block[8..])))?;
    }
    Ok(c)
}

/// Start a copy of a big file; once something appears in DST's folder (the
/// temp file), call `act` with the program's PID; then collect the run.
fn copy_and_then(
    g: &Grader,
    p: &Program,
    act: impl Fn(i32) -> Result<(), String>,
) -> Result<(Transcript, Case, Vec<String>), String> {
    let c = big_case(g)?;
    let before = snapshot(&[&c.dir]);
    let running = g.spawn(p, &c.args()?)?;
    let supervisor = running.supervisor_pid();
    let mut main = None;
    let started = procfs::poll_until(Duration::from_secs(10), || {
        main = main.or_else(|| procfs::children(supervisor).first().map(|s| s.pid));
        main.is_some() && !listing(&c.out).is_empty()
    });
    let acted = match (started, main) {
        (true, Some(pid)) => act(pid),
        _ => Err("nothing appeared in DST's folder within 10 s".to_string()),
    };
    if let Err(e) = acted {
        // The supervisor stops on SIGTERM, killing and reaping everything it
        // runs; the front end adds what the run printed to the message.
        let _ = kill(Pid::from_raw(supervisor), Signal::SIGTERM);
        let _ = running.finish();
        return Err(e);
    }
    let run = running.finish()?;
    Ok((run, c, before))
}

/// The checks that act during the copy (Ctrl-C, killing the child) race
/// with it: a 128 MiB copy can take only tens of milliseconds, and on a
/// busy machine the grader may act after it ended, through no fault of the
/// program. Each is tried up to [`DURING_COPY_TRIES`] times; a program with
/// the bug fails every try.
fn during_copy(check: impl Fn() -> Verdict) -> Verdict {
    let mut verdict = check();
    for _ in 1..DURING_COPY_TRIES {
        if verdict.is_ok() {
            break;
        }
        verdict = check();
    }
    verdict.map_err(|why| format!("{why}\n(failed {DURING_COPY_TRIES} times in a row)"))
}

const DURING_COPY_TRIES: usize = 3;

fn interrupted(g: &Grader, p: &Program) -> Verdict {
    during_copy(|| interrupted_once(g, p))
}

fn interrupted_once(g: &Grader, p: &Program) -> Verdict {
    let (run, c, before) = copy_and_then(g, p, |main| {
        kill(Pid::from_raw(main), Signal::SIGINT).map_err(|e| format!("grader: kill SIGINT: {e}"))
    })?;
    expect(run.code() != 0 || !c.dst.exists(), || {
        "the program ignored SIGINT (sent while its temp file existed) and finished the copy".to_string()
    })?;
    expect_cleaned_up(&run, &c, "SIGINT sent to the parent while the temp file existed", &before, true)
}

fn child_killed(g: &Grader, p: &Program) -> Verdict {
    during_copy(|| child_killed_once(g, p))
}

fn child_killed_once(g: &Grader, p: &Program) -> Verdict {
    let (run, c, before) = copy_and_then(g, p, |main| {
        let mut child = None;
        procfs::poll_until(Duration::from_secs(2), || {
            child = procfs::children(main).into_iter().find(|s| !s.is_zombie()).map(|s| s.pid);
            child.is_some()
        });
        let child = child.ok_or_else(|| format!("the program (PID {main}) has no running child to kill"))?;
        kill(Pid::from_raw(child), Signal::SIGKILL).map_err(|e| format!("grader: kill SIGKILL: {e}"))
    })?;
    expect_cleaned_up(&run, &c, "the child was killed with SIGKILL during the copy", &before, false)
}

fn shared_offset_honest(g: &Grader, p: &Program) -> Verdict {
    let c = Case::new(g, random_in(200_000, 600_000) as usize)?;
    let run = g.run(p, &["--shared-offset", s(&c.src)?, s(&c.dst)?])?;
    run.expect_clean()?;
    let got = fs::read(&c.dst).map_err(|e| format!("--shared-offset must still write DST: {e}"))?;
    let wrong = got.iter().zip(&c.data).filter(|(a, b)| a != b).count() + got.len().abs_diff(c.data.len());
    let (_, said) = run.fact("parent", "wrong_bytes")?;
    expect(said == wrong.to_string(), || {
        format!("the parent printed wrong_bytes={said}, but comparing DST with SRC finds {wrong} wrong bytes")
    })?;
    let want = if wrong == 0 { 0 } else { FAILED };
    expect(run.code() == want, || {
        format!("with {wrong} wrong bytes the exit code must be {want}, got {}", run.code())
    })?;
    let left = listing(&c.out);
    expect(left.len() == 1, || format!("DST's folder must hold only DST afterwards, it holds {}", names(&left)))
}
