//! `labkit grade`: the teachers' front end. It runs the labs' checks (the
//! same ones `cargo test` runs on the kit's binaries) against the kit's own
//! programs or against a student's program in any language, and reports
//! points, failures with what was expected and what was printed, and where
//! each run's whole output is kept.
//!
//! Everything is driven by the manifest ([`crate::labs::LABS`]): a lab that
//! is added there is graded with no change here. Checks run one at a time
//! (so their times mean something, and servers bound to a fixed port never
//! meet), each through [`session::grade_check`].

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::args::parse_env_name;
pub use super::args::{Impl, Target, absolute_words, parse_impl, parse_target, parse_timeout, split_words};
pub use super::session::{CheckResult, Graded, Outcome, Settings, catch_stop_signals, grade_check, new_seed, stopped};
use super::{report, session};
use crate::harness::Program;
use crate::labs::{self, Lab, LabBin};
use crate::process;

/// `labkit grade [LAB...] [--impl NAME=COMMAND]... [--json PATH] [--port PORT] [--out DIR] [--timeout T]`
#[derive(clap::Args, Debug)]
#[command(after_help = "Exit code: 0 at full marks, 1 below full marks, 2 when it cannot grade as asked \
                        (an unknown lab, a malformed --impl, a program that is not built).")]
pub struct GradeArgs {
    /// Labs (lab ids) or single programs (program names) to grade, as
    /// `labkit list` shows them. None: every lab, or with --impl, the
    /// programs --impl names.
    #[arg(value_name = "LAB", value_parser = parse_target)]
    pub labs: Vec<Target>,
    /// Grade COMMAND in place of the kit's program NAME; COMMAND is split
    /// into words as a shell does, and each check appends its arguments.
    /// Example: --impl half-copy="python3 hw/half_copy.py". Repeatable.
    #[arg(long = "impl", value_name = "NAME=COMMAND", value_parser = parse_impl)]
    pub impls: Vec<Impl>,
    /// Also write the result in Gradescope's results.json format to PATH.
    #[arg(long, value_name = "PATH")]
    pub json: Option<PathBuf>,
    /// For chat servers that take no arguments and bind a fixed port (the
    /// course's server.py binds 8888): start them bare and talk to this port.
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..))]
    pub port: Option<u16>,
    /// Keep every run's output in DIR (new or empty). Default: a fresh
    /// folder in the temp dir; its path is printed.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// How long one run of a program may take before it is killed with all
    /// its processes.
    #[arg(long, default_value = "20s", value_parser = parse_timeout)]
    pub timeout: Duration,
    /// Run only the checks whose name contains TEXT (and each program's
    /// basic check, which they depend on), e.g. to re-run one failing
    /// check. Repeatable. The score then counts only those checks.
    #[arg(long = "check", value_name = "TEXT")]
    pub checks: Vec<String>,
    /// Draw every check's random inputs from seed N, to replay a grade
    /// exactly (every grade prints its seed). Default: a fresh seed.
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,
    /// Let graded programs see the grader's variable NAME. Programs run in a
    /// clean environment (PATH, HOME in a scratch folder, LANG=C.UTF-8 and
    /// nothing else), so that a grade does not depend on the machine.
    /// Repeatable.
    #[arg(long = "keep-env", value_name = "NAME", value_parser = parse_env_name)]
    pub keep_env: Vec<String>,
    /// Resource caps on every run (none unless given).
    #[command(flatten)]
    pub caps: crate::class::caps::CapArgs,
}

/// The programs to grade, lab by lab in course order.
fn select(targets: &[Target], impls: &[Impl]) -> Result<Vec<(&'static Lab, Vec<&'static LabBin>)>, String> {
    let wanted = |lab: &Lab, bin: &LabBin| -> bool {
        if targets.is_empty() {
            return impls.is_empty() || impls.iter().any(|i| i.name == bin.name);
        }
        targets.iter().any(|t| match t {
            Target::Lab(l) => l.id == lab.id,
            Target::Program(l, b) => l.id == lab.id && b.name == bin.name,
        })
    };
    let mut chosen = Vec::new();
    for lab in labs::LABS {
        let bins: Vec<&LabBin> = lab.bins.iter().filter(|b| wanted(lab, b)).collect();
        if !bins.is_empty() {
            chosen.push((lab, bins));
        }
    }
    for (i, imp) in impls.iter().enumerate() {
        if impls[..i].iter().any(|o| o.name == imp.name) {
            return Err(format!("--impl {} is given twice", imp.name));
        }
        if !chosen.iter().any(|(_, bins)| bins.iter().any(|b| b.name == imp.name)) {
            return Err(format!("--impl {} is given, but {} is not among the LABs to grade", imp.name, imp.name));
        }
    }
    Ok(chosen)
}

/// The `--out` folder: DIR if new or empty, else a fresh one in the temp dir.
fn out_dir(out: Option<&Path>) -> Result<PathBuf, String> {
    let dir = match out {
        Some(d) => {
            if let Ok(mut entries) = std::fs::read_dir(d)
                && entries.next().is_some()
            {
                return Err(format!("--out {}: the folder is not empty (give a new or empty one)", d.display()));
            }
            d.to_path_buf()
        }
        None => std::env::temp_dir().join(format!(
            "labkit-grade-out-{}-{:06x}",
            std::process::id(),
            crate::random::random_u64() & 0xff_ffff
        )),
    };
    std::fs::create_dir_all(&dir).map_err(|e| format!("--out {}: {e}", dir.display()))?;
    Ok(dir)
}

/// `labkit grade`: grade, print, write the JSON; returns the exit code.
pub fn main(args: &GradeArgs, labkit: &Path) -> i32 {
    let usage = |msg: String| {
        eprintln!("labkit grade: {msg}");
        process::EXIT_USAGE
    };
    let chosen = match select(&args.labs, &args.impls) {
        Ok(c) => c,
        Err(e) => return usage(e),
    };
    if let Some(json) = &args.json {
        let parent = json.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        if json.is_dir() || !parent.is_dir() {
            return usage(format!("--json {}: not a file in an existing folder", json.display()));
        }
    }
    // The programs, before anything runs: a missing kit binary is reported up front.
    let mut plan = Vec::new();
    for (lab, bins) in chosen {
        for bin in bins {
            let (program, reference) = match args.impls.iter().find(|i| i.name == bin.name) {
                Some(i) => (Program::new(i.argv.clone()).on_fixed_port(args.port), false),
                None => (Program::kit(labkit, bin.name), true),
            };
            if reference && !Path::new(&program.argv[0]).is_file() {
                return usage(format!(
                    "the kit's program {} is not built beside {} (run `cargo build`)",
                    bin.name,
                    labkit.display()
                ));
            }
            plan.push((lab, bin, program, reference));
        }
    }
    for t in &args.checks {
        if !plan.iter().any(|(_, bin, _, _)| bin.checks.iter().any(|c| c.title.contains(t.as_str()))) {
            return usage(format!("--check '{t}': no check of the programs to grade has that in its name"));
        }
    }
    let out = match out_dir(args.out.as_deref()) {
        Ok(d) => d,
        Err(e) => return usage(e),
    };
    catch_stop_signals();

    let mut settings = Settings::new(labkit.to_path_buf(), args.timeout);
    settings.seed = args.seed.unwrap_or(settings.seed);
    settings.keep_env.clone_from(&args.keep_env);
    settings.caps = args.caps.caps();
    // SAFETY: geteuid has no preconditions and cannot fail.
    if settings.caps.user.is_some() && unsafe { libc::geteuid() } != 0 {
        return usage("--as-user: only root may run programs as another user".into());
    }
    let started = Instant::now();
    println!("labkit grade: the whole output of every run is kept in {}", out.display());
    println!("labkit grade: seed {} (the same inputs again: --seed {})", settings.seed, settings.seed);
    let mut graded: Vec<Graded> = Vec::new();
    for (i, (lab, bin, program, reference)) in plan.iter().enumerate() {
        if i == 0 || plan[i - 1].0.id != lab.id {
            println!("\n{}", report::lab_header(lab));
        }
        println!("{}", report::program_header(bin.name, program, *reference));
        let dir = out.join(format!("{:02}-{}", lab.number, bin.name));
        let show = &mut |r: &CheckResult| println!("{}", report::check_text(r));
        let checks = session::grade_program(&settings, bin.checks, &args.checks, program, &dir, show);
        graded.push(Graded { lab, bin, program: program.clone(), reference: *reference, checks });
        let last_of_lab = plan.get(i + 1).is_none_or(|next| next.0.id != lab.id);
        if lab.bins.len() > 1 {
            println!("{}", report::program_subtotal(graded.last().expect("just pushed")));
        }
        if last_of_lab {
            let of_lab: Vec<&Graded> = graded.iter().filter(|g| g.lab.id == lab.id).collect();
            println!("{}", report::lab_subtotal(lab, &of_lab));
        }
    }
    let (score, max) = (graded.iter().map(Graded::score).sum::<u32>(), graded.iter().map(Graded::max).sum::<u32>());
    println!("\nScore: {score}/{max}");
    if stopped() {
        eprintln!("labkit grade: interrupted; the programs it ran were stopped");
        return 130;
    }
    if let Some(json) = &args.json {
        if let Err(e) = report::write_results(json, &report::tests(&graded), started.elapsed(), settings.seed) {
            eprintln!("labkit grade: cannot write {}: {e}", json.display());
            return process::EXIT_USAGE;
        }
        println!("Gradescope results written to {}", json.display());
    }
    if score == max { 0 } else { process::EXIT_FAILED }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<String> {
        split_words(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    #[test]
    fn splits_words_like_a_shell() {
        assert_eq!(words("python3 hw/half_copy.py"), ["python3", "hw/half_copy.py"]);
        assert_eq!(words("  a \t b\n c  "), ["a", "b", "c"]);
        assert_eq!(words(""), Vec::<String>::new());
        assert_eq!(words("   "), Vec::<String>::new());
        assert_eq!(words("'my dir/prog.py' --x"), ["my dir/prog.py", "--x"]);
        assert_eq!(words("\"my dir\"/prog"), ["my dir/prog"]);
        assert_eq!(words("a''b ''"), ["ab", ""]);
        assert_eq!(words("'it'\\''s'"), ["it's"]);
        assert_eq!(words("my\\ dir/x \\\\ \\'"), ["my dir/x", "\\", "'"]);
        assert_eq!(words("\"a \\\"b\\\" \\$HOME \\n\""), ["a \"b\" $HOME \\n"]);
        assert_eq!(words("'a \\ b \"c\"'"), ["a \\ b \"c\""]);
        assert_eq!(words("sh -c 'sleep 1; echo \"done\"'"), ["sh", "-c", "sleep 1; echo \"done\""]);
        assert_eq!(words("a\\\nb"), ["ab"]);
        assert_eq!(words("x=1 $HOME *"), ["x=1", "$HOME", "*"], "no expansion");
        assert_eq!(words("héllo 'wörld ✓'"), ["héllo", "wörld ✓"]);
    }

    #[test]
    fn rejects_unfinished_quotes_and_escapes() {
        for bad in ["'abc", "\"abc", "abc\\", "\"abc\\", "a 'b\" c"] {
            assert!(split_words(bad).is_err(), "{bad:?} should be rejected");
        }
    }

    #[test]
    fn parses_impl_flags() {
        let i = parse_impl("fork-copy=python3 'hw/fork copy.py'").unwrap();
        assert_eq!(i, Impl { name: "fork-copy", argv: vec!["python3".into(), "hw/fork copy.py".into()] });
        assert!(parse_impl("fork-copy").unwrap_err().contains("NAME=COMMAND"));
        assert!(parse_impl("fork-copy=").unwrap_err().contains("no command"));
        assert!(parse_impl("fork-copy='x").unwrap_err().contains("unterminated"));
        assert!(parse_impl("no-such=prog").unwrap_err().contains("no lab or program named 'no-such'"));
        // The command may itself hold '=': only the first one splits.
        assert_eq!(parse_impl("fork-copy=env A=1 prog").unwrap().argv, ["env", "A=1", "prog"]);
        // Existing relative paths become absolute (programs run elsewhere).
        let here = std::env::current_dir().unwrap();
        let src = here.join("src").to_string_lossy().into_owned();
        assert_eq!(parse_impl("fork-copy=python3 src --x /bin/sh").unwrap().argv, ["python3", &src, "--x", "/bin/sh"]);
    }

    #[test]
    fn selects_labs_in_course_order_and_checks_impls() {
        let all = select(&[], &[]).unwrap();
        assert_eq!(all.len(), labs::LABS.len());
        let imp = parse_impl("fork-copy=prog").unwrap();
        let only = select(&[], std::slice::from_ref(&imp)).unwrap();
        assert_eq!(only.len(), 1);
        assert_eq!(only[0].1[0].name, "fork-copy");
        assert!(select(&[], &[imp.clone(), imp.clone()]).unwrap_err().contains("twice"));
        assert_eq!(parse_target("fork-copy").map(|t| matches!(t, Target::Lab(_))), Ok(true));
    }
}
