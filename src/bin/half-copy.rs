//! Lab 8, half-copy: a parent and a child copy one file at the same time,
//! each copying half of it into the new file.
//!
//! After `fork` the child copies bytes `0..size/2` and the parent
//! `size/2..size`. Each process opens SRC and the destination *itself, after
//! the fork*, and copies with positioned I/O (explicit offsets), so neither
//! depends on the other's file offset. Both write into a temp file beside
//! DST, which is renamed to DST only when both halves are in.
//!
//! `--shared-offset` shows the classic mistake: the files are opened once
//! *before* the fork, so both processes move one shared offset each.

use std::path::PathBuf;
use std::process::exit;
use std::time::{Duration, Instant};

use clap::Parser;
use labkit::copy::{self, Source, Temp};
use labkit::process::{EXIT_FAILED, EXIT_USAGE};
use labkit::{delay, say, warn};

/// Parent and child each copy one half of SRC into DST, at the same time.
#[derive(Parser)]
#[command(name = "half-copy")]
struct Args {
    /// The file to copy (a regular file).
    src: PathBuf,
    /// The copy's name (refused if it exists, unless --force).
    dst: PathBuf,
    /// Replace DST if it exists (atomically: DST is the old file or the whole copy).
    #[arg(long)]
    force: bool,
    /// The classic mistake: open the files once before the fork (one shared offset).
    #[arg(long)]
    shared_offset: bool,
    /// With --shared-offset: bytes per read/write.
    #[arg(long, default_value_t = 64 << 10, value_parser = clap::value_parser!(u64).range(1..=64 << 20))]
    chunk: u64,
    /// With --shared-offset: pause between each lseek and its read (the race window).
    #[arg(long, default_value = "1ms", value_parser = delay::parse)]
    delay: Duration,
    /// Afterwards, compare DST with SRC byte by byte and print wrong_bytes=N.
    #[arg(long)]
    verify: bool,
}

/// One process's half, as the course wants it: open both files myself, after
/// the fork, and copy `from..to` with explicit offsets.
fn copy_half(src: &Source, temp: &Temp, from: u64, to: u64) -> Result<(), String> {
    let started = Instant::now();
    let src_file = copy::open_source(src)?;
    let dst_file = temp.open()?;
    let done = copy::copy_range(&src_file, &dst_file, from, to)?;
    say!(
        "copied my half from={from} to={to} bytes={} data={} time={} ({})",
        to - from,
        done.data,
        copy::ms(started.elapsed()),
        done.how()
    );
    Ok(())
}

/// The mistake: files opened once before the fork, plain read/write.
fn shared_half(args: &Args, src: &std::fs::File, dst: &std::fs::File, from: u64, len: u64) -> Result<(), String> {
    let run = copy::shared_offset_half(src, dst, from, len, args.chunk as usize, args.delay)?;
    say!(
        "shared offset: my half starts at {from}, {len} bytes; chunks={} read_bytes={} offset_moved_by_other={}",
        run.chunks,
        run.bytes,
        run.moved
    );
    Ok(())
}

fn main() {
    let args = Args::parse();
    labkit::out::set_role("parent");
    let started = Instant::now();

    // Refuse bad input before anything is created.
    let src = copy::check_source(&args.src).unwrap_or_else(|e| refuse(&e));
    let replacing = copy::check_destination(&args.dst, &src, args.force).unwrap_or_else(|e| refuse(&e));
    let (size, half) = (src.size, src.size / 2);
    say!(
        "SRC={} size={size} inode={}; DST={} {}",
        src.path.display(),
        src.ino,
        args.dst.display(),
        if replacing { "exists: --force replaces it at the end" } else { "does not exist yet" }
    );

    // From here on Ctrl-C sets a flag (checked between chunks) instead of
    // killing us: whatever happens, we remove what we created.
    if let Err(e) = copy::on_stop_signals() {
        fail(&format!("cannot handle Ctrl-C: {e}"));
    }
    // Both processes write into one temp file beside DST.
    let temp = match Temp::create_beside(&args.dst) {
        Ok(t) => t,
        Err(e) => fail(&e),
    };
    say!("created temp={} (O_CREAT|O_EXCL); it becomes DST only if both halves succeed", temp.path.display());

    // The mistake, for comparison: one open before the fork, shared by both.
    let shared = if args.shared_offset {
        match copy::open_source(&src).and_then(|s| Ok((s, temp.open()?))) {
            Ok(files) => Some(files),
            Err(e) => give_up(temp, &e),
        }
    } else {
        None
    };

    let child = labkit::process::fork_child("child", || {
        let result = match &shared {
            Some((s, d)) => shared_half(&args, s, d, 0, half),
            None => copy_half(&src, &temp, 0, half),
        };
        result.map_or_else(|e| report(&e), |()| 0)
    });
    let child = match child {
        Ok(pid) => pid,
        Err(e) => give_up(temp, &format!("fork failed: {e}")),
    };
    say!("fork() returned child={child}: the child copies bytes 0..{half}, I copy {half}..{size}, at the same time");

    let mine = match &shared {
        Some((s, d)) => shared_half(&args, s, d, half, size - half),
        None => copy_half(&src, &temp, half, size),
    };
    if mine.is_err() {
        let _ = nix::sys::signal::kill(child, nix::sys::signal::Signal::SIGTERM); // no use going on
    }
    let reaped = match copy::wait_child(child) {
        Ok(r) => r,
        Err(e) => give_up(temp, &format!("waitpid: {e}")),
    };
    say!("child {} {}", reaped.pid, reaped.describe());

    // Success only if both halves were written in full.
    if let Err(e) = &mine {
        give_up(temp, &format!("my half failed: {e}"));
    }
    if reaped.exit_code() != Some(0) {
        give_up(temp, &format!("the child's half failed: child {} {}", reaped.pid, reaped.describe()));
    }
    if let Some(sig) = copy::stop_signal() {
        give_up(temp, &format!("interrupted by {}", sig.as_str()));
    }
    drop(shared);
    if let Err((temp, e)) = temp.commit(&src, args.force) {
        give_up(temp, &e);
    }
    say!("both halves written: renamed the temp file to DST={} size={size}", args.dst.display());

    // Check, not claim: compare the copy with SRC.
    if args.verify || args.shared_offset {
        match copy::compare(&src.path, &args.dst) {
            Ok((wrong, first)) => {
                let first = first.map_or("none".into(), |f| f.to_string());
                say!("compared DST with SRC byte by byte: wrong_bytes={wrong} first_wrong={first} of size={size}");
                if wrong > 0 {
                    exit(EXIT_FAILED);
                }
            }
            Err(e) => fail(&format!("cannot compare DST with SRC: {e}")),
        }
    }
    say!("done total_time={}", copy::ms(started.elapsed()));
}

/// Bad input: nothing was created. Exit 2.
fn refuse(why: &str) -> ! {
    warn!("refused: {why}");
    exit(EXIT_USAGE)
}

/// The copy failed (in the child: report and exit 1; the parent cleans up).
fn report(why: &str) -> i32 {
    warn!("failed: {why}");
    EXIT_FAILED
}

/// The copy failed before anything was created. Exit 1.
fn fail(why: &str) -> ! {
    exit(report(why))
}

/// The copy failed after the temp file was created: remove it, exit 1.
fn give_up(temp: Temp, why: &str) -> ! {
    report(why);
    let shown = temp.path.display().to_string();
    match temp.discard() {
        Ok(()) => warn!("removed temp={shown}; DST was not touched"),
        Err(e) => warn!("{e}"),
    }
    exit(EXIT_FAILED)
}
