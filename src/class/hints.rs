//! The hint `labkit check` gives for a failed check: the row of the lab's
//! handout "Grading contract" table that names the check (what the grader
//! runs and reads). The handouts are built into the binary, so a `labkit`
//! copied alone (onto Gradescope, or a student's laptop) still has them.

use crate::labs::Lab;

/// Every handout, by lab number.
const HANDOUTS: &[(u32, &str)] = &[
    (1, include_str!("../../labs/01-fork-copy.md")),
    (2, include_str!("../../labs/02-pids.md")),
    (3, include_str!("../../labs/03-wait-status.md")),
    (4, include_str!("../../labs/04-zombie.md")),
    (5, include_str!("../../labs/05-orphan.md")),
    (6, include_str!("../../labs/06-double-fork.md")),
    (7, include_str!("../../labs/07-sigchld-ignore.md")),
    (8, include_str!("../../labs/08-half-copy.md")),
    (9, include_str!("../../labs/09-chat.md")),
    (10, include_str!("../../labs/10-states.md")),
    (11, include_str!("../../labs/11-exit-flush.md")),
    (12, include_str!("../../labs/12-fork-order.md")),
    (13, include_str!("../../labs/13-inherit.md")),
    (14, include_str!("../../labs/14-priority.md")),
    (15, include_str!("../../labs/15-parallel.md")),
];

/// The cells of a Markdown table row `| a | b | c |`, trimmed.
fn cells(line: &str) -> Option<Vec<&str>> {
    let inner = line.trim().strip_prefix('|')?.strip_suffix('|')?;
    Some(inner.split('|').map(str::trim).collect())
}

/// The handout's words for `check` of `lab`: the last column of its row in
/// the grading contract (a row whose first cell is the check's name).
pub fn hint(lab: &Lab, check: &str) -> Option<String> {
    let (_, text) = HANDOUTS.iter().find(|(n, _)| *n == lab.number)?;
    let contract = &text[text.find("## Grading contract")?..];
    contract.lines().filter_map(cells).find(|c| c.len() >= 3 && c[0] == check).map(|c| c[c.len() - 1].to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::labs::LABS;

    #[test]
    fn every_check_has_a_hint_from_its_handout() {
        assert_eq!(HANDOUTS.len(), LABS.len(), "a handout per lab");
        for (lab, (n, text)) in LABS.iter().zip(HANDOUTS) {
            assert_eq!(lab.number, *n);
            assert!(text.starts_with("# "), "{}: {n} is not a handout", lab.id);
            for bin in lab.bins {
                for c in bin.checks {
                    let h = hint(lab, c.title);
                    assert!(h.as_deref().is_some_and(|h| h.len() > 10), "{}: no hint for `{}`", lab.id, c.title);
                }
            }
        }
        let lab = &LABS[0];
        assert!(hint(lab, "no such check").is_none());
    }
}
