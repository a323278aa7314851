//! Gradescope: `labkit autograder LAB... -o autograder.zip` writes an
//! autograder bundle following Gradescope's specification, and `labkit
//! gradescope` (hidden) is what its `run_autograder` runs.
//!
//! The bundle holds `setup.sh`, `run_autograder`, the `labkit` binary and
//! the class's config file if there is one. The binary is the one way
//! labkit gets onto Gradescope's Ubuntu image: no Rust toolchain is
//! installed there, nothing is built, and nothing is fetched but the
//! students' interpreters (python3, gcc) if the image lacks them. A
//! statically linked binary (`RUSTFLAGS="-C target-feature=+crt-static"
//! cargo build --release --target x86_64-unknown-linux-gnu`) runs on any
//! x86-64 Linux whatever its glibc; `labkit autograder` says so when the
//! binary it bundles is dynamically linked.
//!
//! On Gradescope, the submission is in `/autograder/submission` and the
//! results go to `/autograder/results/results.json`; `run_autograder`
//! takes the root from `LABKIT_AUTOGRADER_ROOT` (default `/autograder`) so
//! that a test can run it in a folder of its own.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::caps::CapArgs;
use super::find::{self, Config};
use super::gradebook::{self, NotGraded, Plan, Test};
use super::users::{self, Users};
use crate::cli::grade::{self, Target, parse_timeout};
use crate::process;

/// `labkit autograder LAB... [-o autograder.zip]`
#[derive(clap::Args, Debug)]
pub struct BundleArgs {
    /// The labs (or single programs) the assignment grades.
    #[arg(value_name = "LAB", required = true, value_parser = grade::parse_target)]
    pub labs: Vec<Target>,
    /// The bundle to write.
    #[arg(long, short = 'o', default_value = "autograder.zip")]
    pub out: PathBuf,
    /// The labkit binary to put in the bundle. Default: this one. Best a
    /// static one (see `labkit autograder --help`).
    #[arg(long, value_name = "PATH")]
    pub binary: Option<PathBuf>,
    /// Per-program commands (see `labkit grade-class --help`), bundled.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// How long one run of a program may take.
    #[arg(long, default_value = "20s", value_parser = parse_timeout)]
    pub timeout: Duration,
    #[command(flatten)]
    pub caps: CapArgs,
}

/// `labkit gradescope --root ROOT [LAB...]`, as `run_autograder` runs it.
#[derive(clap::Args, Debug)]
pub struct RunArgs {
    #[arg(value_name = "LAB", value_parser = grade::parse_target)]
    pub labs: Vec<Target>,
    #[arg(long, default_value = "/autograder")]
    pub root: PathBuf,
    #[arg(long, default_value = "20s", value_parser = parse_timeout)]
    pub timeout: Duration,
    #[command(flatten)]
    pub caps: CapArgs,
}

const SETUP: &str = r#"#!/usr/bin/env bash
# labkit's Gradescope setup: labkit itself is the binary in this folder (no
# toolchain, nothing built); students' programs need python3 and a C compiler.
set -eu
cd "$(dirname "$0")"
chmod +x labkit run_autograder
if ! command -v python3 >/dev/null || ! command -v cc >/dev/null; then
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends python3 gcc libc6-dev
fi
./labkit --version
"#;

/// Whether the ELF file `path` asks for a dynamic loader (PT_INTERP).
fn dynamically_linked(path: &Path) -> std::io::Result<bool> {
    let b = std::fs::read(path)?;
    let u16_at = |i: usize| b.get(i..i + 2).map_or(0, |s| u16::from_le_bytes([s[0], s[1]]) as usize);
    let u32_at = |i: usize| b.get(i..i + 4).map_or(0, |s| u32::from_le_bytes([s[0], s[1], s[2], s[3]]));
    let u64_at = |i: usize| b.get(i..i + 8).map_or(0, |s| u64::from_le_bytes(s.try_into().unwrap_or([0; 8])) as usize);
    if b.get(..5) != Some(b"\x7fELF\x02") {
        return Err(std::io::Error::other("not a 64-bit ELF program"));
    }
    let (phoff, phentsize, phnum) = (u64_at(0x20), u16_at(0x36), u16_at(0x38));
    Ok((0..phnum).any(|i| u32_at(phoff + i * phentsize) == 3))
}

/// `labkit autograder`: write the bundle.
pub fn bundle(args: &BundleArgs, labkit: &Path) -> i32 {
    let usage = |msg: String| {
        eprintln!("labkit autograder: {msg}");
        process::EXIT_USAGE
    };
    let binary = args.binary.clone().unwrap_or_else(|| labkit.to_path_buf());
    let dynamic = match dynamically_linked(&binary) {
        Ok(d) => d,
        Err(e) => return usage(format!("{}: {e}", binary.display())),
    };
    let config = match &args.config {
        Some(p) => match std::fs::read_to_string(p).map_err(|e| e.to_string()).and_then(|t| {
            Config::parse(&t)?;
            Ok(t)
        }) {
            Ok(t) => Some(t),
            Err(e) => return usage(format!("{}: {e}", p.display())),
        },
        None => None,
    };
    let labs: Vec<&str> = gradebook::programs(&args.labs).iter().map(|(_, b)| b.name).collect();
    let mut flags = vec!["--timeout".to_string(), format!("{}ms", args.timeout.as_millis())];
    flags.extend(args.caps.class().flags());
    let run = format!(
        "#!/bin/sh\n# labkit's Gradescope autograder: grades ROOT/submission into ROOT/results/results.json.\n\
         ROOT=\"${{LABKIT_AUTOGRADER_ROOT:-/autograder}}\"\n\
         exec \"$ROOT/source/labkit\" gradescope --root \"$ROOT\" {} {}\n",
        flags.join(" "),
        labs.join(" ")
    );
    let written = (|| -> Result<(), String> {
        let bin = std::fs::read(&binary).map_err(|e| format!("{}: {e}", binary.display()))?;
        let file = std::fs::File::create(&args.out).map_err(|e| format!("{}: {e}", args.out.display()))?;
        let mut zip = zip::ZipWriter::new(file);
        let opts = |mode: u32| {
            zip::write::SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Deflated)
                .unix_permissions(mode)
        };
        let mut add = |name: &str, data: &[u8], mode: u32| -> Result<(), String> {
            zip.start_file(name, opts(mode)).map_err(|e| e.to_string())?;
            zip.write_all(data).map_err(|e| e.to_string())
        };
        add("setup.sh", SETUP.as_bytes(), 0o755)?;
        add("run_autograder", run.as_bytes(), 0o755)?;
        add("labkit", &bin, 0o755)?;
        if let Some(c) = &config {
            add(find::CONFIG, c.as_bytes(), 0o644)?;
        }
        zip.finish().map_err(|e| e.to_string())?;
        Ok(())
    })();
    if let Err(e) = written {
        let _ = std::fs::remove_file(&args.out);
        return usage(format!("cannot write {}: {e}", args.out.display()));
    }
    println!("labkit autograder: wrote {} (grades {})", args.out.display(), labs.join(", "));
    println!(
        "  setup.sh, run_autograder, labkit ({}){}",
        binary.display(),
        if config.is_some() { ", labkit-class.conf" } else { "" }
    );
    if dynamic {
        println!(
            "  note: this labkit is dynamically linked: it needs a glibc at least as new as this machine's on \
             Gradescope's image. A static one runs anywhere:\n    RUSTFLAGS=\"-C target-feature=+crt-static\" \
             cargo build --release --target x86_64-unknown-linux-gnu\n    labkit autograder ... --binary \
             target/x86_64-unknown-linux-gnu/release/labkit"
        );
    } else {
        println!("  labkit is statically linked: it runs on Gradescope's image as is");
    }
    println!("  Upload it as the assignment's autograder (\"Zip file upload\").");
    0
}

/// `labkit gradescope`: grade ROOT/submission, write ROOT/results/results.json.
pub fn run(args: &RunArgs, labkit: &Path) -> i32 {
    let started = Instant::now();
    let source = args.root.join("source");
    let config_path = source.join(find::CONFIG);
    let config = if config_path.is_file() { Config::load(Some(&config_path), &source) } else { Ok(Config::default()) };
    let results = args.root.join("results");
    let work = std::env::temp_dir().join(format!("labkit-gradescope-{}", std::process::id()));
    let seed = grade::new_seed();
    // As root (as on Gradescope), the program runs as a user of its own:
    // it can then neither write the results nor read the bundle.
    let users = if users::is_root() {
        users::own(users::BASE, 1, labkit).unwrap_or_else(|e| {
            println!("labkit gradescope: the program runs as root: {e}");
            Users::Grader
        })
    } else {
        Users::Grader
    };
    let outcome = config.map_err(NotGraded::Error).and_then(|config| {
        let plan = Plan {
            labkit: labkit.to_path_buf(),
            programs: gradebook::programs(&args.labs),
            config,
            seed,
            timeout: args.timeout,
            caps: args.caps.class(),
            users,
            work: gradebook::make_work_folder().map_err(|e| NotGraded::Error(format!("a work folder: {e}")))?,
        };
        let submission = std::fs::canonicalize(args.root.join("submission"))
            .map_err(|e| NotGraded::Error(format!("the submission folder: {e}")))?;
        grade::catch_stop_signals();
        let graded = gradebook::grade_student(&plan, 0, &submission, &work);
        let _ = std::fs::remove_dir_all(&plan.work);
        graded
    });
    let _ = std::fs::create_dir_all(&results);
    let code = match outcome {
        Ok(_) => match std::fs::copy(work.join("results.json"), results.join("results.json")) {
            Ok(_) => 0,
            Err(e) => {
                eprintln!("labkit gradescope: cannot write {}: {e}", results.join("results.json").display());
                1
            }
        },
        Err(why) => {
            let why = match why {
                NotGraded::Interrupted => "the grade was interrupted".to_string(),
                NotGraded::Error(e) => e,
            };
            eprintln!("labkit gradescope: {why}");
            let test = Test {
                name: "labkit could not grade this submission".into(),
                score: 0,
                max: 0,
                output: format!("FAIL\n{why}"),
            };
            let _ = gradebook::write_results(&results.join("results.json"), &[test], started.elapsed(), seed);
            1
        }
    };
    if let Ok(text) = std::fs::read_to_string(work.join("grade.txt")) {
        print!("{text}"); // Gradescope shows run_autograder's output to the staff
    }
    let _ = std::fs::remove_dir_all(&work);
    code
}
