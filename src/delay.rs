//! Delays are parameters: every sleep in a lab is a flag with a classroom
//! default (seconds, so a student can watch `ps` in another terminal) that
//! the graders shrink to milliseconds.
//!
//! Flags take `2s`, `1.5s`, `250ms`, `0`, or a bare number of seconds (`2`).

use std::time::Duration;

/// Parse a delay: `2`, `2s`, `1.5s`, `250ms`, `0`. For clap's `value_parser`.
pub fn parse(text: &str) -> Result<Duration, String> {
    let t = text.trim();
    let (num, scale) = if let Some(ms) = t.strip_suffix("ms") {
        (ms, 1e-3)
    } else if let Some(s) = t.strip_suffix('s') {
        (s, 1.0)
    } else {
        (t, 1.0)
    };
    let value: f64 =
        num.trim().parse().map_err(|_| format!("'{text}' is not a delay (examples: 2s, 1.5s, 250ms, 0)"))?;
    if !value.is_finite() || value < 0.0 || value * scale > 86_400.0 {
        return Err(format!("'{text}' is out of range (0 to 24h)"));
    }
    Ok(Duration::from_secs_f64(value * scale))
}

/// Show a delay the way a student would type it: `2s`, `250ms`.
pub fn show(d: Duration) -> String {
    if d.subsec_millis() == 0 && d.as_secs() > 0 { format!("{}s", d.as_secs()) } else { format!("{}ms", d.as_millis()) }
}

/// Sleep for a lab's delay.
pub fn pause(d: Duration) {
    std::thread::sleep(d);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_delays() {
        assert_eq!(parse("2"), Ok(Duration::from_secs(2)));
        assert_eq!(parse("2s"), Ok(Duration::from_secs(2)));
        assert_eq!(parse("1.5s"), Ok(Duration::from_millis(1500)));
        assert_eq!(parse("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse("0"), Ok(Duration::ZERO));
        assert!(parse("-1").is_err());
        assert!(parse("soon").is_err());
        assert!(parse("nan").is_err());
        assert_eq!(show(Duration::from_secs(3)), "3s");
        assert_eq!(show(Duration::from_millis(20)), "20ms");
    }
}
