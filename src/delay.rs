//! Delays are parameters: every sleep in a lab is a flag with a classroom
//! default (seconds, so a student can watch `ps` in another terminal) that
//! the graders shrink to milliseconds.
//!
//! Flags take `2s`, `1.5s`, `250ms`, `0`, or a bare number of seconds (`2`).
//! [`show`] writes a delay back the way it is typed; [`show_as`] is the one
//! place that writes any duration, in the styles the kit prints.

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

/// Show a delay the way a student would type it: `2s`, `250ms`
/// ([`Style::Typed`]).
pub fn show(d: Duration) -> String {
    show_as(d, Style::Typed)
}

/// How [`show_as`] writes a duration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// As a delay flag takes it: whole seconds (`2s`), else whole
    /// milliseconds (`250ms`).
    Typed,
    /// Milliseconds with one decimal: `12.3ms` (how long half-copy's halves took).
    Millis,
    /// Seconds with two decimals: `0.12s` (a check's time in a grade report).
    Seconds,
    /// Finer the shorter: `1.23ms`, `12.3ms`, `1.234s` (times in a trace picture).
    Scaled,
}

/// Show a duration in the given style.
pub fn show_as(d: Duration, style: Style) -> String {
    let ms = d.as_secs_f64() * 1000.0;
    match style {
        Style::Typed if d.subsec_millis() == 0 && d.as_secs() > 0 => format!("{}s", d.as_secs()),
        Style::Typed => format!("{}ms", d.as_millis()),
        Style::Millis => format!("{ms:.1}ms"),
        Style::Seconds => format!("{:.2}s", d.as_secs_f64()),
        Style::Scaled if ms < 10.0 => format!("{ms:.2}ms"),
        Style::Scaled if ms < 1000.0 => format!("{ms:.1}ms"),
        Style::Scaled => format!("{:.3}s", ms / 1000.0),
    }
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
        let d = Duration::from_micros(123_456);
        assert_eq!(show_as(d, Style::Typed), "123ms");
        assert_eq!(show_as(d, Style::Millis), "123.5ms");
        assert_eq!(show_as(d, Style::Seconds), "0.12s");
        assert_eq!(show_as(d, Style::Scaled), "123.5ms");
        assert_eq!(show_as(Duration::from_micros(1_234), Style::Scaled), "1.23ms");
        assert_eq!(show_as(Duration::from_micros(1_234_567), Style::Scaled), "1.235s");
    }
}
