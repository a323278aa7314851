//! The raw event log as JSON, and back.
//!
//! ```text
//! {"command": ["zombie", "--delay", "0"], "tracer": 100, "main": 101, "timed_out": false,
//!  "notes": [],
//!  "events": [
//!   {"seq":0,"t_us":12,"pid":100,"kind":"fork","child":101,"how":"start"},
//!   {"seq":1,"t_us":410,"pid":101,"kind":"exec","path":"/.../zombie","argv":["zombie","--delay","0"]},
//!   {"seq":9,"t_us":3020,"pid":102,"kind":"reaped","by":101,"call":"wait4"},
//!   ...
//!  ]}
//! ```
//!
//! Every event is one flat object on its own line, with `seq`, `t_us`,
//! `pid` and `kind`: `kind` names the [`Kind`] (`fork`, `exec`, `output`,
//! `write`, `kill`, `signal`, `stopped`, `continued`, `subreaper`, `exit`,
//! `adopted`, `reaped`, `wait_failed`), the other keys are its fields
//! (in the order written: serde_json's `preserve_order`). An exit has
//! `code`, or `signal` and `core`; a reap by the kernel has
//! `"by": "kernel"`; a write's `offset` is `null` when it was not
//! positioned.
//!
//! serde_json writes every value and reads the document back; only the
//! frame that puts one event on each line is ours.

use std::time::Duration;

use serde_json::{Map, Value, json};

use super::{Event, ForkHow, Kind, ReapedBy, Status, Trace};

/// The `kind`s an event can have, as the JSON names them.
const KINDS: &str = "fork, exec, output, write, kill, signal, stopped, continued, subreaper, exit, \
                     adopted, reaped, wait_failed";

/// The fields of one event's [`Kind`], `kind` included.
fn fields(kind: &Kind) -> Value {
    match kind {
        Kind::Fork { child, how } => json!({"kind": "fork", "child": child, "how": how.as_str()}),
        Kind::Exec { path, argv } => json!({"kind": "exec", "path": path, "argv": argv}),
        Kind::Output { fd, text } => json!({"kind": "output", "fd": fd, "text": text}),
        Kind::Write { call, path, bytes, offset } => {
            json!({"kind": "write", "call": call, "path": path, "bytes": bytes, "offset": offset})
        }
        Kind::Kill { target, sig } => json!({"kind": "kill", "target": target, "sig": sig}),
        Kind::Signal { sig } => json!({"kind": "signal", "sig": sig}),
        Kind::Stopped { sig } => json!({"kind": "stopped", "sig": sig}),
        Kind::Continued => json!({"kind": "continued"}),
        Kind::Subreaper => json!({"kind": "subreaper"}),
        Kind::Exit { status: Status::Exited(code) } => json!({"kind": "exit", "code": code}),
        Kind::Exit { status: Status::Killed { sig, core } } => json!({"kind": "exit", "signal": sig, "core": core}),
        Kind::Adopted { from, by } => json!({"kind": "adopted", "from": from, "by": by}),
        Kind::Reaped { by: ReapedBy::Process { pid, call } } => json!({"kind": "reaped", "by": pid, "call": call}),
        Kind::Reaped { by: ReapedBy::Kernel } => json!({"kind": "reaped", "by": "kernel"}),
        Kind::WaitFailed { call, errno } => json!({"kind": "wait_failed", "call": call, "errno": errno}),
    }
}

/// One event as one flat object.
fn event_value(e: &Event) -> Value {
    let micros = u64::try_from(e.t.as_micros()).unwrap_or(u64::MAX);
    let mut v = json!({"seq": e.seq, "t_us": micros, "pid": e.pid});
    if let (Value::Object(all), Value::Object(more)) = (&mut v, fields(&e.kind)) {
        all.extend(more);
    }
    v
}

/// The whole trace as JSON (one event a line).
pub fn to_json(trace: &Trace) -> String {
    let events: Vec<String> = trace.events.iter().map(|e| format!("  {}", event_value(e))).collect();
    let events = if events.is_empty() { String::new() } else { format!("\n{}\n ", events.join(",\n")) };
    format!(
        "{{\"command\": {}, \"tracer\": {}, \"main\": {}, \"timed_out\": {},\n \"notes\": {},\n \"events\": [{events}]}}\n",
        json!(trace.command),
        json!(trace.tracer),
        json!(trace.main),
        json!(trace.timed_out),
        json!(trace.notes),
    )
}

/// A value as the reader quotes it in an error: its JSON, cut short.
fn shown(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 40 { format!("{}...", s.chars().take(40).collect::<String>()) } else { s }
}

fn as_i32(v: &Value) -> Option<i32> {
    i32::try_from(v.as_i64()?).ok()
}

/// One object of the document (the trace, or one event), with its name
/// for errors: every read says which object and which key is wrong.
struct Obj<'a> {
    name: String,
    map: &'a Map<String, Value>,
}

impl<'a> Obj<'a> {
    fn err(&self, what: &str) -> String {
        format!("not a labkit trace: {} {what}", self.name)
    }
    /// The error for `key` when it is missing or is not `want`.
    fn wrong(&self, key: &str, want: &str) -> String {
        match self.map.get(key) {
            Some(v) => self.err(&format!("has \"{key}\": {}, not {want}", shown(v))),
            None => self.err(&format!("has no \"{key}\"")),
        }
    }
    /// `key`'s value through `read`, or an error naming what it should be.
    fn read<T>(&self, key: &str, want: &str, read: impl Fn(&'a Value) -> Option<T>) -> Result<T, String> {
        self.map.get(key).and_then(read).ok_or_else(|| self.wrong(key, want))
    }
    fn int(&self, key: &str) -> Result<i32, String> {
        self.read(key, "a whole number (32 bits)", as_i32)
    }
    fn long(&self, key: &str) -> Result<i64, String> {
        self.read(key, "a whole number", Value::as_i64)
    }
    fn count(&self, key: &str) -> Result<u64, String> {
        self.read(key, "a whole number from 0", Value::as_u64)
    }
    fn text(&self, key: &str) -> Result<String, String> {
        self.read(key, "text", |v| v.as_str().map(str::to_string))
    }
    fn texts(&self, key: &str) -> Result<Vec<String>, String> {
        self.read(key, "a list of texts", |v| v.as_array()?.iter().map(|s| s.as_str().map(str::to_string)).collect())
    }
    fn bool(&self, key: &str) -> Result<bool, String> {
        self.read(key, "true or false", Value::as_bool)
    }
}

/// Event number `i` of the list (counting from 0, as `seq` does).
fn event(i: usize, v: &Value) -> Result<Event, String> {
    let name = format!("event {i}");
    let Some(map) = v.as_object() else {
        return Err(format!("not a labkit trace: {name} is {}, not an object", shown(v)));
    };
    let o = Obj { name, map };
    let kind = match o.text("kind")?.as_str() {
        "fork" => Kind::Fork {
            child: o.int("child")?,
            how: match o.text("how")?.as_str() {
                "fork" => ForkHow::Fork,
                "vfork" => ForkHow::Vfork,
                "clone" => ForkHow::Clone,
                "start" => ForkHow::Start,
                "unknown" => ForkHow::Unknown,
                _ => return Err(o.wrong("how", "one of fork, vfork, clone, start, unknown")),
            },
        },
        "exec" => Kind::Exec { path: o.text("path")?, argv: o.texts("argv")? },
        "output" => Kind::Output { fd: o.int("fd")?, text: o.text("text")? },
        "write" => Kind::Write {
            call: o.text("call")?,
            path: o.text("path")?,
            bytes: o.long("bytes")?,
            offset: match map.get("offset") {
                None | Some(Value::Null) => None,
                Some(_) => Some(o.long("offset")?),
            },
        },
        "kill" => Kind::Kill { target: o.int("target")?, sig: o.int("sig")? },
        "signal" => Kind::Signal { sig: o.int("sig")? },
        "stopped" => Kind::Stopped { sig: o.int("sig")? },
        "continued" => Kind::Continued,
        "subreaper" => Kind::Subreaper,
        "exit" if map.contains_key("code") => Kind::Exit { status: Status::Exited(o.int("code")?) },
        "exit" if map.contains_key("signal") => {
            Kind::Exit { status: Status::Killed { sig: o.int("signal")?, core: o.bool("core")? } }
        }
        "exit" => return Err(o.err("(an exit) has neither \"code\" nor \"signal\"")),
        "adopted" => Kind::Adopted { from: o.int("from")?, by: o.int("by")? },
        "reaped" if map.get("by").and_then(Value::as_str) == Some("kernel") => Kind::Reaped { by: ReapedBy::Kernel },
        "reaped" => Kind::Reaped {
            by: ReapedBy::Process { pid: o.read("by", "a PID or \"kernel\"", as_i32)?, call: o.text("call")? },
        },
        "wait_failed" => Kind::WaitFailed { call: o.text("call")?, errno: o.int("errno")? },
        _ => return Err(o.wrong("kind", &format!("one of {KINDS}"))),
    };
    let seq = o.read("seq", "a whole number from 0", |v| v.as_u64().and_then(|n| usize::try_from(n).ok()))?;
    Ok(Event { seq, t: Duration::from_micros(o.count("t_us")?), pid: o.int("pid")?, kind })
}

/// Read a trace written by [`to_json`].
pub fn from_json(text: &str) -> Result<Trace, String> {
    let v: Value = serde_json::from_str(text).map_err(|e| format!("not a labkit trace: not JSON: {e}"))?;
    let Some(map) = v.as_object() else {
        return Err(format!("not a labkit trace: the document is {}, not an object", shown(&v)));
    };
    let o = Obj { name: "the top-level object".to_string(), map };
    let events = o.read("events", "a list", Value::as_array)?;
    Ok(Trace {
        command: o.texts("command")?,
        tracer: o.int("tracer")?,
        main: o.int("main")?,
        events: events.iter().enumerate().map(|(i, e)| event(i, e)).collect::<Result<_, _>>()?,
        notes: o.texts("notes")?,
        timed_out: o.bool("timed_out")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Text that a hand-written escaper gets wrong.
    const HARD: &str =
        "a \"quoted\" \\back\\slash\\ new\nline\r\ttab \u{0}\u{1}\u{1f}\u{7f} é 漢字 🦀 \u{2028}\u{2029} end\\";

    fn trace(kinds: Vec<Kind>) -> Trace {
        let events = kinds
            .into_iter()
            .enumerate()
            .map(|(seq, kind)| Event { seq, t: Duration::from_micros(seq as u64 * 7), pid: 2, kind })
            .collect();
        Trace {
            command: vec!["x".into(), HARD.into(), String::new()],
            tracer: 1,
            main: 2,
            events,
            notes: vec!["a note".into(), HARD.into()],
            timed_out: true,
        }
    }

    fn every_kind() -> Vec<Kind> {
        vec![
            Kind::Fork { child: 2, how: ForkHow::Start },
            Kind::Fork { child: 3, how: ForkHow::Fork },
            Kind::Fork { child: 4, how: ForkHow::Vfork },
            Kind::Fork { child: 5, how: ForkHow::Clone },
            Kind::Fork { child: 6, how: ForkHow::Unknown },
            Kind::Exec { path: "/bin/x".into(), argv: vec!["x".into(), HARD.into()] },
            Kind::Exec { path: HARD.into(), argv: vec![] },
            Kind::Output { fd: 1, text: "[parent 2] hi\n".into() },
            Kind::Output { fd: 2, text: HARD.into() },
            Kind::Write { call: "pwrite64".into(), path: "/tmp/d".into(), bytes: 10, offset: Some(5) },
            Kind::Write { call: "write".into(), path: HARD.into(), bytes: i64::MAX, offset: None },
            Kind::Kill { target: -3, sig: 15 },
            Kind::Signal { sig: 15 },
            Kind::Stopped { sig: 19 },
            Kind::Continued,
            Kind::Subreaper,
            Kind::Exit { status: Status::Exited(3) },
            Kind::Exit { status: Status::Killed { sig: 3, core: true } },
            Kind::Exit { status: Status::Killed { sig: 9, core: false } },
            Kind::Adopted { from: 3, by: 1 },
            Kind::Reaped { by: ReapedBy::Process { pid: 2, call: "wait4".into() } },
            Kind::Reaped { by: ReapedBy::Kernel },
            Kind::WaitFailed { call: "waitid".into(), errno: 10 },
        ]
    }

    #[test]
    fn round_trips_every_kind_and_hard_text() {
        let t = trace(every_kind());
        let text = to_json(&t);
        assert_eq!(from_json(&text), Ok(t.clone()));
        // One event a line: no text breaks a line, and the frame is 3 lines around them.
        assert_eq!(text.lines().count(), 3 + t.events.len() + 1, "{text}");
        for (line, e) in text.lines().skip(3).zip(&t.events) {
            let v: Value = serde_json::from_str(line.trim_end_matches(',')).unwrap();
            assert_eq!(v["seq"], e.seq, "{line}");
        }
        // The control characters JSON forbids in a string (below U+0020) are escaped.
        assert!(!text.chars().any(|c| c < ' ' && c != '\n'), "{text}");
    }

    #[test]
    fn round_trips_an_empty_trace() {
        let t = Trace::default();
        assert_eq!(from_json(&to_json(&t)), Ok(t));
    }

    #[test]
    fn writes_the_documented_keys() {
        let text = to_json(&trace(vec![
            Kind::Reaped { by: ReapedBy::Kernel },
            Kind::Write { call: "write".into(), path: "p".into(), bytes: 1, offset: None },
            Kind::Exit { status: Status::Killed { sig: 6, core: true } },
        ]));
        let v: Value = serde_json::from_str(&text).unwrap();
        let keys = |o: &Value| o.as_object().unwrap().keys().cloned().collect::<Vec<_>>().join(" ");
        assert_eq!(keys(&v), "command tracer main timed_out notes events");
        let e = &v["events"];
        assert_eq!(keys(&e[0]), "seq t_us pid kind by");
        assert_eq!(e[0]["by"], "kernel");
        assert_eq!(keys(&e[1]), "seq t_us pid kind call path bytes offset");
        assert_eq!(e[1]["offset"], Value::Null);
        assert_eq!(e[2]["signal"], 6);
        assert_eq!(e[2]["core"], true);
    }

    /// The layout the kit wrote before serde_json (spaces after `:` and
    /// `,`, the keys in another order) reads the same.
    #[test]
    fn reads_the_hand_written_layout() {
        let text = r#"{"command": ["zombie", "--delay", "0"], "tracer": 100, "main": 101, "timed_out": false,
 "notes": [],
 "events": [
  {"seq": 0, "t_us": 12, "pid": 100, "kind": "fork", "child": 101, "how": "start"},
  {"seq": 1, "t_us": 410, "pid": 101, "kind": "exec", "path": "/x/zombie", "argv": ["zombie", "a \"b\"\n\u0001é"]},
  {"seq": 2, "t_us": 500, "pid": 101, "kind": "write", "call": "write", "path": "/t", "bytes": 3, "offset": null},
  {"seq": 3, "t_us": 3020, "pid": 102, "kind": "reaped", "by": 101, "call": "wait4"}
 ]}
"#;
        let t = from_json(text).unwrap();
        assert_eq!(t.command, ["zombie", "--delay", "0"]);
        assert_eq!((t.tracer, t.main, t.timed_out), (100, 101, false));
        assert_eq!(t.events[0].t, Duration::from_micros(12));
        assert_eq!(
            t.events[1].kind,
            Kind::Exec { path: "/x/zombie".into(), argv: vec!["zombie".into(), "a \"b\"\n\u{1}é".into()] }
        );
        assert_eq!(t.events[2].kind, Kind::Write { call: "write".into(), path: "/t".into(), bytes: 3, offset: None });
        assert_eq!(t.events[3].kind, Kind::Reaped { by: ReapedBy::Process { pid: 101, call: "wait4".into() } });
    }

    /// A trace whose event 1 is `event`.
    fn with_event(event: &str) -> String {
        format!(
            r#"{{"command": ["x"], "tracer": 1, "main": 2, "timed_out": false, "notes": [], "events": [
  {{"seq": 0, "t_us": 0, "pid": 2, "kind": "fork", "child": 3, "how": "fork"}},
  {event}]}}"#
        )
    }

    #[test]
    fn bad_documents_say_what_is_wrong() {
        let ok = r#""seq": 1, "t_us": 5, "pid": 3"#;
        let cases: Vec<(String, &[&str])> = vec![
            (String::new(), &["not JSON", "EOF"]),
            ("{\"events\": [".into(), &["not JSON"]),
            ("{} trailing".into(), &["not JSON", "trailing"]),
            ("[1, 2]".into(), &["the document is [1,2], not an object"]),
            ("{}".into(), &["top-level object has no \"events\""]),
            (r#"{"events": {}}"#.into(), &["\"events\": {}, not a list"]),
            (
                with_event("7").replace(r#""command": ["x"]"#, r#""command": "x""#),
                &["\"command\": \"x\", not a list of texts"],
            ),
            (
                with_event(&format!("{{{ok}, \"kind\": \"continued\"}}")).replace("\"main\": 2", "\"main\": 2.5"),
                &["\"main\": 2.5"],
            ),
            (with_event("7"), &["event 1 is 7, not an object"]),
            (with_event(&format!("{{{ok}}}")), &["event 1 has no \"kind\""]),
            (with_event(&format!("{{{ok}, \"kind\": \"spawn\"}}")), &["event 1", "\"kind\": \"spawn\"", "wait_failed"]),
            (with_event(&format!("{{{ok}, \"kind\": 3}}")), &["event 1", "\"kind\": 3, not text"]),
            (
                with_event(&format!("{{{ok}, \"kind\": \"fork\", \"child\": \"4\", \"how\": \"fork\"}}")),
                &["event 1 has \"child\": \"4\", not a whole number"],
            ),
            (with_event(&format!("{{{ok}, \"kind\": \"fork\", \"child\": 4}}")), &["event 1 has no \"how\""]),
            (
                with_event(&format!("{{{ok}, \"kind\": \"fork\", \"child\": 4, \"how\": \"spoon\"}}")),
                &["event 1", "\"how\": \"spoon\"", "vfork"],
            ),
            (
                with_event(&format!("{{{ok}, \"kind\": \"kill\", \"target\": 4, \"sig\": 4294967296}}")),
                &["event 1", "\"sig\": 4294967296", "32 bits"],
            ),
            (
                with_event(&format!("{{{ok}, \"kind\": \"exec\", \"path\": \"p\", \"argv\": [\"a\", 1]}}")),
                &["event 1", "\"argv\"", "not a list of texts"],
            ),
            (
                with_event(&format!("{{{ok}, \"kind\": \"exit\"}}")),
                &["event 1 (an exit) has neither \"code\" nor \"signal\""],
            ),
            (with_event(&format!("{{{ok}, \"kind\": \"exit\", \"signal\": 9}}")), &["event 1 has no \"core\""]),
            (
                with_event(&format!("{{{ok}, \"kind\": \"reaped\", \"by\": \"init\"}}")),
                &["event 1", "\"by\": \"init\", not a PID or \"kernel\""],
            ),
            (with_event(&format!("{{{ok}, \"kind\": \"reaped\", \"by\": 1}}")), &["event 1 has no \"call\""]),
            (
                with_event(&format!(
                    "{{{ok}, \"kind\": \"write\", \"call\": \"w\", \"path\": \"p\", \"bytes\": 1, \"offset\": \"0\"}}"
                )),
                &["event 1", "\"offset\": \"0\""],
            ),
            (
                with_event(r#"{"seq": -1, "t_us": 5, "pid": 3, "kind": "continued"}"#),
                &["event 1", "\"seq\": -1, not a whole number from 0"],
            ),
            (with_event(r#"{"seq": 1, "pid": 3, "kind": "continued"}"#), &["event 1 has no \"t_us\""]),
            (
                with_event(&format!("{{{ok}, \"kind\": \"output\", \"fd\": \"{}\", \"text\": \"\"}}", "x".repeat(100))),
                &["event 1 has \"fd\": \"xxx", "xxx..., not a whole number"],
            ),
        ];
        for (doc, wanted) in cases {
            let err = match from_json(&doc) {
                Ok(t) => panic!("read a bad document: {doc}\n{t:?}"),
                Err(e) => e,
            };
            assert!(err.starts_with("not a labkit trace: "), "{err}");
            for w in wanted {
                assert!(err.contains(w), "for {doc}\n  the error {err:?}\n  does not say {w:?}");
            }
        }
    }
}
