//! `labkit`: list the labs, run one, or run a command under the reaper.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use clap::{Parser, Subcommand};
use labkit::cli::grade::{self, GradeArgs};
use labkit::{delay, labs, reaper, say, trace};

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
    List {
        /// Print only `LAB PROGRAM` lines, one per program, for scripts.
        #[arg(long)]
        programs: bool,
    },
    /// Print a lab's handout (built into labkit, so a copied labkit has it too).
    Handout {
        /// The lab id (or binary name), as `labkit list` shows it.
        lab: String,
    },
    /// Run a lab: `labkit run fork-copy --delay 3s`; with `--trace`
    /// (anywhere), draw its trace after it runs.
    #[command(disable_help_flag = true)]
    Run {
        /// Draw the lab's trace after it runs (`labkit trace`); also accepted among the lab's arguments.
        #[arg(long)]
        trace: bool,
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
        /// The PID of the process that starts `labkit reap` (a grader passes
        /// its own): once it has ended, even killed with SIGKILL, the command
        /// and all its processes are killed and reaped at once.
        #[arg(long, value_name = "PID")]
        parent: Option<i32>,
        #[command(flatten)]
        caps: labkit::class::caps::CapArgs,
        /// The command and its arguments.
        #[arg(required = true, trailing_var_arg = true, allow_hyphen_values = true)]
        command: Vec<String>,
    },
    /// Run a command and draw its process family from kernel events: who
    /// forked whom, exits, zombies, adoptions, who reaped whom.
    Trace {
        /// Also write the picture as a standalone SVG file.
        #[arg(long)]
        svg: Option<PathBuf>,
        /// Also write the raw event log as JSON.
        #[arg(long)]
        json: Option<PathBuf>,
        /// Also write the text picture to this file.
        #[arg(long)]
        text: Option<PathBuf>,
        /// Do not draw the picture on stdout (write only the files asked for).
        #[arg(long)]
        quiet: bool,
        /// Draw the stable picture: roles instead of PIDs, order instead of times.
        #[arg(long)]
        normalised: bool,
        /// Kill the command and all its processes after this long.
        #[arg(long, default_value = "86400s", value_parser = delay::parse)]
        timeout: Duration,
        /// How long its processes may outlive the command before they are killed.
        #[arg(long, default_value = "500ms", value_parser = delay::parse)]
        grace: Duration,
        /// The command and its arguments.
        #[arg(required = true, trailing_var_arg = true, allow_hyphen_values = true)]
        command: Vec<String>,
    },
    #[command(flatten)]
    Class(labkit::class::ClassCmd),
}

fn list(programs: bool) {
    if programs {
        for lab in labs::LABS {
            for bin in lab.bins {
                println!("{} {}", lab.id, bin.name);
            }
        }
        return;
    }
    // The command as the student typed it: `cargo run --` under cargo, else
    // this binary as invoked (`labkit`, `./labkit`, `target/debug/labkit`).
    let me = if std::env::var_os("CARGO").is_some() {
        "cargo run --".to_string()
    } else {
        std::env::args().next().unwrap_or_else(|| "labkit".into())
    };
    println!("labkit: the labs, in course order\n");
    for lab in labs::LABS {
        println!("{:>2}. {:<15} {}", lab.number, lab.id, lab.concept);
        for bin in lab.bins {
            println!("    run:     {me} run {}{}", bin.name, labkit::class::check::list_note(bin.name));
        }
        // The handout's file where the kit's folder is at hand, else the command that prints it.
        let file = lab.handout();
        let handout = if Path::new(&file).is_file() { file } else { format!("{me} handout {}", lab.id) };
        println!("    handout: {handout}");
    }
    println!("\nEach lab's flags: {me} run <lab> --help");
    println!("Its process family, drawn after it runs: {me} run <lab> --trace ({me} handout trace)");
}

/// `labkit handout LAB`: the handout's text, as built into this binary.
fn handout(lab: &str) -> i32 {
    if lab == "trace" {
        print!("{}", labkit::trace::HANDOUT);
        return 0;
    }
    match labs::find(lab) {
        Some(entry) => {
            print!("{}", entry.text);
            0
        }
        None => no_such_lab(lab),
    }
}

/// A lab name that is not in the manifest: say which ones are (exit 2).
fn no_such_lab(lab: &str) -> i32 {
    eprintln!("labkit: no lab named '{lab}'. The labs are:");
    for l in labs::LABS {
        let names: Vec<&str> = l.bins.iter().map(|b| b.name).collect();
        eprintln!("  {} ({})", l.id, names.join(", "));
    }
    2
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
/// process behind, `labkit` reaps it and says so, so nothing is handed to
/// PID 1 (which may or may not reap it, depending on the machine). Under
/// `cargo run`, build the lab binaries first: `cargo run` builds only
/// `labkit` itself.
fn run(lab: &str, args: &[String], trace: bool) -> i32 {
    if lab == "--help" || lab == "-h" {
        println!(
            "Usage: labkit run [--trace] <LAB> [ARGS]...   (the labs: labkit list; a lab's flags: labkit run <LAB> --help)"
        );
        return 0;
    }
    // `--trace` is labkit's, wherever it stands (no lab has a flag of that name).
    let lab_args: Vec<String> = args.iter().filter(|a| *a != "--trace").cloned().collect();
    run_lab(lab, &lab_args, trace || lab_args.len() < args.len())
}

fn run_lab(lab: &str, args: &[String], traced: bool) -> i32 {
    let Some(entry) = labs::find(lab) else { return no_such_lab(lab) };
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
    let report = if traced {
        match trace::record(&argv, &trace::Options::default()) {
            Ok(t) => {
                trace::print(&t, false);
                t.reap_report()
            }
            Err(e) => reaper::Report { code: 125, spawn_error: Some(e), ..Default::default() },
        }
    } else {
        reaper::run(&argv, Duration::from_secs(24 * 3600), Duration::from_millis(500))
    };
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
    grade::main(args, &me)
}

fn main() {
    labkit::out::end_quietly_when_stdout_is_gone();
    let cli = Cli::parse();
    let code = match cli.command {
        None => {
            list(false);
            0
        }
        Some(Cmd::List { programs }) => {
            list(programs);
            0
        }
        Some(Cmd::Handout { lab }) => handout(&lab),
        Some(Cmd::Run { trace, lab, args }) => run(&lab, &args, trace),
        Some(Cmd::Grade(args)) => grade(&args),
        Some(Cmd::Reap { timeout, grace, report, parent, caps, command }) => {
            reaper::main(&command, timeout, grace, caps.caps(), parent, report.as_deref())
        }
        Some(Cmd::Trace { svg, json, text, quiet, normalised, timeout, grace, command }) => {
            let outputs = trace::Outputs { svg, json, text, quiet, normalised };
            trace::main(&command, &trace::Options { timeout, grace }, &outputs)
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
