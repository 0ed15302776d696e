use std::ops::Range;
use std::time::{Duration, Instant};

use ratatui::style::{Color, Modifier, Style};

use super::*;
use crate::logs::StyledLine;

fn hl() -> Style {
    Style::default()
        .bg(Color::Yellow)
        .add_modifier(Modifier::BOLD)
}

/// Each span of a highlighted line as (text, style).
fn pieces(line: &Line<'_>) -> Vec<(String, Style)> {
    line.spans
        .iter()
        .map(|s| (s.content.to_string(), s.style))
        .collect()
}

fn lit(p: &str) -> Pattern {
    Pattern::lenient(p).expect("a non-empty pattern")
}

#[test]
fn smart_case() {
    assert!(lit("error").is_match("An ERROR here"));
    assert!(lit("Error").is_match("Error"));
    assert!(!lit("Error").is_match("ERROR"));
    assert!(!lit("Error").is_match("error"));
}

#[test]
fn a_valid_regex_is_one_and_an_invalid_one_is_literal() {
    let p = lit(r"req \d+ (ok|fail)");
    assert!(!p.is_literal());
    assert!(p.is_match("req 42 fail"));
    let p = lit("a(b");
    assert!(p.is_literal());
    assert!(p.is_match("xa(by"));
    assert!(!p.is_match("ab"));
    let e = Pattern::strict("a(b").unwrap_err();
    assert_eq!(e.pattern, "a(b");
    assert!(!e.to_string().contains('\n'), "{e}");
    assert!(e.to_string().contains("unclosed group"), "{e}");
    // A program too large to compile is not a hang either: literal (or refused).
    let huge = r"\w{1000}{1000}";
    assert!(lit(huge).is_literal());
    assert!(Pattern::strict(huge).is_err());
}

#[test]
fn an_empty_pattern_is_none() {
    assert!(Pattern::lenient("").is_none());
    assert!(matches!(Pattern::strict(""), Ok(None)));
    assert!(Filter::parse("").is_none());
    assert!(Filter::parse("!").is_none());
}

#[test]
fn a_catastrophic_pattern_runs_in_linear_time() {
    let line = format!("{}b", "a".repeat(16 * 1024));
    let p = lit("(a+)+$");
    let started = Instant::now();
    for _ in 0..10 {
        assert!(!p.is_match(&line));
        assert!(p.ranges(&line).is_empty());
    }
    // A backtracking engine would take longer than the age of the universe here.
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    // And a 10 MB line too (the normalizer splits lines long before this).
    let big = "ab".repeat(5 * 1024 * 1024);
    let started = Instant::now();
    assert!(!p.is_match(&big));
    assert!(lit("(a+)+b$").is_match(&big));
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn empty_matches_have_no_range() {
    let p = lit("x*");
    assert!(p.is_match("abc"));
    assert!(p.ranges("abc").is_empty());
    assert_eq!(p.ranges("axxb"), vec![Range { start: 1, end: 3 }]);
}

#[test]
fn filters_keep_or_invert() {
    let f = Filter::parse("warn").expect("a filter");
    assert!(!f.invert);
    assert!(f.keeps("WARN disk"));
    assert!(!f.keeps("info"));
    let f = Filter::parse("!warn").expect("a filter");
    assert!(f.invert);
    assert_eq!(f.pattern.as_str(), "warn");
    assert!(!f.keeps("WARN disk"));
    assert!(f.keeps("info"));
}

#[test]
fn context_cycles_0_2_5() {
    assert_eq!(next_context(0), 2);
    assert_eq!(next_context(2), 5);
    assert_eq!(next_context(5), 0);
}

fn show(rows: &[Row]) -> String {
    rows.iter()
        .map(|r| match r {
            Row::Line {
                index,
                matched: true,
            } => format!("{index}*"),
            Row::Line { index, .. } => index.to_string(),
            Row::Separator => "--".into(),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn context_groups_and_separators() {
    assert_eq!(show(&context_rows(&[2, 7], 0, 20, 0)), "2* 7*");
    assert_eq!(
        show(&context_rows(&[5, 15], 0, 20, 2)),
        "3 4 5* 6 7 -- 13 14 15* 16 17"
    );
    // Groups that touch or overlap merge, a kept line inside another's context is marked.
    assert_eq!(
        show(&context_rows(&[5, 9], 0, 20, 2)),
        "3 4 5* 6 7 8 9* 10 11"
    );
    assert_eq!(show(&context_rows(&[5, 6], 0, 20, 2)), "3 4 5* 6* 7 8");
    assert_eq!(
        show(&context_rows(&[5, 10], 0, 20, 2)),
        "3 4 5* 6 7 8 9 10* 11 12"
    );
    // Clipped to what exists.
    assert_eq!(
        show(&context_rows(&[0, 19], 0, 20, 2)),
        "0* 1 2 -- 17 18 19*"
    );
    assert_eq!(show(&context_rows(&[3], 2, 5, 5)), "2 3* 4");
    assert_eq!(show(&context_rows(&[], 0, 20, 5)), "");
}

#[test]
fn streaming_grep_prints_what_context_rows_shows() {
    // Every 0/1 pattern of 12 lines, each context step: the stream and the view agree.
    for bits in 0u32..(1 << 12) {
        let texts: Vec<&str> = (0..12)
            .map(|i| if bits & (1 << i) != 0 { "hit" } else { "miss" })
            .collect();
        let kept: Vec<u64> = (0..12u64).filter(|i| bits & (1 << i) != 0).collect();
        for c in CONTEXT_STEPS {
            let mut g = Grep::new(Filter::parse("hit").expect("filter"), c);
            let mut streamed = Vec::new();
            for (i, t) in texts.iter().enumerate() {
                for o in g.push(i as u64, t) {
                    streamed.push(match o {
                        GrepOut::Line(index, matched) => Row::Line { index, matched },
                        GrepOut::Separator => Row::Separator,
                    });
                }
            }
            assert_eq!(
                show(&streamed),
                show(&context_rows(&kept, 0, 12, c)),
                "bits {bits:012b} context {c}"
            );
        }
    }
}

#[test]
fn matches_use_the_plain_text_never_the_escapes() {
    let l = StyledLine::from_ansi("\x1b[31mred\x1b[0m 31m plain".to_string());
    assert_eq!(l.text(), "red 31m plain");
    let p = lit("31m");
    // Only the visible "31m", not the one in the escape sequence.
    assert_eq!(p.ranges(l.text()), vec![Range { start: 4, end: 7 }]);
    assert!(!lit("\\x1b").is_match(l.text()));
    assert!(!lit("[0m").is_match(l.text()));
}

#[test]
fn highlight_keeps_the_colors_around_and_under_a_match() {
    let red = Style::default().fg(Color::Red);
    let l = StyledLine::from_ansi("ab\x1b[31mcdef\x1b[0mgh".to_string());
    assert_eq!(l.text(), "abcdefgh");
    // A match across the boundary of two styles: each part keeps its own color.
    let got = highlight(l.line(), &lit("bcd").ranges(l.text()), hl());
    assert_eq!(
        pieces(&got),
        [
            ("a".into(), Style::default()),
            ("b".into(), Style::default().patch(hl())),
            ("cd".into(), red.patch(hl())),
            ("ef".into(), red),
            ("gh".into(), Style::reset()),
        ]
    );
    // The highlighted line spells the same text.
    assert_eq!(got.to_string(), "abcdefgh");
    // Several matches, one spanning a whole span.
    let got = highlight(l.line(), &lit("a|cdef|h").ranges(l.text()), hl());
    assert_eq!(
        pieces(&got),
        [
            ("a".into(), Style::default().patch(hl())),
            ("b".into(), Style::default()),
            ("cdef".into(), red.patch(hl())),
            ("g".into(), Style::reset()),
            ("h".into(), Style::reset().patch(hl())),
        ]
    );
    // No match: the line as it was.
    assert_eq!(pieces(&highlight(l.line(), &[], hl())), pieces(&l.line()));
}

#[test]
fn highlight_is_aligned_on_wide_and_combining_characters() {
    let l = StyledLine::from_ansi("日本\x1b[32m語 é\u{301}x\x1b[0m😀!".to_string());
    let green = Style::default().fg(Color::Green);
    let got = highlight(l.line(), &lit("本語").ranges(l.text()), hl());
    assert_eq!(
        pieces(&got),
        [
            ("日".into(), Style::default()),
            ("本".into(), Style::default().patch(hl())),
            ("語".into(), green.patch(hl())),
            (" é\u{301}x".into(), green),
            ("😀!".into(), Style::reset()),
        ]
    );
    let got = highlight(l.line(), &lit("😀").ranges(l.text()), hl());
    assert_eq!(
        got.spans.last().map(|s| s.content.to_string()),
        Some("!".into())
    );
    assert!(pieces(&got).contains(&("😀".into(), Style::reset().patch(hl()))));
    // A range inside a character is ignored, never splitting it.
    let inside = Range { start: 1, end: 4 };
    let got = highlight(Line::raw("日本"), std::slice::from_ref(&inside), hl());
    assert_eq!(got.to_string(), "日本");
    assert!(got.spans.iter().all(|s| s.style == Style::default()));
}
