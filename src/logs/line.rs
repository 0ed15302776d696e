//! A log line as the pane keeps it: the normalized text as it came until the line is first
//! drawn, then its conversion instead.
//!
//! Lines are not converted as they arrive: a flood pushes far more lines than are ever on
//! screen, and converting each on arrival (about 6 µs a colored line) cost the event loop
//! tens of milliseconds per batch, which keys then waited for. Once converted, the raw text
//! goes: a 100 000-line pane keeping both took twice the memory. The conversion is a `&mut`
//! step ([`LogLine::convert`]) that the loop takes for the lines a frame will show, before
//! drawing it; whoever draws a line not converted yet converts it for that frame only.

use std::borrow::Cow;

use ratatui::text::Line;
use unicode_width::UnicodeWidthStr;

use super::normalize::plain_text;
use super::sgr;
use super::styled::StyledLine;

/// One line of a session's output and when muxdeck first saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogLine {
    body: Body,
    /// When muxdeck first saw the line (what `t` shows before it).
    arrived: jiff::Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Body {
    /// Not converted yet: printable text and SGR sequences.
    Raw(Box<str>),
    /// Converted, for good.
    Styled(StyledLine),
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
            body: Body::Raw(raw.into_boxed_str()),
            arrived: at,
        }
    }

    /// When muxdeck first saw the line.
    pub fn arrived(&self) -> jiff::Timestamp {
        self.arrived
    }

    /// Converts the line if it is not yet, dropping its raw text; the conversion is kept
    /// for every later use ([`Self::styled`]).
    pub fn convert(&mut self) {
        if let Body::Raw(raw) = &mut self.body {
            let raw = std::mem::take(raw).into_string();
            self.body = Body::Styled(StyledLine::from_ansi(raw));
        }
    }

    /// The kept conversion, or `None` while the line has not been converted.
    pub fn styled(&self) -> Option<&StyledLine> {
        match &self.body {
            Body::Styled(s) => Some(s),
            Body::Raw(_) => None,
        }
    }

    /// Whether the line has been converted (and its raw text dropped).
    pub fn is_converted(&self) -> bool {
        matches!(self.body, Body::Styled(_))
    }

    /// The line as ratatui draws it: from the kept conversion, or converted for this call
    /// alone (correct, only slower) when the line was not converted before the frame.
    pub fn line(&self) -> Line<'_> {
        match &self.body {
            Body::Styled(s) => s.line(),
            Body::Raw(raw) => StyledLine::from_ansi(raw.to_string()).into_line(),
        }
    }

    /// Columns the text takes.
    pub fn width(&self) -> usize {
        match &self.body {
            Body::Styled(s) => s.width(),
            Body::Raw(_) => self.plain().width(),
        }
    }

    /// The text without styles, for matching, copying and plain saves, without converting
    /// the line: its converted text once there is one, else the raw text with its SGR
    /// sequences taken out.
    pub fn plain(&self) -> Cow<'_, str> {
        match &self.body {
            Body::Styled(s) => Cow::Borrowed(s.text()),
            Body::Raw(raw) if !raw.contains('\x1b') => Cow::Borrowed(raw),
            Body::Raw(raw) => Cow::Owned(plain_text(raw)),
        }
    }

    /// Appends the line with its colors as SGR sequences (what `logs: {save: ansi}`
    /// writes), ended by a reset when it leaves a style on: the pane draws every line from
    /// the default style, and in a file the next line must not inherit this one's colors.
    pub fn push_ansi_closed(&self, out: &mut String) {
        match &self.body {
            Body::Raw(raw) => {
                out.push_str(raw);
                if raw.contains('\x1b') {
                    sgr::push_reset(out);
                }
            }
            Body::Styled(s) => sgr::push_line(&s.line(), out),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn converting_drops_the_raw_text_and_keeps_one_conversion() {
        let mut l = LogLine::new("\x1b[31mred\x1b[0m plain".to_string());
        assert!(!l.is_converted());
        assert_eq!((l.plain().as_ref(), l.width()), ("red plain", 9));
        // Drawing before any conversion converts for that call alone.
        assert_eq!(l.line().spans[0].content, "red");
        assert!(l.styled().is_none());
        l.convert();
        let first = l.styled().map(|s| s.text().as_ptr());
        assert!(first.is_some() && l.is_converted());
        // Later conversions and draws keep that one: there is no raw text left to parse.
        l.convert();
        let _ = l.line();
        assert_eq!(l.styled().map(|s| s.text().as_ptr()), first);
        assert_eq!(first, Some(l.plain().as_ptr()));
        assert_eq!((l.plain().as_ref(), l.width()), ("red plain", 9));
        let spans = l.line().spans;
        assert_eq!(spans[0].content, "red");
        assert_eq!(spans[0].style.fg, Some(ratatui::style::Color::Red));
    }

    #[test]
    fn a_raw_line_saves_as_it_came_and_is_closed() {
        let mut out = String::new();
        LogLine::new("\x1b[1;32mopen".into()).push_ansi_closed(&mut out);
        LogLine::new("plain".into()).push_ansi_closed(&mut out);
        assert_eq!(out, "\x1b[1;32mopen\x1b[0mplain");
    }
}
