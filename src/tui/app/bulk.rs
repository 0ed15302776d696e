//! Acting on the marked sessions: `space` marks, `s` / `x` / `X` / `r` ask once with
//! every name listed (the list scrolls when long), and each session's result is kept in
//! the messages while the status line shows the summary.

use super::{App, Effect, Level, Mode, Op};
use crate::model::Session;

impl App {
    /// `space`: marks the selected session (or unmarks it) and moves to the next row, so
    /// that a run of rows is marked by holding the key.
    pub(super) fn toggle_mark(&mut self) -> Effect {
        let Some(id) = self.selected.clone() else {
            return Effect::None;
        };
        self.marks.toggle(&id);
        // The next session's row: the window and pane rows between are the same session.
        let from = self.selected_index().map_or(0, |i| i + 1);
        let next = self
            .rows()
            .iter()
            .skip(from)
            .position(|r| r.child().is_none())
            .map(|i| from + i);
        if let Some(next) = next {
            self.settled = true;
            return self.select_row(next);
        }
        Effect::None
    }

    /// `s`, `x`, `X`, `r` with sessions marked: one question naming all of them.
    pub(super) fn ask_many(&mut self, op: Op) {
        let ids = self
            .sessions
            .iter()
            .filter(|s| self.marks.contains(&s.id))
            .map(|s| s.id.clone())
            .collect();
        self.overlay_scroll.set(0);
        self.grouping.asking = None;
        self.mode = Mode::ConfirmMany(op, ids);
    }

    /// The answer to a bulk question: `yes` runs the operation on the sessions it named
    /// that are still listed.
    pub(super) fn answer_many(&mut self, op: Op, ids: &[crate::model::SessionId]) -> Effect {
        let targets: Vec<Session> = self
            .sessions
            .iter()
            .filter(|s| ids.contains(&s.id))
            .cloned()
            .collect();
        let gone = ids.len() - targets.len();
        if targets.is_empty() {
            self.say(
                "the marked sessions are gone; nothing was done",
                Level::Error,
            );
            return Effect::None;
        }
        if gone > 0 {
            self.say(
                format!("{gone} of the marked sessions are gone; acting on the others"),
                Level::Info,
            );
        }
        Effect::RunMany(op, targets)
    }

    /// An operation on several sessions ended: each session's line goes into the messages
    /// (and the history), the summary is the status line.
    pub fn bulk_done(
        &mut self,
        label: &str,
        lines: Vec<(String, Level)>,
        summary: (String, Level),
    ) {
        self.busy.retain(|b| b != label);
        for (text, level) in lines {
            self.events.push(
                self.clock,
                format!("muxdeck: {text}"),
                match level {
                    Level::Info => crate::tui::events::Severity::Info,
                    Level::Error => crate::tui::events::Severity::Bad,
                },
            );
            self.say(text, level);
        }
        let (text, level) = summary;
        let more = format!(
            "{text} ({} shows each)",
            self.keymap.hint(crate::tui::keys::Action::Messages)
        );
        self.say(more, level);
    }
}
