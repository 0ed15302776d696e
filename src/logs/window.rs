//! Which part of a log to ask a backend for, besides how many lines: how far back in time
//! (`--since`) and whether the runtime stamps each line with its time (`--timestamps`).

use std::time::Duration;

/// Longest `--since` muxdeck takes: ten years, far past what any runtime keeps.
const MAX_SINCE_SECS: u64 = 10 * 366 * 24 * 3600;

/// What a log call asks for besides its line count.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LogWindow {
    /// Only lines written in this last stretch of time (containers; tmux keeps no times).
    pub since: Option<Duration>,
    /// Each line starts with the runtime's RFC 3339 time and a space (containers).
    pub timestamps: bool,
}

/// Why a `--since` value cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "invalid duration {text:?}: use a number and s, m, h or d (30s, 5m, 2h, 1d), at most 10 years"
)]
pub struct DurationError {
    /// The value as given.
    pub text: String,
}

/// Reads `30s`, `5m`, `2h`, `1d` (a whole number and one unit).
pub fn parse_since(text: &str) -> Result<Duration, DurationError> {
    let error = || DurationError {
        text: text.to_string(),
    };
    let t = text.trim();
    let unit_at = t.find(|c: char| !c.is_ascii_digit()).ok_or_else(error)?;
    let (number, unit) = t.split_at(unit_at);
    let n: u64 = number.parse().map_err(|_| error())?;
    let per = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => return Err(error()),
    };
    let secs = n
        .checked_mul(per)
        .filter(|s| *s <= MAX_SINCE_SECS)
        .ok_or_else(error)?;
    Ok(Duration::from_secs(secs))
}

/// A duration as both runtimes' `--since` reads it (Go durations have no `d`).
pub fn since_arg(d: Duration) -> String {
    format!("{}s", d.as_secs())
}

/// Splits the runtime's leading timestamp (`--timestamps`) off a line: the stamp and the
/// rest; `None` when the line does not start with one.
pub fn split_stamp(line: &str) -> Option<(&str, &str)> {
    let (stamp, rest) = line.split_once(' ')?;
    let looks_like_time = stamp.len() >= 20
        && stamp.as_bytes().get(4) == Some(&b'-')
        && stamp.as_bytes().get(10) == Some(&b'T');
    looks_like_time.then_some((stamp, rest))
}

/// Put between a runtime's timestamp and the rest of a merged log's line (never in a
/// normalized line: it is a control character), so a tmux line that starts with a date of
/// its own is never taken for a stamped one.
pub const STAMP_SEP: char = '\x1f';

/// The runtime's time of a line and the line without it: the stamp ends at the first
/// [`STAMP_SEP`] with `sep`, else at the first space ([`split_stamp`]). A line without a
/// stamp that parses comes back whole, with no time.
pub fn take_stamp(line: String, sep: bool) -> (String, Option<jiff::Timestamp>) {
    let split = if sep {
        line.split_once(STAMP_SEP)
    } else {
        split_stamp(&line)
    };
    match split.and_then(|(s, rest)| Some((s.parse::<jiff::Timestamp>().ok()?, rest))) {
        Some((at, rest)) => (rest.to_string(), Some(at)),
        None => (line, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runtime_stamps_are_taken_off() {
        let (l, at) = take_stamp("2026-11-29T22:41:57.123456789Z hello".into(), false);
        assert_eq!(l, "hello");
        assert_eq!(at.map(|t| t.as_millisecond()), Some(1_795_992_117_123),);
        let (l, at) = take_stamp("2026-11-29T22:41:57+01:00\x1fweb | x".into(), true);
        assert_eq!((l.as_str(), at.is_some()), ("web | x", true));
        // Not a stamp: the line stays whole.
        let (l, at) = take_stamp("2026-13-99T99:99:99Z odd".into(), false);
        assert_eq!((l.as_str(), at), ("2026-13-99T99:99:99Z odd", None));
        let (l, at) = take_stamp("plain".into(), true);
        assert_eq!((l.as_str(), at), ("plain", None));
    }

    #[test]
    fn durations() {
        assert_eq!(parse_since("30s"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_since("5m"), Ok(Duration::from_secs(300)));
        assert_eq!(parse_since("2h"), Ok(Duration::from_secs(7200)));
        assert_eq!(parse_since("1d"), Ok(Duration::from_secs(86_400)));
        for bad in [
            "",
            "5",
            "m",
            "5x",
            "-5m",
            "1.5h",
            "5 m",
            "99999999999999999999d",
            "4000d",
        ] {
            let e = parse_since(bad).unwrap_err().to_string();
            assert!(e.contains("30s, 5m, 2h, 1d"), "{bad}: {e}");
        }
        assert_eq!(since_arg(Duration::from_secs(86_400)), "86400s");
    }

    #[test]
    fn stamps() {
        assert_eq!(
            split_stamp("2026-11-29T21:04:11.123456789+00:00 hello world"),
            Some(("2026-11-29T21:04:11.123456789+00:00", "hello world"))
        );
        assert_eq!(split_stamp("hello world"), None);
        assert_eq!(split_stamp("2026-11-29T21:04:11Z"), None);
    }
}
