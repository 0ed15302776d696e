//! A normalized log line converted into what the screen draws, packed small.
//!
//! ansi-to-tui is the one converter from ANSI text to ratatui styles; it runs here, once per
//! line ([`super::LogLine`] decides when, and keeps the result in place of the raw text), so
//! drawing a frame never parses a line it has drawn before. A full pane holds 100 000 of
//! these, so the result is packed into one allocation: the plain text, then one run per
//! change of style, each run its start and its style's number in the shared
//! [`palette`](super::palette), written in 7-bit digits (two bytes a run for a usual line,
//! where a ratatui `Style` alone is 16 bytes). Digits below 0x80 keep the whole valid UTF-8,
//! so the text is a plain `&str` slice of it.

use ansi_to_tui::IntoText as _;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use unicode_width::UnicodeWidthStr;

use super::normalize::plain_text;
use super::palette::{self, Palette};

/// A log line ready to draw: its plain text and the styles over it, parsed from its SGR
/// sequences when it was made. It holds no escape sequence ([`super::sgr`] writes them
/// again when a pane is saved with its colors).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StyledLine {
    repr: Repr,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Repr {
    /// `data` is the text (`text_len` bytes); then, when the line has styles, one byte
    /// giving how many 7-bit digits a style number takes, and the runs: each its start
    /// (as many digits as `text_len` needs) and its style's number. Text before the first
    /// run has the default style.
    Packed {
        data: Box<str>,
        text_len: u32,
        width: u32,
    },
    /// The palette was full: the runs keep their styles whole.
    Whole(Box<Whole>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Whole {
    text: Box<str>,
    runs: Box<[(u32, Style)]>,
    width: usize,
}

impl StyledLine {
    /// Converts one normalized line (printable text and SGR sequences) with ansi-to-tui.
    /// A line without escapes keeps its allocation as the text.
    pub fn from_ansi(line: String) -> Self {
        if !line.bytes().any(|b| matches!(b, b'\x1b' | b'\r' | b'\n')) {
            return Self::unstyled(line);
        }
        match line.as_bytes().to_text() {
            Ok(parsed) => {
                let spans = parsed.lines.iter().flat_map(|l| l.spans.iter());
                Self::from_spans(spans, &mut palette::shared())
            }
            // ansi-to-tui reports only what it cannot decode; show the text without styles.
            Err(_) => Self::unstyled(plain_text(&line)),
        }
    }

    fn unstyled(text: String) -> Self {
        let width = text.width();
        match (u32::try_from(text.len()), u32::try_from(width)) {
            (Ok(text_len), Ok(width)) => StyledLine {
                repr: Repr::Packed {
                    data: text.into_boxed_str(),
                    text_len,
                    width,
                },
            },
            _ => Self::whole(text, Vec::new()),
        }
    }

    fn whole(text: String, runs: Vec<(u32, Style)>) -> Self {
        StyledLine {
            repr: Repr::Whole(Box::new(Whole {
                width: text.width(),
                text: text.into_boxed_str(),
                runs: runs.into_boxed_slice(),
            })),
        }
    }

    fn from_spans<'a>(
        spans: impl Iterator<Item = &'a Span<'a>> + Clone,
        palette: &mut Palette,
    ) -> Self {
        let spans = spans.filter(|s| !s.content.is_empty());
        let mut runs: Vec<(u32, Style)> = Vec::new();
        let mut text_len = 0usize;
        for span in spans.clone() {
            let current = runs.last().map_or_else(Style::default, |r| r.1);
            // Lines are split long before 4 GiB by the normalizer.
            if span.style != current
                && let Ok(start) = u32::try_from(text_len)
            {
                runs.push((start, span.style));
            }
            text_len += span.content.len();
        }
        let numbers: Option<Vec<u32>> = runs.iter().map(|r| palette.intern(r.1)).collect();
        let text = || {
            spans
                .clone()
                .map(|s| s.content.as_ref())
                .collect::<String>()
        };
        let (Some(numbers), Ok(len)) = (numbers, u32::try_from(text_len)) else {
            return Self::whole(text(), runs);
        };
        if runs.is_empty() {
            return Self::unstyled(text());
        }
        let start_digits = digits(len);
        let number_digits = digits(numbers.iter().copied().max().unwrap_or(0));
        let mut data =
            String::with_capacity(text_len + 1 + runs.len() * (start_digits + number_digits));
        for span in spans.clone() {
            data.push_str(&span.content);
        }
        put(&mut data, u32::try_from(number_digits).unwrap_or(0), 1);
        for (run, number) in runs.iter().zip(numbers) {
            put(&mut data, run.0, start_digits);
            put(&mut data, number, number_digits);
        }
        let width = u32::try_from(data.get(..text_len).unwrap_or_default().width());
        match width {
            Ok(width) => StyledLine {
                repr: Repr::Packed {
                    data: data.into_boxed_str(),
                    text_len: len,
                    width,
                },
            },
            Err(_) => Self::whole(text(), runs),
        }
    }

    /// The text without any style, as the user reads it.
    pub fn text(&self) -> &str {
        match &self.repr {
            Repr::Packed { data, text_len, .. } => data.get(..at(*text_len)).unwrap_or_default(),
            Repr::Whole(w) => &w.text,
        }
    }

    /// Columns the text takes on one row.
    pub fn width(&self) -> usize {
        match &self.repr {
            Repr::Packed { width, .. } => at(*width),
            Repr::Whole(w) => w.width,
        }
    }

    /// The line to draw, its spans borrowing the text (nothing is parsed or copied).
    pub fn line(&self) -> Line<'_> {
        match &self.repr {
            Repr::Packed { .. } => self.line_with(&palette::shared()),
            Repr::Whole(w) => spans(&w.text, w.runs.iter().copied()),
        }
    }

    /// As [`Self::line`], owning its text: for a line converted for one frame and dropped.
    pub fn into_line(self) -> Line<'static> {
        let spans: Vec<Span<'static>> = self
            .line()
            .spans
            .into_iter()
            .map(|s| Span::styled(s.content.into_owned(), s.style))
            .collect();
        Line::from(spans)
    }

    fn line_with(&self, palette: &Palette) -> Line<'_> {
        let Repr::Packed { data, text_len, .. } = &self.repr else {
            return self.line();
        };
        let text_len = at(*text_len);
        let text = data.get(..text_len).unwrap_or_default();
        let runs = data.as_bytes().get(text_len..).unwrap_or_default();
        let Some((&number_digits, runs)) = runs.split_first() else {
            return spans(text, std::iter::empty());
        };
        let start_digits = digits(u32::try_from(text_len).unwrap_or(u32::MAX));
        let size = start_digits + usize::from(number_digits);
        let runs = runs.chunks_exact(size.max(1)).map(|run| {
            let (start, number) = run.split_at(start_digits.min(run.len()));
            (get(start), palette.get(get(number)))
        });
        spans(text, runs)
    }
}

/// The spans of `text` cut where each run starts, each run's text in its style.
fn spans<'a>(text: &'a str, runs: impl Iterator<Item = (u32, Style)>) -> Line<'a> {
    let mut spans = Vec::new();
    let (mut from, mut style) = (0, Style::default());
    for (start, next) in runs {
        let start = at(start);
        if start > from {
            // Runs start where a span's text started, so on a character boundary.
            spans.push(Span::styled(
                text.get(from..start).unwrap_or_default(),
                style,
            ));
        }
        (from, style) = (start, next);
    }
    if text.len() > from {
        spans.push(Span::styled(text.get(from..).unwrap_or_default(), style));
    }
    Line::from(spans)
}

/// How many 7-bit digits `n` takes (at least one).
fn digits(n: u32) -> usize {
    let bits = 32 - n.leading_zeros() as usize;
    bits.div_ceil(7).max(1)
}

/// Appends `n` as `count` 7-bit digits, most significant first: ASCII, so `out` stays text.
fn put(out: &mut String, n: u32, count: usize) {
    for k in (0..count).rev() {
        let digit = n
            .checked_shr(u32::try_from(7 * k).unwrap_or(u32::MAX))
            .unwrap_or(0)
            & 0x7f;
        out.push(char::from(u8::try_from(digit).unwrap_or(0)));
    }
}

/// The number written by [`put`].
fn get(digits: &[u8]) -> u32 {
    digits
        .iter()
        .fold(0u32, |n, &d| (n << 7) | u32::from(d & 0x7f))
}

fn at(n: u32) -> usize {
    usize::try_from(n).unwrap_or(usize::MAX)
}

#[cfg(test)]
mod tests;
