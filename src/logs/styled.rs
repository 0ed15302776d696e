//! A normalized log line converted once into what the screen draws.
//!
//! ansi-to-tui is the one converter from ANSI text to ratatui styles; it runs here, once per
//! line, so drawing a frame never parses a line it has drawn before. A [`LogLine`] is
//! converted the first time it is needed, not as it arrives: a flood pushes far more lines
//! than are ever on screen, and converting each on arrival (about 6 µs a colored line) cost
//! the event loop tens of milliseconds per batch, which keys then waited for. The result is kept compact: the plain text once,
//! and one style per run of equal style over it (none for an uncolored line), instead of a
//! ratatui `Line` of owned spans (one allocation per span) beside a copy of its text.

use std::borrow::Cow;
use std::cell::OnceCell;

use ansi_to_tui::IntoText as _;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use unicode_width::UnicodeWidthStr;

use super::normalize::plain_text;

/// A log line as the pane keeps it: the normalized text as it came, and its conversion,
/// made on first use and kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogLine {
    raw: String,
    styled: OnceCell<StyledLine>,
    /// When muxdeck first saw the line (what `t` shows before it).
    arrived: jiff::Timestamp,
}

impl LogLine {
    /// Keeps a normalized line (printable text and SGR sequences) for later conversion,
    /// stamped as arriving now.
    pub fn new(raw: String) -> Self {
        Self::arrived_at(raw, jiff::Timestamp::now())
    }

    /// As [`LogLine::new`], stamped as arriving at `at` (one stamp for a whole batch).
    pub fn arrived_at(raw: String, at: jiff::Timestamp) -> Self {
        LogLine {
            raw,
            styled: OnceCell::new(),
            arrived: at,
        }
    }

    /// When muxdeck first saw the line.
    pub fn arrived(&self) -> jiff::Timestamp {
        self.arrived
    }

    /// The converted line: converted by the first call, kept for every later one.
    pub fn styled(&self) -> &StyledLine {
        self.styled
            .get_or_init(|| StyledLine::from_ansi(self.raw.clone()))
    }

    /// The text without styles.
    pub fn text(&self) -> &str {
        self.styled().text()
    }

    /// Columns the text takes.
    pub fn width(&self) -> usize {
        self.styled().width()
    }

    /// The line as ratatui draws it.
    pub fn line(&self) -> Line<'_> {
        self.styled().line()
    }

    /// The normalized line as it came (printable text and SGR sequences), what `ansi`
    /// saves: kept beside the conversion anyway, so saving colors costs no memory and no
    /// re-encoding of styles back into escapes.
    pub fn raw(&self) -> &str {
        &self.raw
    }

    /// Appends [`Self::raw`] to `out`, with a reset after a line that sets any style:
    /// the pane draws every line from the default style, and in a file the next line
    /// must not inherit this one's colors.
    pub fn push_raw_closed(&self, out: &mut String) {
        out.push_str(&self.raw);
        if self.raw.contains('\x1b') {
            out.push_str("\x1b[0m");
        }
    }

    /// The text without styles, for matching, without converting the line: its converted
    /// text once there is one, else the normalized text with its SGR sequences taken out.
    pub fn plain(&self) -> Cow<'_, str> {
        match self.styled.get() {
            Some(s) => Cow::Borrowed(s.text()),
            None if !self.raw.contains('\x1b') => Cow::Borrowed(&self.raw),
            None => Cow::Owned(plain_text(&self.raw)),
        }
    }

    /// Whether the line has been converted (drawn or read) yet.
    pub fn is_converted(&self) -> bool {
        self.styled.get().is_some()
    }
}

/// A log line ready to draw: its plain text and the styles over it, parsed from its SGR
/// sequences when it was made. It cannot give back escape sequences: it holds none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StyledLine {
    text: Box<str>,
    /// Where each style starts in `text` (byte offset), in order; text before the first
    /// run has the default style, so an uncolored line has no run (and no allocation).
    runs: Box<[Run]>,
    width: usize,
}

/// A style and the byte offset it starts at. `u32` keeps a run at 20 bytes: lines are split
/// long before 4 GiB by the normalizer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Run {
    start: u32,
    style: Style,
}

impl StyledLine {
    /// Converts one normalized line (printable text and SGR sequences) with ansi-to-tui.
    /// A line without escapes keeps its allocation as the text.
    pub fn from_ansi(line: String) -> Self {
        if !line.bytes().any(|b| matches!(b, b'\x1b' | b'\r' | b'\n')) {
            return Self::plain(line);
        }
        match line.as_bytes().to_text() {
            Ok(parsed) => {
                Self::from_spans(parsed.lines.iter().flat_map(|l| l.spans.iter()), line.len())
            }
            // ansi-to-tui reports only what it cannot decode; show the text without styles.
            Err(_) => Self::plain(plain_text(&line)),
        }
    }

    fn plain(text: String) -> Self {
        let width = text.width();
        StyledLine {
            text: text.into_boxed_str(),
            runs: Box::default(),
            width,
        }
    }

    fn from_spans<'a>(spans: impl Iterator<Item = &'a Span<'a>>, capacity: usize) -> Self {
        let mut text = String::with_capacity(capacity);
        let mut runs: Vec<Run> = Vec::new();
        for span in spans.filter(|s| !s.content.is_empty()) {
            let current = runs.last().map_or_else(Style::default, |r| r.style);
            if span.style != current
                && let Ok(start) = u32::try_from(text.len())
            {
                runs.push(Run {
                    start,
                    style: span.style,
                });
            }
            text.push_str(&span.content);
        }
        let width = text.width();
        StyledLine {
            text: text.into_boxed_str(),
            runs: runs.into_boxed_slice(),
            width,
        }
    }

    /// The text without any style, as the user reads it.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Columns the text takes on one row.
    pub fn width(&self) -> usize {
        self.width
    }

    /// The line to draw, its spans borrowing the text (nothing is parsed or copied).
    pub fn line(&self) -> Line<'_> {
        let mut spans = Vec::with_capacity(self.runs.len() + 1);
        let first = self.runs.first().map_or(self.text.len(), |r| at(r.start));
        if first > 0 {
            spans.push(Span::raw(self.slice(0, first)));
        }
        for (i, run) in self.runs.iter().enumerate() {
            let end = self
                .runs
                .get(i + 1)
                .map_or(self.text.len(), |next| at(next.start));
            spans.push(Span::styled(self.slice(at(run.start), end), run.style));
        }
        Line::from(spans)
    }

    fn slice(&self, start: usize, end: usize) -> &str {
        // Runs start where a span's text started, so on a character boundary.
        self.text.get(start..end).unwrap_or_default()
    }
}

fn at(start: u32) -> usize {
    usize::try_from(start).unwrap_or(usize::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::style::{Color, Modifier};

    fn spans(l: &StyledLine) -> Vec<(String, Style)> {
        l.line()
            .spans
            .iter()
            .map(|s| (s.content.to_string(), s.style))
            .collect()
    }

    #[test]
    fn an_uncolored_line_is_its_text_with_no_run() {
        let l = StyledLine::from_ansi("plain 日本".to_string());
        assert_eq!(l.text(), "plain 日本");
        assert_eq!(l.width(), 10);
        assert!(l.runs.is_empty());
        assert_eq!(spans(&l), [("plain 日本".to_string(), Style::default())]);
        assert!(StyledLine::from_ansi(String::new()).line().spans.is_empty());
    }

    #[test]
    fn colors_become_runs_and_the_text_loses_its_escapes() {
        let l = StyledLine::from_ansi("a\x1b[1;31mred\x1b[0m\x1b[31m\x1b[0m b".to_string());
        assert_eq!(l.text(), "ared b");
        assert_eq!(l.width(), 6);
        let red = Style::default().fg(Color::Red).add_modifier(Modifier::BOLD);
        let got = spans(&l);
        assert_eq!(got[0], ("a".to_string(), Style::default()));
        assert_eq!(got[1], ("red".to_string(), red));
        assert_eq!(got[2].0, " b");
        assert_eq!(got.len(), 3, "{got:?}");
    }

    #[test]
    fn draws_what_ansi_to_tui_draws() {
        for raw in [
            "\x1b[31mred\x1b[0m plain",
            "\x1b[38;5;208morange\x1b[0m and \x1b[44mon blue\x1b[0m",
            "\x1b[2;33m\u{22ef} dim \x1b[1mbold\x1b[22m back\x1b[0m",
            "x\x1b[3mi\x1b[23m\x1b[3mi\x1b[0m",
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
        }
    }
}
