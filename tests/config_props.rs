//! Property tests of the config loader: whatever the bytes, it returns a config or a
//! one-line error that names the file — never a panic.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use muxdeck::config::{ConfigError, parse};
use proptest::prelude::*;

const EXAMPLE: &str = include_str!("../config.example.yml");

fn check(text: &str) {
    let path = Path::new("/cfg/muxdeck.yml");
    if let Err(e) = parse(text, path) {
        let msg = e.to_string();
        assert!(msg.starts_with("config /cfg/muxdeck.yml"), "{msg}");
        assert!(!msg.contains('\n'), "error spans lines: {msg:?}");
        if let ConfigError::Invalid { line: Some(l), .. } = e {
            assert!(
                l >= 1 && l <= text.lines().count().max(1) + 1,
                "line {l} out of range: {msg}"
            );
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, .. ProptestConfig::default() })]

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,400}") {
        check(&text);
    }

    #[test]
    fn mutated_example_never_panics(
        cuts in proptest::collection::vec((0usize..EXAMPLE.len(), 0usize..40, "[ -~\\n\\t:{}\\[\\]'\"]{0,12}"), 1..6)
    ) {
        let mut text = EXAMPLE.to_string();
        for (at, len, insert) in cuts {
            let mut at = at.min(text.len());
            while !text.is_char_boundary(at) {
                at -= 1;
            }
            let mut end = (at + len).min(text.len());
            while !text.is_char_boundary(end) {
                end -= 1;
            }
            text.replace_range(at..end, &insert);
        }
        check(&text);
    }

    #[test]
    fn yaml_shaped_sessions_never_panic(
        name in "[a-zA-Z0-9_ .:-]{0,70}",
        key in "(backend|command|image|ports|volumes|env|socket|runtime|working_dir|comand|imagee)",
        value in "[ -~]{0,30}",
    ) {
        let text = format!("sessions:\n  {name:?}:\n    {key}: {value:?}\n");
        check(&text);
    }
}

#[test]
fn a_typo_points_at_its_line() {
    let text = "defaults:\n  stop_timeout: 3\nsessions:\n  web:\n    comand: x\n";
    let e = parse(text, Path::new("/cfg/muxdeck.yml")).expect_err("typo");
    let msg = e.to_string();
    assert!(msg.contains("line 5"), "{msg}");
    assert!(msg.contains("did you mean `command`"), "{msg}");
}
