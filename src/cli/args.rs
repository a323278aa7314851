//! What `labkit grade` and its siblings (`check`, `grade-class`,
//! `autograder`) accept on their command lines: the labs and programs to
//! grade, `--impl NAME=COMMAND` (split into words as a shell does), timeouts
//! and variable names.

use std::path::Path;
use std::time::Duration;

use crate::delay;
use crate::labs::{self, Lab, LabBin};

/// A `--keep-env` NAME: a variable name, without `=`.
pub fn parse_env_name(name: &str) -> Result<String, String> {
    if name.is_empty() || name.contains('=') || name.contains('\0') {
        return Err(format!("'{name}' is not a variable name (give NAME alone, e.g. --keep-env JAVA_HOME)"));
    }
    Ok(name.to_string())
}

/// What a LAB argument names: a whole lab, or one program of a lab.
#[derive(Debug, Clone, Copy)]
pub enum Target {
    Lab(&'static Lab),
    Program(&'static Lab, &'static LabBin),
}

/// Every name `labkit grade` accepts, for error messages.
fn known_names() -> String {
    let mut names = Vec::new();
    for lab in labs::LABS {
        names.push(lab.id);
        names.extend(lab.bins.iter().map(|b| b.name).filter(|n| *n != lab.id));
    }
    names.join(", ")
}

/// Parse a LAB argument: a lab id (the whole lab) or a program name.
pub fn parse_target(name: &str) -> Result<Target, String> {
    if let Some(lab) = labs::LABS.iter().find(|l| l.id == name) {
        return Ok(Target::Lab(lab));
    }
    labs::LABS
        .iter()
        .find_map(|l| l.bin(name).map(|b| Target::Program(l, b)))
        .ok_or_else(|| format!("no lab or program named '{name}' (known: {})", known_names()))
}

/// `--impl NAME=COMMAND`: the student's command for the kit's program NAME.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Impl {
    /// The kit program it replaces.
    pub name: &'static str,
    /// The command, split into words.
    pub argv: Vec<String>,
}

/// Parse `NAME=COMMAND`. NAME is a program name (or the id of a lab with
/// one program); COMMAND is split into words by [`split_words`]. Programs
/// run in a scratch folder, so each word that names an existing file or
/// folder relative to the current one (`hw/half_copy.py`, `./server`) is
/// made absolute.
pub fn parse_impl(text: &str) -> Result<Impl, String> {
    let Some((name, command)) = text.split_once('=') else {
        return Err(format!("expected NAME=COMMAND, e.g. half-copy=\"python3 hw/half_copy.py\"; got '{text}'"));
    };
    let name = name.trim();
    let bin = match parse_target(name)? {
        Target::Program(_, bin) => bin,
        Target::Lab(lab) => match lab.bins {
            [bin] => bin,
            bins => {
                let names: Vec<&str> = bins.iter().map(|b| b.name).collect();
                return Err(format!("lab '{name}' has several programs; name one of: {}", names.join(", ")));
            }
        },
    };
    let argv = split_words(command)?;
    if argv.is_empty() {
        return Err(format!("--impl {name}= has no command"));
    }
    Ok(Impl { name: bin.name, argv: absolute_words(argv)? })
}

/// Programs run in a scratch folder: each word of a command that names an
/// existing file or folder relative to the current one is made absolute.
pub fn absolute_words(mut argv: Vec<String>) -> Result<Vec<String>, String> {
    let here = std::env::current_dir().map_err(|e| format!("cannot read the current folder: {e}"))?;
    for word in &mut argv {
        let path = Path::new(word.as_str());
        if !word.is_empty() && path.is_relative() && path.exists() {
            // `./prog` becomes `/here/prog`, not `/here/./prog`.
            let clean: std::path::PathBuf =
                path.components().filter(|c| !matches!(c, std::path::Component::CurDir)).collect();
            *word = here.join(clean).to_string_lossy().into_owned();
        }
    }
    Ok(argv)
}

/// A timeout flag: a delay ([`delay::parse`]) that is not zero.
pub fn parse_timeout(text: &str) -> Result<Duration, String> {
    let d = delay::parse(text)?;
    if d.is_zero() { Err("the timeout must be more than 0".into()) } else { Ok(d) }
}

/// Split a command line into words as a POSIX shell does, without any
/// expansion: blanks separate words; `'...'` keeps everything literally;
/// `"..."` keeps everything but `\` before `"`, `\`, `$`, `` ` `` or a newline;
/// outside quotes `\` keeps the next character (and `\` + newline is
/// nothing). An unterminated quote or a trailing `\` is an error.
pub fn split_words(line: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut word: Option<String> = None; // Some once a word has begun (even an empty '' one)
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            ' ' | '\t' | '\n' => words.extend(word.take()),
            '\'' => {
                let w = word.get_or_insert_with(String::new);
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(c) => w.push(c),
                        None => return Err(format!("unterminated ' in: {line}")),
                    }
                }
            }
            '"' => {
                let w = word.get_or_insert_with(String::new);
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some('\n') => {}
                            Some(c @ ('"' | '\\' | '$' | '`')) => w.push(c),
                            Some(c) => {
                                w.push('\\');
                                w.push(c);
                            }
                            None => return Err(format!("unterminated \" in: {line}")),
                        },
                        Some(c) => w.push(c),
                        None => return Err(format!("unterminated \" in: {line}")),
                    }
                }
            }
            '\\' => match chars.next() {
                Some('\n') => {}
                Some(c) => word.get_or_insert_with(String::new).push(c),
                None => return Err(format!("a \\ ends the command, with nothing to escape: {line}")),
            },
            c => word.get_or_insert_with(String::new).push(c),
        }
    }
    words.extend(word);
    Ok(words)
}

#[cfg(test)]
mod tests {
    use super::absolute_words;

    /// Words naming files relative to here become absolute (`./` dropped);
    /// other words are left alone. (Tests run in the package's folder.)
    #[test]
    fn relative_files_become_absolute_and_other_words_stay() {
        let here = std::env::current_dir().unwrap();
        let words = ["./Cargo.toml", "src", "--delay", "no-such-file", "/bin/sh"].map(String::from).to_vec();
        let got = absolute_words(words).unwrap();
        let abs = |p: &str| here.join(p).to_string_lossy().into_owned();
        assert_eq!(got, [abs("Cargo.toml"), abs("src"), "--delay".into(), "no-such-file".into(), "/bin/sh".into()]);
    }
}
