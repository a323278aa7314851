//! Checks for lab 1, fork-copy. See `labs/01-fork-copy.md`, "Grading contract".
//!
//! The facts have language-neutral names: a value `a=`, `s=`, `v=` and the
//! address it lives at, `a_addr=`, `s_addr=`, `v_addr=`, in whatever form
//! the language prints an address (`0x7ffc...` from C's `%p` or Python's
//! `hex()`); addresses are compared as the text printed.

use super::{Check, Grader, Program, RUNS_CLEAN, Transcript, Verdict, expect, random_in};
use crate::out::Tagged;

const BASIC: Check = Check::new(1, RUNS_CLEAN, basic);

pub const CHECKS: &[Check] = &[
    BASIC,
    Check::new(2, "child starts with the parent's values", child_inherits).after(&BASIC),
    Check::new(3, "same addresses, different values after the child's change", same_address_different_value)
        .after(&BASIC),
    Check::new(2, "parent's values unchanged after the child ends", parent_unchanged).after(&BASIC),
];

/// The facts only the parent states: a child line with one of them is a
/// child that ran on into the parent's code.
const PARENT_FACTS: &[&str] = &["child"];

/// One run with random values, and the values.
struct Scene {
    run: Transcript,
    /// `--start`: the parent's value before the fork.
    start: i64,
    /// `--child-value`: what the child changes its copy to.
    child_value: i64,
}

/// Run with random values. `start` is never the course's 1 and
/// `child_value` never its 10000, and the two ranges do not meet: a program
/// that prints the course's numbers, or one value for both, fails on every
/// run.
fn scenario(g: &Grader, p: &Program) -> Result<Scene, String> {
    let start = random_in(2, 999) as i64;
    let child_value = random_in(10_001, 99_999) as i64;
    let run = g.run_watched(
        p,
        &["--start", &start.to_string(), "--child-value", &child_value.to_string(), "--delay", "10ms"],
    )?;
    Ok(Scene { run, start, child_value })
}

/// The first item of a list fact as printed: `[7,2,3]`, `[7, 2, 3]` (the
/// value ends at the first space: `[7,`), `7,2,3` or `{7,2,3}` all give `7`.
fn first_item(v: &str) -> &str {
    v.trim_start_matches(['[', '(', '{']).split(',').next().unwrap_or("").trim_end_matches([']', ')', '}'])
}

fn basic(g: &Grader, p: &Program) -> Verdict {
    let Scene { run, .. } = scenario(g, p)?;
    run.expect_basic()?;
    run.expect_one_process_per_role(&["parent", "child"])?;
    run.expect_parent_only(PARENT_FACTS)
}

fn child_inherits(g: &Grader, p: &Program) -> Verdict {
    let Scene { run, start, .. } = scenario(g, p)?;
    let parent = run.pid_of("parent")?;
    let child = run.pid_of("child")?;
    expect(parent != child, || format!("parent and child printed the same PID {parent}"))?;
    let forked = run.number("parent", "child")?;
    expect(forked == child, || {
        format!("the parent's child= (what fork returned) should be the child's PID {child}, got child={forked}")
    })?;
    let (line, a) = run.fact("child", "a")?;
    expect(a == start.to_string(), || {
        format!("the child's first a= should be the parent's value {start}, got a={a} in\n  | {}", line.text)
    })?;
    let v = line.fact("v").map(first_item);
    expect(v == Some(&start.to_string()), || {
        format!("the child's first v= should start with the parent's {start}: `{}`", line.text)
    })
}

fn same_address_different_value(g: &Grader, p: &Program) -> Verdict {
    let Scene { run, start, child_value } = scenario(g, p)?;
    let child_a = run.facts("child", "a");
    let changed = child_a.iter().find(|(_, v)| *v == child_value.to_string());
    let Some((changed_line, _)) = changed else {
        return Err(format!("expected a child line with a={child_value} (the --child-value), found none"));
    };
    let Some((parent_line, _)) = run.facts("parent", "a").last().copied() else {
        return Err("expected parent lines with a=, found none".to_string());
    };
    let quote = |l: &Tagged| format!("[{} {}] {}", l.role, l.pid, l.text);
    for key in ["a_addr", "s_addr", "v_addr"] {
        let (pa, ca) = (parent_line.fact(key), changed_line.fact(key));
        expect(pa.is_some_and(|a| !a.is_empty()) && pa == ca, || {
            format!(
                "expected the same {key}= in the parent's last line with a= and the child's line with a={child_value}:\n  \
                 | {}\n  | {}",
                quote(parent_line),
                quote(changed_line)
            )
        })?;
    }
    let pv = parent_line.fact("a").unwrap_or_default();
    expect(pv == start.to_string(), || {
        format!(
            "the parent's a= after the child's change should still be {start}, got a={pv}:\n  | {}",
            quote(parent_line)
        )
    })
}

fn parent_unchanged(g: &Grader, p: &Program) -> Verdict {
    let Scene { run, start, child_value } = scenario(g, p)?;
    let child_pid = run.pid_of("child")?;
    // The parent's report of the child's end and of its values must come after the child's last line.
    let last_child = run.lines.iter().rposition(|l| l.pid == child_pid).unwrap_or(0);
    let after: Vec<&Tagged> = run.lines[last_child..].iter().filter(|l| l.role == "parent").collect();
    let code = after.iter().find_map(|l| l.fact("code"));
    expect(code == Some("0"), || {
        let seen = code.map_or("no code=".to_string(), |c| format!("code={c}"));
        format!(
            "after the child's last line, the parent must report the child's exit code from wait, code=0; got {seen}"
        )
    })?;
    let a = after.iter().find_map(|l| l.fact("a"));
    expect(a == Some(&start.to_string()), || {
        let seen = a.map_or("no a=".to_string(), |a| format!("a={a}"));
        format!("after the child (a={child_value}) ends, the parent must print its own a={start}; got {seen}")
    })?;
    let v = after.iter().find_map(|l| l.fact("v"));
    expect(v.map(first_item) == Some(&start.to_string()), || {
        let seen = v.map_or("no v=".to_string(), |v| format!("v={v}"));
        format!("after the child ends, the parent's v= should start with {start}; got {seen}")
    })
}
