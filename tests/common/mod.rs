//! Shared by the test files: the kit's binaries, a grader, python3, C programs compiled.
#![allow(dead_code)] // each test file uses its own part of this module

pub mod homework;

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use labkit::harness::Grader;

/// The `labkit` binary cargo built for these tests.
pub fn labkit_bin() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_labkit"))
}

/// A grader that runs programs through the kit's `labkit reap`.
pub fn grader() -> Grader {
    let mut g = Grader::new(labkit_bin()).expect("scratch folder for the grader");
    g.timeout = Duration::from_secs(20);
    g
}

/// The python3 interpreter: the system's `/usr/bin/python3` when there is
/// one (every user can run it: half-copy's unreadable-SRC check runs the
/// program as user nobody when the grader is root), else the interpreter
/// behind `python3` (a version manager's shim can take 0.2 s to start).
pub fn python3() -> &'static str {
    static PYTHON: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    PYTHON.get_or_init(|| {
        if Path::new("/usr/bin/python3").is_file() {
            return "/usr/bin/python3".into();
        }
        let out = Command::new("python3").args(["-c", "import sys; print(sys.executable)"]).output();
        let out = out.expect("python3 is needed by the tests (apt-get install python3)");
        let path = String::from_utf8_lossy(&out.stdout).trim().to_string();
        assert!(out.status.success() && !path.is_empty(), "python3 does not run: {out:?}");
        path
    })
}

/// Compile the C program `src` (a path relative to the kit's top folder,
/// e.g. `tests/broken/pids/correct.c`) with `cc -O1 -Wall`, once per test
/// binary, into a cache folder; returns the executable. A missing `cc` or a
/// compile error fails the test and says so (install `gcc`).
pub fn c_program(src: &str) -> std::path::PathBuf {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(src);
    assert!(path.is_file(), "missing C program {}", path.display());
    c_program_made(src, || std::fs::read(&path).unwrap())
}

/// `cc -O1 -Wall` of the C program `source()` known as `name` (a file's
/// path, relative to the kit's top folder: a C control, or a mutant of one,
/// which prints the program it makes), once per test binary.
pub fn c_program_made(name: &str, source: impl FnOnce() -> Vec<u8>) -> std::path::PathBuf {
    use std::collections::HashMap;
    use std::io::Write as _;
    use std::sync::Mutex;
    static BUILT: Mutex<Option<HashMap<String, std::path::PathBuf>>> = Mutex::new(None);
    let mut built = BUILT.lock().unwrap_or_else(|e| e.into_inner());
    let built = built.get_or_insert_with(HashMap::new);
    if let Some(exe) = built.get(name) {
        return exe.clone();
    }
    let dir = std::env::temp_dir().join(format!("labkit-test-cc-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a folder for compiled C programs");
    let exe = dir.join(name.replace('/', "_").trim_end_matches(".c"));
    let mut cc = Command::new("cc")
        .args(["-O1", "-Wall", "-x", "c", "-o"])
        .arg(&exe)
        .arg("-")
        .stdin(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("the C controls need a C compiler: `cc` cannot run ({e}); install gcc"));
    cc.stdin.take().unwrap().write_all(&source()).unwrap();
    let out = cc.wait_with_output().unwrap();
    assert!(out.status.success(), "cc could not compile {name}:\n{}", String::from_utf8_lossy(&out.stderr));
    built.insert(name.to_string(), exe.clone());
    exe
}

/// A UDP port free a moment ago, for a server bound to a fixed port: below
/// the kernel's ephemeral range (32768 and up), from which every socket the
/// graders bind to port 0 gets one, so that none of those takes it first;
/// and never the same twice in one test process, since the server it was
/// given to may not have bound it yet.
pub fn free_port() -> u16 {
    static GIVEN: std::sync::Mutex<Vec<u16>> = std::sync::Mutex::new(Vec::new());
    let mut given = GIVEN.lock().unwrap_or_else(|e| e.into_inner());
    loop {
        let port = 20000 + (labkit::random::random_u64() % 12000) as u16;
        if !given.contains(&port) && std::net::UdpSocket::bind(("0.0.0.0", port)).is_ok() {
            given.push(port);
            return port;
        }
    }
}

/// Every live process whose command line holds `token`.
pub fn processes_with(token: &str) -> Vec<String> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        if let Ok(cmd) = std::fs::read(entry.path().join("cmdline")) {
            let cmd = String::from_utf8_lossy(&cmd).replace('\0', " ");
            if cmd.contains(token) {
                found.push(format!("{}: {cmd}", entry.file_name().to_string_lossy()));
            }
        }
    }
    found
}
