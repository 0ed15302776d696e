use super::*;
use ratatui::style::{Color, Modifier};

fn spans_of(l: &Line<'_>) -> Vec<(String, Style)> {
    l.spans
        .iter()
        .map(|s| (s.content.to_string(), s.style))
        .collect()
}

fn data_len(l: &StyledLine) -> usize {
    match &l.repr {
        Repr::Packed { data, .. } => data.len(),
        Repr::Whole(_) => usize::MAX,
    }
}

#[test]
fn an_uncolored_line_is_its_text_alone() {
    let l = StyledLine::from_ansi("plain 日本".to_string());
    assert_eq!(l.text(), "plain 日本");
    assert_eq!(l.width(), 10);
    assert_eq!(data_len(&l), l.text().len());
    assert_eq!(
        spans_of(&l.line()),
        [("plain 日本".to_string(), Style::default())]
    );
    assert!(StyledLine::from_ansi(String::new()).line().spans.is_empty());
}

#[test]
fn colors_become_runs_and_the_text_loses_its_escapes() {
    let l = StyledLine::from_ansi("a\x1b[1;31mred\x1b[0m\x1b[31m\x1b[0m b".to_string());
    assert_eq!(l.text(), "ared b");
    assert_eq!(l.width(), 6);
    let red = Style::default().fg(Color::Red).add_modifier(Modifier::BOLD);
    let got = spans_of(&l.line());
    assert_eq!(got[0], ("a".to_string(), Style::default()));
    assert_eq!(got[1], ("red".to_string(), red));
    assert_eq!(got[2].0, " b");
    assert_eq!(got.len(), 3, "{got:?}");
}

#[test]
fn draws_what_the_converter_draws() {
    let long = format!(
        "{}\x1b[32m{}\x1b[0m end",
        "x".repeat(200),
        "日".repeat(6000)
    );
    for raw in [
        "\x1b[31mred\x1b[0m plain",
        "\x1b[38;5;208morange\x1b[0m and \x1b[44mon blue\x1b[0m",
        "\x1b[2;33m\u{22ef} dim \x1b[1mbold\x1b[22m back\x1b[0m",
        "x\x1b[3mi\x1b[23m\x1b[3mi\x1b[0m",
        "\x1b[38;2;1;2;3mtrue\x1b[48;2;200;100;0m color\x1b[0m",
        // Starts past 127 and 16 383 bytes take two and three digits.
        &long,
    ] {
        let theirs = raw.into_text().map(|t| t.lines).unwrap_or_default();
        let styled = StyledLine::from_ansi(raw.to_string());
        let mine = styled.line();
        let cells = |spans: &[Span<'_>]| -> Vec<(char, Style)> {
            spans
                .iter()
                .flat_map(|s| s.content.chars().map(move |c| (c, s.style)))
                .collect()
        };
        let theirs: Vec<_> = theirs.iter().flat_map(|l| cells(&l.spans)).collect();
        assert_eq!(cells(&mine.spans), theirs, "{raw:?}");
        assert_eq!(cells(&styled.clone().into_line().spans), theirs, "{raw:?}");
    }
}

#[test]
fn a_run_of_a_usual_line_takes_two_bytes() {
    // 15 runs over 120 bytes of text, in a palette with few styles: a byte for where each
    // starts, a byte for its style.
    let raw = format!(
        "{}\x1b[3mk\x1b[0m\x1b[2m=\x1b[0mv {}",
        "\x1b[2mtime\x1b[0m \x1b[31mERROR\x1b[0m ".repeat(4),
        "t".repeat(70)
    );
    let l = StyledLine::from_ansi(raw);
    let runs = l.line().spans.len();
    assert!(runs >= 15, "{runs}");
    let text = l.text().len();
    assert!(text > 100 && text < 128, "{text}");
    assert!(
        data_len(&l) <= text + 1 + 2 * runs,
        "{} {text}",
        data_len(&l)
    );
}

#[test]
fn a_full_palette_keeps_the_styles_whole_and_draws_the_same() {
    let raw = "\x1b[31mred\x1b[0m \x1b[1;34mbold blue\x1b[0m";
    let parsed = raw.into_text().map(|t| t.lines).unwrap_or_default();
    let spans = parsed.iter().flat_map(|l| l.spans.iter());
    let mut small = Palette::with_room(1);
    let whole = StyledLine::from_spans(spans.clone(), &mut small);
    assert!(matches!(whole.repr, Repr::Whole(_)), "{whole:?}");
    let mut roomy = Palette::with_room(8);
    let packed = StyledLine::from_spans(spans, &mut roomy);
    assert!(matches!(packed.repr, Repr::Packed { .. }), "{packed:?}");
    assert_eq!(spans_of(&whole.line()), spans_of(&packed.line_with(&roomy)));
    assert_eq!((whole.text(), whole.width()), ("red bold blue", 13));
}

#[test]
fn digits_round_trip() {
    for n in [
        0,
        1,
        127,
        128,
        16_383,
        16_384,
        2_097_151,
        2_097_152,
        u32::MAX,
    ] {
        let mut s = String::new();
        put(&mut s, n, digits(n));
        assert!(s.is_ascii());
        assert_eq!(get(s.as_bytes()), n, "{n}");
    }
    assert_eq!((digits(0), digits(127), digits(128)), (1, 1, 2));
}
