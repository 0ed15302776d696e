//! The list's window and pane rows under an unfolded tmux session, choose-tree style: the
//! branch glyphs, index and name (or program) with `*` on the active one in the name
//! column, a window's pane count or a pane's id, directory, size and pid in the pid /
//! image column, and `exited` in the state column for a pane whose program has ended.

use ratatui::text::Span;
use ratatui::widgets::{Cell, Row};

use super::theme::Theme;
use crate::model::State;
use crate::tui::app::Column;
use crate::tui::rows::Row as ListRow;

/// The table row of a window or pane row, with a cell for each column `has` shows.
pub fn row(r: &ListRow<'_>, has: &dyn Fn(Column) -> bool, theme: Theme) -> Row<'static> {
    let dead = matches!(r, ListRow::Pane { pane, .. } if pane.dead);
    let mut cells = Vec::new();
    if has(Column::Host) {
        cells.push(Cell::from(""));
    }
    cells.push(Cell::from(Span::raw(r.label())));
    if has(Column::Backend) {
        cells.push(Cell::from(""));
    }
    cells.push(Cell::from(if dead {
        Span::styled("exited", theme.state(State::Exited(None)))
    } else {
        Span::raw("")
    }));
    if has(Column::Info) {
        cells.push(Cell::from(Span::styled(r.info(), theme.dim())));
    }
    for c in [Column::Cpu, Column::Mem, Column::Ports, Column::Age] {
        if has(c) {
            cells.push(Cell::from(""));
        }
    }
    Row::new(cells)
}
