//! The distinct styles of converted log lines, each kept once and named by a small number.
//!
//! A log's lines repeat a handful of styles (a logger's dim time, its level colors, its
//! italic keys) thousands of times; a ratatui `Style` is 16 bytes, its number in this table
//! one to three bytes of a packed line ([`super::styled`]). The table is shared by every
//! pane and never forgets a style (a line converted earlier may still name it), so it is
//! bounded: once [`ROOM`] styles are in it, a line with a style it lacks keeps its styles
//! whole instead.

use std::collections::HashMap;
use std::sync::{LazyLock, Mutex, MutexGuard, PoisonError};

use ratatui::style::Style;

/// Most distinct styles the shared table keeps: about 2 MiB at worst, reached only by
/// output that paints with tens of thousands of true colors.
pub const ROOM: usize = 1 << 16;

/// Styles by number, and numbers by style.
#[derive(Debug, Default)]
pub struct Palette {
    styles: Vec<Style>,
    numbers: HashMap<Style, u32>,
    room: usize,
}

impl Palette {
    /// An empty table that takes at most `room` styles.
    pub fn with_room(room: usize) -> Self {
        Palette {
            room,
            ..Palette::default()
        }
    }

    /// The number of `style`, added to the table if it is new; `None` once the table is
    /// full and `style` is not in it.
    pub fn intern(&mut self, style: Style) -> Option<u32> {
        if let Some(&n) = self.numbers.get(&style) {
            return Some(n);
        }
        if self.styles.len() >= self.room {
            return None;
        }
        let n = u32::try_from(self.styles.len()).ok()?;
        self.styles.push(style);
        self.numbers.insert(style, n);
        Some(n)
    }

    /// The style numbered `n` (the default style for a number never given out).
    pub fn get(&self, n: u32) -> Style {
        usize::try_from(n)
            .ok()
            .and_then(|i| self.styles.get(i))
            .copied()
            .unwrap_or_default()
    }
}

static SHARED: LazyLock<Mutex<Palette>> = LazyLock::new(|| Mutex::new(Palette::with_room(ROOM)));

/// The table every pane's lines use. Held only while a line is packed or unpacked: a few
/// microseconds, on the event loop's thread.
pub fn shared() -> MutexGuard<'static, Palette> {
    // A panic while the table was held cannot leave it inconsistent: a push and an insert
    // of plain values.
    SHARED.lock().unwrap_or_else(PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::style::Color;

    #[test]
    fn a_style_is_numbered_once_and_a_full_table_takes_no_new_one() {
        let mut p = Palette::with_room(2);
        let red = Style::new().fg(Color::Red);
        let blue = Style::new().fg(Color::Blue);
        assert_eq!(p.intern(red), Some(0));
        assert_eq!(p.intern(blue), Some(1));
        assert_eq!(p.intern(red), Some(0));
        assert_eq!(p.intern(Style::new().bg(Color::Red)), None);
        assert_eq!(p.get(1), blue);
        assert_eq!(p.get(7), Style::default());
    }
}
