//! Every color the screen uses, from the config's `theme:` (a base theme and the elements it
//! overrides). `NO_COLOR` wins over any theme: every style is then plain except bold and
//! reverse. Session output in the log pane keeps its own colors; everything else is
//! colored here and nowhere else.

use ratatui::style::{Color, Modifier, Style};

use crate::config::theme::{ColorValue, Element, ThemeBase, ThemeConfig};
use crate::model::State;

/// The color of each element, as the base theme and the config's overrides give it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Palette {
    text: Color,
    background: Color,
    title: Color,
    dim: Color,
    border: Color,
    focused_border: Color,
    selected_fg: Color,
    selected_bg: Color,
    key: Color,
    error: Color,
    note: Color,
    marker: Color,
    running: Color,
    stopped: Color,
    exited: Color,
    paused: Color,
    defined: Color,
    unknown: Color,
    match_fg: Color,
    match_bg: Color,
    current_match_bg: Color,
    filter_match_bg: Color,
}

impl Palette {
    /// For a dark terminal: the terminal's own text and background, the 16 palette colors
    /// for states, mid gray for secondary text (readable on the background and on the
    /// selection bar alike).
    const DARK: Palette = Palette {
        text: Color::Reset,
        background: Color::Reset,
        title: Color::Reset,
        dim: Color::Indexed(245),
        border: Color::Indexed(245),
        focused_border: Color::Cyan,
        selected_fg: Color::Reset,
        selected_bg: Color::Indexed(237),
        key: Color::Cyan,
        error: Color::Red,
        note: Color::Yellow,
        marker: Color::Yellow,
        running: Color::Green,
        stopped: Color::Yellow,
        exited: Color::Red,
        paused: Color::Blue,
        defined: Color::Cyan,
        unknown: Color::Magenta,
        match_fg: Color::Black,
        match_bg: Color::Yellow,
        current_match_bg: Color::LightRed,
        filter_match_bg: Color::Cyan,
    };

    /// For a light terminal. Colors from the fixed part of the 256-color palette (16-255,
    /// the same in every terminal, unlike the 16 the user may have redefined), chosen to
    /// keep at least 4.5:1 contrast on white and on the selection bar.
    const LIGHT: Palette = Palette {
        text: Color::Reset,
        background: Color::Reset,
        title: Color::Reset,
        dim: Color::Indexed(240),
        border: Color::Indexed(245),
        focused_border: Color::Indexed(25),
        selected_fg: Color::Reset,
        selected_bg: Color::Indexed(189),
        key: Color::Indexed(24),
        error: Color::Indexed(124),
        note: Color::Indexed(94),
        marker: Color::Indexed(94),
        running: Color::Indexed(22),
        stopped: Color::Indexed(58),
        exited: Color::Indexed(124),
        paused: Color::Indexed(19),
        defined: Color::Indexed(23),
        unknown: Color::Indexed(90),
        // Pale marks under black text, like a highlighter on paper.
        match_fg: Color::Indexed(16),
        match_bg: Color::Indexed(228),
        current_match_bg: Color::Indexed(216),
        filter_match_bg: Color::Indexed(159),
    };

    /// Black background painted, white text, saturated colors: at least 7:1 contrast on
    /// the background and on the selection bar.
    const HIGH_CONTRAST: Palette = Palette {
        text: Color::Indexed(231),
        background: Color::Indexed(16),
        title: Color::Indexed(231),
        dim: Color::Indexed(252),
        border: Color::Indexed(250),
        focused_border: Color::Indexed(226),
        selected_fg: Color::Indexed(231),
        selected_bg: Color::Indexed(18),
        key: Color::Indexed(226),
        error: Color::Indexed(217),
        note: Color::Indexed(226),
        marker: Color::Indexed(226),
        running: Color::Indexed(46),
        stopped: Color::Indexed(226),
        exited: Color::Indexed(217),
        paused: Color::Indexed(117),
        defined: Color::Indexed(51),
        unknown: Color::Indexed(219),
        match_fg: Color::Indexed(16),
        match_bg: Color::Indexed(226),
        current_match_bg: Color::Indexed(208),
        filter_match_bg: Color::Indexed(51),
    };

    fn of(base: ThemeBase) -> Palette {
        match base {
            ThemeBase::Dark => Palette::DARK,
            ThemeBase::Light => Palette::LIGHT,
            ThemeBase::HighContrast => Palette::HIGH_CONTRAST,
        }
    }

    fn slot(&mut self, e: Element) -> &mut Color {
        match e {
            Element::Text => &mut self.text,
            Element::Background => &mut self.background,
            Element::Title => &mut self.title,
            Element::Dim => &mut self.dim,
            Element::Border => &mut self.border,
            Element::FocusedBorder => &mut self.focused_border,
            Element::SelectedFg => &mut self.selected_fg,
            Element::SelectedBg => &mut self.selected_bg,
            Element::Key => &mut self.key,
            Element::Error => &mut self.error,
            Element::Note => &mut self.note,
            Element::Marker => &mut self.marker,
            Element::Running => &mut self.running,
            Element::Stopped => &mut self.stopped,
            Element::Exited => &mut self.exited,
            Element::Paused => &mut self.paused,
            Element::Defined => &mut self.defined,
            Element::Unknown => &mut self.unknown,
            Element::MatchFg => &mut self.match_fg,
            Element::MatchBg => &mut self.match_bg,
            Element::CurrentMatchBg => &mut self.current_match_bg,
            Element::FilterMatchBg => &mut self.filter_match_bg,
        }
    }
}

/// The config's color as the screen library writes it.
fn color(c: ColorValue) -> Color {
    match c {
        ColorValue::Default => Color::Reset,
        ColorValue::Named(i) => [
            Color::Black,
            Color::Red,
            Color::Green,
            Color::Yellow,
            Color::Blue,
            Color::Magenta,
            Color::Cyan,
            Color::Gray,
            Color::DarkGray,
            Color::LightRed,
            Color::LightGreen,
            Color::LightYellow,
            Color::LightBlue,
            Color::LightMagenta,
            Color::LightCyan,
            Color::White,
        ]
        .get(usize::from(i))
        .copied()
        .unwrap_or(Color::Reset),
        ColorValue::Indexed(i) => Color::Indexed(i),
        ColorValue::Rgb(r, g, b) => Color::Rgb(r, g, b),
    }
}

/// Styles for each part of the screen, from a theme or monochrome.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    mono: bool,
    base: ThemeBase,
    palette: Palette,
}

impl Default for Theme {
    fn default() -> Self {
        Theme::new(false)
    }
}

impl Theme {
    /// The dark theme; `mono` for NO_COLOR.
    pub fn new(mono: bool) -> Self {
        Theme::from_config(&ThemeConfig::default(), mono)
    }

    /// The theme the config describes; `mono` (NO_COLOR) overrides it.
    pub fn from_config(config: &ThemeConfig, mono: bool) -> Self {
        let mut palette = Palette::of(config.base);
        for (e, c) in &config.colors {
            *palette.slot(*e) = color(*c);
        }
        Theme {
            mono,
            base: config.base,
            palette,
        }
    }

    /// Whether colors are off.
    pub fn mono(self) -> bool {
        self.mono
    }

    /// The base theme it started from.
    pub fn base(self) -> ThemeBase {
        self.base
    }

    fn fg(self, c: Color) -> Style {
        if self.mono {
            Style::default()
        } else {
            Style::default().fg(c)
        }
    }

    /// The color of an element (what the palette says, even with NO_COLOR).
    pub fn color(self, e: Element) -> Color {
        let mut p = self.palette;
        *p.slot(e)
    }

    /// Plain text on the screen's background: what every block is filled with first.
    pub fn base_style(self) -> Style {
        if self.mono {
            Style::default()
        } else {
            Style::default()
                .fg(self.palette.text)
                .bg(self.palette.background)
        }
    }

    /// The color of a state.
    pub fn state(self, s: State) -> Style {
        let p = &self.palette;
        self.fg(match s {
            State::Running => p.running,
            State::Exited(Some(0)) | State::Stopped => p.stopped,
            State::Exited(_) => p.exited,
            State::Paused => p.paused,
            State::Defined => p.defined,
            State::Unknown => p.unknown,
        })
    }

    /// Secondary text.
    pub fn dim(self) -> Style {
        self.fg(self.palette.dim)
    }

    /// Headers and titles.
    pub fn title(self) -> Style {
        self.fg(self.palette.title).add_modifier(Modifier::BOLD)
    }

    /// The selection bar laid over the selected row once its cells are drawn: background
    /// and bold only, so the state keeps its color on it.
    pub fn selected(self) -> Style {
        if self.mono {
            Style::default().add_modifier(Modifier::REVERSED)
        } else {
            Style::default()
                .bg(self.palette.selected_bg)
                .add_modifier(Modifier::BOLD)
        }
    }

    /// The text of the selected row where its cells have no color of their own (drawn
    /// under the cells, unlike [`Theme::selected`]).
    pub fn selected_text(self) -> Style {
        self.fg(self.palette.selected_fg)
    }

    /// Border of a pane without the focus.
    pub fn border(self) -> Style {
        self.fg(self.palette.border)
    }

    /// Border of the focused pane.
    pub fn focused_border(self) -> Style {
        if self.mono {
            Style::default().add_modifier(Modifier::BOLD)
        } else {
            self.fg(self.palette.focused_border)
        }
    }

    /// Failures: error messages, a backend in trouble, the confirm box.
    pub fn error(self) -> Style {
        if self.mono {
            Style::default().add_modifier(Modifier::BOLD)
        } else {
            self.fg(self.palette.error)
        }
    }

    /// Key names in hints and help.
    pub fn key(self) -> Style {
        self.fg(self.palette.key).add_modifier(Modifier::BOLD)
    }

    /// Markers the log pane adds between a session's lines (lines skipped, a stream that
    /// broke), so they never pass for the session's own output. Dimmed on the dark theme
    /// only: dimming lowers the contrast the other themes are built for.
    pub fn marker(self) -> Style {
        let s = self.fg(self.palette.marker);
        if self.mono || self.base != ThemeBase::Dark {
            s
        } else {
            s.add_modifier(Modifier::DIM)
        }
    }

    /// Notes such as "following" or "paused".
    pub fn note(self) -> Style {
        self.fg(self.palette.note)
    }

    /// A search match in the log pane; `current` is the one `n` / `N` is on, which stands
    /// out more (bold and underlined, which also tells it apart in monochrome, where every
    /// match is reversed).
    pub fn search_match(self, current: bool) -> Style {
        let p = &self.palette;
        let base = if self.mono {
            Style::default().add_modifier(Modifier::REVERSED)
        } else {
            let bg = if current {
                p.current_match_bg
            } else {
                p.match_bg
            };
            Style::default().fg(p.match_fg).bg(bg)
        };
        if current {
            base.add_modifier(Modifier::BOLD | Modifier::UNDERLINED)
        } else {
            base
        }
    }

    /// A filter's match on a line it kept (beside the context lines around it).
    pub fn filter_match(self) -> Style {
        if self.mono {
            Style::default().add_modifier(Modifier::BOLD | Modifier::UNDERLINED)
        } else {
            Style::default()
                .fg(self.palette.match_fg)
                .bg(self.palette.filter_match_bg)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overrides_replace_single_elements_and_no_color_wins() {
        let mut cfg = ThemeConfig {
            base: ThemeBase::Light,
            ..ThemeConfig::default()
        };
        cfg.colors
            .insert(Element::SelectedBg, ColorValue::Rgb(0xdd, 0xe4, 0xff));
        cfg.colors.insert(Element::Error, ColorValue::Named(1));
        let t = Theme::from_config(&cfg, false);
        assert_eq!(t.selected().bg, Some(Color::Rgb(0xdd, 0xe4, 0xff)));
        assert_eq!(t.error().fg, Some(Color::Red));
        assert_eq!(t.state(State::Running).fg, Some(Color::Indexed(22)));
        let mono = Theme::from_config(&cfg, true);
        assert_eq!(mono.selected().bg, None);
        assert_eq!(mono.error().fg, None);
        assert_eq!(mono.state(State::Running).fg, None);
        assert_eq!(mono.base_style(), Style::default());
    }
}
