//! Drawing: a pure function of the app state (and the time, passed in) onto a frame. One
//! file per block of the screen.

mod details;
mod history;
mod list;
mod logs;
mod popup;
mod prompt;
mod status;
pub mod theme;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};

use theme::Theme;

use crate::engine::Source;
use crate::tui::app::{App, Hit, Mode};

/// Where each block goes for a screen of `area`.
#[derive(Debug, Clone, Copy)]
pub struct Areas {
    /// The session list.
    pub list: Rect,
    /// The log pane (zero height on tiny screens).
    pub logs: Rect,
    /// The details pane (zero size while closed).
    pub details: Rect,
    /// The status bar.
    pub status: Rect,
}

/// Splits the screen: list on top, logs below, status bar at the bottom. The status bar
/// takes a second message row when the last result needs it; the list gets the rows its
/// sessions need, up to two thirds of the rest, and the log pane what remains.
pub fn layout(area: Rect, app: &App, sources: &[Source]) -> Areas {
    let status_max = if area.height >= 12 {
        3
    } else if area.height >= 10 {
        2
    } else {
        1
    };
    let status_h = status::height(app, sources, area.width, status_max.min(area.height));
    let rest = area.height - status_h;
    let rows = app.row_count();
    let (list_h, logs_h) = if rest < 8 {
        (rest, 0)
    } else {
        let want = u16::try_from(rows + 3).unwrap_or(u16::MAX);
        let log_min = (rest / 3).max(5);
        let list_h = want.min(rest.saturating_sub(log_min)).max(4);
        (list_h, rest - list_h)
    };
    let [list, logs, status] = Layout::vertical([
        Constraint::Length(list_h),
        Constraint::Length(logs_h),
        Constraint::Length(status_h),
    ])
    .areas(area);
    let (logs, details) = split_details(logs, app.insight.details_open);
    Areas {
        list,
        logs,
        details,
        status,
    }
}

/// The width from which the details pane goes beside the log instead of above it.
const DETAILS_BESIDE: u16 = 100;

/// Room for the details pane, taken from the log's: beside it on a wide screen, above it
/// on a narrow one.
fn split_details(below: Rect, open: bool) -> (Rect, Rect) {
    if !open || below.height == 0 {
        return (below, Rect::new(below.x, below.y, 0, 0));
    }
    if below.width >= DETAILS_BESIDE {
        let [logs, details] =
            Layout::horizontal([Constraint::Percentage(55), Constraint::Fill(1)]).areas(below);
        (logs, details)
    } else {
        let [details, logs] =
            Layout::vertical([Constraint::Percentage(50), Constraint::Fill(1)]).areas(below);
        (logs, details)
    }
}

/// What is at screen cell (`x`, `y`) of a screen of `area` as [`render`] lays it out: a
/// list row (counted from the first visible one, [`App::list_top`]), a column header, a
/// pane, or nothing the mouse acts on. Overlays are not placed: the app closes them on a
/// click wherever it lands.
pub fn hit(app: &App, sources: &[Source], area: Rect, now: i64, x: u16, y: u16) -> Hit {
    let a = layout(area, app, sources);
    let inside = |r: Rect| x >= r.x && x < r.right() && y >= r.y && y < r.bottom();
    if inside(a.list) {
        // Border, header, the rows, border.
        let first_row = a.list.y + 2;
        if y == a.list.y + 1 && x > a.list.x && x + 1 < a.list.right() {
            return list::column_at(app, now, a.list, x).map_or(Hit::List, Hit::Header);
        }
        if y >= first_row && y + 1 < a.list.bottom() && x > a.list.x && x + 1 < a.list.right() {
            let row = app.list_top + usize::from(y - first_row);
            if row < app.row_count() {
                return Hit::Row(row);
            }
        }
        return Hit::List;
    }
    if a.logs.height > 0 && inside(a.logs) {
        return Hit::Logs;
    }
    Hit::Elsewhere
}

/// Draws one frame: the list, the log, the status bar and the overlay of the mode.
pub fn render(app: &App, sources: &[Source], now: i64, frame: &mut Frame) {
    let theme = Theme::from_config(&app.theme, app.mono);
    let area = frame.area();
    // The theme's text and background under everything; blocks color only what differs.
    frame.render_widget(
        ratatui::widgets::Block::default().style(theme.base_style()),
        area,
    );
    if area.width < 2 || area.height < 2 {
        return;
    }
    let a = layout(area, app, sources);
    list::render(app, now, theme, frame, a.list);
    if a.logs.height > 0 {
        logs::render(app, theme, frame, a.logs);
    }
    if a.details.height > 0 && a.details.width > 0 {
        details::render(app, now, theme, frame, a.details);
    }
    status::render(app, sources, theme, frame, a.status);
    match &app.mode {
        Mode::Help => popup::help(app, theme, frame, area),
        Mode::Messages => popup::messages(app, theme, frame, area),
        Mode::ConfirmMany(what, ids) => {
            popup::confirm_many((*what, ids), app, theme, frame, area);
        }
        Mode::Events => history::render(app, now, theme, frame, area),
        Mode::Prompt(ids) => prompt::render(app, ids, theme, frame, area),
        Mode::Confirm(what, id) => {
            popup::confirm((*what, id), &app.keymap, theme, frame, area);
        }
        Mode::ConfirmWrite(req) => popup::confirm_write(req, app, theme, frame, area),
        Mode::ConfirmCommand(name, id) => {
            popup::confirm_command(app, (name, id), theme, frame, area);
        }
        _ => {}
    }
}
