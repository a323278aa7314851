//! The kit itself: the manifest, the handouts, the `labkit` CLI and the reaper.

mod common;
use common::labkit_bin;
use labkit::labs::LABS;
use std::process::Command;

fn labkit(args: &[&str]) -> std::process::Output {
    Command::new(labkit_bin()).args(args).output().expect("run labkit")
}

#[test]
fn every_lab_has_a_binary_a_handout_and_checks() {
    let top = env!("CARGO_MANIFEST_DIR");
    for (i, lab) in LABS.iter().enumerate() {
        assert_eq!(lab.number as usize, i + 1, "labs are numbered in course order");
        let handout = std::fs::read_to_string(format!("{top}/{}", lab.handout()))
            .unwrap_or_else(|e| panic!("handout {}: {e}", lab.handout()));
        assert!(handout.contains("## Grading contract"), "{} has no grading contract", lab.handout());
        for bin in lab.bins {
            assert!(
                labkit_bin().with_file_name(bin.name).is_file(),
                "binary {} of lab {} is missing",
                bin.name,
                lab.id
            );
            assert!(!bin.checks.is_empty(), "{} of lab {} has no checks", bin.name, lab.id);
        }
    }
}

/// The tables of a handout's grading contract (the part from `## Grading
/// contract` to the next `## ` heading): each table's rows, as the first
/// two cells, `check | points`.
fn contract_tables(handout: &str) -> Vec<Vec<(String, String)>> {
    let start = handout.find("## Grading contract").map_or(handout.len(), |at| at + 3);
    let contract = &handout[start..];
    let contract = &contract[..contract.find("\n## ").unwrap_or(contract.len())];
    let mut tables: Vec<Vec<(String, String)>> = Vec::new();
    let mut in_table = false;
    for line in contract.lines() {
        let Some(row) = line.strip_prefix('|') else {
            in_table = false;
            continue;
        };
        if !in_table {
            tables.push(Vec::new());
            in_table = true;
        }
        let cells: Vec<&str> = row.split(" | ").map(str::trim).collect();
        if cells[0] == "check" || cells[0].starts_with("---") {
            continue; // the header row and the line under it
        }
        let points = cells.get(1).map_or("", |p| p.trim_end_matches('|').trim());
        tables.last_mut().unwrap().push((cells[0].to_string(), points.to_string()));
    }
    tables
}

/// Each handout's grading contract holds one table per program of the lab,
/// in the manifest's order, listing exactly that program's checks, in
/// order, with their points.
#[test]
fn every_handouts_grading_tables_list_the_checks_and_their_points() {
    let top = env!("CARGO_MANIFEST_DIR");
    let mut wrong = Vec::new();
    for lab in LABS {
        let handout = std::fs::read_to_string(format!("{top}/{}", lab.handout())).unwrap();
        let tables = contract_tables(&handout);
        if tables.len() != lab.bins.len() {
            wrong.push(format!(
                "{}: {} tables in its grading contract for {} programs",
                lab.handout(),
                tables.len(),
                lab.bins.len()
            ));
            continue;
        }
        for (bin, table) in lab.bins.iter().zip(&tables) {
            let checks: Vec<(String, String)> =
                bin.checks.iter().map(|c| (c.title.to_string(), c.points.to_string())).collect();
            if *table != checks {
                let show = |rows: &[(String, String)]| {
                    rows.iter().map(|(t, p)| format!("  {t} | {p}")).collect::<Vec<_>>().join("\n")
                };
                wrong.push(format!(
                    "{} ({}): the table lists\n{}\nthe checks are\n{}",
                    lab.handout(),
                    bin.name,
                    show(table),
                    show(&checks)
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n\n"));
}

#[test]
fn grading_tables_are_read_from_the_contract_only() {
    let handout = "# Lab\n| a | 1 |\n## Grading contract\nText.\n\n| check | points | what |\n| --- | --- | --- |\n\
                   | one | 1 | x |\n| two | 2 | y |\n\nMore.\n\n| check | points |\n| --- | --- |\n| three | 3 |\n\
                   ## Next\n| four | 4 |\n";
    let row = |t: &str, p: &str| (t.to_string(), p.to_string());
    assert_eq!(contract_tables(handout), vec![vec![row("one", "1"), row("two", "2")], vec![row("three", "3")]]);
    assert!(contract_tables("# No contract\n| a | 1 |\n").is_empty());
}

/// `labkit` (and `labkit list`) shows every lab in course order, each
/// program with the command that runs it as the student typed labkit
/// (`cargo run --` under cargo, else the binary's path), and the handout:
/// its file in the kit's folder, else the command that prints it.
#[test]
fn list_shows_every_lab_in_order_with_its_command_and_handout() {
    let elsewhere = std::env::temp_dir();
    let me = labkit_bin().display().to_string();
    let under_cargo = |args: &[&str]| Command::new(labkit_bin()).args(args).env("CARGO", "cargo").output().unwrap();
    let installed = Command::new(labkit_bin()).env_remove("CARGO").current_dir(&elsewhere).output().unwrap();
    for (out, run, kit_folder) in [
        (under_cargo(&[]), "cargo run -- run".to_string(), true),
        (under_cargo(&["list"]), "cargo run -- run".to_string(), true),
        (installed, format!("{me} run"), false),
    ] {
        assert!(out.status.success());
        let text = String::from_utf8(out.stdout).unwrap();
        let mut at = 0;
        for lab in LABS {
            let pos =
                text[at..].find(lab.id).unwrap_or_else(|| panic!("{} missing or out of order in:\n{text}", lab.id))
                    + at;
            let handout = if kit_folder { lab.handout() } else { format!("{me} handout {}", lab.id) };
            assert!(text.contains(&format!("handout: {handout}\n")), "{handout} in:\n{text}");
            for bin in lab.bins {
                assert!(text.contains(&format!("{run} {}", bin.name)), "{run} {} in:\n{text}", bin.name);
            }
            at = pos;
        }
    }
}

/// `labkit handout LAB` prints the handout built into labkit (`trace`:
/// the tracer's own), so a labkit copied alone still has them all.
#[test]
fn handout_prints_a_labs_handout_and_rejects_unknown_labs() {
    let top = env!("CARGO_MANIFEST_DIR");
    let mut all: Vec<(&str, String)> = LABS.iter().map(|l| (l.id, l.handout())).collect();
    all.push(("trace", "labs/00-trace.md".into()));
    all.push(("chat-client", "labs/09-chat.md".into()));
    for (lab, file) in all {
        let out = Command::new(labkit_bin()).args(["handout", lab]).current_dir(std::env::temp_dir()).output().unwrap();
        assert!(out.status.success(), "{out:?}");
        assert_eq!(String::from_utf8(out.stdout).unwrap(), std::fs::read_to_string(format!("{top}/{file}")).unwrap());
    }
    let out = labkit(&["handout", "no-such-lab"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no lab named 'no-such-lab'") && err.contains("fork-copy"), "{err}");
}

/// `labkit grade | head`: once the reader has gone, labkit ends as `ls`
/// would, killed by SIGPIPE, with no panic and no backtrace.
#[test]
fn a_reader_that_stops_early_ends_labkit_quietly() {
    use std::io::BufRead as _;
    use std::os::unix::process::ExitStatusExt as _;
    let mut child = Command::new(labkit_bin())
        .args(["grade", "zombie"])
        .env("RUST_BACKTRACE", "1")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap()).read_line(&mut first).unwrap();
    assert!(!first.is_empty(), "labkit grade printed nothing");
    // The reader is dropped here: the grade's next lines have nowhere to go.
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.signal(), Some(libc::SIGPIPE), "{:?}: {err}", out.status);
    assert!(!err.contains("panicked") && !err.contains("backtrace"), "{err}");
}

#[test]
fn run_starts_a_lab_and_rejects_unknown_ones() {
    let out = labkit(&["run", "fork-copy", "--delay", "0"]);
    assert!(out.status.success(), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("unchanged=yes"));

    let out = labkit(&["run", "no-such-lab"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no lab named 'no-such-lab'") && err.contains("fork-copy"), "{err}");
}

#[test]
fn reap_reports_and_removes_what_a_command_leaves_behind() {
    let dir = std::env::temp_dir().join(format!("labkit-kit-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let report = dir.join("report");
    // One orphan that ends by itself, one that would run for a minute.
    let out = Command::new(labkit_bin())
        .args(["reap", "--grace", "50ms", "--report"])
        .arg(&report)
        .args(["--", "sh", "-c", "sleep 0.01 & sleep 60 & exit 7"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(7), "reap exits with the command's code");
    let r = labkit::reaper::Report::from_text(&std::fs::read_to_string(&report).unwrap()).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(r.code, 7);
    assert_eq!(r.main.as_ref().map(|m| m.how.as_str()), Some("exited code=7"));
    assert_eq!(r.adopted.len(), 2, "{r:?}");
    assert_eq!(r.left_running().count(), 1, "the 60 s sleep was still running and was killed: {r:?}");
    assert!(r.adopted.iter().all(|a| labkit::procfs::stat(a.pid).unwrap().is_none()), "all reaped");
}

#[test]
fn reap_kills_a_hung_command_with_all_its_processes() {
    let out = Command::new(labkit_bin())
        .args(["reap", "--timeout", "300ms", "--", "sh", "-c", "sleep 60 & sleep 60 & wait"])
        .output()
        .unwrap();
    let r = labkit::reaper::Report::from_text(&String::from_utf8_lossy(&out.stderr)).unwrap();
    assert!(r.timed_out);
    assert_eq!(r.code, 128 + 9);
    assert!(r.main.as_ref().is_some_and(|m| m.killed_by_reaper), "{r:?}");
    // However many sleeps `sh` had started by the timeout, each was killed and reaped.
    assert!(r.left_running().count() >= 1 && r.adopted.iter().all(|a| a.killed_by_reaper), "{r:?}");
    assert!(r.adopted.iter().all(|a| labkit::procfs::stat(a.pid).unwrap().is_none()), "all reaped: {r:?}");
}

/// A stop signal in the grace after the command ended kills its orphans at
/// once, not when the grace (a minute here) runs out.
#[test]
fn reap_stopped_in_the_grace_kills_the_orphans_at_once() {
    use nix::sys::signal::{Signal, kill};
    let mut reap = Command::new(labkit_bin())
        .args(["reap", "--grace", "60s", "--", "sh", "-c", "sleep 60 & exit 0"])
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let pid = reap.id() as i32;
    // The command has ended and left its orphan to the reaper.
    let orphaned = labkit::procfs::poll_until(std::time::Duration::from_secs(10), || {
        let children = labkit::procfs::children(pid);
        children.iter().any(|c| labkit::procfs::comm(c.pid) == "sleep")
            && children.iter().all(|c| labkit::procfs::comm(c.pid) != "sh")
    });
    kill(nix::unistd::Pid::from_raw(pid), Signal::SIGTERM).unwrap();
    let ended = labkit::procfs::poll_until(std::time::Duration::from_secs(10), || reap.try_wait().unwrap().is_some());
    if !ended {
        // Its orphans killed, the reaper reaps them and ends.
        for d in labkit::procfs::descendants(pid) {
            let _ = kill(nix::unistd::Pid::from_raw(d.pid), Signal::SIGKILL);
        }
    }
    let out = reap.wait_with_output().unwrap();
    assert!(orphaned, "the command never left its orphan");
    assert!(ended, "10 s after SIGTERM, the reaper was still waiting out its grace");
    let r = labkit::reaper::Report::from_text(&String::from_utf8_lossy(&out.stderr)).unwrap();
    assert!(r.adopted.iter().any(|a| a.comm == "sleep" && a.killed_by_reaper), "{r:?}");
    assert!(r.adopted.iter().all(|a| labkit::procfs::stat(a.pid).unwrap().is_none()), "all reaped: {r:?}");
}

/// README's table of the labs, as the manifest makes it.
fn readme_table() -> String {
    let mut table = String::from("| # | lab | concept |\n| - | --- | --- |\n");
    for lab in LABS {
        table += &format!("| {} | `{}` | {} |\n", lab.number, lab.id, lab.concept);
    }
    table
}

/// README's table of the labs is the manifest's (`LABKIT_BLESS=1` remakes
/// it, so a new lab's row is not written by hand); `labs/` holds one
/// handout per lab.
#[test]
fn readme_and_labs_folder_follow_the_manifest() {
    let top = env!("CARGO_MANIFEST_DIR");
    let path = format!("{top}/README.md");
    let readme = std::fs::read_to_string(&path).unwrap();
    let (begin, end) = ("<!-- the labs' table, made from the manifest", "<!-- end of the labs' table -->");
    let start = readme.find(begin).map(|i| i + readme[i..].find('\n').unwrap() + 1);
    let stop = readme.find(end);
    let (Some(start), Some(stop)) = (start, stop) else { panic!("README.md lacks the lines {begin}... and {end}") };
    if std::env::var_os("LABKIT_BLESS").is_some() {
        std::fs::write(&path, format!("{}{}{}", &readme[..start], readme_table(), &readme[stop..])).unwrap();
    } else {
        let stale = "README.md's table of the labs is not the manifest's (LABKIT_BLESS=1 cargo test --test kit readme)";
        assert_eq!(&readme[start..stop], readme_table(), "{stale}");
    }
    let mut handouts: Vec<String> = std::fs::read_dir(format!("{top}/labs"))
        .unwrap()
        .map(|e| format!("labs/{}", e.unwrap().file_name().to_string_lossy()))
        .filter(|p| p.ends_with(".md"))
        .filter(|p| p != "labs/00-trace.md") // the kit's tool for every lab, not a lab
        .collect();
    handouts.sort();
    let expected: Vec<String> = LABS.iter().map(|l| l.handout()).collect();
    assert_eq!(handouts, expected, "labs/ holds exactly one handout per lab of the manifest, in order");
}

#[test]
fn lab_binaries_refuse_bad_flags_clearly_and_take_extreme_values_without_a_panic() {
    for lab in LABS {
        for bin in lab.bins {
            let out = Command::new(labkit_bin().with_file_name(bin.name)).arg("--no-such-flag").output().unwrap();
            let err = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(2), "{}: {err}", bin.name);
            assert!(err.contains("--no-such-flag") && !err.contains("panicked"), "{}: {err}", bin.name);
        }
    }
    // The largest lie is still a lie the parent catches, not an overflow.
    let out = Command::new(labkit_bin().with_file_name("pids"))
        .args(["--lie", &i32::MAX.to_string(), "--delay", "1ms"])
        .output()
        .unwrap();
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("pid_match=NO") && !stderr.contains("panicked"), "{stdout}\n{stderr}");
}
