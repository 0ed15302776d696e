//! Overlays: the help table generated from the keymap, and the confirm question.

use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use super::theme::Theme;
use crate::model::SessionId;
use crate::tui::app::{App, Confirm};
use crate::tui::keys::ACTIONS;

fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let [v] = Layout::vertical([Constraint::Length(height.min(area.height))])
        .flex(Flex::Center)
        .areas(area);
    let [h] = Layout::horizontal([Constraint::Length(width.min(area.width))])
        .flex(Flex::Center)
        .areas(v);
    h
}

/// The help overlay: every action with its keys.
pub fn help(app: &App, theme: Theme, frame: &mut Frame, area: Rect) {
    let mut lines = Vec::new();
    for (action, _, text, _) in ACTIONS {
        let keys: Vec<String> = app
            .keymap
            .keys_of(*action)
            .iter()
            .map(ToString::to_string)
            .collect();
        lines.push(Line::from(vec![
            Span::styled(format!("{:>14}  ", keys.join(" ")), theme.key()),
            Span::raw(*text),
        ]));
    }
    lines.push(Line::raw(""));
    lines.push(Line::from(Span::styled(
        "mouse wheel scrolls the log · ◆ marks config sessions · Esc or ? closes",
        theme.dim(),
    )));
    let height = u16::try_from(lines.len() + 2).unwrap_or(u16::MAX);
    let rect = centered(area, 78, height);
    frame.render_widget(Clear, rect);
    frame.render_widget(
        Paragraph::new(lines).wrap(Wrap { trim: false }).block(
            Block::default()
                .borders(Borders::ALL)
                .border_style(theme.focused_border())
                .title(Span::styled(" muxdeck keys ", theme.title())),
        ),
        rect,
    );
}

/// The confirm question naming the exact session.
pub fn confirm(what: Confirm, id: &SessionId, theme: Theme, frame: &mut Frame, area: Rect) {
    let question = format!("{} {id}?", what.verb());
    let detail = match what {
        Confirm::Stop => "Interrupts its programs and waits for them to exit.",
        Confirm::Kill => "Kills it at once: no time to clean up.",
        Confirm::Remove => "Deletes the container and its logs.",
    };
    let width = u16::try_from(question.chars().count().max(detail.len()) + 4).unwrap_or(u16::MAX);
    let rect = centered(area, width.max(30), 6);
    let lines = vec![
        Line::from(Span::styled(question, theme.title())),
        Line::from(Span::styled(detail, theme.dim())),
        Line::raw(""),
        Line::from(vec![
            Span::styled("y", theme.key()),
            Span::raw(" yes   "),
            Span::styled("n", theme.key()),
            Span::raw(" no"),
        ]),
    ];
    frame.render_widget(Clear, rect);
    frame.render_widget(
        Paragraph::new(lines).wrap(Wrap { trim: false }).block(
            Block::default()
                .borders(Borders::ALL)
                .border_style(theme.error())
                .title(" confirm "),
        ),
        rect,
    );
}
