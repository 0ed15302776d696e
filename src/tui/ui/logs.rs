//! The log pane: the selected session's lines with their colors, following the newest
//! unless the user scrolled up. Lines arrive already styled (converted once, when they were
//! pushed): drawing parses nothing and builds only the rows on screen, borrowing their text.

use std::borrow::Cow;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};
use unicode_width::UnicodeWidthChar;

use super::theme::Theme;
use crate::logs::LogEntry;
use crate::tui::app::{App, Focus};

/// The rows `entry` takes in a pane `width` columns wide: one, or as many as wrapping needs.
fn entry_rows(entry: &LogEntry, theme: Theme, wrap: bool, width: usize) -> Vec<Line<'_>> {
    let (line, columns) = match entry {
        LogEntry::Line(l) if theme.mono() => (Line::raw(l.text()), l.width()),
        LogEntry::Line(l) => (l.line(), l.width()),
        LogEntry::Gap(n) => marker(gap_text(*n), theme),
        LogEntry::StreamBroke(why) => marker(
            format!(
                "\u{22ef} log stream broke ({why}); following again, lines written meanwhile may be missing \u{22ef}"
            ),
            theme,
        ),
    };
    if wrap && columns > width {
        wrap_line(line, width)
    } else {
        vec![line]
    }
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
    let name = log
        .id
        .as_ref()
        .map_or_else(|| "no session".to_string(), ToString::to_string);
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
    if log.buffer.is_empty() {
        let text = if let Some(n) = &log.note {
            n.clone()
        } else if log.loading {
            "loading…".to_string()
        } else if log.id.is_none() {
            "select a session to see its log".to_string()
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
    let len = log.buffer.len();
    let width = usize::from(inner.width);
    let screen_rows = |i: usize| -> Vec<Line<'_>> {
        log.buffer
            .get(i)
            .map(|entry| entry_rows(entry, theme, log.wrap, width))
            .unwrap_or_default()
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
