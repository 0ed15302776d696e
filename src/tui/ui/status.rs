//! The status bar: the last result (or an operation in flight), backend health, and key
//! hints.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

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
        let mut spans = Vec::new();
        if let Some(b) = app.busy.last() {
            spans.push(Span::styled(format!("⟳ {b}  "), theme.note()));
        } else if let Some((msg, level)) = &app.message {
            let style = if *level == Level::Error {
                theme.error()
            } else {
                Style::default()
            };
            spans.push(Span::styled(format!("{msg}  "), style));
        }
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
        let msg_width: usize = spans.iter().map(|s| s.width()).sum();
        let [left_area, right_area] = Layout::horizontal([
            Constraint::Length(
                u16::try_from(msg_width)
                    .unwrap_or(u16::MAX)
                    .min(top.width / 2 + top.width / 4),
            ),
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
