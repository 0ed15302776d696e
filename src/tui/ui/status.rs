//! The status bar: the last result (or an operation in flight), backend health, and key
//! hints.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use unicode_width::UnicodeWidthStr;

use super::theme::Theme;
use crate::engine::Source;
use crate::tui::app::{App, Level, Mode};
use crate::tui::keys::Action;

/// Draws the two status rows (only the hints when there is one row).
pub fn render(app: &App, sources: &[Source], theme: Theme, frame: &mut Frame, area: Rect) {
    let [top, bottom] = if area.height >= 2 {
        Layout::vertical([Constraint::Length(1), Constraint::Length(1)]).areas(area)
    } else {
        [Rect::new(area.x, area.y, area.width, 0), area]
    };
    if top.height > 0 {
        let health = app.health_line(sources);
        let mut right = Vec::new();
        for (i, (text, ok)) in health.into_iter().enumerate() {
            if i > 0 {
                right.push(Span::styled(" · ", theme.dim()));
            }
            right.push(Span::styled(
                text,
                if ok { theme.dim() } else { theme.error() },
            ));
        }
        let health_width: usize = right.iter().map(Span::width).sum();
        // The message may use the row but for a glimpse of the health (at most 30 columns)
        // and two spaces; what does not fit ends in `…` rather than running into it.
        let room = usize::from(top.width)
            .saturating_sub(health_width.min(30))
            .saturating_sub(2);
        let (text, style) = if let Some(b) = app.busy.last() {
            (format!("⟳ {b}"), theme.note())
        } else if let Some((msg, level)) = &app.message {
            let style = if *level == Level::Error {
                theme.error()
            } else {
                Style::default()
            };
            (msg.clone(), style)
        } else {
            (String::new(), Style::default())
        };
        let text = fit(&text, room);
        let msg_width = if text.is_empty() { 0 } else { text.width() + 2 };
        let spans = vec![Span::styled(text, style)];
        let [left_area, right_area] = Layout::horizontal([
            Constraint::Length(u16::try_from(msg_width).unwrap_or(u16::MAX)),
            Constraint::Fill(1),
        ])
        .areas(top);
        frame.render_widget(Paragraph::new(Line::from(spans)), left_area);
        frame.render_widget(
            Paragraph::new(Line::from(right)).alignment(ratatui::layout::Alignment::Right),
            right_area,
        );
    }
    let km = &app.keymap;
    let hints: Vec<(String, &str)> = match &app.mode {
        Mode::Filter => vec![("Enter".into(), "keep filter"), ("Esc".into(), "clear")],
        Mode::Confirm(..) => vec![("y".into(), "yes"), ("n".into(), "no")],
        Mode::Help => vec![("Esc".into(), "close help")],
        Mode::Normal => vec![
            (km.hint(Action::Attach), "attach"),
            (km.hint(Action::Start), "start"),
            (km.hint(Action::Stop), "stop"),
            (km.hint(Action::Restart), "restart"),
            (km.hint(Action::Filter), "filter"),
            (km.hint(Action::Help), "help"),
            (km.hint(Action::Quit), "quit"),
        ],
    };
    let mut spans = Vec::new();
    for (key, what) in hints {
        spans.push(Span::styled(key, theme.key()));
        spans.push(Span::raw(format!(" {what}  ")));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), bottom);
}

use ratatui::style::Style;

/// `text` cut to `width` columns, ending in `…` when it had to be cut.
fn fit(text: &str, width: usize) -> String {
    if text.width() <= width {
        return text.to_string();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if used + w + 1 > width {
            break;
        }
        used += w;
        out.push(c);
    }
    out.push('…');
    out
}
