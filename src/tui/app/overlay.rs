//! Scrolling the overlays (help, messages, history, the names of a bulk confirm): they can
//! hold more rows than a small terminal shows, so the movement keys scroll them instead
//! of closing them.

use crossterm::event::KeyEvent;

use super::{App, Mode};
use crate::tui::keys::{Action, Scope};

impl App {
    /// Opens an overlay at its top.
    pub(super) fn open_overlay(&mut self, mode: Mode) {
        self.overlay_scroll.set(0);
        self.mode = mode;
    }

    /// Scrolls the open overlay when `key` is one of the keymap's movement keys (up, down,
    /// pages, top, bottom), and says whether it was one. The bound is left to the
    /// renderer, which clamps [`App::overlay_scroll`] to the rows the overlay holds.
    pub(super) fn scroll_overlay(&mut self, key: &KeyEvent) -> bool {
        // The overlays cover about the screen: a page is what the two panes show.
        let page = (self.list_height + self.log_height).max(1);
        let s = self.overlay_scroll.get();
        let to = match self.keymap.action(Scope::Normal, key) {
            Some(Action::Up) => s.saturating_sub(1),
            Some(Action::Down) => s.saturating_add(1),
            Some(Action::PageUp) => s.saturating_sub(page),
            Some(Action::PageDown) => s.saturating_add(page),
            Some(Action::HalfPageUp) => s.saturating_sub(page / 2),
            Some(Action::HalfPageDown) => s.saturating_add(page / 2),
            Some(Action::Top) => 0,
            Some(Action::Bottom) => usize::MAX,
            _ => return false,
        };
        self.overlay_scroll.set(to);
        true
    }

    /// Scrolls the open overlay by `rows` (the mouse wheel: negative is up).
    pub(super) fn wheel_overlay(&mut self, rows: isize) {
        let s = self.overlay_scroll.get();
        self.overlay_scroll.set(s.saturating_add_signed(rows));
    }
}
