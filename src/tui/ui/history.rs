//! The history overlay (`E`): what happened since muxdeck started, newest first, with the
//! time (local) and how long ago.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};

use super::popup::{HELP_WIDTH, scrolled_overlay, wrap_words};
use super::theme::Theme;
use crate::tui::app::App;
use crate::tui::events::Severity;
use crate::tui::hosts::clock;

/// How long ago, in the largest whole unit.
fn ago(at: i64, now: i64) -> String {
    let d = (now - at).max(0);
    match d {
        0..60 => format!("{d}s"),
        60..3600 => format!("{}m", d / 60),
        3600..86_400 => format!("{}h", d / 3600),
        _ => format!("{}d", d / 86_400),
    }
}

/// Draws the history over the screen, newest first, scrolled as far as the app says.
pub fn render(app: &App, now: i64, theme: Theme, frame: &mut Frame, area: Rect) {
    let inner = usize::from(HELP_WIDTH.min(area.width).saturating_sub(2)).max(1);
    // `12:03:04  3m  ` before each entry.
    let stamp_width = 14;
    let text_width = inner.saturating_sub(stamp_width).max(1);
    let mut lines = Vec::new();
    if app.events.entries.is_empty() {
        lines.push(Line::from(Span::styled(
            "nothing has happened since muxdeck started",
            theme.dim(),
        )));
    }
    for e in app.events.entries.iter().rev() {
        let style = match e.severity {
            Severity::Bad => theme.error(),
            Severity::Info => Style::default(),
        };
        let rows = wrap_words(&e.text, text_width);
        for (i, row) in rows.into_iter().enumerate() {
            let stamp = if i == 0 {
                format!("{} {:>4}  ", clock(e.at), ago(e.at, now))
            } else {
                " ".repeat(stamp_width)
            };
            lines.push(Line::from(vec![
                Span::styled(stamp, theme.dim()),
                Span::styled(row, style),
            ]));
        }
    }
    scrolled_overlay(
        app,
        (frame, area),
        lines,
        (
            " what happened since muxdeck started, newest first ",
            " any key closes ",
        ),
        theme,
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_read_in_their_largest_unit() {
        assert_eq!(ago(100, 130), "30s");
        assert_eq!(ago(100, 100 + 7200), "2h");
    }
}
