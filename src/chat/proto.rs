//! The course's wire protocol, byte for byte, and the chat's wording.
//!
//! Every datagram is UTF-8 text; fields are separated by one space.
//!
//! | direction | datagram | meaning |
//! | --- | --- | --- |
//! | client → server | `L <name>` | log in |
//! | client → server | `C <name> <text>` | chat (the text may hold spaces) |
//! | client → server | `Q <name>` | quit |
//! | server → client | `OK` | the login is accepted |
//! | server → client | any other reply to `L` | refused; the text is the reason |
//! | server → client | `EXIT` | the quitting client's receiver stops |
//! | server → client | anything else | a notice, shown as it is |
//!
//! The kit adds rules the course's servers lack (names are checked, sizes
//! are bounded), but not a single byte to the messages: a course client and
//! a course server speak to the kit's server and client unchanged.
//!
//! Every notice starts with a newline, in both languages, as the course's
//! do: the course's client prints what arrives right after its prompt
//! `发言:`, so the newline puts each notice on a line of its own. A client
//! that tags its lines trims it ([`shown`]).

use std::fmt;

/// The accepted login.
pub const OK: &[u8] = b"OK";
/// The quit flag: the receiver of a quitting client stops when it gets it.
pub const EXIT: &[u8] = b"EXIT";
/// The longest name, in bytes of UTF-8.
pub const MAX_NAME: usize = 32;
/// The longest datagram the server reads (its read buffer). A longer one is
/// detected (`MSG_TRUNC`) and rejected whole, never cut and forwarded.
pub const MAX_DATAGRAM: usize = 4096;
/// The names nobody can log in with: the administrator's, in both languages
/// (ASCII letters compared without case).
pub const RESERVED: [&str; 2] = ["admin", "管理员"];

/// A well-formed request from a client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Request<'a> {
    /// `L <name>`; the name is not yet checked (see [`check_name`]).
    Login(&'a str),
    /// `C <name> <text>`.
    Chat { name: &'a str, text: &'a str },
    /// `Q <name>`.
    Quit(&'a str),
}

/// Why a datagram is not a request. [`Bad::reason`] is a `key=value`-safe token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bad {
    Empty,
    NotUtf8,
    /// Longer than [`MAX_DATAGRAM`]: the kernel cut it (`MSG_TRUNC`).
    TooLong,
    UnknownType,
    /// `C` without a name, or a name without the text after it.
    Malformed,
    /// Control characters (escape sequences, newlines) in a chat text.
    ControlInText,
}

impl Bad {
    pub fn reason(self) -> &'static str {
        match self {
            Bad::Empty => "empty",
            Bad::NotUtf8 => "not-utf-8",
            Bad::TooLong => "longer-than-buffer",
            Bad::UnknownType => "unknown-type",
            Bad::Malformed => "malformed",
            Bad::ControlInText => "control-character-in-text",
        }
    }
}

/// Parse one datagram. A login's name is returned unchecked, so that the
/// server can tell the client *why* a name is refused.
pub fn parse(bytes: &[u8]) -> Result<Request<'_>, Bad> {
    if bytes.is_empty() {
        return Err(Bad::Empty);
    }
    let text = std::str::from_utf8(bytes).map_err(|_| Bad::NotUtf8)?;
    let (kind, rest) = match text.split_once(' ') {
        Some((kind, rest)) => (kind, rest),
        None => (text, ""),
    };
    match kind {
        "L" => Ok(Request::Login(rest)),
        "Q" => Ok(Request::Quit(rest)),
        "C" => {
            let (name, text) = rest.split_once(' ').ok_or(Bad::Malformed)?;
            if name.is_empty() {
                return Err(Bad::Malformed);
            }
            if text.chars().any(|c| c.is_control() && c != '\t') {
                return Err(Bad::ControlInText);
            }
            Ok(Request::Chat { name, text })
        }
        _ => Err(Bad::UnknownType),
    }
}

/// Why a name cannot be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameError {
    Empty,
    TooLong(usize),
    Space,
    Control,
    Reserved,
}

impl NameError {
    /// A `key=value`-safe token for the server's log.
    pub fn token(self) -> &'static str {
        match self {
            NameError::Empty => "empty-name",
            NameError::TooLong(_) => "name-too-long",
            NameError::Space => "space-in-name",
            NameError::Control => "control-character-in-name",
            NameError::Reserved => "reserved-name",
        }
    }
}

/// Is `name` usable: 1 to [`MAX_NAME`] bytes, no white space (a space would
/// shift the fields of `C name text`), no control characters, not reserved.
pub fn check_name(name: &str) -> Result<(), NameError> {
    if name.is_empty() {
        Err(NameError::Empty)
    } else if name.len() > MAX_NAME {
        Err(NameError::TooLong(name.len()))
    } else if name.chars().any(char::is_whitespace) {
        Err(NameError::Space)
    } else if name.chars().any(char::is_control) {
        Err(NameError::Control)
    } else if RESERVED.iter().any(|r| r.eq_ignore_ascii_case(name)) {
        Err(NameError::Reserved)
    } else {
        Ok(())
    }
}

/// `L name`.
pub fn login(name: &str) -> Vec<u8> {
    format!("L {name}").into_bytes()
}

/// `C name text`.
pub fn chat(name: &str, text: &str) -> Vec<u8> {
    format!("C {name} {text}").into_bytes()
}

/// `Q name`.
pub fn quit(name: &str) -> Vec<u8> {
    format!("Q {name}").into_bytes()
}

/// Why the server refuses a login: the reply's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    Name(NameError),
    /// Someone else has the name.
    Taken,
    /// This address is already logged in, under another name.
    AddressInUse(String),
}

impl Refusal {
    /// A `key=value`-safe token for the server's log.
    pub fn token(&self) -> &'static str {
        match self {
            Refusal::Name(e) => e.token(),
            Refusal::Taken => "name-taken",
            Refusal::AddressInUse(_) => "address-logged-in",
        }
    }
}

/// The language of the notices. English by default; `Zh` is the course's
/// own wording.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Lang {
    #[default]
    En,
    Zh,
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Lang::En => "en",
            Lang::Zh => "zh",
        })
    }
}

/// What every notice starts with: the course's newline (see the module's notes).
pub const NOTICE_START: &str = "\n";

impl Lang {
    /// `\nalice joined the chat` / `\n欢迎 alice 进入聊天室`.
    pub fn joined(self, name: &str) -> String {
        match self {
            Lang::En => format!("{NOTICE_START}{name} joined the chat"),
            Lang::Zh => format!("{NOTICE_START}欢迎 {name} 进入聊天室"),
        }
    }

    /// `\nalice: hello` / `\nalice 说:hello`, appended to `out` (the server's
    /// hot path writes it straight into its send buffer).
    pub fn said_into(self, out: &mut Vec<u8>, name: &str, text: &str) {
        out.extend_from_slice(NOTICE_START.as_bytes());
        out.extend_from_slice(name.as_bytes());
        let sep: &[u8] = match self {
            Lang::En => b": ",
            Lang::Zh => " 说:".as_bytes(),
        };
        out.extend_from_slice(sep);
        out.extend_from_slice(text.as_bytes());
    }

    /// `\nalice: hello` / `\nalice 说:hello`.
    pub fn said(self, name: &str, text: &str) -> String {
        let mut out = Vec::new();
        self.said_into(&mut out, name, text);
        String::from_utf8(out).unwrap_or_default()
    }

    /// `\nalice left the chat` / `\nalice退出了聊天室`.
    pub fn left(self, name: &str) -> String {
        match self {
            Lang::En => format!("{NOTICE_START}{name} left the chat"),
            Lang::Zh => format!("{NOTICE_START}{name}退出了聊天室"),
        }
    }

    /// `\n[admin] text` / `\n管理员 说:text`.
    pub fn admin(self, text: &str) -> String {
        match self {
            Lang::En => format!("{NOTICE_START}[admin] {text}"),
            Lang::Zh => format!("{NOTICE_START}管理员 说:{text}"),
        }
    }

    /// The reply to a refused login: the reason a client shows.
    pub fn refusal(self, r: &Refusal) -> String {
        match (self, r) {
            (Lang::En, Refusal::Taken) => "name taken: someone in the chat already uses it".into(),
            (Lang::Zh, Refusal::Taken) => "该用户已存在".into(),
            (Lang::En, Refusal::AddressInUse(n)) => format!("this address is already in the chat as {n}"),
            (Lang::Zh, Refusal::AddressInUse(n)) => format!("该地址已作为 {n} 进入聊天室"),
            (Lang::En, Refusal::Name(e)) => match e {
                NameError::Empty => "name refused: it is empty".into(),
                NameError::TooLong(n) => format!("name refused: {n} bytes, at most {MAX_NAME}"),
                NameError::Space => "name refused: no spaces allowed".into(),
                NameError::Control => "name refused: no control characters allowed".into(),
                NameError::Reserved => "name refused: reserved for the administrator".into(),
            },
            (Lang::Zh, Refusal::Name(e)) => match e {
                NameError::Empty => "姓名不能为空".into(),
                NameError::TooLong(n) => format!("姓名太长: {n} 字节, 最多 {MAX_NAME}"),
                NameError::Space => "姓名不能包含空格".into(),
                NameError::Control => "姓名不能包含控制字符".into(),
                NameError::Reserved => "该姓名为管理员保留".into(),
            },
        }
    }

    /// Sent (before `EXIT`) to a client logged out for silence.
    pub fn idle_logout(self, idle: &str) -> String {
        match self {
            Lang::En => format!("{NOTICE_START}you were silent for {idle}: the server logged you out"),
            Lang::Zh => format!("{NOTICE_START}您已 {idle} 没有发言, 服务器已让您退出"),
        }
    }

    /// Sent (before `EXIT`) to every client when the server stops.
    pub fn closing(self) -> String {
        match self {
            Lang::En => format!("{NOTICE_START}the server is closing the chat"),
            Lang::Zh => format!("{NOTICE_START}服务器关闭了聊天室"),
        }
    }
}

/// A notice as a client shows it on a line of its own: [`printable`], without
/// the white space around it (the course's leading newline).
pub fn shown(bytes: &[u8]) -> String {
    printable(String::from_utf8_lossy(bytes).trim().as_bytes())
}

/// A notice as a terminal may show it: invalid UTF-8 replaced by `�`,
/// control characters (escape sequences, newlines) written as escapes, so
/// that a notice can neither break a line's tag nor drive the terminal.
pub fn printable(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_course_messages() {
        assert_eq!(parse(b"L alice"), Ok(Request::Login("alice")));
        assert_eq!(parse(b"C alice hello there"), Ok(Request::Chat { name: "alice", text: "hello there" }));
        // One space separates fields: a second space belongs to the text, as in the course.
        assert_eq!(parse(b"C alice  hi"), Ok(Request::Chat { name: "alice", text: " hi" }));
        assert_eq!(parse(b"C alice "), Ok(Request::Chat { name: "alice", text: "" }));
        assert_eq!(parse(b"Q alice"), Ok(Request::Quit("alice")));
        assert_eq!(parse("L 小明".as_bytes()), Ok(Request::Login("小明")));
    }

    #[test]
    fn rejects_bad_datagrams() {
        assert_eq!(parse(b""), Err(Bad::Empty));
        assert_eq!(parse(b"\xff\xfe"), Err(Bad::NotUtf8));
        assert_eq!(parse(b"L \xe4\xb8"), Err(Bad::NotUtf8)); // cut inside a character
        assert_eq!(parse(b"X alice"), Err(Bad::UnknownType));
        assert_eq!(parse(b"Lalice"), Err(Bad::UnknownType));
        assert_eq!(parse(b"C alice"), Err(Bad::Malformed));
        assert_eq!(parse(b"C  hi"), Err(Bad::Malformed));
        assert_eq!(parse(b"C alice \x1b[2J"), Err(Bad::ControlInText));
        assert_eq!(parse(b"L"), Ok(Request::Login("")));
    }

    #[test]
    fn checks_names() {
        assert_eq!(check_name("alice"), Ok(()));
        assert_eq!(check_name("小明"), Ok(()));
        assert_eq!(check_name(&"a".repeat(MAX_NAME)), Ok(()));
        assert_eq!(check_name(""), Err(NameError::Empty));
        assert_eq!(check_name(&"a".repeat(MAX_NAME + 1)), Err(NameError::TooLong(MAX_NAME + 1)));
        assert_eq!(check_name("a b"), Err(NameError::Space));
        assert_eq!(check_name("a\u{3000}b"), Err(NameError::Space));
        assert_eq!(check_name("a\u{7}b"), Err(NameError::Control));
        assert_eq!(check_name("Admin"), Err(NameError::Reserved));
        assert_eq!(check_name("管理员"), Err(NameError::Reserved));
    }

    #[test]
    fn words_notices_like_the_course() {
        // The course's bytes exactly, its leading newline included.
        assert_eq!(Lang::Zh.joined("alice"), "\n欢迎 alice 进入聊天室");
        assert_eq!(Lang::Zh.said("alice", "hello"), "\nalice 说:hello");
        assert_eq!(Lang::Zh.left("alice"), "\nalice退出了聊天室");
        assert_eq!(Lang::Zh.admin("hi"), "\n管理员 说:hi");
        assert_eq!(Lang::En.joined("alice"), "\nalice joined the chat");
        assert_eq!(Lang::En.said("alice", "hello"), "\nalice: hello");
        assert_eq!(Lang::En.left("alice"), "\nalice left the chat");
        assert_eq!(Lang::En.admin("hi"), "\n[admin] hi");
    }

    #[test]
    fn shows_any_bytes_printably() {
        assert_eq!(printable(b"bob: hi"), "bob: hi");
        assert_eq!(printable(b"\xffbob"), "\u{fffd}bob");
        assert_eq!(printable(b"a\nb\x1b[2J"), "a\\nb\\u{1b}[2J");
        assert_eq!(shown("\n欢迎 bob 进入聊天室".as_bytes()), "欢迎 bob 进入聊天室");
        assert_eq!(shown(b" \r\nbob: a\nb \n"), "bob: a\\nb");
    }
}
