//! Checks for lab 1, fork-copy. See `labs/01-fork-copy.md`, "Grading contract".

use super::{Check, Grader, Program, Run, Verdict, expect, random_in};

pub const CHECKS: &[Check] = &[
    Check { name: "runs and exits 0, leaving no process behind", points: 1, run: runs_clean },
    Check { name: "child starts with the parent's values", points: 2, run: child_inherits },
    Check {
        name: "same addresses, different values after the child's change",
        points: 3,
        run: same_address_different_value,
    },
    Check { name: "parent's values unchanged after the child ends", points: 2, run: parent_unchanged },
];

/// Run with random values: `(run, start, child_value)`.
fn run_random(g: &Grader, p: &Program) -> Result<(Run, i64, i64), String> {
    let start = random_in(2, 999) as i64;
    let child_value = random_in(1000, 99_999) as i64;
    let run =
        g.run(p, &["--start", &start.to_string(), "--child-value", &child_value.to_string(), "--delay", "10ms"])?;
    Ok((run, start, child_value))
}

fn runs_clean(g: &Grader, p: &Program) -> Verdict {
    let (run, _, _) = run_random(g, p)?;
    run.expect_basic()
}

fn child_inherits(g: &Grader, p: &Program) -> Verdict {
    let (run, start, _) = run_random(g, p)?;
    let parent = run.pid_of("parent")?;
    let child = run.pid_of("child")?;
    expect(parent != child, || format!("parent and child printed the same PID {parent}"))?;
    let (_, a) = run.fact("child", "a")?;
    expect(a == start.to_string(), || {
        format!("the child's first a= should be the parent's value {start}, got a={a}\n{}", run.excerpt())
    })
}

fn same_address_different_value(g: &Grader, p: &Program) -> Verdict {
    let (run, start, child_value) = run_random(g, p)?;
    let parent_a = run.facts("parent", "a");
    let child_a = run.facts("child", "a");
    let changed = child_a.iter().find(|(_, v)| *v == child_value.to_string());
    let Some((changed_line, _)) = changed else {
        return Err(format!(
            "expected a child line with a={child_value} (the --child-value), found none\n{}",
            run.excerpt()
        ));
    };
    let Some((parent_line, _)) = parent_a.last() else {
        return Err(format!("expected parent lines with a=, found none\n{}", run.excerpt()));
    };
    for key in ["&a", "s.as_ptr", "v.as_ptr"] {
        let (pa, ca) = (parent_line.fact(key), changed_line.fact(key));
        expect(pa.is_some() && pa == ca, || {
            format!("expected the same {key}= in parent and child, got parent {pa:?}, child {ca:?}\n{}", run.excerpt())
        })?;
    }
    let pv = parent_line.fact("a").unwrap_or_default();
    expect(pv == start.to_string(), || {
        format!("the parent's a= after the child's change should still be {start}, got {pv}")
    })
}

fn parent_unchanged(g: &Grader, p: &Program) -> Verdict {
    let (run, start, child_value) = run_random(g, p)?;
    let child_pid = run.pid_of("child")?;
    // The parent's last report of `a` must come after the child's last line.
    let last_child = run.lines.iter().rposition(|l| l.pid == child_pid).unwrap_or(0);
    let after = run.lines[last_child..].iter().filter(|l| l.role == "parent").find_map(|l| l.fact("a"));
    expect(after == Some(&start.to_string()), || {
        format!(
            "after the child (a={child_value}) ends, the parent must print its own a={start}; got {after:?}\n{}",
            run.excerpt()
        )
    })?;
    let v_after = run.lines[last_child..].iter().filter(|l| l.role == "parent").find_map(|l| l.fact("v"));
    let want = format!("[{start},2,3]");
    expect(v_after == Some(want.as_str()), || {
        format!("after the child ends, the parent's v= should be {want}, got {v_after:?}\n{}", run.excerpt())
    })
}
