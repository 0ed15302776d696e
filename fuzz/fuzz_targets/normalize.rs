//! Fuzz target for the log normalizer: arbitrary bytes, fed whole and in chunks.
//!
//! Run with `cargo +nightly fuzz run normalize` from the repository root.

#![no_main]

use libfuzzer_sys::fuzz_target;
use muxdeck::logs::{Normalizer, plain_text};

/// Every ESC in `line` begins `ESC [ [0-9;]* m`.
fn escapes_are_sgr(line: &str) -> bool {
    let mut rest = line;
    while let Some(pos) = rest.find('\x1b') {
        let Some(after) = rest[pos + 1..].strip_prefix('[') else {
            return false;
        };
        let end = after
            .find(|c: char| !(c.is_ascii_digit() || c == ';'))
            .unwrap_or(after.len());
        if !after[end..].starts_with('m') {
            return false;
        }
        rest = &after[end + 1..];
    }
    true
}

fn run(data: &[u8], max: usize, chunk: usize) -> Vec<String> {
    let mut n = Normalizer::with_max_line_chars(max);
    let mut out = Vec::new();
    for part in data.chunks(chunk.max(1)) {
        n.feed(part, &mut out);
    }
    n.finish(&mut out);
    out
}

fuzz_target!(|input: &[u8]| {
    // The first two bytes choose the maximum line length and the chunk size.
    let (max, chunk, data) = match input {
        [a, b, data @ ..] => (usize::from(*a % 64) + 1, usize::from(*b) + 1, data),
        _ => (16, 1, input),
    };
    let whole = run(data, max, data.len());
    for line in &whole {
        assert!(
            !line.chars().any(|c| {
                let u = c as u32;
                (u < 0x20 && c != '\x1b') || (0x7f..=0x9f).contains(&u)
            }),
            "control character in {line:?}"
        );
        assert!(escapes_are_sgr(line), "non-SGR escape in {line:?}");
        assert!(
            plain_text(line).chars().count() <= max,
            "line too long: {line:?}"
        );
    }
    assert_eq!(run(data, max, chunk), whole, "chunked feeding differs");
});
