//! Property tests of the log normalizer over arbitrary and escape-heavy byte streams.

use ansi_to_tui::IntoText as _;
use muxdeck::logs::{Normalizer, max_line_bytes, plain_text};
use proptest::prelude::*;

/// Byte fragments that exercise the escape parser far more often than uniform bytes.
fn fragment() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        4 => any::<u8>().prop_map(|b| vec![b]),
        3 => "[a-zA-Z0-9 .:=/-]{1,12}".prop_map(String::into_bytes),
        1 => any::<char>().prop_map(|c| c.to_string().into_bytes()),
        1 => (0x80u32..0xa0).prop_map(|u| char::from_u32(u).map(String::from).unwrap_or_default().into_bytes()),
        1 => Just(b"\x1b".to_vec()),
        2 => Just(b"\x1b[".to_vec()),
        1 => Just(b"\x1b]".to_vec()),
        1 => Just(b"\x1bP".to_vec()),
        1 => Just(b"\x1b_".to_vec()),
        1 => Just(b"\x1b\\".to_vec()),
        2 => "[0-9;:]{0,10}[mHJKhlABCDm]".prop_map(String::into_bytes),
        1 => "\x1b\\[[0-9;:<=>?]{0,12}[ -/]{0,2}[@-~]".prop_map(String::into_bytes),
        1 => "\x1b\\](0|2|8|52);[ -~]{0,10}(\x07|\x1b\\\\)".prop_map(String::into_bytes),
        1 => "\x1b\\[(38|48|58)(;|:)(2|5)(;|:){1,2}[0-9]{1,3}(;[0-9]{1,3}){0,3}m".prop_map(String::into_bytes),
        2 => prop_oneof![
            Just(b"\r".to_vec()),
            Just(b"\n".to_vec()),
            Just(b"\r\n".to_vec()),
            Just(b"\t".to_vec()),
            Just(b"\x08".to_vec()),
            Just(b"\x07".to_vec()),
            Just(b"\x00".to_vec()),
            Just(b"\x7f".to_vec()),
            Just(b"\x9b".to_vec()),
        ],
    ]
}

fn input() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..512),
        proptest::collection::vec(fragment(), 0..96).prop_map(|v| v.concat()),
    ]
}

fn run(bytes: &[u8], max: usize, cuts: &[usize]) -> Vec<String> {
    let mut n = Normalizer::with_max_line_chars(max);
    let mut out = Vec::new();
    let mut start = 0;
    let mut cuts: Vec<usize> = cuts.iter().map(|c| c % (bytes.len() + 1)).collect();
    cuts.sort_unstable();
    for cut in cuts {
        n.feed(&bytes[start..cut], &mut out);
        start = cut;
    }
    n.feed(&bytes[start..], &mut out);
    n.finish(&mut out);
    out
}

/// Every ESC in `line` begins `ESC [ [0-9;]* m`.
fn escapes_are_sgr(line: &str) -> bool {
    let bytes = line.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == 0x1b {
            if bytes.get(i + 1) != Some(&b'[') {
                return false;
            }
            let mut j = i + 2;
            while j < bytes.len() && (bytes[j].is_ascii_digit() || bytes[j] == b';') {
                j += 1;
            }
            if bytes.get(j) != Some(&b'm') {
                return false;
            }
            i = j + 1;
        } else {
            i += 1;
        }
    }
    true
}

fn is_forbidden_control(c: char) -> bool {
    let u = c as u32;
    (u < 0x20 && c != '\x1b') || (0x7f..=0x9f).contains(&u)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1024, ..ProptestConfig::default() })]

    #[test]
    fn output_is_safe(bytes in input(), max in 1usize..48) {
        let lines = run(&bytes, max, &[]);
        for line in &lines {
            prop_assert!(!line.chars().any(is_forbidden_control), "control char in {line:?}");
            prop_assert!(escapes_are_sgr(line), "non-SGR escape in {line:?}");
            prop_assert!(plain_text(line).chars().count() <= max, "line too long: {line:?}");
            prop_assert!(
                line.len() <= max_line_bytes(max) + 4 * max + 1024,
                "line too large: {} bytes",
                line.len()
            );
        }
    }

    #[test]
    fn chunked_equals_whole(
        bytes in input(),
        max in 1usize..48,
        cuts in proptest::collection::vec(any::<usize>(), 0..8),
    ) {
        prop_assert_eq!(run(&bytes, max, &cuts), run(&bytes, max, &[]));
    }

    #[test]
    fn byte_by_byte_equals_whole(bytes in input()) {
        let mut n = Normalizer::new();
        let mut out = Vec::new();
        for b in &bytes {
            n.feed(std::slice::from_ref(b), &mut out);
        }
        n.finish(&mut out);
        prop_assert_eq!(out, run(&bytes, muxdeck::logs::DEFAULT_MAX_LINE_CHARS, &[]));
    }

    #[test]
    fn ansi_to_tui_agrees_on_text(bytes in input()) {
        for line in run(&bytes, 64, &[]) {
            let text = line.as_bytes().into_text();
            prop_assert!(text.is_ok(), "ansi-to-tui rejected {line:?}");
            let rendered: String = text
                .iter()
                .flat_map(|t| t.lines.iter())
                .flat_map(|l| l.spans.iter())
                .map(|s| s.content.as_ref())
                .collect();
            prop_assert_eq!(rendered, plain_text(&line));
        }
    }

    #[test]
    fn plain_printable_text_round_trips(
        lines in proptest::collection::vec("[ -~\u{a0}-\u{10ffff}]{0,40}", 0..10),
    ) {
        let mut input = String::new();
        for l in &lines {
            input.push_str(l);
            input.push('\n');
        }
        prop_assert_eq!(muxdeck::logs::normalize(input.as_bytes()), lines);
    }
}
