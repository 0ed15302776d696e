//! The log pane: the selected session's lines with their colors, following the newest
//! unless the user scrolled up. Only the rows on screen are converted for drawing.

use ansi_to_tui::IntoText;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};
use unicode_width::UnicodeWidthStr;

use super::theme::Theme;
use crate::logs::plain_text;
use crate::tui::app::{App, Focus};

fn styled(line: &str, theme: Theme) -> Vec<Line<'static>> {
    if theme.mono() {
        return vec![Line::raw(plain_text(line))];
    }
    match line.into_text() {
        Ok(t) => t.lines,
        Err(_) => vec![Line::raw(plain_text(line))],
    }
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
        theme.dim()
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
    let mut lines: Vec<Line<'static>> = Vec::new();
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
    // The window: `rows` logical lines ending `scroll` lines above the newest.
    let end = log.buffer.len().saturating_sub(log.scroll);
    let start = end.saturating_sub(rows);
    let width = usize::from(inner.width);
    let mut used = 0;
    let mut window: Vec<&str> = Vec::new();
    for i in (start..end).rev() {
        let Some(l) = log.buffer.get(i) else { continue };
        let cost = if log.wrap {
            plain_text(l).width().div_ceil(width).max(1)
        } else {
            1
        };
        if used + cost > rows && !window.is_empty() {
            break;
        }
        used += cost;
        window.push(l);
    }
    for l in window.iter().rev() {
        lines.extend(styled(l, theme));
    }
    let mut skip_rows = 0u16;
    if log.wrap {
        skip_rows = u16::try_from(used.saturating_sub(rows)).unwrap_or(0);
    }
    if let Some(n) = &log.note
        && note_rows == 1
    {
        lines.push(Line::from(Span::styled(format!("── {n} ──"), theme.note())));
    }
    let mut p = Paragraph::new(Text::from(lines)).scroll((skip_rows, 0));
    if log.wrap {
        p = p.wrap(Wrap { trim: false });
    }
    frame.render_widget(p, inner);
}
