//! The summary `labkit grade-class` prints: per lab, how the scores are
//! spread (a terminal histogram), then the checks most often failed, each
//! with one student's reason as an example.

use std::fmt::Write as _;

use super::gradebook::{Plan, Test, plan_labs};

/// The bars' longest length, in characters.
const WIDTH: usize = 40;

/// A bar of `n` out of `most`, at most [`WIDTH`] long; any `n > 0` shows.
fn bar(n: usize, most: usize) -> String {
    let len = if n == 0 { 0 } else { (n * WIDTH).div_ceil(most.max(1)).max(1) };
    "█".repeat(len)
}

/// The score ranges of a histogram of scores `0..=max`: one per score up
/// to 10 points, else ten ranges (the last holding `max` alone, full marks).
fn ranges(max: u32) -> Vec<(u32, u32)> {
    if max <= 10 {
        return (0..=max).map(|s| (s, s)).collect();
    }
    let step = max.div_ceil(10);
    let mut r: Vec<(u32, u32)> = (0..max).step_by(step as usize).map(|lo| (lo, (lo + step - 1).min(max - 1))).collect();
    r.push((max, max));
    r
}

/// The summary text of a graded class.
pub fn text(plan: &Plan, class: &[(String, Vec<Test>)]) -> String {
    let mut t = String::new();
    let _ = writeln!(t, "Score distribution per lab ({} students):", class.len());
    for lab in plan_labs(plan) {
        let scores: Vec<(u32, u32)> = class
            .iter()
            .map(|(_, tests)| {
                let of: Vec<&Test> = tests.iter().filter(|t| t.lab() == Some(lab.number)).collect();
                (of.iter().map(|t| t.score).sum(), of.iter().map(|t| t.max).sum())
            })
            .collect();
        let max = scores.iter().map(|s| s.1).max().unwrap_or(0);
        let full = scores.iter().filter(|s| s.0 == s.1).count();
        let _ = writeln!(t, "\nLab {} · {} (max {max}; full marks: {full} of {})", lab.number, lab.id, scores.len());
        let rs = ranges(max);
        let counts: Vec<usize> =
            rs.iter().map(|&(lo, hi)| scores.iter().filter(|s| (lo..=hi).contains(&s.0)).count()).collect();
        let most = counts.iter().copied().max().unwrap_or(0);
        for ((lo, hi), n) in rs.iter().zip(&counts) {
            let label = if lo == hi { format!("{lo}") } else { format!("{lo}-{hi}") };
            let _ = writeln!(t, "  {label:>7} | {:<WIDTH$} {n}", bar(*n, most));
        }
    }
    // The checks most often failed (for their own reason, not skipped).
    let mut failed: Vec<(String, usize, String, String)> = Vec::new(); // name, count, student, reason
    for (student, tests) in class {
        for test in tests.iter().filter(|t| t.failed_itself()) {
            match failed.iter_mut().find(|f| f.0 == test.name) {
                Some(f) => f.1 += 1,
                None => failed.push((test.name.clone(), 1, student.clone(), test.reason().to_string())),
            }
        }
    }
    failed.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    if failed.is_empty() {
        let _ = writeln!(t, "\nNo check failed.");
    } else {
        let _ = writeln!(t, "\nChecks most often failed (of {} students):", class.len());
        for (name, n, student, reason) in failed.iter().take(10) {
            let reason: String = reason.chars().take(160).collect();
            let _ = writeln!(t, "  {n:>4}  {name}\n        e.g. {student}: {reason}");
        }
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_ranges_cover_every_score_once() {
        assert_eq!(ranges(3), [(0, 0), (1, 1), (2, 2), (3, 3)]);
        for max in [11, 20, 33, 47] {
            let r = ranges(max);
            assert_eq!(r.first().unwrap().0, 0);
            assert_eq!(*r.last().unwrap(), (max, max));
            for w in r.windows(2) {
                assert_eq!(w[0].1 + 1, w[1].0, "{r:?}");
            }
        }
        assert_eq!(bar(0, 5), "");
        assert_eq!(bar(5, 5).chars().count(), WIDTH);
        assert_eq!(bar(1, 1000).chars().count(), 1);
    }
}
