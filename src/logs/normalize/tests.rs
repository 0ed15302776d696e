//! The normalizer's own tests: safety of what comes out, the line model, and that the
//! fast paths give exactly what `vte` alone gives.

use super::*;
use proptest::prelude::*;

/// Reference normalizer: every byte goes through `vte` (no fast path, no memo).
fn vte_only(max: usize) -> Normalizer {
    Normalizer::reference(max)
}

fn run(mut n: Normalizer, parts: &[&[u8]]) -> Vec<String> {
    let mut out = Vec::new();
    for p in parts {
        n.feed(p, &mut out);
    }
    n.finish(&mut out);
    out
}

fn fragment() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        3 => any::<u8>().prop_map(|b| vec![b]),
        3 => r"[a-z0-9 :=é\u{1f600}\u{9b}]{1,10}".prop_map(String::into_bytes),
        3 => r"\x1b\[[0-9;:]{0,8}m".prop_map(String::into_bytes),
        1 => r"\x1b\[[0-9;:<=>?]{0,10}[ -/]{0,2}[@-~]".prop_map(String::into_bytes),
        1 => r"\x1b[\]P_^X]?[ -~]{0,6}(\x07|\x1b\\)?".prop_map(String::into_bytes),
        1 => r"\x1b[ -~]{0,3}".prop_map(String::into_bytes),
        2 => r"[\r\n\t\x08\x00\x18\x1a]".prop_map(String::into_bytes),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    /// The fast path (direct text handling, memoized sequences) does exactly what
    /// `vte` alone does, however the input is chunked.
    #[test]
    fn fast_path_matches_vte(
        parts in proptest::collection::vec(fragment(), 0..128),
        cut in any::<prop::sample::Index>(),
        max in 1usize..40,
    ) {
        let bytes = parts.concat();
        let reference = run(vte_only(max), &[&bytes]);
        prop_assert_eq!(run(Normalizer::with_max_line_chars(max), &[&bytes]), reference.clone());
        let cut = cut.index(bytes.len() + 1);
        let (a, b) = bytes.split_at(cut);
        prop_assert_eq!(run(Normalizer::with_max_line_chars(max), &[a, b]), reference.clone());
        prop_assert_eq!(run(vte_only(max), &[a, b]), reference);
    }
}

fn norm_max(bytes: &[u8], max: usize) -> Vec<String> {
    let mut n = Normalizer::with_max_line_chars(max);
    let mut out = Vec::new();
    n.feed(bytes, &mut out);
    n.finish(&mut out);
    out
}

#[test]
fn colors_kept() {
    assert_eq!(
        normalize(b"\x1b[31mred\x1b[0m\n"),
        vec!["\x1b[31mred\x1b[0m"]
    );
    assert_eq!(
        normalize(b"a \x1b[1;32mINFO\x1b[m b\n"),
        vec!["a \x1b[1;32mINFO\x1b[0m b"]
    );
    // Colon true-color form re-serialized with semicolons.
    assert_eq!(
        normalize(b"\x1b[38:2::1:2:3mx\x1b[0m"),
        vec!["\x1b[38;2;1;2;3mx\x1b[0m"]
    );
    assert_eq!(
        normalize(b"\x1b[38;5;208mx\x1b[0m"),
        vec!["\x1b[38;5;208mx\x1b[0m"]
    );
}

#[test]
fn style_spans_lines() {
    let out = normalize(b"\x1b[31mred\nstill red\x1b[0m plain\nplain\n");
    assert_eq!(
        out,
        vec![
            "\x1b[31mred\x1b[0m",
            "\x1b[31mstill red\x1b[0m plain",
            "plain",
        ]
    );
    // An empty line inside a styled region carries no SGR.
    assert_eq!(
        normalize(b"\x1b[1mx\n\ny\x1b[0m"),
        vec!["\x1b[1mx\x1b[0m", "", "\x1b[1my\x1b[0m"]
    );
}

#[test]
fn the_net_style_is_carried_as_one_sequence() {
    // Set, reset, set again: only the last color is in force.
    assert_eq!(
        normalize(b"\x1b[35m\x1b[0m\x1b[32mx\ny\x1b[0m\n"),
        vec!["\x1b[32mx\x1b[0m", "\x1b[32my\x1b[0m"]
    );
    // Bold, then a color: both carried, in one sequence.
    assert_eq!(
        normalize(b"\x1b[1mA\x1b[31mB\nC\x1b[0m\n"),
        vec!["\x1b[1mA\x1b[31mB\x1b[0m", "\x1b[1;31mC\x1b[0m"]
    );
    // Back to the default: nothing carried.
    assert_eq!(
        normalize(b"\x1b[1;31mA\x1b[22;39m\nB\n"),
        vec!["\x1b[1;31mA\x1b[0m", "B"]
    );
    assert_eq!(
        normalize(b"\x1b[1;31mA\x1b[0m\nB\n"),
        vec!["\x1b[1;31mA\x1b[0m", "B"]
    );
    // Extended colors and background.
    assert_eq!(
        normalize(b"\x1b[38;5;208;48;2;1;2;3mA\nB\x1b[49mC\x1b[0m\n"),
        vec![
            "\x1b[38;5;208;48;2;1;2;3mA\x1b[0m",
            "\x1b[38;5;208;48;2;1;2;3mB\x1b[49mC\x1b[0m"
        ]
    );
}

#[test]
fn sequences_between_two_characters_become_one() {
    assert_eq!(
        normalize(b"a\x1b[31m\x1b[1m\x1b[22m\x1b[4mb\x1b[0m\n"),
        vec!["a\x1b[4;31mb\x1b[0m"]
    );
    // Turning one of two attributes off.
    assert_eq!(
        normalize(b"\x1b[1;2mA\x1b[22;2mB\x1b[0m\n"),
        vec!["\x1b[1;2mA\x1b[22;2mB\x1b[0m"]
    );
    // Changes that cancel out write nothing.
    assert_eq!(
        normalize(b"\x1b[31mA\x1b[32m\x1b[31mB\x1b[0m\n"),
        vec!["\x1b[31mAB\x1b[0m"]
    );
}

#[test]
fn tmux_captures_do_not_grow_with_history() {
    // tmux ends colors with `ESC[39m`, never a full reset: thousands of such lines
    // once carried a growing string of sequences from line to line.
    let mut input = Vec::new();
    for i in 0..3000 {
        input
            .extend_from_slice(format!("\x1b[35mline\x1b[39m {i} \x1b[32mok\x1b[39m\n").as_bytes());
    }
    let out = normalize(&input);
    assert_eq!(out.len(), 3000);
    for (i, line) in out.iter().enumerate() {
        assert_eq!(line, &format!("\x1b[35mline\x1b[0m {i} \x1b[32mok\x1b[0m"));
    }
    // A color left on at the end of each line and changed before any text: not carried.
    let out = normalize(&b"\x1b[35ma\x1b[39m\x1b[32m\n".repeat(50));
    assert!(out.iter().all(|l| l == "\x1b[35ma\x1b[0m"), "{out:?}");
}

#[test]
fn style_ends_at_line_end() {
    // Style left active: the line is closed with a reset.
    assert_eq!(normalize(b"\x1b[32mgreen\n"), vec!["\x1b[32mgreen\x1b[0m"]);
    // SGR sequences without following text are not emitted.
    assert_eq!(normalize(b"a\x1b[32m\n"), vec!["a"]);
}

#[test]
fn malformed_sgr_dropped() {
    // Private marker / intermediates (e.g. xterm modifyOtherKeys `CSI > 4;2 m`).
    assert_eq!(normalize(b"a\x1b[>4;2mb\x1b[?1mc\x1b[1 md"), vec!["abcd"]);
    // Too many params.
    let mut long = b"\x1b[".to_vec();
    for _ in 0..40 {
        long.extend_from_slice(b"1;");
    }
    long.extend_from_slice(b"31mX");
    assert_eq!(normalize(&long), vec!["X"]);
    // Out-of-range codes and colors dropped, underline color dropped.
    assert_eq!(
        normalize(b"\x1b[300;38;5;999;58;5;3;1mX\x1b[0m"),
        vec!["\x1b[1mX\x1b[0m"]
    );
}

#[test]
fn carriage_return_overwrites() {
    assert_eq!(normalize(b"10%\r20%\r30%\n"), vec!["30%"]);
    assert_eq!(normalize(b"hello\rab\n"), vec!["abllo"]);
    assert_eq!(normalize(b"abc\x08\x08X\n"), vec!["aXc"]);
    assert_eq!(normalize(b"\x08\x08ab\n"), vec!["ab"]);
}

#[test]
fn overwrite_takes_new_style() {
    let out = normalize(b"\x1b[31mabcd\x1b[0m\r\x1b[32mXY\x1b[0m\n");
    assert_eq!(out, vec!["\x1b[32mXY\x1b[31mcd\x1b[0m"]);
    assert_eq!(plain_text(&out[0]), "XYcd");
    // Plain overwrite of a colored line.
    let out = normalize(b"\x1b[31mab\x1b[0mcd\rX\n");
    assert_eq!(out, vec!["X\x1b[31mb\x1b[0mcd"]);
}

#[test]
fn crlf() {
    assert_eq!(normalize(b"one\r\ntwo\r\n"), vec!["one", "two"]);
    assert_eq!(normalize(b"a\r\n\r\nb"), vec!["a", "", "b"]);
}

#[test]
fn tabs() {
    assert_eq!(normalize(b"a\tb\n"), vec!["a       b"]);
    assert_eq!(normalize(b"12345678\tx\n"), vec!["12345678        x"]);
    assert_eq!(normalize(b"\t\n"), vec!["        "]);
    // A tab inside existing text only moves the cursor.
    assert_eq!(normalize(b"abcdefghij\r\tX\n"), vec!["abcdefghXj"]);
    // Tabs never go past the maximum line length.
    assert_eq!(norm_max(b"abc\tX", 5), vec!["abc  ", "X"]);
}

#[test]
fn controls_dropped() {
    assert_eq!(
        normalize(b"a\x00b\x07c\x7fd\x0be\x0cf\x1ag\n"),
        vec!["abcdefg"]
    );
}

#[test]
fn c1_dropped() {
    // UTF-8 encoded U+009B (CSI), raw 8-bit 0x9b, U+0085 (NEL).
    assert_eq!(normalize("a\u{9b}2Jb\u{85}c".as_bytes()), vec!["a2Jbc"]);
    assert_eq!(normalize(b"a\x9b31mb\x9dx\n"), vec!["a31mbx"]);
}

#[test]
fn invalid_utf8() {
    assert_eq!(normalize(b"a\xffb\n"), vec!["a\u{fffd}b"]);
    assert_eq!(normalize(b"a\xe2\x82b\n"), vec!["a\u{fffd}b"]);
    assert_eq!(
        normalize("h\u{e9}llo \u{1f600}".as_bytes()),
        vec!["h\u{e9}llo \u{1f600}"]
    );
}

#[test]
fn osc_removed() {
    // Title (BEL and ST terminated), OSC 52 clipboard write.
    assert_eq!(
        normalize(b"a\x1b]0;evil title\x07b\x1b]2;t\x1b\\c\x1b]52;c;aGVsbG8=\x07d\n"),
        vec!["abcd"]
    );
    // OSC 8 hyperlink: the visible text stays, the wrapper goes.
    assert_eq!(
        normalize(b"see \x1b]8;;https://evil.example/\x1b\\docs\x1b]8;;\x1b\\ now\n"),
        vec!["see docs now"]
    );
}

#[test]
fn other_sequences_removed() {
    let input = b"a\x1b[2J\x1b[H\x1b[10;20Hb\x1b[?1049h\x1b[?25lc\x1b[Kd\x1b[6n\x1b7\x1b8\x1bce\n";
    assert_eq!(normalize(input), vec!["abcde"]);
    // DCS, APC, PM, SOS strings.
    assert_eq!(
        normalize(b"a\x1bP1$tx\x1b\\b\x1b_apc\x1b\\c\x1b^pm\x1b\\d\x1bXsos\x1b\\e"),
        vec!["abcde"]
    );
}

#[test]
fn very_long_escape_sequences() {
    // CSI with a huge parameter list.
    let mut v = b"x\x1b[".to_vec();
    v.extend(std::iter::repeat_n(b"12;".as_slice(), 200_000).flatten());
    v.extend_from_slice(b"my\n");
    assert_eq!(normalize(&v), vec!["xy"]);
    // OSC with a 1 MB payload.
    let mut v = b"x\x1b]0;".to_vec();
    v.extend(std::iter::repeat_n(b'a', 1 << 20));
    v.extend_from_slice(b"\x07y\n");
    assert_eq!(normalize(&v), vec!["xy"]);
}

#[test]
fn long_line_split_and_bounded() {
    let max = 1024;
    let total = 10 * 1024 * 1024;
    let mut n = Normalizer::with_max_line_chars(max);
    let mut out = Vec::new();
    let chunk = vec![b'x'; 64 * 1024];
    let mut fed = 0;
    while fed < total {
        n.feed(&chunk, &mut out);
        fed += chunk.len();
        assert!(n.state.buf.capacity() <= 4 * max + 64);
        assert!(n.state.cells.capacity() <= max);
    }
    n.finish(&mut out);
    assert_eq!(out.len(), total / max);
    assert!(out.iter().all(|l| l.len() == max));
}

#[test]
fn long_line_with_default_max() {
    let v = vec![b'y'; 10 * 1024 * 1024];
    let out = normalize(&v);
    assert_eq!(out.len(), v.len() / DEFAULT_MAX_LINE_CHARS);
}

#[test]
fn heavily_styled_line_bounded_in_bytes() {
    let max = 100;
    let mut v = Vec::new();
    for i in 0..max {
        v.extend_from_slice(format!("\x1b[38;2;{};{};{}m#", i, 255 - i, i / 2).as_bytes());
    }
    let out = norm_max(&v, max);
    assert!(out.len() > 1, "split by bytes");
    for line in &out {
        assert!(line.len() <= max_line_bytes(max) + 512, "{}", line.len());
    }
    let text: String = out.iter().map(|l| plain_text(l)).collect();
    assert_eq!(text, "#".repeat(max));
    // Overwritten, heavily styled text stays bounded as well.
    let mut v = b"x\r".to_vec();
    for i in 0..max {
        v.extend_from_slice(format!("\x1b[1;2;3;4;38;2;{};{};{}m#", i, 255 - i, i / 2).as_bytes());
    }
    let out = norm_max(&v, max);
    assert_eq!(out.len(), 1);
    assert!(out[0].len() <= max_line_bytes(max) + 4 * max + 512);
}

#[test]
fn split_keeps_style() {
    let out = norm_max(b"\x1b[31mabcdef\x1b[0mgh\n", 3);
    assert_eq!(out, vec!["\x1b[31mabc\x1b[0m", "\x1b[31mdef\x1b[0m", "gh",]);
    // Overwrite mode at the limit.
    let out = norm_max(b"abc\rXYZW\n", 3);
    assert_eq!(out, vec!["XYZ", "W"]);
}

#[test]
fn chunk_splits_match_whole() {
    let input = "\x1b[1;31mé\u{1f600}\x1b]0;t\x07x\r\x1b[38:2::10:20:30mab\tc\x1b[0m\r\nde\u{9b}f\x1bP1$t\x1b\\ñ\n\x1b[4mend"
        .as_bytes();
    let whole = normalize(input);
    for i in 0..=input.len() {
        let mut n = Normalizer::new();
        let mut out = Vec::new();
        n.feed(&input[..i], &mut out);
        n.feed(&input[i..], &mut out);
        n.finish(&mut out);
        assert_eq!(out, whole, "split at {i}");
    }
    // Byte by byte.
    let mut n = Normalizer::new();
    let mut out = Vec::new();
    for b in input {
        n.feed(std::slice::from_ref(b), &mut out);
    }
    n.finish(&mut out);
    assert_eq!(out, whole);
}

fn feed_split(parts: &[&[u8]]) -> Vec<String> {
    let mut n = Normalizer::new();
    let mut out = Vec::new();
    for p in parts {
        n.feed(p, &mut out);
    }
    n.finish(&mut out);
    out
}

#[test]
fn split_utf8_regressions() {
    // A character completed by the next chunk, followed by text and an invalid byte
    // (vte alone would lose the space here).
    assert_eq!(feed_split(&[b"\xc3", b"\x80 \x80\n"]), vec!["\u{c0} "]);
    assert_eq!(normalize(b"\xc3\x80 \x80\n"), vec!["\u{c0} "]);
    // An invalid two-byte prefix split across chunks is one U+FFFD.
    assert_eq!(feed_split(&[b"\xe0", b"\xa0\x00x"]), vec!["\u{fffd}x"]);
    assert_eq!(normalize(b"\xe0\xa0\x00x"), vec!["\u{fffd}x"]);
    // Lead bytes invalidating each other.
    assert_eq!(feed_split(&[b"\xc2", b"\xc2"]), vec!["\u{fffd}\u{fffd}"]);
    assert_eq!(normalize(b"\xc2\xc2"), vec!["\u{fffd}\u{fffd}"]);
    // A character cut off by the end of the stream.
    assert_eq!(normalize(b"ab\xe2\x82"), vec!["ab\u{fffd}"]);
    // A character split over three chunks.
    assert_eq!(
        feed_split(&[b"\xf0\x9f", b"\x98", b"\x80!"]),
        vec!["\u{1f600}!"]
    );
}

#[test]
fn raw_st_inside_utf8_in_dcs() {
    // 0x9C (ST) inside a UTF-8 character ends a DCS string in vte, leaving the
    // rest of the character as invalid bytes: same result however it is fed.
    let input = b"\x1bPa\xf3\x9c\xb3\x80\x1b\x9b x\n";
    let whole = normalize(input);
    assert_eq!(run(vte_only(DEFAULT_MAX_LINE_CHARS), &[input]), whole);
    let parts: Vec<&[u8]> = input.chunks(1).collect();
    assert_eq!(feed_split(&parts), whole);
}

#[test]
fn tab_with_long_style_terminates() {
    // A carried style longer than the byte limit leaves room for one character
    // per line; a tab must still end.
    let out = norm_max(
        b"\x1b[38:5:0;0;10m\x1b[38:5:10m\x1b[38;5;10;10m\x1b[38:5::0;1;100m\x1b[38;2;;0;0m\t",
        2,
    );
    assert_eq!(out.iter().map(|l| plain_text(l)).collect::<String>(), "  ");
}

#[test]
fn finish_resets() {
    let mut n = Normalizer::new();
    let mut out = Vec::new();
    n.feed(b"\x1b[31mpartial\x1b]0;unterminated", &mut out);
    assert!(out.is_empty());
    n.finish(&mut out);
    assert_eq!(out, vec!["\x1b[31mpartial\x1b[0m"]);
    n.feed(b"fresh\n", &mut out);
    assert_eq!(out.last().map(String::as_str), Some("fresh"));
    // Nothing pending: nothing pushed.
    let before = out.len();
    n.finish(&mut out);
    assert_eq!(out.len(), before);
}

#[test]
fn many_styles_on_overwritten_line() {
    let mut v = b"x\r".to_vec();
    for i in 0..200u16 {
        v.extend_from_slice(format!("\x1b[38;5;{}m#", i).as_bytes());
    }
    let out = normalize(&v);
    assert_eq!(out.len(), 1);
    assert_eq!(plain_text(&out[0]).chars().count(), 200);
}

#[test]
fn plain_text_strips_sgr() {
    assert_eq!(
        plain_text("\x1b[1;31mred\x1b[0m and \x1b[mplain"),
        "red and plain"
    );
    assert_eq!(plain_text("a\x1bb"), "ab");
}
