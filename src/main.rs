//! `labkit`: list the labs, run one, or run a command under the reaper.

use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use clap::{Parser, Subcommand};
use labkit::grade::runner::{self, GradeArgs};
use labkit::{delay, labs, reaper, say};

/// A Rust lab kit for Linux process programming.
#[derive(Parser)]
#[command(name = "labkit", version)]
struct Cli {
    #[command(subcommand)]
    command: Option<Cmd>,
}

#[derive(Subcommand)]
enum Cmd {
    /// List the labs in course order (the default).
    List,
    /// Run a lab: `labkit run fork-copy --delay 3s`.
    #[command(disable_help_flag = true)]
    Run {
        /// The lab id (or binary name), as `labkit list` shows it.
        lab: String,
        /// Arguments for the lab (`--help` shows the lab's own flags).
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// Grade the kit's programs, or a student's in their place, with the
    /// labs' checks: `labkit grade half-copy --impl half-copy="python3 hw/half_copy.py"`.
    Grade(GradeArgs),
    /// Run a command under a subreaper that reaps (or kills and reaps) every
    /// process it leaves behind, and report what it left.
    Reap {
        /// Kill the command and all its processes after this long.
        #[arg(long, default_value = "60s", value_parser = delay::parse)]
        timeout: Duration,
        /// How long orphans may outlive the command before they are killed.
        #[arg(long, default_value = "500ms", value_parser = delay::parse)]
        grace: Duration,
        /// Write the report here instead of to stderr.
        #[arg(long)]
        report: Option<PathBuf>,
        #[command(flatten)]
        caps: labkit::class::caps::CapArgs,
        /// The command and its arguments.
        #[arg(required = true, trailing_var_arg = true, allow_hyphen_values = true)]
        command: Vec<String>,
    },
    #[command(flatten)]
    Class(labkit::class::ClassCmd),
}

fn list() {
    println!("labkit: the labs, in course order\n");
    for lab in labs::LABS {
        println!("{:>2}. {:<15} {}", lab.number, lab.id, lab.concept);
        for bin in lab.bins {
            println!("    run:     cargo run -- run {}{}", bin.name, labkit::class::check::list_note(bin.name));
        }
        println!("    handout: {}", lab.handout());
    }
    println!("\nEach lab's flags: cargo run -- run <lab> --help");
}

/// Under `cargo run`, build the lab binaries first: `cargo run` builds only
/// `labkit` itself. `Err` holds the exit code after a failure (reported).
fn build_labs_under_cargo(me: &std::path::Path) -> Result<(), i32> {
    let Some(cargo) = std::env::var_os("CARGO") else { return Ok(()) };
    let manifest = concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml");
    let release = me.parent().is_some_and(|d| d.ends_with("release"));
    let mut build = Command::new(cargo);
    build.args(["build", "--quiet", "--bins", "--manifest-path", manifest]);
    if release {
        build.arg("--release");
    }
    match build.status() {
        Ok(s) if s.success() => Ok(()),
        Ok(s) => {
            eprintln!("labkit: building the labs failed ({s})");
            Err(1)
        }
        Err(e) => {
            eprintln!("labkit: cannot run cargo to build the labs: {e}");
            Err(1)
        }
    }
}

/// Run the lab's binary, which sits beside this one, under the reaper: if
/// the lab is interrupted (Ctrl-C signals its whole family) or leaves a
/// process behind, `labkit` reaps it and says so, so nothing ends up a zombie
/// under PID 1. Under `cargo run`, build the lab binaries first: `cargo run`
/// builds only `labkit` itself.
fn run(lab: &str, args: &[String]) -> i32 {
    if lab == "--help" || lab == "-h" {
        println!("Usage: labkit run <LAB> [ARGS]...   (the labs: labkit list; a lab's flags: labkit run <LAB> --help)");
        return 0;
    }
    let Some(entry) = labs::find(lab) else {
        eprintln!("labkit: no lab named '{lab}'. The labs are:");
        for l in labs::LABS {
            let names: Vec<&str> = l.bins.iter().map(|b| b.name).collect();
            eprintln!("  {} ({})", l.id, names.join(", "));
        }
        return 2;
    };
    let bin = entry.bin(lab).unwrap_or(&entry.bins[0]).name;
    let me = match std::env::current_exe() {
        Ok(me) => me,
        Err(e) => {
            eprintln!("labkit: cannot find my own binary: {e}");
            return 1;
        }
    };
    if let Err(code) = build_labs_under_cargo(&me) {
        return code;
    }
    let path = me.with_file_name(bin);
    if !path.is_file() {
        eprintln!("labkit: {} is not built yet: run `cargo build` first", path.display());
        return 1;
    }
    let argv: Vec<String> = std::iter::once(path.to_string_lossy().into_owned()).chain(args.iter().cloned()).collect();
    let report = reaper::run(&argv, Duration::from_secs(24 * 3600), Duration::from_millis(500));
    labkit::out::set_role("labkit");
    for left in &report.adopted {
        let what = if left.killed_by_reaper { "still running after the lab ended: killed it" } else { "left behind" };
        say!("reaped pid={} comm={} {} adopted=yes ({what})", left.pid, left.comm, left.how);
    }
    if let Some(e) = report.spawn_error {
        eprintln!("labkit: {e}");
    }
    report.code
}

/// `labkit grade`: the kit's programs sit beside this binary.
fn grade(args: &GradeArgs) -> i32 {
    let me = match std::env::current_exe() {
        Ok(me) => me,
        Err(e) => {
            eprintln!("labkit: cannot find my own binary: {e}");
            return 2;
        }
    };
    if build_labs_under_cargo(&me).is_err() {
        return 2; // cannot grade as asked
    }
    runner::main(args, &me)
}

fn main() {
    let cli = Cli::parse();
    let code = match cli.command {
        None | Some(Cmd::List) => {
            list();
            0
        }
        Some(Cmd::Run { lab, args }) => run(&lab, &args),
        Some(Cmd::Grade(args)) => grade(&args),
        Some(Cmd::Reap { timeout, grace, report, caps, command }) => {
            reaper::main(&command, timeout, grace, caps.caps(), report.as_deref())
        }
        Some(Cmd::Class(cmd)) => match std::env::current_exe() {
            Ok(me) => labkit::class::main(&cmd, &me),
            Err(e) => {
                eprintln!("labkit: cannot find my own binary: {e}");
                2
            }
        },
    };
    std::process::exit(code);
}
