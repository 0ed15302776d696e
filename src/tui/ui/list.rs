//! The session list: name, backend and location, state, pid or image, ports, age. Columns
//! are as wide as their content; the state is always whole, and the other columns drop
//! from the right (ports first, then age, the pid or image, the backend) as the terminal
//! narrows.

use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Row, Table, TableState};

use unicode_width::UnicodeWidthStr;

use super::theme::Theme;
use crate::model::{Location, Session, format_age};
use crate::sort::SortKey;
use crate::stats::{format_cpu, format_memory};
use crate::tui::app::{App, Column, Focus, STATS_MIN_WIDTH};
use crate::tui::groups::Header;
use crate::tui::keys::Action;
use crate::tui::rows::Row as ListRow;

fn pid_or_image(s: &Session) -> String {
    match &s.id.location {
        Location::Tmux { .. } => s.pid.map_or_else(|| "-".into(), |p| format!("pid {p}")),
        Location::Container { .. } => s.image.clone().unwrap_or_else(|| "-".into()),
    }
}

fn ports(s: &Session) -> String {
    s.ports.join(", ")
}

/// Columns between cells: two, so a cell's own spaces never read as a column break.
const GAP: u16 = 2;
/// The narrowest the name column gets while other columns are shown.
const NAME_MIN: u16 = 8;
/// The narrowest the pid / image column is worth showing.
const INFO_MIN: u16 = 11;

/// Width of the CPU and MEM columns (`100%`, `1023M`).
const STAT_W: u16 = 6;

/// Which columns show, and how wide.
struct Columns {
    /// With hosts configured, the host's name first.
    host: Option<u16>,
    name: u16,
    backend: Option<u16>,
    state: u16,
    /// CPU and MEM, each [`STAT_W`] wide.
    stats: bool,
    info: bool,
    ports: Option<u16>,
    age: Option<u16>,
}

fn widest<'a>(
    header: &str,
    cells: impl Iterator<Item = &'a Session>,
    f: impl Fn(&Session) -> String,
) -> u16 {
    let w = cells
        .map(|s| f(s).width())
        .max()
        .unwrap_or(0)
        .max(header.width());
    u16::try_from(w).unwrap_or(u16::MAX)
}

/// Sizes the columns for `inner` columns of room: name and state first (the state whole),
/// then backend, pid / image, age and ports while they fit; the name then grows to its
/// longest, and the pid / image column takes what is left.
fn columns(app: &App, rows: &[ListRow], inner: u16, now: i64) -> Columns {
    let marks = &app.marks;
    let visible: Vec<&Session> = rows.iter().filter_map(session_row).collect();
    let visible = visible.as_slice();
    let it = || visible.iter().copied();
    let host = (!app.hosts.is_empty()).then(|| widest("HOST", it(), |s| s.id.host.to_string()));
    let indent = if app.grouping.on { MEMBER_INDENT } else { "" };
    let name_full = widest("NAME", it(), |s| {
        format!(
            "{indent}{}{}{}{}",
            if marks.contains(&s.id) { MARK } else { "" },
            if app.tree.is_open(&s.id) { OPEN } else { "" },
            s.id.name,
            if s.from_config { " ◆" } else { "" }
        )
    })
    .max(headers_widest(rows, header_name))
    .max(tree_width(rows));
    let state =
        widest("STATE", it(), |s| state_text(app, s)).max(headers_widest(rows, |h| h.summary()));
    let name_min = name_full.min(NAME_MIN.max(inner * 2 / 5));
    let mut used = name_min.saturating_add(GAP).saturating_add(state);
    if let Some(w) = host {
        used = used.saturating_add(w).saturating_add(GAP);
    }
    // In order, and none after the first that does not fit, so the columns go from the
    // right as the screen narrows.
    let mut full = false;
    let mut take = |w: u16| -> Option<u16> {
        let need = used.saturating_add(GAP).saturating_add(w);
        full = full || need > inner;
        (!full).then(|| {
            used = need;
            w
        })
    };
    let backend = take(widest("BACKEND", it(), Session::backend_label));
    let want_stats = !app.insight.stats_hidden && inner.saturating_add(2) >= STATS_MIN_WIDTH;
    let stats = want_stats && take(STAT_W * 2 + GAP).is_some();
    let info = take(INFO_MIN).is_some();
    let age = take(widest("AGE", it(), |s| format_age(s.created, now)));
    let port_w = widest("PORTS", it(), ports);
    let ports = if visible.iter().any(|s| !s.ports.is_empty()) {
        take(port_w)
    } else {
        None
    };
    let name = name_min
        .saturating_add(inner.saturating_sub(used))
        .min(name_full);
    Columns {
        host,
        name,
        backend,
        state,
        stats,
        info,
        ports,
        age,
    }
}

/// What a marked row's name starts with.
const MARK: &str = "● ";
/// What the name of a session unfolded into its windows and panes starts with.
const OPEN: &str = "▾ ";

/// What a group member's name starts with, under its header.
const MEMBER_INDENT: &str = "  ";

/// A header's name cell: the group's name and kind, `shop (compose)`.
fn header_name(h: &Header) -> String {
    format!("{} ({})", h.key.group.name, h.key.group.kind.as_str())
}

/// The widest text `f` makes of the rows' headers.
fn headers_widest(rows: &[ListRow], f: impl Fn(&Header) -> String) -> u16 {
    let w = rows
        .iter()
        .filter_map(|r| match r {
            ListRow::Header(h) => Some(f(h).width()),
            _ => None,
        })
        .max()
        .unwrap_or(0);
    u16::try_from(w).unwrap_or(u16::MAX)
}

/// The widest name cell of the window and pane rows (their branch glyphs and labels).
fn tree_width(rows: &[ListRow]) -> u16 {
    let w = rows.iter().map(|r| r.label().width()).max().unwrap_or(0);
    u16::try_from(w).unwrap_or(u16::MAX)
}

/// The session of a session row (not of a window, pane or header row).
fn session_row<'a>(r: &ListRow<'a>) -> Option<&'a Session> {
    match r {
        ListRow::Session { session, .. } => Some(session),
        _ => None,
    }
}

/// The columns shown in a list `area` wide, left to right: which, their header, and the
/// width each takes.
fn shown_columns(app: &App, rows: &[ListRow], area: Rect, now: i64) -> Vec<(Column, Constraint)> {
    let cols = columns(app, rows, area.width.saturating_sub(2), now);
    let mut out = Vec::new();
    if let Some(w) = cols.host {
        out.push((Column::Host, Constraint::Length(w)));
    }
    out.push((Column::Name, Constraint::Length(cols.name)));
    if let Some(w) = cols.backend {
        out.push((Column::Backend, Constraint::Length(w)));
    }
    out.push((Column::State, Constraint::Length(cols.state)));
    if cols.info {
        out.push((Column::Info, Constraint::Fill(1)));
    }
    if cols.stats {
        out.push((Column::Cpu, Constraint::Length(STAT_W)));
        out.push((Column::Mem, Constraint::Length(STAT_W)));
    }
    if let Some(w) = cols.ports {
        out.push((Column::Ports, Constraint::Length(w)));
    }
    if let Some(w) = cols.age {
        out.push((Column::Age, Constraint::Length(w)));
    }
    out
}

/// The header of a column.
fn header_text(c: Column) -> &'static str {
    match c {
        Column::Host => "HOST",
        Column::Name => "NAME",
        Column::Backend => "BACKEND",
        Column::State => "STATE",
        Column::Info => "PID / IMAGE",
        Column::Cpu => "CPU",
        Column::Mem => "MEM",
        Column::Ports => "PORTS",
        Column::Age => "AGE",
    }
}

/// The column at screen column `x` of the list drawn in `area`, as the table lays it out
/// (the gap after a column counts as that column's).
pub fn column_at(app: &App, now: i64, area: Rect, x: u16) -> Option<Column> {
    let rows = app.rows();
    let shown = shown_columns(app, &rows, area, now);
    let inner = Rect::new(area.x + 1, area.y, area.width.saturating_sub(2), 1);
    let rects = Layout::horizontal(shown.iter().map(|(_, w)| *w))
        .flex(Flex::Start)
        .spacing(GAP)
        .split(inner);
    shown
        .iter()
        .zip(rects.iter())
        .rev()
        .find(|(_, r)| x >= r.x)
        .filter(|_| x >= inner.x && x < inner.right())
        .map(|((c, _), _)| *c)
}

/// Draws the list into `area`.
pub fn render(app: &App, now: i64, theme: Theme, frame: &mut Frame, area: Rect) {
    let list_rows = app.rows();
    let shown = shown_columns(app, &list_rows, area, now);
    let has = |c: Column| shown.iter().any(|(s, _)| *s == c);
    let header: Vec<Cell> = shown
        .iter()
        .map(|(c, _)| Cell::from(sort_label(app, *c)))
        .collect();
    let widths: Vec<Constraint> = shown.iter().map(|(_, w)| *w).collect();
    let selected = app.selected_index();
    let room = usize::from(area.height.saturating_sub(3));
    let (first, end) = rows_in_view(list_rows.len(), app.list_top, selected, room);
    // Only the rows in view are made: a thousand rows of cells would cost more than the
    // rest of the frame.
    let rows = list_rows[first..end].iter().enumerate().map(|(i, row)| {
        let i = first + i;
        let (s, member) = match row {
            ListRow::Session { session, member } => (*session, *member),
            ListRow::Header(h) => return header_row(h, &shown, theme, Some(i) == selected),
            child => {
                let row = super::tree::row(child, &has, theme);
                return if Some(i) == selected {
                    row.style(theme.selected_text())
                } else {
                    row
                };
            }
        };
        let mut name = Vec::new();
        if member {
            name.push(Span::raw(MEMBER_INDENT));
        }
        if app.marks.contains(&s.id) {
            name.push(Span::styled(MARK, theme.key()));
        }
        if app.tree.is_open(&s.id) {
            name.push(Span::styled(OPEN, theme.dim()));
        }
        name.push(Span::raw(s.id.name.clone()));
        if s.from_config {
            name.push(Span::styled(" ◆", theme.dim()));
        }
        let name = Line::from(name);
        let stale = app.stale_since(&s.id.host).is_some();
        let mut cells = Vec::new();
        if has(Column::Host) {
            cells.push(Cell::from(Span::styled(s.id.host.to_string(), theme.dim())));
        }
        cells.push(Cell::from(name));
        if has(Column::Backend) {
            cells.push(Cell::from(Span::styled(s.backend_label(), theme.dim())));
        }
        // A host that does not answer: its rows are what it last said, and say so.
        let state_style = if stale {
            theme.dim()
        } else {
            theme.state(s.state)
        };
        cells.push(Cell::from(Span::styled(state_text(app, s), state_style)));
        if has(Column::Info) {
            cells.push(Cell::from(pid_or_image(s)));
        }
        if has(Column::Cpu) {
            let [cpu, mem] = usage_cells(app, s);
            cells.push(Cell::from(Line::from(cpu).right_aligned()));
            cells.push(Cell::from(Line::from(mem).right_aligned()));
        }
        if has(Column::Ports) {
            cells.push(Cell::from(ports(s)));
        }
        if has(Column::Age) {
            cells.push(Cell::from(Span::styled(
                format_age(s.created, now),
                theme.dim(),
            )));
        }
        let row = if stale {
            Row::new(cells).style(theme.dim())
        } else {
            Row::new(cells)
        };
        if Some(i) == selected {
            row.style(theme.selected_text())
        } else {
            row
        }
    });
    // Say where the view is when the rows do not all fit.
    let sessions: Vec<&Session> = list_rows.iter().filter_map(session_row).collect();
    let at = app
        .selected
        .as_ref()
        .and_then(|sel| sessions.iter().position(|s| &s.id == sel));
    let mut title = match at {
        Some(i) if list_rows.len() > room => {
            format!(" sessions {}/{} ", i + 1, sessions.len())
        }
        _ => format!(" sessions {} ", sessions.len()),
    };
    let groups = list_rows
        .iter()
        .filter(|r| matches!(r, ListRow::Header(_)))
        .count();
    if groups > 0 {
        title.push_str(&format!(
            "· {groups} group{} ",
            if groups == 1 { "" } else { "s" }
        ));
    }
    if !app.marks.is_empty() {
        title.push_str(&format!("· {} marked ", app.marks.len()));
    }
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
        theme.border()
    };
    let table = Table::new(rows, widths)
        .header(Row::new(header).style(theme.title()))
        .column_spacing(GAP)
        .row_highlight_style(theme.selected())
        .block(
            Block::default()
                .borders(Borders::ALL)
                .border_style(border)
                .title(Span::styled(title, theme.title())),
        );
    // With no room for rows, the selection is out of the (empty) window.
    let in_view = selected.filter(|i| (first..end).contains(i));
    let mut state = TableState::default().with_selected(in_view.map(|i| i - first));
    frame.render_stateful_widget(table, area, &mut state);
    if list_rows.is_empty() && area.height > 3 && area.width > 4 {
        let msg = empty_note(app);
        let inner = Rect::new(area.x + 2, area.y + 2, area.width - 4, 1);
        frame.render_widget(Span::styled(msg, theme.dim()), inner);
    }
}

/// A group's header row: its name and kind in the name column, `N running of M` in the
/// state column (in the running color when all run), the runtime in the backend column.
fn header_row<'a>(
    h: &Header,
    shown: &[(Column, Constraint)],
    theme: Theme,
    selected: bool,
) -> Row<'a> {
    let all_run = h.running() == h.members.len();
    let state_style = if all_run {
        theme.state(crate::model::State::Running)
    } else {
        theme.dim()
    };
    let cells = shown.iter().map(|(c, _)| match c {
        Column::Host => Cell::from(Span::styled(h.key.host.to_string(), theme.dim())),
        Column::Name => Cell::from(Span::styled(header_name(h), theme.title())),
        Column::Backend => Cell::from(Span::styled(
            h.key.location.label().to_string(),
            theme.dim(),
        )),
        Column::State => Cell::from(Span::styled(h.summary(), state_style)),
        _ => Cell::from(""),
    });
    let row = Row::new(cells.collect::<Vec<_>>());
    if selected {
        row.style(theme.selected_text())
    } else {
        row
    }
}

/// The rows `[first, end)` of `len` the table shows in `room` rows, as ratatui's table
/// picks them from the offset `top` and the selection (which is always in view); the
/// table is then handed only those.
fn rows_in_view(len: usize, top: usize, selected: Option<usize>, room: usize) -> (usize, usize) {
    let mut first = top.min(len.saturating_sub(1));
    if let Some(sel) = selected {
        first = first.min(sel);
    }
    let mut end = first.saturating_add(room).min(len);
    if let Some(sel) = selected.map(|s| s.min(len.saturating_sub(1)))
        && sel >= end
    {
        end = sel + 1;
        first = end.saturating_sub(room);
    }
    (first, end)
}

/// A column's header, with `▲` or `▼` when the list is sorted by it (nothing while the
/// list is in its own order, by name).
fn sort_label(app: &App, column: Column) -> String {
    let label = header_text(column);
    let i = &app.insight;
    let Some(key) = column.sort_key() else {
        return label.into();
    };
    if i.sort != key || (key == SortKey::Name && !i.reverse) {
        return label.into();
    }
    // Name, backend and state go up; CPU, memory and age put the largest first.
    let up = matches!(key, SortKey::Name | SortKey::Backend | SortKey::State) != i.reverse;
    format!("{label}{}", if up { "▲" } else { "▼" })
}

/// CPU and memory of a row: the figures while it runs (`–` when they could not be
/// measured), nothing when it does not run.
fn usage_cells(app: &App, s: &Session) -> [String; 2] {
    if !s.state.is_alive() {
        return [String::new(), String::new()];
    }
    let u = app.insight.usage.get(&s.id).copied().unwrap_or_default();
    [format_cpu(u.cpu_percent), format_memory(u.memory_bytes)]
}

/// The state cell: the state, or for a host that does not answer, when it was last seen.
fn state_text(app: &App, s: &Session) -> String {
    match app.stale_since(&s.id.host) {
        Some(t) => format!("stale, seen {}", crate::tui::hosts::clock(t)),
        None => s.state.to_string(),
    }
}

/// What an empty list says: that nothing runs, or which key clears the filter that hides
/// everything.
fn empty_note(app: &App) -> String {
    if app.sessions.is_empty() {
        "no sessions yet: nothing runs in tmux or containers, and the config defines none".into()
    } else {
        format!(
            "no session matches the filter ({} clears it)",
            app.keymap.hint(Action::ClearFilter)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;

    /// The rows ratatui's table shows of `len` numbered rows, from `top` with `selected`,
    /// in a list `room` rows high: (first shown, how many).
    fn ratatui_shows(len: usize, top: usize, selected: Option<usize>, room: u16) -> (usize, usize) {
        let Ok(mut term) = Terminal::new(TestBackend::new(12, room + 3));
        let rows = (0..len).map(|i| Row::new([Cell::from(format!("r{i}"))]));
        let table = Table::new(rows, [Constraint::Length(10)])
            .header(Row::new(["h"]))
            .block(Block::default().borders(Borders::ALL));
        let mut state = TableState::default()
            .with_offset(top)
            .with_selected(selected);
        term.draw(|f| f.render_stateful_widget(table, f.area(), &mut state))
            .expect("a test backend draws");
        let buf = term.backend().buffer();
        let shown: Vec<usize> = (2..room + 2)
            .filter_map(|y| {
                let line: String = (0..12).map(|x| buf[(x, y)].symbol()).collect();
                let digits: String = line
                    .trim_start_matches(['│', ' ', '>'])
                    .trim_start_matches('r')
                    .chars()
                    .take_while(char::is_ascii_digit)
                    .collect();
                digits.parse().ok()
            })
            .collect();
        (shown.first().copied().unwrap_or(0), shown.len())
    }

    #[test]
    fn the_rows_made_are_the_rows_ratatui_would_show() {
        for len in [0, 1, 5, 12, 30] {
            for room in [0u16, 1, 4, 10] {
                for top in [0, 3, 11, 40] {
                    for selected in [None, Some(0), Some(4), Some(11), Some(29)] {
                        let selected = selected.filter(|s| *s < len);
                        let (first, end) = rows_in_view(len, top, selected, usize::from(room));
                        let (shown_first, shown) = ratatui_shows(len, top, selected, room);
                        let case = format!("len {len} room {room} top {top} sel {selected:?}");
                        assert_eq!(end - first, shown, "{case}");
                        if shown > 0 {
                            assert_eq!(first, shown_first, "{case}");
                        }
                    }
                }
            }
        }
    }
}
