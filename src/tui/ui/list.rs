//! The session list: name, backend and location, state, pid or image, age. Columns drop
//! from the right as the terminal narrows.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Row, Table, TableState};

use unicode_width::UnicodeWidthStr;

use super::theme::Theme;
use crate::model::{Location, Session, format_age};
use crate::tui::app::{App, Focus};

fn pid_or_image(s: &Session) -> String {
    match &s.id.location {
        Location::Tmux { .. } => s.pid.map_or_else(|| "-".into(), |p| format!("pid {p}")),
        Location::Container { .. } => s.image.clone().unwrap_or_else(|| "-".into()),
    }
}

/// Draws the list into `area`.
pub fn render(app: &App, now: i64, theme: Theme, frame: &mut Frame, area: Rect) {
    let visible = app.visible();
    let w = area.width;
    let show_age = w >= 70;
    let show_info = w >= 56;
    let show_backend = w >= 36;
    let mut header = vec![Cell::from("NAME")];
    // The name column is as wide as the longest name (within limits), so the image column
    // gets the rest instead of a sea of blanks.
    let longest = visible
        .iter()
        .map(|s| s.id.name.width() + if s.from_config { 2 } else { 0 } + 1)
        .max()
        .unwrap_or(4)
        .max(4);
    let name_w = u16::try_from(longest)
        .unwrap_or(u16::MAX)
        .min(w * 2 / 5)
        .max(8);
    let mut widths = vec![Constraint::Length(name_w)];
    if show_backend {
        header.push(Cell::from("BACKEND"));
        widths.push(Constraint::Length(14));
    }
    header.push(Cell::from("STATE"));
    widths.push(Constraint::Length(11));
    if show_info {
        header.push(Cell::from("PID / IMAGE"));
        widths.push(Constraint::Fill(1));
    }
    if show_age {
        header.push(Cell::from("AGE"));
        widths.push(Constraint::Length(4));
    }
    let rows = visible.iter().map(|s| {
        let name = if s.from_config {
            Line::from(vec![
                Span::raw(s.id.name.clone()),
                Span::styled(" ◆", theme.dim()),
            ])
        } else {
            Line::from(s.id.name.clone())
        };
        let mut cells = vec![Cell::from(name)];
        if show_backend {
            cells.push(Cell::from(Span::styled(s.backend_label(), theme.dim())));
        }
        cells.push(Cell::from(Span::styled(
            s.state.to_string(),
            theme.state(s.state),
        )));
        if show_info {
            cells.push(Cell::from(pid_or_image(s)));
        }
        if show_age {
            cells.push(Cell::from(Span::styled(
                format_age(s.created, now),
                theme.dim(),
            )));
        }
        Row::new(cells)
    });
    // Say where the view is when the rows do not all fit.
    let room = usize::from(area.height.saturating_sub(3));
    let mut title = match app.selected_index() {
        Some(i) if visible.len() > room => format!(" sessions {}/{} ", i + 1, visible.len()),
        _ => format!(" sessions {} ", visible.len()),
    };
    if !app.filter.is_empty() || app.mode == crate::tui::app::Mode::Filter {
        title.push_str(&format!("· filter: {}", app.filter));
        if app.mode == crate::tui::app::Mode::Filter {
            title.push('▏');
        }
        title.push(' ');
    }
    let border = if app.focus == Focus::List {
        theme.focused_border()
    } else {
        theme.dim()
    };
    let table = Table::new(rows, widths)
        .header(Row::new(header).style(theme.title()))
        .column_spacing(1)
        .row_highlight_style(theme.selected())
        .block(
            Block::default()
                .borders(Borders::ALL)
                .border_style(border)
                .title(Span::styled(title, theme.title())),
        );
    let mut state = TableState::default().with_selected(app.selected_index());
    frame.render_stateful_widget(table, area, &mut state);
    if visible.is_empty() && area.height > 3 && area.width > 4 {
        let msg = if app.sessions.is_empty() {
            "no sessions yet: nothing runs in tmux or containers, and the config defines none"
        } else {
            "no session matches the filter (Esc clears it)"
        };
        let inner = Rect::new(area.x + 2, area.y + 2, area.width - 4, 1);
        frame.render_widget(Span::styled(msg, theme.dim()), inner);
    }
}
