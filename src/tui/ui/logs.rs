//! The log pane: the selected session's lines with their colors, following the newest
//! unless the user scrolled up. The loop converts the lines a frame shows before drawing it
//! ([`App::convert_shown_logs`]): drawing parses nothing and builds only the rows on
//! screen, borrowing their text.

use std::borrow::Cow;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};
use unicode_width::UnicodeWidthChar;

use super::theme::Theme;
use crate::logs::LogEntry;
use crate::logs::search::{Pattern, highlight};
use crate::tui::app::{App, Focus, Mode};
use crate::tui::logtools::{Prompt, ViewItem};

/// The rows `entry` takes in a pane `width` columns wide: one, or as many as wrapping needs;
/// `marks` highlights the matches of the search or filter on a line.
fn entry_rows<'a>(
    entry: &'a LogEntry,
    theme: Theme,
    wrap: bool,
    width: usize,
    marks: &Marks<'_>,
    stamps: Option<&jiff::tz::TimeZone>,
) -> Vec<Line<'a>> {
    let (mut line, mut columns) = match entry {
        LogEntry::Line(l) if theme.mono() => {
            let text = l.plain();
            (marks.apply(Line::raw(text.clone()), &text), l.width())
        }
        LogEntry::Line(l) => (marks.apply(l.line(), &l.plain()), l.width()),
        LogEntry::Gap(n) => marker(gap_text(*n), theme),
        LogEntry::StreamBroke(why) => marker(
            format!(
                "\u{22ef} log stream broke ({why}); following again, lines written meanwhile may be missing \u{22ef}"
            ),
            theme,
        ),
    };
    if let (Some(tz), LogEntry::Line(l)) = (stamps, entry) {
        let stamp = format!("{} ", clock(l.arrived(), tz));
        columns += stamp.len();
        line.spans.insert(0, Span::styled(stamp, theme.dim()));
    }
    if wrap && columns > width {
        wrap_line(line, width)
    } else {
        vec![line]
    }
}

/// What to highlight on a line: the search's matches (the current one stronger), or the
/// filter's on a line it kept.
struct Marks<'p> {
    search: Option<&'p Pattern>,
    filter: Option<&'p Pattern>,
    current: bool,
    theme: Theme,
}

impl Marks<'_> {
    fn apply<'a>(&self, line: Line<'a>, text: &str) -> Line<'a> {
        let (pattern, style) = match (self.search, self.filter) {
            (Some(p), _) => (p, self.theme.search_match(self.current)),
            (None, Some(p)) => (p, self.theme.filter_match()),
            (None, None) => return line,
        };
        let ranges = pattern.ranges(text);
        highlight(line, &ranges, style)
    }
}

/// `HH:MM:SS.mmm` of `at` in `tz`, as the pane shows a line's time.
pub fn clock(at: jiff::Timestamp, tz: &jiff::tz::TimeZone) -> String {
    let t = at.to_zoned_datetime(tz.clone()).time();
    format!(
        "{:02}:{:02}:{:02}.{:03}",
        t.hour(),
        t.minute(),
        t.second(),
        t.millisecond()
    )
}

fn gap_text(missed: u64) -> String {
    let noun = if missed == 1 { "line" } else { "lines" };
    format!("\u{22ef} {missed} {noun} skipped (output too fast) \u{22ef}")
}

fn marker(text: String, theme: Theme) -> (Line<'static>, usize) {
    let line = Line::from(Span::styled(text, theme.marker()));
    let columns = line.width();
    (line, columns)
}

/// Draws the log pane into `area`.
pub fn render(app: &App, theme: Theme, frame: &mut Frame, area: Rect) {
    let log = &app.log;
    let name = if log.merged.is_empty() {
        match (&log.id, &log.pane) {
            (Some(id), Some(at)) => format!("{id} · {}", app.tree.describe(id, at)),
            (Some(id), None) => id.to_string(),
            (None, _) => "no session".to_string(),
        }
    } else {
        let n = log.merged.len();
        format!(
            "merged: {n} session{} ({} back)",
            if n == 1 { "" } else { "s" },
            app.keymap.hint(crate::tui::keys::Action::MergedLog)
        )
    };
    let mut title = vec![Span::styled(format!(" logs · {name} "), theme.title())];
    if log.id.is_some() && log.note.is_none() {
        if log.follow {
            title.push(Span::styled("· following ", theme.dim()));
        } else {
            title.push(Span::styled(
                format!("· paused ↑{} (f follows) ", log.scroll),
                theme.note(),
            ));
        }
    }
    if log.wrap {
        title.push(Span::styled("· wrap ", theme.dim()));
    }
    if log.timestamps {
        title.push(Span::styled("· time ", theme.dim()));
    }
    if let Some(since) = log.since.label() {
        title.push(Span::styled(format!("· {since} "), theme.note()));
    }
    title.extend(tools_title(app, theme));
    let border = if app.focus == Focus::Logs {
        theme.focused_border()
    } else {
        theme.border()
    };
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(border)
        .title(Line::from(title));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let height = usize::from(inner.height);
    if height == 0 || inner.width == 0 {
        return;
    }
    let mut note_rows = 0;
    let mut lines: Vec<Line<'_>> = Vec::new();
    if log.buffer.is_empty() || (tools_empty(app) && log.note.is_none()) {
        let text = if let Some(n) = &log.note {
            n.clone()
        } else if log.loading {
            "loading…".to_string()
        } else if log.id.is_none() {
            "select a session to see its log".to_string()
        } else if tools_empty(app) {
            format!(
                "no line matches the filter {:?} ({} clears it)",
                log.tools.filter.text,
                app.keymap.hint(crate::tui::keys::Action::ClearLogTools)
            )
        } else {
            "(no output yet)".to_string()
        };
        frame.render_widget(
            Paragraph::new(Span::styled(text, theme.dim())).wrap(Wrap { trim: false }),
            inner,
        );
        return;
    }
    if log.note.is_some() && log.scroll == 0 {
        note_rows = 1;
    }
    let rows = height - note_rows.min(height);
    // The window: the lines that fill `rows` screen rows, ending `scroll` lines above the
    // newest. Wrapping is done here, not by the paragraph, so the rows a line takes are
    // known exactly and the newest line is always the last row shown.
    let tools = &log.tools;
    let len = tools.view_len(&log.buffer);
    let width = usize::from(inner.width);
    let search = tools.search.pattern.as_ref();
    let filter = tools
        .filter
        .filter
        .as_ref()
        .filter(|f| !f.invert)
        .map(|f| &f.pattern);
    let tz = log.timestamps.then(jiff::tz::TimeZone::system);
    let screen_rows = |i: usize| -> Vec<Line<'_>> {
        match tools.view_item(&log.buffer, i) {
            Some(ViewItem::Entry {
                entry,
                seq,
                matched,
            }) => {
                let marks = Marks {
                    search,
                    filter: filter.filter(|_| matched),
                    current: tools.search.current == Some(seq),
                    theme,
                };
                entry_rows(entry, theme, log.wrap, width, &marks, tz.as_ref())
            }
            Some(ViewItem::Separator) => vec![Line::from(Span::styled("--", theme.dim()))],
            None => Vec::new(),
        }
    };
    if log.scroll > 0 && log.scroll >= len.saturating_sub(rows) {
        // Scrolled to the top: the first page, line 1 on the top row and the pane full
        // below it (counting back from the end would show line 1 alone).
        for i in 0..len {
            if lines.len() >= rows {
                break;
            }
            lines.extend(screen_rows(i));
        }
        lines.truncate(rows);
    } else {
        let end = len.saturating_sub(log.scroll);
        let start = end.saturating_sub(rows);
        let mut used = 0;
        let mut window: Vec<Vec<Line<'_>>> = Vec::new();
        for i in (start..end).rev() {
            let line_rows = screen_rows(i);
            let cost = line_rows.len().max(1);
            if used + cost > rows && !window.is_empty() {
                break;
            }
            used += cost;
            window.push(line_rows);
        }
        lines.extend(window.into_iter().rev().flatten());
        // The oldest line of the window may not fit whole: its first rows go.
        lines.drain(..used.saturating_sub(rows).min(lines.len()));
    }
    if let Some(n) = &log.note
        && note_rows == 1
    {
        lines.push(Line::from(Span::styled(format!("── {n} ──"), theme.note())));
    }
    frame.render_widget(Paragraph::new(Text::from(lines)), inner);
}

/// Whether a filter is on and shows nothing (yet) of a log that has lines.
fn tools_empty(app: &App) -> bool {
    let t = &app.log.tools;
    t.filter.is_on() && t.filter.rows.is_empty() && !app.log.buffer.is_empty()
}

/// The title's part about the search and the filter: `search: PATTERN K/N`, `filter: !X
/// K of N lines · context 2`, with a cursor while one is typed.
fn tools_title(app: &App, theme: Theme) -> Vec<Span<'static>> {
    let tools = &app.log.tools;
    let typing = |p: Prompt| app.mode == Mode::LogPrompt(p);
    let mut out = Vec::new();
    let f = &tools.filter;
    if f.is_on() || typing(Prompt::Filter) {
        let (kept, read) = f.counts(&app.log.buffer);
        let mut text = format!("· filter: {}", f.text);
        if typing(Prompt::Filter) {
            text.push('\u{258f}');
        }
        if f.is_on() {
            text.push_str(&format!(" {kept} of {read} lines"));
            if f.filter.as_ref().is_some_and(|x| x.pattern.is_literal()) {
                text.push_str(" (text)");
            }
            if f.context > 0 {
                text.push_str(&format!(" · context {}", f.context));
            }
        }
        text.push(' ');
        out.push(Span::styled(text, theme.note()));
    }
    let s = &tools.search;
    if s.is_on() || typing(Prompt::Search) {
        let (k, n) = s.position();
        let mut text = format!("· search: {}", s.text);
        if typing(Prompt::Search) {
            text.push('\u{258f}');
        }
        if s.is_on() {
            text.push_str(&format!(" {k}/{n}"));
            if s.pattern.as_ref().is_some_and(Pattern::is_literal) {
                text.push_str(" (not a regex: as text)");
            }
        }
        text.push(' ');
        out.push(Span::styled(text, theme.note()));
    }
    out
}

/// Splits a styled line into rows of at most `width` columns, as a terminal wraps: at any
/// character, styles kept. Borrowed text stays borrowed.
fn wrap_line(line: Line<'_>, width: usize) -> Vec<Line<'_>> {
    let width = width.max(1);
    if line.width() <= width {
        return vec![line];
    }
    let style = line.style;
    let mut rows: Vec<Line<'_>> = Vec::new();
    let mut row: Vec<Span<'_>> = Vec::new();
    let mut used = 0;
    for span in line.spans {
        // Byte offset in the span where the piece on the current row starts.
        let mut from = 0;
        for (at, c) in span.content.char_indices() {
            let w = c.width().unwrap_or(0);
            if used + w > width && used > 0 {
                if at > from {
                    row.push(Span::styled(cut(&span.content, from, at), span.style));
                }
                rows.push(Line::from(std::mem::take(&mut row)).style(style));
                used = 0;
                from = at;
            }
            used += w;
        }
        if span.content.len() > from {
            let end = span.content.len();
            row.push(Span::styled(cut(&span.content, from, end), span.style));
        }
    }
    if !row.is_empty() {
        rows.push(Line::from(row).style(style));
    }
    rows
}

/// `text[from..to]`, borrowed from the same place as `text` when it is borrowed.
fn cut<'a>(text: &Cow<'a, str>, from: usize, to: usize) -> Cow<'a, str> {
    match text {
        Cow::Borrowed(s) => Cow::Borrowed(s.get(from..to).unwrap_or_default()),
        Cow::Owned(s) => Cow::Owned(s.get(from..to).unwrap_or_default().to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::style::{Color, Style};

    #[test]
    fn wraps_at_any_character_keeping_styles() {
        let red = Style::default().fg(Color::Red);
        let line = Line::from(vec![Span::styled("abcde", red), Span::raw("fgh")]);
        let rows = wrap_line(line, 3);
        let text: Vec<String> = rows.iter().map(ToString::to_string).collect();
        assert_eq!(text, ["abc", "def", "gh"]);
        assert_eq!(rows[1].spans[0].style, red);
        assert_eq!(rows[1].spans[1].style, Style::default());
        // Wide characters never straddle a row.
        let rows = wrap_line(Line::raw("a日本"), 2);
        let text: Vec<String> = rows.iter().map(ToString::to_string).collect();
        assert_eq!(text, ["a", "日", "本"]);
        assert_eq!(wrap_line(Line::raw(""), 5).len(), 1);
    }
}
