//! Searching log lines: the pattern a person types (smart case, a regex when it is one, else
//! the literal text), the `less`-style filter over it (`!` inverts), the context groups a
//! filter shows around each match, and the highlight of matches on a styled line.
//!
//! Matching always runs on a line's plain text, never on its escape sequences, so a pattern
//! can neither match inside a color code nor split one; the highlight is laid over the
//! line's own spans, which keep their colors outside the matches. The `regex` crate runs in
//! time linear in the text, so no pattern (`(a+)+$` included) can hang the screen.

use std::borrow::Cow;
use std::collections::VecDeque;
use std::ops::Range;

use ratatui::style::Style;
use ratatui::text::{Line, Span};
use regex::{Regex, RegexBuilder};

/// Largest compiled program a pattern may make; a larger one (`\w{1000}{1000}`) is refused
/// by the regex crate and searched for literally instead (or refused by the CLI).
const REGEX_SIZE_LIMIT: usize = 4 * 1024 * 1024;

/// Why a pattern cannot be used as a regex.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid regex {pattern:?}: {reason}")]
pub struct PatternError {
    /// The pattern as given.
    pub pattern: String,
    /// The regex crate's reason, on one line.
    pub reason: String,
}

/// A compiled search pattern. Smart case: a pattern without upper-case letters matches any
/// case, one with an upper-case letter matches exactly.
#[derive(Debug, Clone)]
pub struct Pattern {
    regex: Regex,
    source: String,
    literal: bool,
}

impl Pattern {
    /// The pattern as a regex when it is a valid one, else as literal text (see
    /// [`is_literal`](Self::is_literal)); `None` for an empty pattern, which matches nothing
    /// worth showing.
    pub fn lenient(text: &str) -> Option<Pattern> {
        if text.is_empty() {
            return None;
        }
        match Self::build(text, false) {
            Ok(p) => Some(p),
            Err(_) => Self::build(text, true).ok(),
        }
    }

    /// The pattern as a regex, refused when it is not a valid one; `Ok(None)` when empty.
    pub fn strict(text: &str) -> Result<Option<Pattern>, PatternError> {
        if text.is_empty() {
            return Ok(None);
        }
        Self::build(text, false).map(Some)
    }

    fn build(text: &str, literal: bool) -> Result<Pattern, PatternError> {
        let smart_insensitive = !text.chars().any(char::is_uppercase);
        let expr = if literal {
            Cow::Owned(regex::escape(text))
        } else {
            Cow::Borrowed(text)
        };
        RegexBuilder::new(&expr)
            .case_insensitive(smart_insensitive)
            .size_limit(REGEX_SIZE_LIMIT)
            .dfa_size_limit(REGEX_SIZE_LIMIT)
            .build()
            .map(|regex| Pattern {
                regex,
                source: text.to_string(),
                literal,
            })
            .map_err(|e| PatternError {
                pattern: text.to_string(),
                reason: one_line(&e.to_string()),
            })
    }

    /// The pattern as typed.
    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// Whether the pattern was not a valid regex and is searched for as literal text.
    pub fn is_literal(&self) -> bool {
        self.literal
    }

    /// Whether the plain text holds a match.
    pub fn is_match(&self, text: &str) -> bool {
        self.regex.is_match(text)
    }

    /// The byte ranges of the non-empty matches in `text`, in order (empty matches, as
    /// `a*` makes everywhere, have nothing to highlight).
    pub fn ranges(&self, text: &str) -> Vec<Range<usize>> {
        self.regex
            .find_iter(text)
            .filter(|m| !m.is_empty())
            .map(|m| m.range())
            .collect()
    }
}

/// The regex crate's multi-line error (it draws a caret under the pattern) as one line.
fn one_line(text: &str) -> String {
    text.lines()
        .map(str::trim)
        .rfind(|l| !l.is_empty() && !l.chars().all(|c| c == '^' || c == ' '))
        .unwrap_or("invalid")
        .trim_start_matches("error: ")
        .to_string()
}

/// A filter: the lines that match stay, or with `invert` the lines that do not.
#[derive(Debug, Clone)]
pub struct Filter {
    /// What a line is matched against.
    pub pattern: Pattern,
    /// Keep the lines that do not match.
    pub invert: bool,
}

impl Filter {
    /// A filter as typed in the pane: a leading `!` inverts it, the rest is a
    /// [`Pattern::lenient`]; `None` when nothing follows.
    pub fn parse(input: &str) -> Option<Filter> {
        let (invert, text) = match input.strip_prefix('!') {
            Some(rest) => (true, rest),
            None => (false, input),
        };
        Pattern::lenient(text).map(|pattern| Filter { pattern, invert })
    }

    /// Whether the line with this plain text stays.
    pub fn keeps(&self, text: &str) -> bool {
        self.pattern.is_match(text) != self.invert
    }
}

/// The lines of context a filter shows around each kept line, in the order `C` cycles
/// through them.
pub const CONTEXT_STEPS: [usize; 3] = [0, 2, 5];

/// The next step of [`CONTEXT_STEPS`] after `current` (back to 0 after the last).
pub fn next_context(current: usize) -> usize {
    CONTEXT_STEPS
        .iter()
        .copied()
        .find(|&c| c > current)
        .unwrap_or(0)
}

/// One row of a filtered view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Row {
    /// The line at this index; `matched` when the filter kept it (not context).
    Line {
        /// Index of the line in whatever the view was made over.
        index: u64,
        /// The filter kept it; false for a line shown as context.
        matched: bool,
    },
    /// `--` between two groups that are not next to each other.
    Separator,
}

/// The rows a filter shows: each kept line (`kept`, increasing indices) with up to `context`
/// lines before and after it, inside `first..end`, groups that do not touch split by a
/// [`Row::Separator`] (as `grep -C` prints them).
pub fn context_rows(kept: &[u64], first: u64, end: u64, context: usize) -> Vec<Row> {
    let c = u64::try_from(context).unwrap_or(u64::MAX);
    let mut rows = Vec::with_capacity(kept.len());
    // The first index not shown yet, once a group has been.
    let mut shown_to: Option<u64> = None;
    let mut k = 0;
    while k < kept.len() {
        let m = kept[k];
        k += 1;
        if m < first || m >= end || shown_to.is_some_and(|n| m < n) {
            continue;
        }
        let mut from = m.saturating_sub(c).max(first);
        if let Some(n) = shown_to {
            if from > n && context > 0 {
                rows.push(Row::Separator);
            }
            from = from.max(n);
        }
        rows.extend((from..m).map(|index| Row::Line {
            index,
            matched: false,
        }));
        rows.push(Row::Line {
            index: m,
            matched: true,
        });
        // The after-context, which a kept line inside it extends.
        let mut at = m + 1;
        let mut until = m.saturating_add(c).saturating_add(1).min(end);
        while at < until {
            let matched = kept.get(k) == Some(&at);
            if matched {
                k += 1;
                until = at.saturating_add(c).saturating_add(1).min(end);
            }
            rows.push(Row::Line { index: at, matched });
            at += 1;
        }
        shown_to = Some(at);
    }
    rows
}

/// What [`Grep`] gives out for a line pushed into it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GrepOut<T> {
    /// A line to print; `matched` when the filter kept it, else it is context.
    Line(T, bool),
    /// `--` between two groups.
    Separator,
}

/// The streaming form of [`context_rows`], for a log that is printed as it arrives: lines
/// go in one at a time, and what to print comes out as soon as it is known.
#[derive(Debug)]
pub struct Grep<T> {
    filter: Filter,
    context: usize,
    /// The last `context` lines not printed, for the next match's before-context.
    before: VecDeque<T>,
    /// Lines still owed as after-context of the last match.
    after: usize,
    /// Whether anything has been printed (a separator goes only between groups).
    printed: bool,
    /// Whether a line was skipped since the last one printed.
    skipped: bool,
}

impl<T> Grep<T> {
    /// Filters with `filter`, printing `context` lines around each kept line.
    pub fn new(filter: Filter, context: usize) -> Self {
        Grep {
            filter,
            context,
            before: VecDeque::new(),
            after: 0,
            printed: false,
            skipped: false,
        }
    }

    /// Takes the next line (`text` is its plain text) and returns what to print now.
    pub fn push(&mut self, line: T, text: &str) -> Vec<GrepOut<T>> {
        let mut out = Vec::new();
        if self.filter.keeps(text) {
            if self.printed && self.skipped && self.context > 0 {
                out.push(GrepOut::Separator);
            }
            out.extend(self.before.drain(..).map(|l| GrepOut::Line(l, false)));
            out.push(GrepOut::Line(line, true));
            self.after = self.context;
            self.printed = true;
            self.skipped = false;
        } else if self.after > 0 {
            self.after -= 1;
            out.push(GrepOut::Line(line, false));
        } else if self.context > 0 {
            if self.before.len() == self.context {
                self.before.pop_front();
                self.skipped = true;
            }
            self.before.push_back(line);
        } else {
            self.skipped = true;
        }
        out
    }
}

/// Lays `hl` over the parts of `line` in `ranges` (byte ranges of the line's plain text,
/// which its spans spell out in order), splitting spans only at match boundaries: the rest
/// of every span keeps its own style. Ranges that are not on character boundaries of the
/// text are ignored rather than splitting a character.
pub fn highlight<'a>(line: Line<'a>, ranges: &[Range<usize>], hl: Style) -> Line<'a> {
    if ranges.is_empty() {
        return line;
    }
    let style = line.style;
    let alignment = line.alignment;
    let mut spans: Vec<Span<'a>> = Vec::with_capacity(line.spans.len() + 2 * ranges.len());
    // Offset of the current span's start in the plain text.
    let mut offset = 0;
    let mut r = 0;
    for span in line.spans {
        let len = span.content.len();
        let span_end = offset + len;
        let mut from = 0;
        while from < len {
            // Skip ranges that end before this piece.
            while r < ranges.len() && ranges[r].end <= offset + from {
                r += 1;
            }
            let Some(range) = ranges.get(r) else {
                break;
            };
            if range.start >= span_end {
                break;
            }
            let start = range.start.saturating_sub(offset).max(from);
            let end = (range.end - offset).min(len);
            if !span.content.is_char_boundary(start) || !span.content.is_char_boundary(end) {
                r += 1;
                continue;
            }
            if start > from {
                spans.push(Span::styled(piece(&span.content, from, start), span.style));
            }
            spans.push(Span::styled(
                piece(&span.content, start, end),
                span.style.patch(hl),
            ));
            from = end;
        }
        if from < len {
            spans.push(Span::styled(piece(&span.content, from, len), span.style));
        }
        offset = span_end;
    }
    let mut out = Line::from(spans).style(style);
    out.alignment = alignment;
    out
}

/// `text[from..to]`, borrowed from the same place as `text` when it is borrowed.
fn piece<'a>(text: &Cow<'a, str>, from: usize, to: usize) -> Cow<'a, str> {
    match text {
        Cow::Borrowed(s) => Cow::Borrowed(s.get(from..to).unwrap_or_default()),
        Cow::Owned(s) => Cow::Owned(s.get(from..to).unwrap_or_default().to_string()),
    }
}

#[cfg(test)]
mod tests;
