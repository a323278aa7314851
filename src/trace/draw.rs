//! The picture of a trace: one lane per process, time flowing down.
//!
//! [`layout`] turns a [`Trace`] into rows, one per drawn event, each with a
//! glyph per lane and a line of text; [`text`] prints them for a terminal
//! (colours only when asked) and [`svg`](super::svg) draws the same rows.
//! Lanes are reused once a process is reaped, so a program that forks and
//! reaps a thousand children one at a time still takes two lanes.
//!
//! [`Style::normalised`] makes a picture that does not change from run to
//! run (for the handouts): no PIDs (roles, numbered when several processes
//! share one), no times (the order is the time), file names without their
//! folders, and siblings that did the same thing drawn in the order they
//! ended.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::{ForkHow, Kind, Proc, ReapedBy, Status, Trace, signal_name};

/// How to draw.
#[derive(Debug, Clone, Copy, Default)]
pub struct Style {
    /// ANSI colours (a terminal that wants them).
    pub colour: bool,
    /// The stable picture: roles instead of PIDs, order instead of times.
    pub normalised: bool,
    /// The text may take this many columns (80 when 0).
    pub width: usize,
}

/// What one lane shows on one row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Glyph {
    /// No process in this lane.
    Empty,
    /// A running process.
    Run,
    /// An ended process not yet reaped: a zombie.
    Zombie,
    /// A stopped process.
    Stopped,
    /// The row's connector passes through (kind of the row's event).
    Pass,
    /// Where a fork starts (the parent).
    ForkFrom,
    /// Where a fork lands (the new process).
    Born,
    /// An exit.
    Exit,
    /// The reaper's end of a reap.
    ReapBy,
    /// The reaped process's end of a reap (its lane ends here).
    Reaped,
    /// Reaped by the kernel, without a `wait` (its lane ends here).
    Gone,
    /// The adopter's end of an adoption.
    AdoptBy,
    /// The adopted orphan's end.
    Adopted,
    /// Any other event of this lane's process.
    Mark,
}

/// What a row is about (for colours and connectors).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowKind {
    Fork,
    Exec,
    Exit,
    Reap,
    Adopt,
    Signal,
    Other,
    /// Time passes: no event, the lanes as they are.
    Gap,
}

/// One drawn row.
#[derive(Debug, Clone)]
pub struct Row {
    /// `12.3ms` from the start, or empty in a normalised picture.
    pub time: String,
    pub kind: RowKind,
    pub lanes: Vec<Glyph>,
    /// Where the row's connector runs, lane to lane (both ends), if it has one.
    pub span: Option<(usize, usize)>,
    pub text: String,
    /// Each lane's state after the row (`Run`, `Zombie`, `Stopped` or `Empty`).
    pub after: Vec<Glyph>,
}

/// A picture: its rows and how many lanes they use.
#[derive(Debug, Clone)]
pub struct Layout {
    pub title: String,
    pub lanes: usize,
    pub rows: Vec<Row>,
    /// A table of the processes: one line each.
    pub summary: Vec<String>,
    pub notes: Vec<String>,
}

/// The label of every process: `role PID`, or `role`/`role2` when normalised.
fn labels(trace: &Trace, procs: &[Proc], style: Style) -> BTreeMap<i32, String> {
    let mut labels = BTreeMap::new();
    labels
        .insert(trace.tracer, if style.normalised { "labkit".to_string() } else { format!("labkit {}", trace.tracer) });
    let base = |p: &Proc| p.role.clone().unwrap_or_else(|| p.program.clone());
    let mut count: BTreeMap<String, usize> = BTreeMap::new();
    for p in procs {
        *count.entry(base(p)).or_default() += 1;
    }
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for p in procs {
        let b = base(p);
        let label = if !style.normalised {
            format!("{b} {}", p.pid)
        } else if count[&b] > 1 {
            let n = seen.entry(b.clone()).or_default();
            *n += 1;
            format!("{b}{n}")
        } else {
            b
        };
        labels.insert(p.pid, label);
    }
    labels
}

/// For a normalised picture: siblings with the same parent, label and end,
/// and no children of their own, are interchangeable; rename them so that
/// the k-th born is the k-th to end (their order of ending is up to the
/// scheduler, the picture should not be).
fn canonical(trace: &Trace, procs: &[Proc]) -> Trace {
    let parents: std::collections::BTreeSet<i32> = procs.iter().map(|p| p.parent).collect();
    let mut groups: BTreeMap<(i32, String, String), Vec<&Proc>> = BTreeMap::new();
    for p in procs.iter().filter(|p| !parents.contains(&p.pid) && p.exit.is_some()) {
        let end = p.exit.map(|e| e.1.describe()).unwrap_or_default();
        let label = p.role.clone().unwrap_or_else(|| p.program.clone());
        groups.entry((p.parent, label, end)).or_default().push(p);
    }
    let mut map: BTreeMap<i32, i32> = BTreeMap::new();
    for g in groups.values().filter(|g| g.len() > 1) {
        let mut by_exit = g.clone();
        by_exit.sort_by_key(|p| p.exit.map(|e| e.0));
        for (born, ended) in g.iter().zip(by_exit) {
            map.insert(ended.pid, born.pid);
        }
    }
    let mut t = trace.clone();
    let m = |pid: i32| *map.get(&pid).unwrap_or(&pid);
    for e in &mut t.events {
        if let Kind::Fork { .. } = e.kind {
            continue;
        }
        e.pid = m(e.pid);
        if let Kind::Reaped { by: ReapedBy::Process { pid, .. } } = &mut e.kind {
            *pid = m(*pid);
        }
    }
    t
}

/// A pause at least this long between two drawn events gets a row of its
/// own, so that a zombie's (or a sleeper's) lane shows while time passes.
pub const GAP: std::time::Duration = std::time::Duration::from_millis(30);

/// `1.23ms`, `12.3ms`, `1.234s`.
pub fn show_time(t: std::time::Duration) -> String {
    crate::delay::show_as(t, crate::delay::Style::Scaled)
}

/// The last part of a path.
fn base_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// Lay a trace out in rows; see the module docs.
pub fn layout(trace: &Trace, style: Style) -> Layout {
    let procs0 = trace.processes();
    let owned;
    let trace = if style.normalised {
        owned = canonical(trace, &procs0);
        &owned
    } else {
        trace
    };
    let procs = trace.processes();
    let label = labels(trace, &procs, style);
    let name = |pid: i32| label.get(&pid).cloned().unwrap_or_else(|| format!("pid {pid}"));
    let path = |p: &str| if style.normalised { base_name(p).to_string() } else { p.to_string() };
    // Bytes each process wrote to each file, told at its exit.
    let mut wrote: BTreeMap<i32, Vec<(String, i64, usize)>> = BTreeMap::new();
    for e in &trace.events {
        if let Kind::Write { path: p, bytes, .. } = &e.kind
            && p.starts_with('/')
        {
            let list = wrote.entry(e.pid).or_default();
            match list.iter_mut().find(|w| w.0 == *p) {
                Some(w) => {
                    w.1 += bytes;
                    w.2 += 1;
                }
                None => list.push((p.clone(), *bytes, 1)),
            }
        }
    }
    let traced: std::collections::BTreeSet<i32> = procs.iter().map(|p| p.pid).collect();
    let mut lane_of: BTreeMap<i32, usize> = BTreeMap::new();
    let mut state: Vec<Glyph> = vec![Glyph::Run]; // lane 0: labkit, the tracer
    lane_of.insert(trace.tracer, 0);
    let mut rows = Vec::new();
    let mut last_t: Option<std::time::Duration> = None;
    for e in &trace.events {
        let me = lane_of.get(&e.pid).copied();
        let before = state.clone();
        let mut lanes = state.clone();
        let mut span = None;
        let (kind, text) = match &e.kind {
            Kind::Fork { child, how } => {
                // A forker with no lane (gone already): draw it from labkit's.
                let a = me.unwrap_or(0);
                let free = state.iter().skip(1).position(|g| *g == Glyph::Empty).map(|i| i + 1);
                let b = free.unwrap_or_else(|| {
                    state.push(Glyph::Empty);
                    lanes.push(Glyph::Empty);
                    state.len() - 1
                });
                lane_of.insert(*child, b);
                state[b] = Glyph::Run;
                lanes[a] = Glyph::ForkFrom;
                lanes[b] = Glyph::Born;
                span = Some((a, b));
                let text = match how {
                    ForkHow::Start => format!("{} starts {}", name(e.pid), name(*child)),
                    ForkHow::Unknown => {
                        format!("{} adopts {}, whose parent died as it forked it", name(e.pid), name(*child))
                    }
                    ForkHow::Fork => format!("{} forks {}", name(e.pid), name(*child)),
                    other => format!("{} forks {} ({})", name(e.pid), name(*child), other.as_str()),
                };
                (RowKind::Fork, text)
            }
            Kind::Exec { path: p, argv } => {
                let Some(a) = me else { continue };
                lanes[a] = Glyph::Mark;
                let mut words = vec![path(argv.first().unwrap_or(p))];
                words.extend(argv.iter().skip(1).map(|w| if w.contains('/') { path(w) } else { w.clone() }));
                (RowKind::Exec, format!("{} execs {}", name(e.pid), words.join(" ")))
            }
            Kind::Exit { status } => {
                let Some(a) = me else { continue };
                lanes[a] = Glyph::Exit;
                state[a] = Glyph::Zombie;
                let how = match status {
                    Status::Exited(code) => format!("exits code={code}"),
                    Status::Killed { sig, core } => {
                        format!("is killed by {}{}", signal_name(*sig), if *core { " (core dumped)" } else { "" })
                    }
                };
                let mut text = format!("{} {how}", name(e.pid));
                for (p, bytes, calls) in wrote.get(&e.pid).into_iter().flatten() {
                    let s = if *calls == 1 { "" } else { "s" };
                    let _ = write!(text, "; wrote {bytes} bytes to {} in {calls} call{s}", path(p));
                }
                (RowKind::Exit, text)
            }
            Kind::Reaped { by } => {
                let Some(b) = me else { continue };
                let zombie = procs.iter().find(|p| p.pid == e.pid).and_then(|p| p.zombie);
                let held = match zombie {
                    Some(z) if !style.normalised => format!(", a zombie for {}", show_time(z)),
                    _ => String::new(),
                };
                lanes[b] = if matches!(by, ReapedBy::Kernel) { Glyph::Gone } else { Glyph::Reaped };
                state[b] = Glyph::Empty;
                let text = match by {
                    ReapedBy::Process { pid, call } => {
                        if let Some(a) = lane_of.get(pid).copied() {
                            lanes[a] = Glyph::ReapBy;
                            span = Some((a, b));
                        }
                        let call = if *pid == trace.tracer { "waitpid".to_string() } else { call.clone() };
                        format!("{} reaps {} ({call}{held})", name(*pid), name(e.pid))
                    }
                    ReapedBy::Kernel => {
                        format!("the kernel reaps {}: no wait, its parent ignores SIGCHLD", name(e.pid))
                    }
                };
                (RowKind::Reap, text)
            }
            Kind::Adopted { from, by } => {
                let Some(b) = me else { continue };
                lanes[b] = Glyph::Adopted;
                if let Some(a) = lane_of.get(by).copied() {
                    lanes[a] = Glyph::AdoptBy;
                    span = Some((a, b));
                }
                let by_name = if traced.contains(by) || *by == trace.tracer { name(*by) } else { format!("pid {by}") };
                (RowKind::Adopt, format!("{by_name} adopts {}, orphaned when {} ended", name(e.pid), name(*from)))
            }
            Kind::WaitFailed { call, errno } => {
                let Some(a) = me else { continue };
                lanes[a] = Glyph::Mark;
                let err = nix::errno::Errno::from_raw(*errno);
                (RowKind::Other, format!("{} {call} fails: errno={err:?} ({})", name(e.pid), err.desc()))
            }
            Kind::Kill { target, sig } => {
                let Some(a) = me else { continue };
                lanes[a] = Glyph::Mark;
                let text = if e.pid == trace.tracer && *sig != libc::SIGKILL {
                    format!("{} passes {} on to {}", name(e.pid), signal_name(*sig), name(*target))
                } else if e.pid == trace.tracer {
                    format!(
                        "{} kills {} ({}): still running after the command",
                        name(e.pid),
                        name(*target),
                        signal_name(*sig)
                    )
                } else if *target == e.pid {
                    format!("{} sends {} to itself", name(e.pid), signal_name(*sig))
                } else {
                    format!("{} sends {} to {}", name(e.pid), signal_name(*sig), name(*target))
                };
                (RowKind::Signal, text)
            }
            Kind::Signal { sig } => {
                let Some(a) = me else { continue };
                lanes[a] = Glyph::Mark;
                (RowKind::Signal, format!("{} receives {}", name(e.pid), signal_name(*sig)))
            }
            Kind::Stopped { sig } => {
                let Some(a) = me else { continue };
                lanes[a] = Glyph::Mark;
                state[a] = Glyph::Stopped;
                (RowKind::Signal, format!("{} stops ({})", name(e.pid), signal_name(*sig)))
            }
            Kind::Continued => {
                let Some(a) = me else { continue };
                lanes[a] = Glyph::Mark;
                state[a] = Glyph::Run;
                (RowKind::Signal, format!("{} continues", name(e.pid)))
            }
            Kind::Subreaper => {
                let Some(a) = me else { continue };
                lanes[a] = Glyph::Mark;
                (RowKind::Other, format!("{} becomes a child subreaper", name(e.pid)))
            }
            Kind::Output { .. } | Kind::Write { .. } => continue,
        };
        if let Some((a, b)) = span {
            for g in &mut lanes[a.min(b) + 1..a.max(b)] {
                *g = Glyph::Pass;
            }
        }
        if let Some(gap) = last_t.map(|l| e.t.saturating_sub(l)).filter(|&g| g >= GAP) {
            let text = if style.normalised { "…".to_string() } else { format!("… {} later", show_time(gap)) };
            let time = String::new();
            rows.push(Row { time, kind: RowKind::Gap, lanes: before.clone(), span: None, text, after: before });
        }
        last_t = Some(e.t);
        let time = if style.normalised { String::new() } else { show_time(e.t) };
        rows.push(Row { time, kind, lanes, span, text, after: state.clone() });
        // Drop empty lanes at the right end.
        while state.len() > 1 && state.last() == Some(&Glyph::Empty) {
            state.pop();
        }
    }
    let lanes = rows.iter().map(|r| r.lanes.len()).max().unwrap_or(1);
    let mut summary = Vec::new();
    for p in &procs {
        let mut line = format!("{}: born of {}", name(p.pid), name(p.parent));
        match p.exit {
            Some((_, s)) => {
                let _ = write!(line, ", ended {}", s.describe());
            }
            None => line.push_str(", never ended"),
        }
        for (_, by) in &p.adopted {
            let _ = write!(line, ", adopted by {}", name(*by));
        }
        match &p.reaped {
            Some((_, ReapedBy::Process { pid, .. })) => {
                let _ = write!(line, ", reaped by {}", name(*pid));
            }
            Some((_, ReapedBy::Kernel)) => line.push_str(", reaped by the kernel"),
            None => line.push_str(", never reaped"),
        }
        if let (Some(z), false) = (p.zombie, style.normalised) {
            let _ = write!(line, " after {} as a zombie", show_time(z));
        }
        summary.push(line);
    }
    let command: Vec<String> = trace
        .command
        .iter()
        .map(|w| if style.normalised && w.contains('/') { base_name(w).to_string() } else { w.clone() })
        .collect();
    Layout { title: format!("labkit trace: {}", command.join(" ")), lanes, rows, summary, notes: trace.notes.clone() }
}

const RESET: &str = "\x1b[0m";

fn colour_of(kind: RowKind) -> &'static str {
    match kind {
        RowKind::Fork => "\x1b[32m",
        RowKind::Exec => "\x1b[36m",
        RowKind::Exit => "\x1b[33m",
        RowKind::Reap => "\x1b[34m",
        RowKind::Adopt => "\x1b[35m",
        RowKind::Signal => "\x1b[31m",
        RowKind::Other => "\x1b[1m",
        RowKind::Gap => "\x1b[2m",
    }
}

/// The character of a glyph in the text picture, and what fills the column
/// after it (the connector when the row's span goes on to the right).
fn glyph_char(g: Glyph, kind: RowKind, leftward: bool) -> char {
    let dotted = kind == RowKind::Adopt;
    match g {
        Glyph::Empty => ' ',
        Glyph::Run => '│',
        Glyph::Zombie => '┊',
        Glyph::Stopped => '‖',
        Glyph::Pass => {
            if dotted {
                '┄'
            } else {
                '─'
            }
        }
        Glyph::ForkFrom => {
            if leftward {
                '┤'
            } else {
                '├'
            }
        }
        Glyph::Born => {
            if leftward {
                '┌'
            } else {
                '┐'
            }
        }
        Glyph::Exit => '✕',
        Glyph::ReapBy => '◀',
        Glyph::Reaped => {
            if leftward {
                '└'
            } else {
                '┘'
            }
        }
        Glyph::Gone => '╧',
        Glyph::AdoptBy => '◁',
        Glyph::Adopted => {
            if leftward {
                '├'
            } else {
                '┤'
            }
        }
        Glyph::Mark => '●',
    }
}

/// The legend under every picture.
pub const LEGEND: &str = "│ runs  ┊ zombie  ├─┐ fork  ✕ exit  ◀─┘ reap  ╧ kernel reaps  ◁┄┤ adopts ● event";

/// Break `text` into lines of at most `width` characters, at spaces; a
/// word longer than a line (a long path) is cut after a `/` where it can be.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(8);
    let mut words: Vec<String> = Vec::new();
    for word in text.split(' ') {
        let mut rest: Vec<char> = word.chars().collect();
        while rest.len() > width {
            let cut = rest[..width].iter().rposition(|&c| c == '/').filter(|&i| i > 0).map_or(width, |i| i + 1);
            words.push(rest.drain(..cut).collect());
        }
        words.push(rest.into_iter().collect());
    }
    let mut lines = vec![String::new()];
    for word in words {
        let last = lines.last_mut().expect("one line at least");
        let len = last.chars().count();
        if len > 0 && len + 1 + word.chars().count() > width {
            lines.push(word);
        } else {
            if len > 0 {
                last.push(' ');
            }
            last.push_str(&word);
        }
    }
    lines
}

/// The picture as text.
pub fn text(layout: &Layout, style: Style) -> String {
    let width = if style.width == 0 { 80 } else { style.width };
    let time_w = if style.normalised { 0 } else { layout.rows.iter().map(|r| r.time.len()).max().unwrap_or(0) + 1 };
    // Lanes take two columns each; one when that does not leave 32 for the
    // text; beyond that, the lanes that do not fit are summed up in a last
    // column (`⋯` some are alive there, `»` this row's event is there).
    let budget = width.saturating_sub(time_w + 1 + 32).max(4);
    let (lane_w, shown) = if layout.lanes * 2 <= budget {
        (2, layout.lanes)
    } else if layout.lanes <= budget {
        (1, layout.lanes)
    } else {
        (1, budget - 1)
    };
    let clipped = shown < layout.lanes;
    let lanes_w = shown * lane_w + usize::from(clipped);
    let text_w = width.saturating_sub(time_w + lanes_w + 1).max(24);
    let mut out = String::new();
    let _ = writeln!(out, "{}", wrap(&layout.title, width - 4).join("\n    "));
    let overflow = |glyphs: &[Glyph], event: bool| -> char {
        let beyond = glyphs.get(shown..).unwrap_or_default();
        if event && beyond.iter().any(|g| !matches!(g, Glyph::Empty | Glyph::Run | Glyph::Zombie | Glyph::Stopped)) {
            '»'
        } else if beyond.iter().any(|g| *g != Glyph::Empty) {
            '⋯'
        } else {
            ' '
        }
    };
    for row in &layout.rows {
        let (lo, hi) = row.span.map_or((usize::MAX, 0), |(a, b)| (a.min(b), a.max(b)));
        // The connector's origin (fork, reap and adoption) is its first end.
        let leftward = row.span.is_some_and(|(a, b)| b < a);
        let mut cells = String::new();
        for i in 0..shown {
            let g = row.lanes.get(i).copied().unwrap_or(Glyph::Empty);
            let crossing = g == Glyph::Pass && row.after.get(i).is_some_and(|a| *a != Glyph::Empty);
            let c = if crossing { '┼' } else { glyph_char(g, row.kind, leftward) };
            let fill = if i >= lo && i < hi { glyph_char(Glyph::Pass, row.kind, leftward) } else { ' ' };
            let in_span = i >= lo && i <= hi;
            let mut cell = String::from(c);
            if lane_w == 2 {
                cell.push(fill);
            }
            if style.colour && (in_span || g == Glyph::Zombie || g == Glyph::Exit) {
                let colour = if g == Glyph::Zombie { "\x1b[31m" } else { colour_of(row.kind) };
                let _ = write!(cells, "{colour}{cell}{RESET}");
            } else {
                cells.push_str(&cell);
            }
        }
        if clipped {
            cells.push(overflow(&row.lanes, true));
        }
        let wrapped = wrap(&row.text, text_w);
        for (k, line) in wrapped.iter().enumerate() {
            let time = if k == 0 { row.time.as_str() } else { "" };
            let lanes = if k == 0 {
                cells.clone()
            } else {
                // Continuation lines: the lanes as they are after the row.
                let mut c = String::new();
                for i in 0..shown {
                    let g = row.after.get(i).copied().unwrap_or(Glyph::Empty);
                    c.push(glyph_char(g, row.kind, false));
                    if lane_w == 2 {
                        c.push(' ');
                    }
                }
                if clipped {
                    c.push(overflow(&row.after, false));
                }
                c
            };
            let time = if time_w == 0 { String::new() } else { format!("{time:>w$} ", w = time_w - 1) };
            let line =
                if style.colour && k == 0 { format!("{}{line}{RESET}", colour_of(row.kind)) } else { line.clone() };
            let _ = writeln!(out, "{time}{lanes} {line}").map(|_| ());
        }
    }
    let _ = writeln!(out, "{}", wrap(LEGEND, width).join("\n"));
    const MOST: usize = 30;
    for line in layout.summary.iter().take(MOST) {
        let _ = writeln!(out, "{}", wrap(line, width - 4).join("\n    "));
    }
    if layout.summary.len() > MOST {
        let _ = writeln!(out, "... and {} more processes (--json has them all)", layout.summary.len() - MOST);
    }
    for note in &layout.notes {
        let _ = writeln!(out, "{}", wrap(&format!("note: {note}"), width - 4).join("\n    "));
    }
    // No trailing spaces on any line.
    out.lines().map(str::trim_end).collect::<Vec<_>>().join("\n") + "\n"
}

/// Draw `trace` as text in one call.
pub fn draw(trace: &Trace, style: Style) -> String {
    text(&layout(trace, style), style)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trace::{Event, ForkHow};
    use std::time::Duration;

    fn trace(steps: &[(i32, Kind)]) -> Trace {
        let events = steps
            .iter()
            .enumerate()
            .map(|(seq, (pid, kind))| Event {
                seq,
                t: Duration::from_micros(seq as u64),
                pid: *pid,
                kind: kind.clone(),
            })
            .collect();
        Trace { command: vec!["x".into()], tracer: 1, main: 10, events, ..Trace::default() }
    }

    fn reap(by: i32) -> Kind {
        Kind::Reaped { by: ReapedBy::Process { pid: by, call: "wait4".into() } }
    }

    #[test]
    fn lanes_are_reused_once_a_process_is_reaped() {
        let mut steps = vec![(1, Kind::Fork { child: 10, how: ForkHow::Start })];
        for c in 100..1100 {
            steps.push((10, Kind::Fork { child: c, how: ForkHow::Fork }));
            steps.push((c, Kind::Exit { status: Status::Exited(0) }));
            steps.push((c, reap(10)));
        }
        let l = layout(&trace(&steps), Style::default());
        assert_eq!(l.lanes, 3, "labkit, the parent, one lane for all its children in turn");
        let text = text(&l, Style::default());
        assert!(text.contains("│ ├─┐") && text.contains("│ │ ✕") && text.contains("│ ◀─┘"), "{text}");
        assert!(text.lines().all(|line| line.chars().count() <= 80));
    }

    #[test]
    fn normalised_siblings_that_did_the_same_are_drawn_in_the_order_they_ended() {
        let out = |role: &str, pid: i32| Kind::Output { fd: 1, text: format!("[{role} {pid}] hi\n") };
        let steps = vec![
            (1, Kind::Fork { child: 10, how: ForkHow::Start }),
            (10, out("parent", 10)),
            (10, Kind::Fork { child: 11, how: ForkHow::Fork }),
            (10, Kind::Fork { child: 12, how: ForkHow::Fork }),
            (11, out("child", 11)),
            (12, out("child", 12)),
            (12, Kind::Exit { status: Status::Exited(0) }), // the younger ends first
            (11, Kind::Exit { status: Status::Exited(0) }),
            (12, reap(10)),
            (11, reap(10)),
        ];
        let style = Style { normalised: true, ..Style::default() };
        let l = layout(&trace(&steps), style);
        let texts: Vec<&str> = l.rows.iter().map(|r| r.text.as_str()).collect();
        assert_eq!(
            texts,
            [
                "labkit starts parent",
                "parent forks child1",
                "parent forks child2",
                "child1 exits code=0",
                "child2 exits code=0",
                "parent reaps child1 (wait4)",
                "parent reaps child2 (wait4)"
            ]
        );
        // Not normalised: the truth, with PIDs.
        let l = layout(&trace(&steps), Style::default());
        assert_eq!(l.rows[3].text, "child 12 exits code=0");
    }

    #[test]
    fn wraps_long_words_at_slashes() {
        let lines = wrap("execs /a/very/long/path/to/some/program/that/goes/on --flag", 16);
        assert!(lines.iter().all(|l| l.chars().count() <= 16), "{lines:?}");
        assert_eq!(lines.concat().replace(' ', ""), "execs/a/very/long/path/to/some/program/that/goes/on--flag");
    }
}
