//! The raw event log as JSON, and back.
//!
//! ```text
//! {"command": ["zombie", "--delay", "0"], "tracer": 100, "main": 101, "timed_out": false,
//!  "notes": [],
//!  "events": [
//!   {"seq": 0, "t_us": 12, "pid": 100, "kind": "fork", "child": 101, "how": "start"},
//!   {"seq": 1, "t_us": 410, "pid": 101, "kind": "exec", "path": "/.../zombie", "argv": ["zombie", "--delay", "0"]},
//!   {"seq": 9, "t_us": 3020, "pid": 102, "kind": "reaped", "by": 101, "call": "wait4"},
//!   ...]}
//! ```
//!
//! Every event is one flat object on its own line: `kind` names the
//! [`Kind`] (`fork`, `exec`, `output`, `write`, `kill`, `signal`,
//! `stopped`, `continued`, `subreaper`, `exit`, `adopted`, `reaped`,
//! `wait_failed`), the other keys are its fields. An exit has `code`, or
//! `signal` and `core`; a reap by the kernel has `"by": "kernel"`.
//!
//! The kit writes and reads only this shape, so a few lines of escaping and
//! a small reader do it; no JSON crate is needed.

use std::fmt::Write as _;
use std::time::Duration;

use super::{Event, ForkHow, Kind, ReapedBy, Status, Trace};

/// A JSON string literal.
pub fn string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn strings(list: &[String]) -> String {
    format!("[{}]", list.iter().map(|s| string(s)).collect::<Vec<_>>().join(", "))
}

/// The fields of one event, after `seq`, `t_us` and `pid`.
fn fields(kind: &Kind) -> String {
    match kind {
        Kind::Fork { child, how } => format!(r#""kind": "fork", "child": {child}, "how": "{}""#, how.as_str()),
        Kind::Exec { path, argv } => format!(r#""kind": "exec", "path": {}, "argv": {}"#, string(path), strings(argv)),
        Kind::Output { fd, text } => format!(r#""kind": "output", "fd": {fd}, "text": {}"#, string(text)),
        Kind::Write { call, path, bytes, offset } => {
            let off = offset.map_or("null".to_string(), |o| o.to_string());
            format!(
                r#""kind": "write", "call": {}, "path": {}, "bytes": {bytes}, "offset": {off}"#,
                string(call),
                string(path)
            )
        }
        Kind::Kill { target, sig } => format!(r#""kind": "kill", "target": {target}, "sig": {sig}"#),
        Kind::Signal { sig } => format!(r#""kind": "signal", "sig": {sig}"#),
        Kind::Stopped { sig } => format!(r#""kind": "stopped", "sig": {sig}"#),
        Kind::Continued => r#""kind": "continued""#.to_string(),
        Kind::Subreaper => r#""kind": "subreaper""#.to_string(),
        Kind::Exit { status: Status::Exited(code) } => format!(r#""kind": "exit", "code": {code}"#),
        Kind::Exit { status: Status::Killed { sig, core } } => {
            format!(r#""kind": "exit", "signal": {sig}, "core": {core}"#)
        }
        Kind::Adopted { from, by } => format!(r#""kind": "adopted", "from": {from}, "by": {by}"#),
        Kind::Reaped { by: ReapedBy::Process { pid, call } } => {
            format!(r#""kind": "reaped", "by": {pid}, "call": {}"#, string(call))
        }
        Kind::Reaped { by: ReapedBy::Kernel } => r#""kind": "reaped", "by": "kernel""#.to_string(),
        Kind::WaitFailed { call, errno } => {
            format!(r#""kind": "wait_failed", "call": {}, "errno": {errno}"#, string(call))
        }
    }
}

/// The whole trace as JSON (one event a line).
pub fn to_json(trace: &Trace) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        r#"{{"command": {}, "tracer": {}, "main": {}, "timed_out": {},"#,
        strings(&trace.command),
        trace.tracer,
        trace.main,
        trace.timed_out
    );
    let _ = writeln!(out, r#" "notes": {},"#, strings(&trace.notes));
    out.push_str(" \"events\": [\n");
    for (i, e) in trace.events.iter().enumerate() {
        let comma = if i + 1 < trace.events.len() { "," } else { "" };
        let _ = writeln!(
            out,
            r#"  {{"seq": {}, "t_us": {}, "pid": {}, {}}}{comma}"#,
            e.seq,
            e.t.as_micros(),
            e.pid,
            fields(&e.kind)
        );
    }
    out.push_str(" ]}\n");
    out
}

/// A JSON value, as far as the event log needs.
#[derive(Debug, Clone, PartialEq)]
enum Value {
    Null,
    Bool(bool),
    Num(i64),
    Str(String),
    List(Vec<Value>),
    Obj(Vec<(String, Value)>),
}

impl Value {
    fn get(&self, key: &str) -> Option<&Value> {
        match self {
            Value::Obj(fields) => fields.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }
    fn num(&self, key: &str) -> Result<i64, String> {
        match self.get(key) {
            Some(Value::Num(n)) => Ok(*n),
            _ => Err(format!("no number '{key}'")),
        }
    }
    fn int(&self, key: &str) -> Result<i32, String> {
        i32::try_from(self.num(key)?).map_err(|_| format!("'{key}' is out of range"))
    }
    fn str(&self, key: &str) -> Result<String, String> {
        match self.get(key) {
            Some(Value::Str(s)) => Ok(s.clone()),
            _ => Err(format!("no text '{key}'")),
        }
    }
    fn strs(&self, key: &str) -> Result<Vec<String>, String> {
        match self.get(key) {
            Some(Value::List(l)) => l
                .iter()
                .map(|v| match v {
                    Value::Str(s) => Ok(s.clone()),
                    _ => Err(format!("'{key}' holds a non-text value")),
                })
                .collect(),
            _ => Err(format!("no list '{key}'")),
        }
    }
    fn bool(&self, key: &str) -> Result<bool, String> {
        match self.get(key) {
            Some(Value::Bool(b)) => Ok(*b),
            _ => Err(format!("no true/false '{key}'")),
        }
    }
}

struct Parser<'a> {
    s: &'a [u8],
    at: usize,
}

impl Parser<'_> {
    fn ws(&mut self) {
        while self.at < self.s.len() && self.s[self.at].is_ascii_whitespace() {
            self.at += 1;
        }
    }
    fn err(&self, what: &str) -> String {
        format!("not a labkit trace: {what} at byte {}", self.at)
    }
    fn eat(&mut self, c: u8) -> Result<(), String> {
        self.ws();
        if self.s.get(self.at) == Some(&c) {
            self.at += 1;
            Ok(())
        } else {
            Err(self.err(&format!("expected '{}'", c as char)))
        }
    }
    fn value(&mut self) -> Result<Value, String> {
        self.ws();
        match self.s.get(self.at) {
            Some(b'{') => {
                self.at += 1;
                let mut fields = Vec::new();
                self.ws();
                if self.s.get(self.at) == Some(&b'}') {
                    self.at += 1;
                    return Ok(Value::Obj(fields));
                }
                loop {
                    self.ws();
                    let Value::Str(k) = self.value()? else { return Err(self.err("expected a key")) };
                    self.eat(b':')?;
                    fields.push((k, self.value()?));
                    self.ws();
                    match self.s.get(self.at) {
                        Some(b',') => self.at += 1,
                        Some(b'}') => {
                            self.at += 1;
                            return Ok(Value::Obj(fields));
                        }
                        _ => return Err(self.err("expected ',' or '}'")),
                    }
                }
            }
            Some(b'[') => {
                self.at += 1;
                let mut items = Vec::new();
                self.ws();
                if self.s.get(self.at) == Some(&b']') {
                    self.at += 1;
                    return Ok(Value::List(items));
                }
                loop {
                    items.push(self.value()?);
                    self.ws();
                    match self.s.get(self.at) {
                        Some(b',') => self.at += 1,
                        Some(b']') => {
                            self.at += 1;
                            return Ok(Value::List(items));
                        }
                        _ => return Err(self.err("expected ',' or ']'")),
                    }
                }
            }
            Some(b'"') => {
                self.at += 1;
                let mut out = String::new();
                loop {
                    let rest = std::str::from_utf8(&self.s[self.at..]).map_err(|_| self.err("bad UTF-8"))?;
                    let mut chars = rest.char_indices();
                    let Some((_, c)) = chars.next() else { return Err(self.err("unterminated text")) };
                    self.at += c.len_utf8();
                    match c {
                        '"' => return Ok(Value::Str(out)),
                        '\\' => {
                            let e = *self.s.get(self.at).ok_or_else(|| self.err("bad escape"))?;
                            self.at += 1;
                            match e {
                                b'n' => out.push('\n'),
                                b'r' => out.push('\r'),
                                b't' => out.push('\t'),
                                b'u' => {
                                    let hex = self.s.get(self.at..self.at + 4).ok_or_else(|| self.err("bad \\u"))?;
                                    let n = u32::from_str_radix(std::str::from_utf8(hex).unwrap_or("x"), 16)
                                        .map_err(|_| self.err("bad \\u"))?;
                                    self.at += 4;
                                    out.push(char::from_u32(n).unwrap_or('\u{fffd}'));
                                }
                                other => out.push(other as char),
                            }
                        }
                        c => out.push(c),
                    }
                }
            }
            Some(b't') if self.s[self.at..].starts_with(b"true") => {
                self.at += 4;
                Ok(Value::Bool(true))
            }
            Some(b'f') if self.s[self.at..].starts_with(b"false") => {
                self.at += 5;
                Ok(Value::Bool(false))
            }
            Some(b'n') if self.s[self.at..].starts_with(b"null") => {
                self.at += 4;
                Ok(Value::Null)
            }
            Some(c) if *c == b'-' || c.is_ascii_digit() => {
                let start = self.at;
                self.at += 1;
                while self.at < self.s.len() && self.s[self.at].is_ascii_digit() {
                    self.at += 1;
                }
                let t = std::str::from_utf8(&self.s[start..self.at]).unwrap_or("x");
                t.parse().map(Value::Num).map_err(|_| self.err("bad number"))
            }
            _ => Err(self.err("unexpected character")),
        }
    }
}

fn event(v: &Value) -> Result<Event, String> {
    let kind = match v.str("kind")?.as_str() {
        "fork" => Kind::Fork {
            child: v.int("child")?,
            how: match v.str("how")?.as_str() {
                "fork" => ForkHow::Fork,
                "vfork" => ForkHow::Vfork,
                "clone" => ForkHow::Clone,
                "unknown" => ForkHow::Unknown,
                _ => ForkHow::Start,
            },
        },
        "exec" => Kind::Exec { path: v.str("path")?, argv: v.strs("argv")? },
        "output" => Kind::Output { fd: v.int("fd")?, text: v.str("text")? },
        "write" => Kind::Write {
            call: v.str("call")?,
            path: v.str("path")?,
            bytes: v.num("bytes")?,
            offset: v.num("offset").ok(),
        },
        "kill" => Kind::Kill { target: v.int("target")?, sig: v.int("sig")? },
        "signal" => Kind::Signal { sig: v.int("sig")? },
        "stopped" => Kind::Stopped { sig: v.int("sig")? },
        "continued" => Kind::Continued,
        "subreaper" => Kind::Subreaper,
        "exit" => Kind::Exit {
            status: match v.int("code") {
                Ok(code) => Status::Exited(code),
                Err(_) => Status::Killed { sig: v.int("signal")?, core: v.bool("core")? },
            },
        },
        "adopted" => Kind::Adopted { from: v.int("from")?, by: v.int("by")? },
        "reaped" => Kind::Reaped {
            by: match v.int("by") {
                Ok(pid) => ReapedBy::Process { pid, call: v.str("call")? },
                Err(_) => ReapedBy::Kernel,
            },
        },
        "wait_failed" => Kind::WaitFailed { call: v.str("call")?, errno: v.int("errno")? },
        other => return Err(format!("unknown event kind '{other}'")),
    };
    let seq = usize::try_from(v.num("seq")?).map_err(|_| "bad seq".to_string())?;
    let t = Duration::from_micros(u64::try_from(v.num("t_us")?).map_err(|_| "bad t_us".to_string())?);
    Ok(Event { seq, t, pid: v.int("pid")?, kind })
}

/// Read a trace written by [`to_json`].
pub fn from_json(text: &str) -> Result<Trace, String> {
    let mut p = Parser { s: text.as_bytes(), at: 0 };
    let v = p.value()?;
    let events = match v.get("events") {
        Some(Value::List(l)) => l.iter().map(event).collect::<Result<Vec<_>, _>>()?,
        _ => return Err("not a labkit trace: no events".into()),
    };
    Ok(Trace {
        command: v.strs("command")?,
        tracer: v.int("tracer")?,
        main: v.int("main")?,
        events,
        notes: v.strs("notes")?,
        timed_out: v.bool("timed_out")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_every_kind() {
        let kinds = vec![
            Kind::Fork { child: 2, how: ForkHow::Start },
            Kind::Exec { path: "/bin/x".into(), argv: vec!["x".into(), "a \"b\"\n\u{1}é".into()] },
            Kind::Output { fd: 1, text: "[parent 2] hi\n".into() },
            Kind::Write { call: "pwrite64".into(), path: "/tmp/d".into(), bytes: 10, offset: Some(5) },
            Kind::Write { call: "write".into(), path: "/tmp/d".into(), bytes: 10, offset: None },
            Kind::Kill { target: 3, sig: 15 },
            Kind::Signal { sig: 15 },
            Kind::Stopped { sig: 19 },
            Kind::Continued,
            Kind::Subreaper,
            Kind::Exit { status: Status::Exited(3) },
            Kind::Exit { status: Status::Killed { sig: 3, core: true } },
            Kind::Adopted { from: 3, by: 1 },
            Kind::Reaped { by: ReapedBy::Process { pid: 2, call: "wait4".into() } },
            Kind::Reaped { by: ReapedBy::Kernel },
            Kind::WaitFailed { call: "wait4".into(), errno: 10 },
        ];
        let events = kinds
            .into_iter()
            .enumerate()
            .map(|(seq, kind)| Event { seq, t: Duration::from_micros(seq as u64 * 7), pid: 2, kind })
            .collect();
        let t = Trace {
            command: vec!["x".into()],
            tracer: 1,
            main: 2,
            events,
            notes: vec!["a note".into()],
            timed_out: false,
        };
        assert_eq!(from_json(&to_json(&t)), Ok(t));
        assert!(from_json("{\"events\": [").is_err());
    }
}
