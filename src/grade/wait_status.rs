//! Checks for lab 3, wait-status. See `labs/03-wait-status.md`, "Grading contract".
//!
//! Every run asks for a random exit code (1 to 255) or a random terminating
//! signal, so a program that prints fixed numbers cannot pass; the checks
//! compare what wait returned with the child's own `getpid()` line and with
//! the encoding rules (`raw == code * 256`, `raw & 0x7f == signal`).

use nix::sys::signal::Signal;

use super::{Check, Grader, Program, Run, Verdict, draw_u64, expect, random_in};

pub const CHECKS: &[Check] = &[
    Check { name: "runs and exits 0, leaving no process behind", points: 1, run: runs_clean },
    Check { name: "wait returns the child's PID", points: 2, run: returns_child_pid },
    Check { name: "raw status is code * 256 and WEXITSTATUS is the code", points: 3, run: exit_status },
    Check { name: "a signal shows as WIFSIGNALED and WTERMSIG", points: 3, run: signal_status },
    Check { name: "--nohang polls return 0 until the child is reaped", points: 2, run: nohang_polls },
    Check { name: "a bad --code or --signal is a usage error (exit 2)", points: 1, run: usage_errors },
];

/// Signals whose default action ends a process without a core dump.
const SIGNALS: &[Signal] = &[
    Signal::SIGHUP,
    Signal::SIGINT,
    Signal::SIGKILL,
    Signal::SIGUSR1,
    Signal::SIGUSR2,
    Signal::SIGPIPE,
    Signal::SIGALRM,
    Signal::SIGTERM,
];

/// Signals whose default action does not end a process.
const NOT_FATAL: &[&str] = &["CHLD", "SIGCONT", "stop", "SIGTSTP", "TTIN", "URG", "winch"];

fn pick<T: Copy>(items: &[T]) -> T {
    items[draw_u64() as usize % items.len()]
}

/// Run with a random code and the child's `--delay`: `(run, code)`.
fn run_code(g: &Grader, p: &Program, delay: &str, extra: &[&str]) -> Result<(Run, i32), String> {
    let code = random_in(1, 255) as i32;
    let code_s = code.to_string();
    let mut args = vec!["--code", &code_s, "--delay", delay];
    args.extend_from_slice(extra);
    Ok((g.run(p, &args)?, code))
}

/// The PIDs the parent's `returned=` facts give, in order.
fn returned(run: &Run) -> Result<Vec<i32>, String> {
    let all: Result<Vec<i32>, _> = run.facts("parent", "returned").iter().map(|(_, v)| v.parse::<i32>()).collect();
    let all = all.map_err(|_| format!("a parent `returned=` value is not a number\n{}", run.excerpt()))?;
    expect(!all.is_empty(), || format!("expected a parent line with `returned=PID`, found none\n{}", run.excerpt()))?;
    Ok(all)
}

/// The child's `getpid()`, which must match the PID on its lines' tag.
fn child_pid(run: &Run) -> Result<i32, String> {
    let tag = run.pid_of("child")?;
    let pid = run.number("child", "getpid()")?;
    expect(pid == tag, || format!("the child's getpid()={pid} is not the PID {tag} in its tag\n{}", run.excerpt()))?;
    Ok(pid)
}

fn expect_fact(run: &Run, key: &str, want: &str) -> Verdict {
    let (_, v) = run.fact("parent", key)?;
    expect(v == want, || format!("expected the parent's {key}={want}, got {key}={v}\n{}", run.excerpt()))
}

fn runs_clean(g: &Grader, p: &Program) -> Verdict {
    let (run, _) = run_code(g, p, "10ms", &[])?;
    run.expect_basic()
}

fn returns_child_pid(g: &Grader, p: &Program) -> Verdict {
    let (run, _) = run_code(g, p, "10ms", &[])?;
    let child = child_pid(&run)?;
    let parent = run.pid_of("parent")?;
    expect(child != parent, || format!("parent and child printed the same PID {parent}"))?;
    let got = *returned(&run)?.last().unwrap_or(&0);
    expect(got == child, || {
        format!("wait should return the child's PID {child} (its getpid()); got returned={got}\n{}", run.excerpt())
    })
}

fn exit_status(g: &Grader, p: &Program) -> Verdict {
    let (run, code) = run_code(g, p, "10ms", &[])?;
    run.expect_success()?;
    let raw = run.number("parent", "raw")?;
    expect(raw == code * 256, || {
        format!("asked for exit code {code}: the raw status should be {code} * 256 = {}, got raw={raw}", code * 256)
    })?;
    expect_fact(&run, "WIFEXITED", "true")?;
    expect_fact(&run, "WEXITSTATUS", &code.to_string())
}

fn signal_status(g: &Grader, p: &Program) -> Verdict {
    let sig = pick(SIGNALS);
    let short = &sig.as_str()[3..];
    let num_s = (sig as i32).to_string();
    let lower = short.to_ascii_lowercase();
    let spelling = pick(&[sig.as_str(), short, lower.as_str(), num_s.as_str()]);
    let run = g.run(p, &["--signal", spelling, "--delay", "10ms"])?;
    run.expect_success()?;
    run.expect_clean()?;
    let child = child_pid(&run)?;
    let got = *returned(&run)?.last().unwrap_or(&0);
    expect(got == child, || format!("wait should return the child's PID {child}, got returned={got}"))?;
    let raw = run.number("parent", "raw")?;
    let n = sig as i32;
    expect(raw & 0x7f == n, || {
        format!("killed by {sig} ({n}): the raw status's low 7 bits should be {n}, got raw={raw}\n{}", run.excerpt())
    })?;
    expect_fact(&run, "WIFEXITED", "false")?;
    expect_fact(&run, "WIFSIGNALED", "true")?;
    expect_fact(&run, "WTERMSIG", &n.to_string())
}

fn nohang_polls(g: &Grader, p: &Program) -> Verdict {
    let (run, code) = run_code(g, p, "100ms", &["--nohang", "--poll", "10ms"])?;
    run.expect_success()?;
    let child = child_pid(&run)?;
    let answers = returned(&run)?;
    let (last, polls) = answers.split_last().unwrap_or((&0, &[]));
    expect(!polls.is_empty() && polls.iter().all(|&r| r == 0), || {
        format!(
            "with --nohang and a child that sleeps 100ms, expected returned=0 answers (still running) \
             before the child is reaped; got returned= {answers:?}\n{}",
            run.excerpt()
        )
    })?;
    expect(*last == child, || format!("the last poll should return the child's PID {child}, got {last}"))?;
    let raw = run.number("parent", "raw")?;
    expect(raw == code * 256, || format!("expected raw={} for exit code {code}, got raw={raw}", code * 256))
}

fn usage_errors(g: &Grader, p: &Program) -> Verdict {
    let big = random_in(256, 99_999).to_string();
    let unknown = format!("NOSIG{}", random_in(1, 999));
    let cases: [&[&str]; 4] =
        [&["--code", &big], &["--code", "-1"], &["--signal", &unknown], &["--signal", pick(NOT_FATAL)]];
    for args in cases {
        let mut args = args.to_vec();
        args.extend(["--delay", "10ms"]);
        let run = g.run(p, &args)?;
        expect(run.code() == 2, || {
            format!("expected exit code 2 (usage error), got {}\n{}", run.code(), run.excerpt())
        })?;
        expect(!run.stderr.trim().is_empty(), || {
            format!("a usage error must say what is wrong on stderr\n{}", run.excerpt())
        })?;
        expect(run.by("child").next().is_none(), || {
            format!("no child should be started on bad input\n{}", run.excerpt())
        })?;
        run.expect_clean()?;
    }
    Ok(())
}
