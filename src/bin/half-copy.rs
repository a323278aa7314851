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
use std::time::{Duration, Instant};

use clap::Parser;
use labkit::copy::{self, Job, Shared};
use labkit::delay::{self, Style};
use labkit::{process, say};
use nix::sys::signal::{Signal, kill};

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
/// the fork, and copy `from..to` with explicit offsets. (`--shared-offset`:
/// the mistake instead, through the files opened before the fork.)
fn copy_half(args: &Args, job: &Job, shared: Option<&Shared>, from: u64, to: u64) -> Result<(), String> {
    if let Some(files) = shared {
        return files.copy_half(from, to, args.chunk as usize, args.delay);
    }
    let started = Instant::now();
    let src = copy::open_source(&job.src)?;
    let dst = job.temp.open()?;
    let done = copy::copy_range(&src, &dst, from, to)?;
    let time = delay::show_as(started.elapsed(), Style::Millis);
    say!("copied my half from={from} to={to} bytes={} data={} time={time} ({})", to - from, done.data, done.how());
    Ok(())
}

fn main() {
    let args: Args = labkit::start("parent");
    let started = Instant::now();
    // Refuse bad input before anything is created, then create the temp file
    // both processes write, beside DST.
    let job = Job::prepare(&args.src, &args.dst, args.force);
    let (size, half) = (job.src.size, job.src.size / 2);
    // The mistake, for comparison: one open before the fork, shared by both.
    let shared = args.shared_offset.then(|| job.open_shared());

    let child = process::fork_child("child", || {
        copy_half(&args, &job, shared.as_ref(), 0, half).unwrap_or_else(|e| process::fail("failed", e));
        0
    })
    .unwrap_or_else(|e| job.give_up(&format!("fork failed: {e}")));
    say!("fork() returned child={child}: the child copies bytes 0..{half}, I copy {half}..{size}, at the same time");

    let mine = copy_half(&args, &job, shared.as_ref(), half, size);
    if mine.is_err() {
        let _ = kill(child, Signal::SIGTERM); // no use going on
    }
    let reaped = copy::wait_child(child).unwrap_or_else(|e| job.give_up(&format!("waitpid: {e}")));
    say!("child {} {}", reaped.pid, reaped.describe());

    // Success only if both halves were written in full.
    if let Err(e) = &mine {
        job.give_up(&format!("my half failed: {e}"));
    }
    if reaped.exit_code() != Some(0) {
        job.give_up(&format!("the child's half failed: child {} {}", reaped.pid, reaped.describe()));
    }
    drop(shared);
    job.commit();

    // Check, not claim: compare the copy with SRC.
    if (args.verify || args.shared_offset) && !job.verify() {
        std::process::exit(process::EXIT_FAILED);
    }
    say!("done total_time={}", delay::show_as(started.elapsed(), Style::Millis));
}
