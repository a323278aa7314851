//! The resource caps of one graded run ([`crate::reaper::Caps`]) on the
//! command line: `--max-output`, `--max-procs`, `--max-disk` and the user
//! the program runs as, `--as-user`, shared by `labkit reap`, `labkit
//! grade` and `labkit grade-class`.

use crate::reaper::Caps;

/// The cap flags. `labkit reap` and `labkit grade` have no caps unless
/// given; `labkit grade-class` and the Gradescope bundle use [`CapArgs::class`].
#[derive(clap::Args, Debug, Clone, Default)]
pub struct CapArgs {
    /// Stop a run that prints more than SIZE bytes (stdout and stderr
    /// together; e.g. 2M), keeping the first SIZE.
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    pub max_output: Option<u64>,
    /// Stop a run whose processes number more than N at once (a fork bomb).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub max_procs: Option<u64>,
    /// Stop a run whose files in its scratch folder take SIZE bytes of disk
    /// in all (e.g. 1G).
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    pub max_disk: Option<u64>,
    /// Run the program as user UID (a number; its group too) while the
    /// grader stays root: the kernel then keeps it from everything that is
    /// not its own. Root only.
    #[arg(long, value_name = "UID")]
    pub as_user: Option<u32>,
}

impl CapArgs {
    /// The caps a whole class is graded with unless told otherwise: far
    /// above what a correct program of any lab needs (half-copy's biggest
    /// check copies a 256 MiB file: 512 MiB on disk; the chat lab runs a
    /// handful of processes), far below what would harm the machine.
    pub const CLASS: Caps = Caps { output: Some(4 << 20), procs: Some(64), disk: Some(1 << 30), user: None };

    pub fn caps(&self) -> Caps {
        Caps {
            output: self.max_output,
            procs: self.max_procs.map(|n| n as usize),
            disk: self.max_disk,
            user: self.as_user,
        }
    }

    /// These caps, each defaulting to [`CapArgs::CLASS`]'s.
    pub fn class(&self) -> Caps {
        let c = self.caps();
        Caps {
            output: c.output.or(Self::CLASS.output),
            procs: c.procs.or(Self::CLASS.procs),
            disk: c.disk.or(Self::CLASS.disk),
            user: c.user,
        }
    }
}

/// A size: bytes, or with a suffix K, M or G (powers of 1024).
pub fn parse_size(text: &str) -> Result<u64, String> {
    let t = text.trim();
    let (digits, unit) = match t.char_indices().find(|(_, c)| !c.is_ascii_digit()) {
        Some((i, _)) => t.split_at(i),
        None => (t, ""),
    };
    let n: u64 = digits.parse().map_err(|_| format!("'{text}' is not a size (e.g. 4096, 512K, 2M, 1G)"))?;
    let shift = match unit.to_ascii_uppercase().trim_end_matches("IB").trim_end_matches('B') {
        "" => 0,
        "K" => 10,
        "M" => 20,
        "G" => 30,
        _ => return Err(format!("'{text}': unknown unit '{unit}' (use K, M or G)")),
    };
    let bytes = n.checked_shl(shift).filter(|b| b >> shift == n).ok_or_else(|| format!("'{text}' is too big"))?;
    if bytes == 0 {
        return Err("a cap must be more than 0".into());
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_sizes() {
        assert_eq!(parse_size("4096"), Ok(4096));
        assert_eq!(parse_size("512K"), Ok(512 << 10));
        assert_eq!(parse_size("2M"), Ok(2 << 20));
        assert_eq!(parse_size("2MiB"), Ok(2 << 20));
        assert_eq!(parse_size("1g"), Ok(1 << 30));
        assert!(parse_size("0").is_err());
        assert!(parse_size("2T").unwrap_err().contains("unknown unit"));
        assert!(parse_size("M").unwrap_err().contains("not a size"));
        assert!(parse_size("99999999999999G").unwrap_err().contains("too big"));
    }
}
