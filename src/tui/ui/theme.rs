//! Colors in one place; `NO_COLOR` makes every style plain except bold and reverse.

use ratatui::style::{Color, Modifier, Style};

use crate::model::State;

/// Styles for a color or a monochrome screen.
#[derive(Debug, Clone, Copy)]
pub struct Theme {
    mono: bool,
}

impl Theme {
    /// A theme; `mono` for NO_COLOR.
    pub fn new(mono: bool) -> Self {
        Theme { mono }
    }

    /// Whether colors are off.
    pub fn mono(self) -> bool {
        self.mono
    }

    fn fg(self, c: Color) -> Style {
        if self.mono {
            Style::default()
        } else {
            Style::default().fg(c)
        }
    }

    /// The color of a state.
    pub fn state(self, s: State) -> Style {
        match s {
            State::Running => self.fg(Color::Green),
            State::Exited(Some(0)) => self.fg(Color::Yellow),
            State::Exited(_) => self.fg(Color::Red),
            State::Stopped => self.fg(Color::Yellow),
            State::Paused => self.fg(Color::Blue),
            State::Defined => self.fg(Color::Cyan),
            State::Unknown => self.fg(Color::Magenta),
        }
    }

    /// Secondary text.
    pub fn dim(self) -> Style {
        if self.mono {
            Style::default()
        } else {
            // Mid gray: readable on the dark background and on the selection bar alike.
            Style::default().fg(Color::Indexed(245))
        }
    }

    /// Headers and titles.
    pub fn title(self) -> Style {
        Style::default().add_modifier(Modifier::BOLD)
    }

    /// The selected row.
    pub fn selected(self) -> Style {
        if self.mono {
            Style::default().add_modifier(Modifier::REVERSED)
        } else {
            Style::default()
                .bg(Color::Indexed(237))
                .add_modifier(Modifier::BOLD)
        }
    }

    /// Border of the focused pane.
    pub fn focused_border(self) -> Style {
        if self.mono {
            Style::default().add_modifier(Modifier::BOLD)
        } else {
            Style::default().fg(Color::Cyan)
        }
    }

    /// Failures: error messages, a backend in trouble, the confirm box.
    pub fn error(self) -> Style {
        if self.mono {
            Style::default().add_modifier(Modifier::BOLD)
        } else {
            Style::default().fg(Color::Red)
        }
    }

    /// Key names in hints and help.
    pub fn key(self) -> Style {
        if self.mono {
            Style::default().add_modifier(Modifier::BOLD)
        } else {
            Style::default()
                .fg(Color::Cyan)
                .add_modifier(Modifier::BOLD)
        }
    }

    /// Markers the log pane adds between a session's lines (lines skipped, a stream that
    /// broke): dim yellow, so they never pass for the session's own output.
    pub fn marker(self) -> Style {
        if self.mono {
            Style::default()
        } else {
            Style::default()
                .fg(Color::Yellow)
                .add_modifier(Modifier::DIM)
        }
    }

    /// Notes such as "following" or "paused".
    pub fn note(self) -> Style {
        self.fg(Color::Yellow)
    }
}
