//! [`Transcript`]: what one run of a program produced, and the facts and
//! expectations every lab's checks read from it.

use super::{Verdict, expect};
use crate::out::Tagged;
use crate::reaper::Report;

/// What one run of a program under the grader's supervisor (`labkit reap`) produced.
#[derive(Debug, Clone)]
pub struct Transcript {
    /// The command line that was run, for messages.
    pub command: String,
    pub stdout: String,
    pub stderr: String,
    /// The tagged lines of stdout, in order.
    pub lines: Vec<Tagged>,
    /// For each line of `stdout` (in `str::lines` order), the PIDs of the
    /// processes that wrote its bytes, as the kernel told the grader (see
    /// [`super::Grader::run`]); empty when unknown (a run started with
    /// [`super::Grader::spawn`], whose stdout is a plain pipe).
    pub writers: Vec<Vec<i32>>,
    /// What the supervisor saw: exit code, orphans left behind.
    pub report: Report,
}

impl Transcript {
    /// The program's exit code (`128 + N` when signal N killed it).
    pub fn code(&self) -> i32 {
        self.report.code
    }

    /// The tagged lines printed by `role`.
    pub fn by<'a>(&'a self, role: &'a str) -> impl Iterator<Item = &'a Tagged> + 'a {
        self.lines.iter().filter(move |l| l.role == role)
    }

    /// The first line printed by `role` that states the fact `key=`, with its value.
    pub fn fact<'a>(&'a self, role: &str, key: &str) -> Result<(&'a Tagged, &'a str), String> {
        self.lines
            .iter()
            .filter(|l| l.role == role)
            .find_map(|l| l.fact(key).map(|v| (l, v)))
            .ok_or_else(|| format!("expected a line `[{role} PID] ... {key}=...`, found none"))
    }

    /// Every value of the fact `key=` printed by `role`, in order.
    pub fn facts<'a>(&'a self, role: &'a str, key: &'a str) -> Vec<(&'a Tagged, &'a str)> {
        self.by(role).filter_map(|l| l.fact(key).map(|v| (l, v))).collect()
    }

    /// The distinct PIDs the lines tagged `role` carry, in order of appearance.
    pub fn pids(&self, role: &str) -> Vec<i32> {
        let mut pids: Vec<i32> = Vec::new();
        for line in self.by(role) {
            if !pids.contains(&line.pid) {
                pids.push(line.pid);
            }
        }
        pids
    }

    /// The PID a role printed its lines with (the same on all its lines).
    pub fn pid_of(&self, role: &str) -> Result<i32, String> {
        let pids = self.pids(role);
        match pids.as_slice() {
            [pid] => Ok(*pid),
            [] => Err(format!("expected lines tagged `[{role} PID]`, found none")),
            _ => {
                let pids: Vec<String> = pids.iter().map(i32::to_string).collect();
                Err(format!(
                    "the lines tagged `{role}` carry different PIDs: {} (one {role} process was expected; \
                     a child that does not end with _exit() at the end of its part runs on into the \
                     parent's code and prints the parent's lines too)",
                    pids.join(", ")
                ))
            }
        }
    }

    /// The PID of each of `roles` ([`Transcript::pid_of`]), all different:
    /// one process per role.
    pub fn role_pids<const N: usize>(&self, roles: [&str; N]) -> Result<[i32; N], String> {
        let mut pids = [0; N];
        for (i, role) in roles.iter().enumerate() {
            let pid = self.pid_of(role)?;
            if let Some(other) = pids[..i].iter().position(|&p| p == pid).map(|j| roles[j]) {
                return Err(format!(
                    "the lines tagged `{other}` and `{role}` carry the same PID {pid}: two roles, one process"
                ));
            }
            pids[i] = pid;
        }
        Ok(pids)
    }

    /// Stdout lines that lack the `[role PID]` tag.
    pub fn untagged(&self) -> Vec<&str> {
        self.stdout.lines().filter(|l| !l.trim().is_empty() && Tagged::parse(l).is_none()).collect()
    }

    /// The value of the first `key=` fact printed by `role`, as a number (a PID, a count, a code).
    pub fn number(&self, role: &str, key: &str) -> Result<i32, String> {
        let (_, v) = self.fact(role, key)?;
        v.parse().map_err(|_| format!("`{key}={v}` printed by the {role} is not a number"))
    }

    /// The basic check every lab starts with: exit code 0, nothing left
    /// behind, every stdout line tagged `[role PID]`, and every line written
    /// by the process its tag names ([`Transcript::expect_own_lines`]).
    pub fn expect_basic(&self) -> Verdict {
        self.expect_success()?;
        self.expect_clean()?;
        self.expect_tagged()?;
        self.expect_own_lines()
    }

    /// Every stdout line is tagged `[role PID]` (blank lines aside).
    pub fn expect_tagged(&self) -> Verdict {
        let untagged = self.untagged();
        expect(untagged.is_empty(), || {
            let lines: String = untagged.iter().take(10).map(|l| format!("  | {l}\n")).collect();
            format!("every line must start with `[role PID]`; these do not:\n{lines}")
        })
    }

    /// Every tagged line was written by the process whose PID its tag shows.
    ///
    /// The grader knows who wrote each line: the program's stdout is a Unix
    /// socket, and the kernel tells the reader the PID of the writer of every
    /// chunk (see [`super::Grader::run`]). A line tagged with one PID but written by
    /// another is text the program printed once and its output shows twice,
    /// or never printed as it claims:
    /// - text buffered before a `fork` is in the child's copy of the buffer
    ///   too; a child that ends with `exit()` (Python: `sys.exit()`, or the
    ///   end of the script) flushes it again, so the parent's lines come out
    ///   a second time, written by the child;
    /// - a child that runs on into the parent's code (a missing `_exit`, an
    ///   `if (pid = 0)`) prints the parent's lines, tagged with the PID the
    ///   parent saved before `fork`;
    /// - a line narrated on another process's behalf (`[child 4243] ...`
    ///   printed by the parent).
    ///
    /// No honest program can fail it: a process prints its own PID in its
    /// tag, and the line is written by that process. Runs whose writers are
    /// unknown ([`super::Grader::spawn`]) pass.
    pub fn expect_own_lines(&self) -> Verdict {
        for (text, writers) in self.stdout.lines().zip(&self.writers) {
            let Some(line) = Tagged::parse(text) else { continue };
            if writers.is_empty() || writers == &[line.pid] {
                continue;
            }
            let by: Vec<String> = writers.iter().map(i32::to_string).collect();
            let copies = self.stdout.lines().filter(|l| *l == text).count();
            let why = if copies > 1 && !writers.contains(&line.pid) {
                format!(
                    "it appears {copies} times: either text printed before fork() and still in the output buffer \
                     is printed again by the child when it ends with exit() (Python: sys.exit() or the end of the \
                     script): flush before fork() and end the child with _exit(); or the child ran on into the \
                     parent's code, printing a PID the parent saved before fork()"
                )
            } else {
                "every process must print its own lines, tagged with its own PID".to_string()
            };
            return Err(format!(
                "the line\n  | {text}\nis tagged with PID {} but was written by process {}: {why}",
                line.pid,
                by.join(" and ")
            ));
        }
        Ok(())
    }

    /// For labs with one parent and one child: the lines of each `role`
    /// carry one PID, and the roles' PIDs differ. A child that runs on past
    /// its part into the parent's code prints the parent's lines with its
    /// own PID (or a second `child` PID).
    pub fn expect_one_process_per_role<const N: usize>(&self, roles: &[&str; N]) -> Verdict {
        self.role_pids(*roles).map(drop)
    }

    /// No line of a role other than `parent` states one of `facts`, the
    /// facts only the parent's part of the program prints (what `fork` or
    /// `wait` returned to it): a child that does not end with `_exit()` at
    /// the end of its part runs on into the parent's code and prints them
    /// under its own tag.
    pub fn expect_parent_only(&self, facts: &[&str]) -> Verdict {
        let stray = self.lines.iter().find(|l| l.role != "parent" && facts.iter().any(|f| l.fact(f).is_some()));
        expect(stray.is_none(), || {
            let l = stray.map(|l| format!("[{} {}] {}", l.role, l.pid, l.text)).unwrap_or_default();
            let names: Vec<String> = facts.iter().map(|f| format!("{f}=")).collect();
            format!(
                "only the parent states {}; this line does:\n  | {l}\n\
                 (a child that does not end with _exit() at the end of its part runs on into the parent's code)",
                names.join(", ")
            )
        })
    }

    /// Fails unless the program exited with code 0.
    pub fn expect_success(&self) -> Verdict {
        expect(self.code() == 0, || format!("expected exit code 0, got {}", self.code()))
    }

    /// Fails if the program left any process behind (orphans, running or zombie).
    pub fn expect_clean(&self) -> Verdict {
        let left: Vec<String> = self
            .report
            .adopted
            .iter()
            .map(|e| {
                let how = if e.killed_by_reaper { "still running: killed by the grader" } else { &e.how };
                format!("{} ({}, {how})", e.pid, e.comm)
            })
            .collect();
        expect(left.is_empty(), || {
            format!("the program left processes behind (the grader's supervisor found them): {}", left.join(", "))
        })
    }

    /// The whole run as [`super::Grader::keep_runs_in`] keeps it: the command, its
    /// exit code, all of stdout and stderr (unless the check read a stream
    /// itself while the program ran: `taken`), and the supervisor's report
    /// (under the heading `--- reaper report ---`: the report of `labkit reap`).
    pub(super) fn log_text(&self, supervisor_report: &str, taken: (bool, bool)) -> String {
        let stream = |text: &str, taken: bool| {
            if taken {
                "(read by the check while the program ran: see the check's message)\n".into()
            } else {
                text.to_string()
            }
        };
        format!(
            "command: {}\nexit code: {}{}\n\n--- stdout ---\n{}\n--- stderr ---\n{}\n--- reaper report ---\n{}",
            self.command,
            self.code(),
            if self.report.timed_out { " (timed out: killed with all its processes)" } else { "" },
            stream(&self.stdout, taken.0),
            stream(&self.stderr, taken.1),
            supervisor_report
        )
    }

    /// The output, for a failure message (at most 40 lines of each stream).
    pub fn excerpt(&self) -> String {
        let cut = |s: &str| s.lines().take(40).map(|l| format!("  | {l}\n")).collect::<String>();
        format!(
            "`{}` printed:\n{}{}",
            self.command,
            cut(&self.stdout),
            if self.stderr.is_empty() { String::new() } else { format!("stderr:\n{}", cut(&self.stderr)) }
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run_of(stdout: &str, writers: Vec<Vec<i32>>) -> Transcript {
        Transcript {
            command: "prog".into(),
            stdout: stdout.into(),
            stderr: String::new(),
            lines: stdout.lines().filter_map(Tagged::parse).collect(),
            writers,
            report: Report::default(),
        }
    }

    #[test]
    fn a_line_written_by_another_process_than_its_tag_fails() {
        let text = "[parent 1] before fork\n[child 2] hi\n[parent 1] before fork\n[parent 1] done\n";
        let honest = run_of(text, vec![vec![1], vec![2], vec![1], vec![1]]);
        assert_eq!(honest.expect_own_lines(), Ok(()));
        let copied = run_of(text, vec![vec![2], vec![2], vec![1], vec![1]]);
        let err = copied.expect_own_lines().unwrap_err();
        assert!(err.contains("tagged with PID 1 but was written by process 2") && err.contains("2 times"), "{err}");
        // Unknown writers (a plain pipe): nothing to check.
        assert_eq!(run_of(text, Vec::new()).expect_own_lines(), Ok(()));
    }

    #[test]
    fn parent_facts_on_a_child_line_and_two_pids_for_one_role_fail() {
        let run = run_of("[parent 1] child=2\n[child 2] a=1\n[child 2] fork() returned child=0\n", Vec::new());
        assert!(run.expect_parent_only(&["child"]).unwrap_err().contains("[child 2] fork() returned child=0"));
        let run = run_of("[parent 1] x\n[child 2] y\n[parent 2] z\n", Vec::new());
        let err = run.expect_one_process_per_role(&["parent", "child"]).unwrap_err();
        assert!(err.contains("different PIDs: 1, 2"), "{err}");
    }
}
