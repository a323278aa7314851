//! How a lab's program is found in a student's folder.
//!
//! For a program `NAME` (`fork-copy`, `chat-server`, as `labkit list` shows
//! them), in this order:
//! 1. the class's config file (`labkit-class.conf` in the submissions folder,
//!    or `--config FILE`), a line `NAME = COMMAND`: the command, split into
//!    words as a shell does, with `{dir}` standing for the student's folder;
//! 2. `NAME.py` or `NAME_WITH_UNDERSCORES.py` (`fork_copy.py`): run with the
//!    system's `python3` ([`python3`]);
//! 3. `NAME.c` (or with underscores): compiled with `cc -O2`, the program run;
//! 4. `NAME` (or with underscores), an executable file: run as is.
//!
//! Files are looked for at the top of the student's folder.

use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::cli::grade::split_words;

/// The config file's name in the submissions folder.
pub const CONFIG: &str = "labkit-class.conf";

/// Per-program commands from a config file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Config {
    /// `(program name, command words with {dir})`.
    pub commands: Vec<(String, Vec<String>)>,
}

impl Config {
    /// Parse `NAME = COMMAND` lines (`#` starts a comment line).
    pub fn parse(text: &str) -> Result<Config, String> {
        let mut commands = Vec::new();
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let at = |msg: String| format!("line {}: {msg}", n + 1);
            let (name, command) =
                line.split_once('=').ok_or_else(|| at(format!("expected NAME = COMMAND, got '{line}'")))?;
            let name = name.trim();
            if crate::labs::LABS.iter().all(|l| l.bin(name).is_none()) {
                return Err(at(format!("'{name}' is not a lab program (labkit list shows them)")));
            }
            let words = split_words(command).map_err(at)?;
            if words.is_empty() {
                return Err(at(format!("{name} = has no command")));
            }
            commands.push((name.to_string(), words));
        }
        Ok(Config { commands })
    }

    /// The config file `path`, or none if `path` is `None` and there is no
    /// [`CONFIG`] in `submissions`.
    pub fn load(path: Option<&Path>, submissions: &Path) -> Result<Config, String> {
        let path = match path {
            Some(p) => p.to_path_buf(),
            None => {
                let p = submissions.join(CONFIG);
                if !p.is_file() {
                    return Ok(Config::default());
                }
                p
            }
        };
        let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        Config::parse(&text).map_err(|e| format!("{}: {e}", path.display()))
    }
}

/// A program found in a student's folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Found {
    /// Run this command.
    Command(Vec<String>),
    /// A C file to compile first.
    C(PathBuf),
    /// Nothing: the file names looked for.
    Missing(Vec<String>),
}

/// Find program `name` in the student's folder `dir` (absolute).
pub fn find(config: &Config, name: &str, dir: &Path) -> Found {
    let dir_text = dir.to_string_lossy();
    if let Some((_, words)) = config.commands.iter().find(|(n, _)| n == name) {
        return Found::Command(words.iter().map(|w| w.replace("{dir}", &dir_text)).collect());
    }
    let mut stems = vec![name.to_string()];
    if name.contains('-') {
        stems.push(name.replace('-', "_"));
    }
    let mut looked = Vec::new();
    for ext in ["py", "c", ""] {
        for stem in &stems {
            let file = if ext.is_empty() { stem.clone() } else { format!("{stem}.{ext}") };
            let path = dir.join(&file);
            looked.push(file);
            let Ok(meta) = std::fs::metadata(&path) else { continue };
            if !meta.is_file() {
                continue;
            }
            let path_text = path.to_string_lossy().into_owned();
            match ext {
                "py" => return Found::Command(vec![python3().into(), path_text]),
                "c" => return Found::C(path),
                _ if meta.permissions().mode() & 0o111 != 0 => return Found::Command(vec![path_text]),
                _ => {}
            }
        }
    }
    Found::Missing(looked)
}

/// The interpreter for `.py` files: the system's `/usr/bin/python3` when
/// there is one, which every user can run (graded as root, half-copy's
/// unreadable-SRC check runs the program as user nobody, who cannot reach
/// a version manager's shim in root's home), else `python3` from `PATH`.
pub fn python3() -> &'static str {
    if Path::new("/usr/bin/python3").is_file() { "/usr/bin/python3" } else { "python3" }
}

/// Compile the C file `src` into `exe` with `cc -O2`; `Err` holds the
/// compiler's messages (at most 30 lines).
pub fn compile(src: &Path, exe: &Path) -> Result<(), String> {
    if let Some(d) = exe.parent() {
        std::fs::create_dir_all(d).map_err(|e| format!("cannot make {}: {e}", d.display()))?;
    }
    let out = Command::new("cc")
        .arg("-O2")
        .arg("-o")
        .arg(exe)
        .arg(src)
        .output()
        .map_err(|e| format!("cannot run the C compiler `cc` ({e}): install gcc"))?;
    if out.status.success() {
        return Ok(());
    }
    let errors = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<&str> = errors.lines().take(30).collect();
    let first = errors.lines().find(|l| l.contains("error")).unwrap_or("").trim();
    Err(format!("{} does not compile with `cc -O2`: {first}\n{}", src.display(), lines.join("\n")))
}

/// `words` as one shell command line, each word quoted where needed.
pub fn shell_line(words: &[String]) -> String {
    let quote = |w: &String| {
        if !w.is_empty() && w.chars().all(|c| c.is_ascii_alphanumeric() || "-_./=:,+@%".contains(c)) {
            w.clone()
        } else {
            format!("'{}'", w.replace('\'', r"'\''"))
        }
    };
    words.iter().map(quote).collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_config_file() {
        let c = Config::parse("# course commands\n\nchat-server = python3 {dir}/server.py\n").unwrap();
        assert_eq!(c.commands, [("chat-server".to_string(), vec!["python3".to_string(), "{dir}/server.py".into()])]);
        assert!(Config::parse("nope = x").unwrap_err().contains("line 1: 'nope' is not a lab program"));
        assert!(Config::parse("\npids").unwrap_err().contains("line 2: expected NAME = COMMAND"));
        assert!(Config::parse("pids = ").unwrap_err().contains("has no command"));
        let found = find(&c, "chat-server", Path::new("/sub/ann"));
        assert_eq!(found, Found::Command(vec!["python3".into(), "/sub/ann/server.py".into()]));
    }

    #[test]
    fn quotes_shell_words_so_they_split_back() {
        let words: Vec<String> = ["python3", "/my dir/it's.py", "", "a=b"].map(String::from).to_vec();
        assert_eq!(split_words(&shell_line(&words)).unwrap(), words);
    }
}
