//! Checks for lab 3, wait-status. See `labs/03-wait-status.md`, "Grading contract".
//!
//! The child exits with `--code N` (or kills itself with `--signal S`); the
//! parent waits and prints what wait returned: the PID, the raw status and
//! its decoding. Every run asks for a random exit code (130 to 254) or a
//! random terminating signal, so a program that prints fixed numbers cannot
//! pass; the checks compare what wait returned with the child's own
//! `getpid()` line and with the encoding rules (`raw == code * 256`,
//! `raw & 0x7f == signal`).

use nix::sys::signal::Signal;

use std::time::Duration;

use super::{Check, Grader, Pace, Program, RUNS_CLEAN, Transcript, Verdict, draw_u64, expect, own_getpid, random_in};

const BASIC: Check = Check::new(1, RUNS_CLEAN, basic);

pub const CHECKS: &[Check] = &[
    BASIC,
    Check::new(2, "wait returns the child's PID", returns_child_pid).after(&BASIC),
    Check::new(3, "raw status is code * 256 and WEXITSTATUS is the code", exit_status).after(&BASIC),
    Check::new(3, "a signal shows as WIFSIGNALED and WTERMSIG", signal_status).after(&BASIC),
    Check::new(2, "--nohang polls return 0 until the child is reaped", nohang_polls).after(&BASIC),
    Check::new(1, "a bad --code or --signal is a usage error (exit 2)", usage_errors).after(&BASIC),
];

/// The facts only the parent states (what wait returned, decoded).
const PARENT_FACTS: &[&str] = &["returned", "raw", "WIFEXITED", "WEXITSTATUS", "WIFSIGNALED", "WTERMSIG"];

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

/// One run whose child exits with a random code, and the code.
struct Scene {
    run: Transcript,
    code: i32,
}

/// Run with a random exit code ([`random_code`]) and the child's `--delay 10ms`.
fn scenario(g: &Grader, p: &Program) -> Result<Scene, String> {
    let code = random_code();
    let run = g.run_watched(p, &["--code", &code.to_string(), "--delay", "10ms"])?;
    Ok(Scene { run, code })
}

/// An exit code to ask for: never 0, 1 (a crash: a Python traceback), 2 (the
/// course's and the kit's default), 255 (`exit(-1)`), nor below 128, so that
/// a program that prints the default, ignores `--code`, or keeps only 7 bits
/// of the code fails on every run.
fn random_code() -> i32 {
    random_in(130, 254) as i32
}

fn pick<T: Copy>(items: &[T]) -> T {
    items[draw_u64() as usize % items.len()]
}

/// The PIDs the parent's `returned=` facts give, in order.
fn returned(run: &Transcript) -> Result<Vec<i32>, String> {
    let all: Result<Vec<i32>, _> = run.facts("parent", "returned").iter().map(|(_, v)| v.parse::<i32>()).collect();
    let all = all.map_err(|_| "a parent `returned=` value is not a number".to_string())?;
    expect(!all.is_empty(), || "expected a parent line with `returned=PID`, found none".to_string())?;
    Ok(all)
}

fn expect_fact(run: &Transcript, key: &str, want: &str) -> Verdict {
    let (_, v) = run.fact("parent", key)?;
    expect(v == want, || format!("expected the parent's {key}={want}, got {key}={v}"))
}

fn basic(g: &Grader, p: &Program) -> Verdict {
    let Scene { run, .. } = scenario(g, p)?;
    run.expect_basic()?;
    run.expect_one_process_per_role(&["parent", "child"])?;
    run.expect_parent_only(PARENT_FACTS)
}

fn returns_child_pid(g: &Grader, p: &Program) -> Verdict {
    let Scene { run, .. } = scenario(g, p)?;
    let child = own_getpid(&run, "child")?;
    let parent = run.pid_of("parent")?;
    expect(child != parent, || format!("parent and child printed the same PID {parent}"))?;
    let got = *returned(&run)?.last().unwrap_or(&0);
    expect(got == child, || format!("wait should return the child's PID {child} (its getpid()); got returned={got}"))
}

fn exit_status(g: &Grader, p: &Program) -> Verdict {
    let Scene { run, code } = scenario(g, p)?;
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
    let run = g.run_watched(p, &["--signal", spelling, "--delay", "10ms"])?;
    run.expect_success()?;
    run.expect_clean()?;
    let child = own_getpid(&run, "child")?;
    let got = *returned(&run)?.last().unwrap_or(&0);
    expect(got == child, || format!("wait should return the child's PID {child}, got returned={got}"))?;
    let raw = run.number("parent", "raw")?;
    let n = sig as i32;
    expect(raw & 0x7f == n, || {
        format!("killed by {sig} ({n}): the raw status's low 7 bits should be {n}, got raw={raw}")
    })?;
    expect_fact(&run, "WIFEXITED", "false")?;
    expect_fact(&run, "WIFSIGNALED", "true")?;
    expect_fact(&run, "WTERMSIG", &n.to_string())
}

fn nohang_polls(g: &Grader, p: &Program) -> Verdict {
    // The child sleeps 100 ms while the parent polls every 10 ms: on a busy
    // machine the parent may not get to poll before the child ends, so the
    // polls are checked with a retry at a longer sleep (see
    // [`Grader::timed`]); the status, which no delay changes, after it.
    let code = random_code();
    let last_run = std::sync::Mutex::new(None);
    g.timed(|pace: Pace| {
        let delay = pace.flag(Duration::from_millis(100));
        let run = g.run_watched(p, &["--code", &code.to_string(), "--delay", &delay, "--nohang", "--poll", "10ms"])?;
        run.expect_success()?;
        let child = own_getpid(&run, "child")?;
        let answers = returned(&run)?;
        let (last, polls) = answers.split_last().unwrap_or((&0, &[]));
        expect(!polls.is_empty() && polls.iter().all(|&r| r == 0), || {
            let seen: Vec<String> = answers.iter().map(|r| format!("returned={r}")).collect();
            format!(
                "with --nohang and a child that sleeps {delay}, expected returned=0 answers (still running) \
                 before the child is reaped; got {}",
                seen.join(", ")
            )
        })?;
        expect(*last == child, || format!("the last poll should return the child's PID {child}, got returned={last}"))?;
        *last_run.lock().unwrap_or_else(|e| e.into_inner()) = Some(run);
        Ok(())
    })?;
    let run = last_run.into_inner().unwrap_or_else(|e| e.into_inner()).ok_or("no run kept")?;
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
        let run = g.run_watched(p, &args)?;
        expect(run.code() == 2, || format!("expected exit code 2 (usage error), got {}", run.code()))?;
        expect(!run.stderr.trim().is_empty(), || "a usage error must say what is wrong on stderr".to_string())?;
        expect(run.by("child").next().is_none(), || "no child should be started on bad input".to_string())?;
        run.expect_clean()?;
    }
    Ok(())
}
