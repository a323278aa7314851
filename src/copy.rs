//! File plumbing for lab 8, half-copy: everything that is not the lesson.
//!
//! * [`check_source`] and [`check_destination`]: refuse bad input *before*
//!   anything is created (SRC missing, unreadable, not a regular file; DST
//!   is SRC; DST exists without `--force`; DST's folder missing).
//! * [`Job`]: one copy from the checks to the rename, so that the lab's
//!   `main` reads as its lesson: [`Job::prepare`] refuses bad input, catches
//!   the stop signals and creates the temp file; [`Job::commit`] renames it
//!   to DST; [`Job::give_up`] removes it and fails; [`Job::verify`] compares.
//! * [`Temp`]: the file both processes write, created beside DST with
//!   `O_CREAT|O_EXCL` and a random name, renamed over DST only when both
//!   halves succeeded ([`Temp::commit`]), removed otherwise ([`Temp::discard`]).
//! * [`copy_range`]: copy bytes `from..to` with *positioned* I/O
//!   (`copy_file_range` with explicit offsets, `pread`/`pwrite` where the
//!   kernel cannot), skipping holes (`SEEK_DATA`/`SEEK_HOLE`), in chunks so
//!   that a stop signal is noticed promptly.
//! * Ctrl-C and `SIGTERM` set the kit's stop flag
//!   ([`signals::note_stop_signals`]); the copy loops check it between
//!   chunks and [`wait_child`] forwards it to the child.
//! * [`Shared`] and [`shared_offset_half`]: the classic mistake, on purpose,
//!   for `--shared-offset`; [`compare`] counts the bytes it got wrong.

use std::ffi::OsStr;
use std::fs::{File, OpenOptions};
use std::io::{self, Read as _, Write as _};
use std::os::unix::ffi::OsStrExt as _;
use std::os::unix::fs::{FileExt as _, MetadataExt as _, OpenOptionsExt as _};
use std::path::{Path, PathBuf};
use std::time::Duration;

use nix::errno::Errno;
use nix::sys::signal::{self, Signal};
use nix::unistd::{Pid, Whence, lseek};

use crate::process::{self, EXIT_USAGE, Reaped};
use crate::{say, signals, warn};

/// Bytes moved per system call: big enough to be fast, small enough that a
/// stop signal is noticed within a few milliseconds.
pub const CHUNK: u64 = 4 << 20;

/// One half-copy, from the checks to the rename: SRC as checked, DST, and
/// the temp file both processes write.
#[derive(Debug)]
pub struct Job {
    pub src: Source,
    pub dst: PathBuf,
    /// Replace an existing DST (`--force`).
    pub force: bool,
    pub temp: Temp,
}

impl Job {
    /// Get ready, or refuse: check SRC and DST before anything is created
    /// (bad input: `refused: ...`, exit 2), say what will happen, catch the
    /// stop signals (from here on Ctrl-C only sets a flag, checked between
    /// chunks, so that whatever happens what was created is removed), and
    /// create the temp file beside DST.
    pub fn prepare(src: &Path, dst: &Path, force: bool) -> Job {
        let src = check_source(src).unwrap_or_else(|e| process::fail_with(EXIT_USAGE, "refused", e));
        let replacing =
            check_destination(dst, &src, force).unwrap_or_else(|e| process::fail_with(EXIT_USAGE, "refused", e));
        say!(
            "SRC={} size={} inode={}; DST={} {}",
            src.path.display(),
            src.size,
            src.ino,
            dst.display(),
            if replacing { "exists: --force replaces it at the end" } else { "does not exist yet" }
        );
        if let Err(e) = signals::note_stop_signals() {
            process::fail("failed: cannot handle Ctrl-C", e);
        }
        let temp = Temp::create_beside(dst).unwrap_or_else(|e| process::fail("failed", e));
        say!("created temp={} (O_CREAT|O_EXCL); it becomes DST only if both halves succeed", temp.path.display());
        Job { src, dst: dst.to_path_buf(), force, temp }
    }

    /// `--shared-offset`, the mistake: SRC and the temp file opened once,
    /// before the fork, for both processes to share.
    pub fn open_shared(&self) -> Shared {
        let files = open_source(&self.src).and_then(|src| Ok(Shared { src, dst: self.temp.open()? }));
        files.unwrap_or_else(|e| self.give_up(&e))
    }

    /// The copy failed after the temp file was created: remove it, say so,
    /// and fail with `failed: why` (exit 1).
    pub fn give_up(&self, why: &str) -> ! {
        match self.temp.discard() {
            Ok(()) => warn!("removed temp={}; DST was not touched", self.temp.path.display()),
            Err(e) => warn!("{e}"),
        }
        process::fail("failed", why)
    }

    /// Both halves are in: unless a stop signal came meanwhile, make the
    /// temp file DST ([`Temp::commit`]) and say so; give up otherwise.
    pub fn commit(&self) {
        if let Some(sig) = signals::stop_noted() {
            self.give_up(&format!("interrupted by {}", sig.as_str()));
        }
        if let Err(e) = self.temp.commit(&self.src, self.force) {
            self.give_up(&e);
        }
        say!("both halves written: renamed the temp file to DST={} size={}", self.dst.display(), self.src.size);
    }

    /// Check, not claim: compare DST with SRC byte by byte and say how many
    /// bytes differ. Whether none does.
    pub fn verify(&self) -> bool {
        let (wrong, first) = compare(&self.src.path, &self.dst)
            .unwrap_or_else(|e| process::fail("failed", format!("cannot compare DST with SRC: {e}")));
        let first = first.map_or("none".into(), |f| f.to_string());
        say!("compared DST with SRC byte by byte: wrong_bytes={wrong} first_wrong={first} of size={}", self.src.size);
        wrong == 0
    }
}

/// The source file as checked before the fork: each process reopens it by
/// path afterwards and makes sure it is still this file.
#[derive(Debug, Clone)]
pub struct Source {
    pub path: PathBuf,
    pub size: u64,
    pub dev: u64,
    pub ino: u64,
    /// Permission bits, given to the copy.
    pub mode: u32,
}

/// What kind of file a metadata describes, in words for a refusal.
fn kind(meta: &std::fs::Metadata) -> &'static str {
    use std::os::unix::fs::FileTypeExt as _;
    let t = meta.file_type();
    if t.is_dir() {
        "a directory"
    } else if t.is_fifo() {
        "a FIFO (named pipe)"
    } else if t.is_char_device() {
        "a character device"
    } else if t.is_block_device() {
        "a block device"
    } else if t.is_socket() {
        "a socket"
    } else if t.is_file() {
        "a regular file"
    } else {
        "not a regular file"
    }
}

/// Check SRC: it exists, can be opened for reading, and is a regular file.
/// Opened with `O_NONBLOCK`, so that a FIFO is refused instead of waiting
/// for a writer forever. The file is closed again before returning.
pub fn check_source(path: &Path) -> Result<Source, String> {
    let file = OpenOptions::new().read(true).custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY).open(path).map_err(
        |e| match e.kind() {
            io::ErrorKind::NotFound => format!("SRC {} does not exist", path.display()),
            io::ErrorKind::PermissionDenied => format!("SRC {} is not readable: {e}", path.display()),
            _ => format!("cannot open SRC {}: {e}", path.display()),
        },
    )?;
    let meta = file.metadata().map_err(|e| format!("cannot stat SRC {}: {e}", path.display()))?;
    if !meta.is_file() {
        return Err(format!("SRC {} is {}, not a regular file", path.display(), kind(&meta)));
    }
    Ok(Source { path: path.to_path_buf(), size: meta.len(), dev: meta.dev(), ino: meta.ino(), mode: meta.mode() })
}

/// DST's folder (`.` for a bare name).
fn folder_of(dst: &Path) -> &Path {
    match dst.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// Check DST: its folder exists, it is not SRC under another name (same
/// device and inode: a hard link, a symlink, `./SRC`), and it does not exist
/// yet unless `force`. Returns whether an existing DST will be replaced.
pub fn check_destination(dst: &Path, src: &Source, force: bool) -> Result<bool, String> {
    let shown = dst.display();
    if dst.file_name().is_none() || dst.as_os_str().as_bytes().ends_with(b"/") {
        return Err(format!("DST {shown} does not name a file"));
    }
    let folder = folder_of(dst);
    match std::fs::metadata(folder) {
        Ok(m) if m.is_dir() => {}
        Ok(m) => return Err(format!("DST's folder {} is {}, not a folder", folder.display(), kind(&m))),
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            return Err(format!("DST's folder {} does not exist", folder.display()));
        }
        Err(e) => return Err(format!("cannot check DST's folder {}: {e}", folder.display())),
    }
    // Following symlinks: is DST the very same file as SRC?
    if let Ok(m) = std::fs::metadata(dst)
        && m.dev() == src.dev
        && m.ino() == src.ino
    {
        return Err(format!(
            "DST {shown} is SRC {} itself (device {} inode {}): a file cannot be copied onto itself",
            src.path.display(),
            m.dev(),
            m.ino()
        ));
    }
    // Not following symlinks: does a name DST exist at all?
    match std::fs::symlink_metadata(dst) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(format!("cannot check DST {shown}: {e}")),
        Ok(m) if m.is_dir() => Err(format!("DST {shown} is a folder; give the copy's file name")),
        Ok(_) if !force => Err(format!("DST {shown} already exists (use --force to replace it)")),
        Ok(_) => Ok(true),
    }
}

/// Reopen SRC by path (as each process does after the fork) and make sure
/// it is still the file that was checked, with the same size.
pub fn open_source(src: &Source) -> Result<File, String> {
    let file = OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY)
        .open(&src.path)
        .map_err(|e| format!("cannot open SRC {}: {e}", src.path.display()))?;
    let m = file.metadata().map_err(|e| format!("cannot stat SRC: {e}"))?;
    if m.dev() != src.dev || m.ino() != src.ino || m.len() != src.size {
        return Err(format!("SRC {} changed since it was checked", src.path.display()));
    }
    Ok(file)
}

/// A random number from the kernel, for temp file names.
fn random_u32() -> u32 {
    (crate::random::random_u64() & 0xffff_ffff) as u32
}

/// The temporary file beside DST that both processes write.
#[derive(Debug)]
pub struct Temp {
    pub path: PathBuf,
    dst: PathBuf,
    dev: u64,
    ino: u64,
}

impl Temp {
    /// Create `.DST.half-copy-XXXXXXXX` in DST's folder with `O_CREAT|O_EXCL`
    /// (never an existing file), mode 0600, empty.
    pub fn create_beside(dst: &Path) -> Result<Temp, String> {
        let name = dst.file_name().unwrap_or(OsStr::new("copy")).as_bytes();
        let name = OsStr::from_bytes(&name[..name.len().min(200)]); // room for the suffix in 255 bytes
        let mut last = None;
        for _ in 0..16 {
            let mut temp_name = std::ffi::OsString::from(".");
            temp_name.push(name);
            temp_name.push(format!(".half-copy-{:08x}", random_u32()));
            let path = folder_of(dst).join(temp_name);
            match OpenOptions::new().write(true).create_new(true).mode(0o600).open(&path) {
                Ok(f) => {
                    let m = f.metadata().map_err(|e| format!("cannot stat the temp file: {e}"))?;
                    return Ok(Temp { path, dst: dst.to_path_buf(), dev: m.dev(), ino: m.ino() });
                }
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => last = Some(e),
                Err(e) => return Err(format!("cannot create a temp file beside DST {}: {e}", dst.display())),
            }
        }
        Err(format!("cannot create a temp file beside DST {}: {last:?}", dst.display()))
    }

    /// Open the temp file for writing by its path (each process does this
    /// itself after the fork), checking it is still the file we created.
    pub fn open(&self) -> Result<File, String> {
        let file = OpenOptions::new()
            .write(true)
            .open(&self.path)
            .map_err(|e| format!("cannot open the temp file {}: {e}", self.path.display()))?;
        let m = file.metadata().map_err(|e| format!("cannot stat the temp file: {e}"))?;
        if m.dev() != self.dev || m.ino() != self.ino {
            return Err(format!("the temp file {} was replaced by another file", self.path.display()));
        }
        Ok(file)
    }

    /// Both halves are in: give the file its full size (a hole at the end
    /// stays a hole) and SRC's permissions, then rename it to DST. Without
    /// `force` the rename refuses to replace a DST that appeared meanwhile
    /// (`renameat2(RENAME_NOREPLACE)`); with `force`, `rename` replaces DST
    /// atomically: DST is always either the old file or the whole copy.
    pub fn commit(&self, src: &Source, force: bool) -> Result<(), String> {
        let file = self.open()?;
        file.set_len(src.size).map_err(|e| format!("cannot set the copy's size to {}: {e}", src.size))?;
        let umask = nix::sys::stat::umask(nix::sys::stat::Mode::empty());
        nix::sys::stat::umask(umask);
        let mode = src.mode & 0o777 & !umask.bits();
        nix::sys::stat::fchmod(&file, nix::sys::stat::Mode::from_bits_truncate(mode))
            .map_err(|e| format!("cannot set the copy's permissions: {e}"))?;
        drop(file);
        let renamed =
            if force { std::fs::rename(&self.path, &self.dst) } else { rename_noreplace(&self.path, &self.dst) };
        renamed.map_err(|e| format!("cannot rename the temp file to DST {}: {e}", self.dst.display()))
    }

    /// Remove the temp file: nothing of a failed copy is left behind.
    pub fn discard(&self) -> Result<(), String> {
        std::fs::remove_file(&self.path)
            .map_err(|e| format!("cannot remove the temp file {}: {e}", self.path.display()))
    }
}

/// `rename(from, to)` that fails with `EEXIST` instead of replacing `to`.
fn rename_noreplace(from: &Path, to: &Path) -> io::Result<()> {
    use nix::fcntl::{AT_FDCWD, RenameFlags, renameat2};
    match renameat2(AT_FDCWD, from, AT_FDCWD, to, RenameFlags::RENAME_NOREPLACE) {
        Ok(()) => Ok(()),
        // A file system without RENAME_NOREPLACE: link() also refuses an existing name.
        Err(Errno::EINVAL | Errno::ENOSYS) => {
            std::fs::hard_link(from, to)?;
            std::fs::remove_file(from)
        }
        Err(e) => Err(e.into()),
    }
}

fn stopped_at(at: u64) -> Result<(), String> {
    match signals::stop_noted() {
        Some(sig) => Err(format!("stopped by {} at offset {at}", sig.as_str())),
        None => Ok(()),
    }
}

/// Wait for `child` (`waitpid` with `WNOHANG`, every millisecond), and if a
/// stop signal arrives meanwhile, pass it on to the child as `SIGTERM` so it
/// stops too. Returns how the child ended.
pub fn wait_child(child: Pid) -> nix::Result<Reaped> {
    let mut told = false;
    loop {
        if let Some(r) = process::try_wait(Some(child))? {
            return Ok(r);
        }
        if !told && signals::stop_noted().is_some() {
            let _ = signal::kill(child, Signal::SIGTERM);
            told = true;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
}

/// What [`copy_range`] did.
#[derive(Debug, Clone, Copy, Default)]
pub struct Copied {
    /// Bytes actually moved (data extents); the rest of the range was holes.
    pub data: u64,
    /// Whether `copy_file_range` had to give way to `pread`/`pwrite`.
    pub fallback: bool,
}

impl Copied {
    /// The system call that moved the bytes, for the report.
    pub fn how(&self) -> &'static str {
        if self.fallback { "pread/pwrite" } else { "copy_file_range" }
    }
}

/// The data extents of `file` within `from..to` (`SEEK_DATA`/`SEEK_HOLE`);
/// a file system without them reports the whole range as data.
fn next_data(file: &File, pos: u64, to: u64) -> Result<Option<(u64, u64)>, String> {
    let data = match lseek(file, pos as i64, Whence::SeekData) {
        Ok(d) => d as u64,
        Err(Errno::ENXIO) => return Ok(None), // only a hole (or nothing) from pos to the end
        Err(Errno::EINVAL | Errno::EOPNOTSUPP) => return Ok(Some((pos, to))),
        Err(e) => return Err(format!("lseek(SEEK_DATA) at offset {pos}: {e}")),
    };
    if data >= to {
        return Ok(None);
    }
    let hole = match lseek(file, data as i64, Whence::SeekHole) {
        Ok(h) => h as u64,
        Err(e) => return Err(format!("lseek(SEEK_HOLE) at offset {data}: {e}")),
    };
    Ok(Some((data, hole.min(to))))
}

/// Copy bytes `from..to` of `src` to the same offsets of `dst` with
/// positioned I/O only: neither file's offset is used, so another process
/// copying another range of the same files cannot disturb this one. Holes
/// are skipped (they stay holes in `dst`). Checks for a stop signal before
/// each chunk of at most [`CHUNK`] bytes.
pub fn copy_range(src: &File, dst: &File, from: u64, to: u64) -> Result<Copied, String> {
    let mut done = Copied::default();
    let mut buf: Vec<u8> = Vec::new(); // for pread/pwrite, allocated only if needed
    let mut pos = from;
    while pos < to {
        stopped_at(pos)?;
        let Some((start, end)) = next_data(src, pos, to)? else { break };
        let mut at = start;
        while at < end {
            stopped_at(at)?;
            let len = (end - at).min(CHUNK) as usize;
            let n = if done.fallback {
                pread_pwrite(src, dst, at, len, &mut buf)?
            } else {
                let (mut off_in, mut off_out) = (at as i64, at as i64);
                match nix::fcntl::copy_file_range(src, Some(&mut off_in), dst, Some(&mut off_out), len) {
                    Ok(n) => n,
                    // Different file systems, or one that cannot: copy through user space.
                    Err(Errno::EXDEV | Errno::EINVAL | Errno::ENOSYS | Errno::EOPNOTSUPP) => {
                        done.fallback = true;
                        continue;
                    }
                    Err(e) => return Err(format!("copy_file_range at offset {at}: {e}")),
                }
            };
            if n == 0 {
                return Err(format!("SRC ended early at offset {at}: it shrank while being copied"));
            }
            at += n as u64;
            done.data += n as u64;
        }
        pos = end;
    }
    Ok(done)
}

/// One chunk through user space: `pread` from SRC, `pwrite` to DST, both at `at`.
fn pread_pwrite(src: &File, dst: &File, at: u64, len: usize, buf: &mut Vec<u8>) -> Result<usize, String> {
    buf.resize(len.max(buf.len()), 0);
    let n = src.read_at(&mut buf[..len], at).map_err(|e| format!("pread at offset {at}: {e}"))?;
    dst.write_all_at(&buf[..n], at).map_err(|e| format!("pwrite at offset {at}: {e}"))?;
    Ok(n)
}

/// The files of the shared-offset mistake, opened once before the fork
/// ([`Job::open_shared`]): both processes move the same two offsets.
#[derive(Debug)]
pub struct Shared {
    src: File,
    dst: File,
}

impl Shared {
    /// Copy `from..to` the mistaken way ([`shared_offset_half`]), `chunk`
    /// bytes at a time with `pause` in each race window, and say what this
    /// process observed.
    pub fn copy_half(&self, from: u64, to: u64, chunk: usize, pause: Duration) -> Result<(), String> {
        let len = to - from;
        let run = shared_offset_half(&self.src, &self.dst, from, len, chunk, pause)?;
        say!(
            "shared offset: my half starts at {from}, {len} bytes; chunks={} read_bytes={} offset_moved_by_other={}",
            run.chunks,
            run.bytes,
            run.moved
        );
        Ok(())
    }
}

/// What one process of the shared-offset mistake observed.
#[derive(Debug, Clone, Copy, Default)]
pub struct SharedRun {
    /// Bytes this process read and wrote (it meant to do `len`).
    pub bytes: u64,
    /// Chunks it read.
    pub chunks: u64,
    /// How many times, between this process's `lseek` and its `read`, the
    /// shared offset moved: the other process had seeked or read meanwhile.
    pub moved: u64,
}

/// THE MISTAKE, on purpose (`--shared-offset`): `src` and `dst` were opened
/// once *before* the fork, so both processes share each file's offset. For
/// every chunk this process seeks both files to where its half goes on,
/// believing that makes the position its own, then (after `pause`) uses plain
/// `read`/`write`, which start at the shared offset and move it. The other
/// process seeks the same offsets in between.
pub fn shared_offset_half(
    src: &File,
    dst: &File,
    from: u64,
    len: u64,
    chunk: usize,
    pause: Duration,
) -> Result<SharedRun, String> {
    let seek = |f: &File, at: u64| lseek(f, at as i64, Whence::SeekSet).map_err(|e| format!("lseek: {e}"));
    let mut run = SharedRun::default();
    let mut buf = vec![0u8; chunk.max(1)];
    while run.bytes < len {
        stopped_at(from + run.bytes)?;
        let mine = from + run.bytes;
        seek(src, mine)?; // "my position", I believe
        seek(dst, mine)?;
        crate::delay::pause(pause);
        let at = lseek(src, 0, Whence::SeekCur).map_err(|e| format!("lseek: {e}"))? as u64;
        if at != mine {
            run.moved += 1;
        }
        let want = (len - run.bytes).min(buf.len() as u64) as usize;
        let n = (&*src).read(&mut buf[..want]).map_err(|e| format!("read: {e}"))?;
        if n == 0 {
            break; // end of file: the shared offset was past the end
        }
        (&*dst).write_all(&buf[..n]).map_err(|e| format!("write: {e}"))?;
        run.bytes += n as u64;
        run.chunks += 1;
    }
    Ok(run)
}

/// Compare two files byte by byte: `(wrong bytes, first wrong offset)`.
/// Bytes missing from the shorter file count as wrong.
pub fn compare(a: &Path, b: &Path) -> io::Result<(u64, Option<u64>)> {
    let (mut fa, mut fb) = (File::open(a)?, File::open(b)?);
    let (mut ba, mut bb) = (vec![0u8; 1 << 20], vec![0u8; 1 << 20]);
    let (mut wrong, mut first, mut at) = (0u64, None, 0u64);
    loop {
        let na = read_full(&mut fa, &mut ba)?;
        let nb = read_full(&mut fb, &mut bb)?;
        let common = na.min(nb);
        for (i, (x, y)) in ba[..common].iter().zip(&bb[..common]).enumerate() {
            if x != y {
                wrong += 1;
                first.get_or_insert(at + i as u64);
            }
        }
        let extra = na.max(nb) - common;
        if extra > 0 {
            wrong += extra as u64;
            first.get_or_insert(at + common as u64);
        }
        at += na.max(nb) as u64;
        if na < ba.len() && nb < bb.len() {
            return Ok((wrong, first));
        }
    }
}

/// Read until `buf` is full or the file ends.
fn read_full(f: &mut File, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match f.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}
