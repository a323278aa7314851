//! Lab 13, inherit: objects created before `fork` are shared, objects
//! created after are not.
//!
//! * A file opened **before** `fork` is one *open file description* with one
//!   offset: the child writes records, and the parent's offset has moved by
//!   as much; the parent's records land after the child's.
//! * A file opened **after** `fork`, by each process itself, has two
//!   offsets: the parent starts at 0 again and overwrites the child's
//!   records.
//! * A UDP socket bound **before** `fork` is one socket with one queue:
//!   each datagram sent to its port is received once, by whichever process
//!   reads first.
//! * A socket bound **after** `fork` is a second socket: binding it to the
//!   port the other process holds fails with `EADDRINUSE`.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, Write};
use std::net::UdpSocket;
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::Parser;
use labkit::{delay, out, process, say, warn};
use nix::unistd::getpid;

/// Objects made before fork are shared (one file offset, one socket); made after, they are not.
#[derive(Parser)]
#[command(name = "inherit")]
struct Args {
    /// How many records each process writes into each file.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..=1000))]
    writes: u32,
    /// How many datagrams are sent to the shared socket.
    #[arg(long, default_value_t = 6, value_parser = clap::value_parser!(u32).range(1..=1000))]
    datagrams: u32,
    /// The folder for the two files (inherit-before.txt, inherit-after.txt); kept for you to read.
    #[arg(long, default_value_os_t = std::env::temp_dir())]
    dir: PathBuf,
    /// How long both processes hold the shared socket before the datagrams come (look at /proc/PID/fd).
    #[arg(long, default_value = "1s", value_parser = delay::parse)]
    hold: Duration,
}

/// Every record is this many bytes, newline included: a record written over
/// another covers it exactly.
const RECORD: usize = 32;

fn record(n: u32) -> String {
    let text = format!("{} pid={} n={n}", out::role(), getpid());
    format!("{text:<width$}\n", width = RECORD - 1)
}

/// Write `n` records at the file's current offset, then say where the offset is.
fn write_records(f: &mut File, n: u32, which: &str) -> std::io::Result<()> {
    let start = f.stream_position()?;
    for i in 1..=n {
        f.write_all(record(i).as_bytes())?;
    }
    say!(
        "file={which}: wrote writes={n} records of {RECORD} bytes from={start}; my offset is now {}",
        f.stream_position()?
    );
    Ok(())
}

/// The records in a file, as `role pid` per record, for the lesson's summary.
fn who_wrote(path: &Path) -> String {
    let mut text = String::new();
    let _ = File::open(path).and_then(|mut f| f.read_to_string(&mut text));
    let writers: Vec<String> =
        text.lines().map(|l| l.split_whitespace().take(2).collect::<Vec<_>>().join(" ")).collect();
    format!("size={} records: {}", text.len(), writers.join(", "))
}

/// `socket:[INODE]`, the kernel object behind a descriptor, from `/proc/self/fd`.
fn socket_inode(sock: &UdpSocket) -> String {
    let link = std::fs::read_link(format!("/proc/self/fd/{}", sock.as_raw_fd()));
    link.map_or("?".into(), |l| l.to_string_lossy().trim_start_matches("socket:[").trim_end_matches(']').to_string())
}

/// Read datagrams until an `end` one; print each with who got it.
fn receive(sock: &UdpSocket) -> u32 {
    let mut buf = [0u8; 64];
    let mut got = 0;
    loop {
        let Ok((n, _)) = sock.recv_from(&mut buf) else { return got };
        let text = String::from_utf8_lossy(&buf[..n]).to_string();
        if text == "end" {
            say!("received end: I stop reading; I received {got} datagram(s)");
            return got;
        }
        got += 1;
        say!("received {text} on socket_inode={}", socket_inode(sock));
    }
}

fn main() {
    let args: Args = labkit::start("parent");
    let mut ok = true;

    // 1. A file opened before fork: one open file description, one offset.
    let before = args.dir.join("inherit-before.txt");
    let mut shared = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(true)
        .open(&before)
        .unwrap_or_else(|e| process::fail("open before fork", e));
    say!("opened {} before fork(): fd={} offset=0", before.display(), shared.as_raw_fd());
    let n = args.writes;
    let child = process::fork_child("child", || match write_records(&mut shared, n, "before") {
        Ok(()) => 0,
        Err(e) => {
            warn!("write failed: {e}");
            process::EXIT_FAILED
        }
    })
    .unwrap_or_else(|e| process::fail("fork failed", e));
    ok &= process::wait_for(child).is_ok_and(|r| r.exit_code() == Some(0));
    let moved = shared.stream_position().unwrap_or_else(|e| process::fail("lseek", e));
    say!(
        "file opened before fork: my offset={moved} after my child's writes, though I wrote nothing yet: shared={}",
        out::yes_no(moved == u64::from(n) * RECORD as u64)
    );
    ok &= moved == u64::from(n) * RECORD as u64;
    write_records(&mut shared, n, "before").unwrap_or_else(|e| process::fail("write", e));
    say!("file opened before fork: {}", who_wrote(&before));

    // 2. A file opened after fork, by each process itself: two offsets.
    let after = args.dir.join("inherit-after.txt");
    let child = process::fork_child("child", || {
        let opened = OpenOptions::new().write(true).create(true).truncate(true).open(&after);
        match opened.and_then(|mut f| write_records(&mut f, n, "after")) {
            Ok(()) => 0,
            Err(e) => {
                warn!("open or write failed: {e}");
                process::EXIT_FAILED
            }
        }
    })
    .unwrap_or_else(|e| process::fail("fork failed", e));
    ok &= process::wait_for(child).is_ok_and(|r| r.exit_code() == Some(0));
    let mut own = OpenOptions::new().write(true).open(&after).unwrap_or_else(|e| process::fail("open after fork", e));
    let start = own.stream_position().unwrap_or_else(|e| process::fail("lseek", e));
    say!("file opened after fork: my own open starts at offset={start}, whatever my child wrote: shared=NO");
    ok &= start == 0;
    write_records(&mut own, n, "after").unwrap_or_else(|e| process::fail("write", e));
    say!("file opened after fork: {}", who_wrote(&after));

    // 3. A UDP socket bound before fork: one socket, one queue of datagrams.
    let sock = UdpSocket::bind("127.0.0.1:0").unwrap_or_else(|e| process::fail("bind", e));
    let port = sock.local_addr().unwrap_or_else(|e| process::fail("local_addr", e)).port();
    say!("bound a UDP socket before fork(): port={port} socket_inode={}", socket_inode(&sock));
    let child = process::fork_child("child", || {
        say!("my copy of the descriptor: port={port} socket_inode={}", socket_inode(&sock));
        receive(&sock);
        0
    })
    .unwrap_or_else(|e| process::fail("fork failed", e));
    delay::pause(args.hold);
    let sender = UdpSocket::bind("127.0.0.1:0").unwrap_or_else(|e| process::fail("bind", e));
    for i in 1..=args.datagrams {
        let datagram = format!("datagram={i}");
        sender.send_to(datagram.as_bytes(), ("127.0.0.1", port)).unwrap_or_else(|e| process::fail("send", e));
    }
    // Two `end`s, after all the data: each reader stops at the first it gets.
    for _ in 0..2 {
        sender.send_to(b"end", ("127.0.0.1", port)).unwrap_or_else(|e| process::fail("send", e));
    }
    say!("sent {} datagrams and 2 ends to port={port}; now I read too", args.datagrams);
    let mine = receive(&sock);
    ok &= process::wait_for(child).is_ok_and(|r| r.exit_code() == Some(0));
    say!(
        "I received {mine} of the {} datagrams; my child printed what it received from the same socket",
        args.datagrams
    );
    drop(sock);

    // 4. A socket bound after fork: a new socket; the port is taken.
    let (r, w) = nix::unistd::pipe().unwrap_or_else(|e| process::fail("pipe failed", e));
    let child = process::fork_child("child", || {
        let mut port = [0u8; 2];
        let _ = nix::unistd::read(&r, &mut port);
        let port = u16::from_be_bytes(port);
        match UdpSocket::bind(("127.0.0.1", port)) {
            Err(e) if e.raw_os_error() == Some(libc::EADDRINUSE) => {
                say!("bind port={port} after fork: errno=EADDRINUSE ({e}): a new socket, and the port is my parent's");
                0
            }
            Err(e) => {
                warn!("bind(127.0.0.1:{port}) failed otherwise: {e}");
                process::EXIT_FAILED
            }
            Ok(s) => {
                warn!("bind(127.0.0.1:{port}) succeeded: socket_inode={}", socket_inode(&s));
                process::EXIT_FAILED
            }
        }
    })
    .unwrap_or_else(|e| process::fail("fork failed", e));
    let mine = UdpSocket::bind("127.0.0.1:0").unwrap_or_else(|e| process::fail("bind", e));
    let port = mine.local_addr().unwrap_or_else(|e| process::fail("local_addr", e)).port();
    say!(
        "bound a UDP socket after fork(): port={port} socket_inode={}; telling my child the port",
        socket_inode(&mine)
    );
    let _ = nix::unistd::write(&w, &port.to_be_bytes());
    ok &= process::wait_for(child).is_ok_and(|r| r.exit_code() == Some(0));

    say!("as_expected={}", out::yes_no(ok));
    std::process::exit(if ok { 0 } else { process::EXIT_FAILED });
}
