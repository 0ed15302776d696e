//! A converted line's styles written back as SGR sequences, for saving a pane with its
//! colors (`logs: {save: ansi}`) once the raw text of its drawn lines is gone.
//!
//! anstyle writes the sequences (ratatui's colors and modifiers map onto its own): the 16
//! named colors as `31`, `91`... (as loggers write them, and as ansi-to-tui reads them back
//! to the same colors), indexed and true colors as `38;5;N` and `38;2;R;G;B`, and nothing
//! hangs on the environment. crossterm's commands would write `38;5;1` for red, read back
//! as an indexed color, and write a bare reset in place of every color under NO_COLOR.
//!
//! What is written draws the same as the line drawn from the default style, not
//! necessarily the same bytes as came in: a change of style that only adds a color or an
//! attribute writes just that; one that takes any away resets first.

use std::fmt::Write as _;

use anstyle::{Effects, Reset};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::Line;

/// What a style shows over the default one: colors that are not the terminal's own, and
/// the attributes it turns on.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Look {
    fg: Option<Color>,
    bg: Option<Color>,
    on: Modifier,
}

impl Look {
    /// How `style` looks drawn over the default style.
    pub fn of(style: Style) -> Self {
        let own = |c: Option<Color>| c.filter(|c| *c != Color::Reset);
        Look {
            fg: own(style.fg),
            bg: own(style.bg),
            on: style.add_modifier,
        }
    }

    /// The sequences that turn `self` into `next`: only what is added when nothing is
    /// taken away, else a reset and all of `next`.
    fn push_change(self, next: Look, out: &mut String) {
        let keeps = |was: Option<Color>, then: Option<Color>| was == then || then.is_some();
        let additive =
            keeps(self.fg, next.fg) && keeps(self.bg, next.bg) && next.on.contains(self.on);
        let (from, added) = if additive {
            (self, next.on - self.on)
        } else {
            push_reset(out);
            (Look::default(), next.on)
        };
        let changed = |was: Option<Color>, then: Option<Color>| then.filter(|_| then != was);
        let style = anstyle::Style::new()
            .effects(Effects::from(added))
            .fg_color(changed(from.fg, next.fg).map(anstyle::Color::from))
            .bg_color(changed(from.bg, next.bg).map(anstyle::Color::from));
        // Writing to a String cannot fail.
        let _ = write!(out, "{}", style.render());
    }
}

/// Appends `line`'s text with its styles as SGR sequences, and a reset at its end when it
/// has any style (as a raw line that has any escape is closed: both kinds save alike).
pub fn push_line(line: &Line<'_>, out: &mut String) {
    let mut shown = Look::default();
    let mut styled = false;
    for span in &line.spans {
        let look = Look::of(span.style);
        if look != shown && !span.content.is_empty() {
            shown.push_change(look, out);
            shown = look;
            styled = true;
        }
        out.push_str(&span.content);
    }
    if styled {
        push_reset(out);
    }
}

/// Appends the sequence that turns every style off.
pub fn push_reset(out: &mut String) {
    let _ = write!(out, "{}", Reset.render());
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::logs::StyledLine;

    /// Each character and how it looks.
    fn cells(line: &Line<'_>) -> Vec<(char, Look)> {
        line.spans
            .iter()
            .flat_map(|s| s.content.chars().map(move |c| (c, Look::of(s.style))))
            .collect()
    }

    fn saved(raw: &str) -> String {
        let mut out = String::new();
        push_line(&StyledLine::from_ansi(raw.to_string()).line(), &mut out);
        out
    }

    #[test]
    fn a_loggers_line_saves_as_it_came_and_reads_back_the_same() {
        let raw = "\x1b[2m2024-05-01T12:00:07.007Z\x1b[0m \x1b[31mERROR\x1b[0m \x1b[2mhttp:\x1b[0m \
                   \x1b[3mpath\x1b[0m\x1b[2m=\x1b[0m/api \x1b[91m\x1b[44mbright";
        assert_eq!(saved(raw), format!("{raw}\x1b[0m"));
        let again = StyledLine::from_ansi(saved(raw));
        assert_eq!(again, StyledLine::from_ansi(raw.to_string()));
    }

    #[test]
    fn every_style_reads_back_as_it_draws() {
        for raw in [
            "\x1b[1;31mbold red\x1b[22m red\x1b[39m plain \x1b[4munder",
            "\x1b[38;5;208morange \x1b[48;2;1;2;3mon rgb\x1b[49m off\x1b[0m",
            "\x1b[7mrev\x1b[27m \x1b[9mcross\x1b[29m \x1b[5mblink\x1b[25m \x1b[8mhid",
            "\x1b[38;5;1mindexed one\x1b[0m \x1b[37mgray \x1b[97mwhite",
            "no style at all",
        ] {
            let line = StyledLine::from_ansi(raw.to_string());
            let text = saved(raw);
            let again = StyledLine::from_ansi(text.clone());
            assert_eq!(
                cells(&again.line()),
                cells(&line.line()),
                "{raw:?} saved as {text:?}"
            );
            // Nothing is left on after the line.
            let tail = StyledLine::from_ansi(format!("{text}after"));
            assert_eq!(
                cells(&tail.line()).last().map(|c| c.1),
                Some(Look::default()),
                "{text:?}"
            );
        }
    }
}
