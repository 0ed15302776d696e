//! The grouped list in the [`App`]: its rows, a header as the selection, `G`, and what
//! keys do on a header: `s` `x` `X` `r` ask once about every member and act on all of them
//! through the bulk path, `space` marks them, and what applies to one session only says so.

use super::{App, Effect, Level, Mode, Op};
use crate::tui::groups::{GroupKey, Header};
use crate::tui::keys::Action;
use crate::tui::rows::Row;

impl App {
    /// The selected header's group, while a header is the selection.
    pub(super) fn selected_header_key(&self) -> Option<&GroupKey> {
        if self.selected.is_some() || !self.grouping.on {
            return None;
        }
        self.grouping.header.as_ref()
    }

    /// The selected header, while one is the selection and its group is listed.
    pub fn selected_header(&self) -> Option<Header<'_>> {
        let key = self.selected_header_key()?;
        self.rows().into_iter().find_map(|r| match r {
            Row::Header(h) if &h.key == key => Some(h),
            _ => None,
        })
    }

    /// Makes row `row` the selection without following anything yet: a session, a window
    /// or pane of one (its session and [`crate::tui::tree::Tree::child`]), or a header.
    pub(super) fn put_selection_on_row(&mut self, row: usize) {
        let (selected, child, header) = match self.rows().get(row) {
            Some(Row::Header(h)) => (None, None, Some(h.key.clone())),
            Some(r) => (r.session().map(|s| s.id.clone()), r.child(), None),
            None => (None, None, None),
        };
        self.selected = selected;
        self.tree.child = child;
        self.grouping.header = header;
    }

    /// What the log pane says while a header is selected: a group has no log of its own.
    pub(super) fn header_note(&self) -> Option<String> {
        let h = self.selected_header()?;
        let k = |a| self.keymap.hint(a);
        Some(format!(
            "{}: {}. {} {} {} {} act on all its {} members after one question; {} marks them, {} merges their logs",
            h.key.describe(),
            h.summary(),
            k(Action::Start),
            k(Action::Stop),
            k(Action::Kill),
            k(Action::Restart),
            h.members.len(),
            k(Action::Mark),
            k(Action::MergedLog),
        ))
    }

    /// `G`: shows or hides the groups. The selection stays on its session; a selected
    /// header hands it to the group's first member when the groups go.
    pub(super) fn toggle_groups(&mut self) -> Effect {
        let first_member = self
            .selected_header()
            .and_then(|h| h.members.first().map(|s| s.id.clone()));
        self.grouping.on = !self.grouping.on;
        let effect = match first_member {
            Some(id) if !self.grouping.on => {
                self.selected = Some(id);
                self.grouping.header = None;
                self.follow_selected()
            }
            _ => Effect::None,
        };
        let count = self
            .rows()
            .iter()
            .filter(|r| matches!(r, Row::Header(_)))
            .count();
        let text = if self.grouping.on {
            format!(
                "grouped by pod and compose project: {count} group{} ({} ungroups)",
                if count == 1 { "" } else { "s" },
                self.keymap.hint(Action::Group)
            )
        } else {
            "ungrouped".to_string()
        };
        self.say(text, Level::Info);
        if self.selected_index().is_none() {
            self.put_selection_on_row(0);
        }
        effect
    }

    /// What `action` does on a selected header, if a header is selected and the action
    /// is one for sessions; None lets the action go its usual way (movement, overlays).
    pub(super) fn on_header(&mut self, action: Action) -> Option<Effect> {
        let (key, ids) = {
            let h = self.selected_header()?;
            (h.key.clone(), h.member_ids())
        };
        let what = key.describe();
        let op = match action {
            Action::Start => Op::Start,
            Action::Stop => Op::Stop,
            Action::Kill => Op::Kill,
            Action::Restart => Op::Restart,
            Action::Mark => {
                let all_marked = ids.iter().all(|id| self.marks.contains(id));
                for id in &ids {
                    if self.marks.contains(id) == all_marked {
                        self.marks.toggle(id);
                    }
                }
                return Some(Effect::None);
            }
            Action::Attach
            | Action::Exec
            | Action::Remove
            | Action::Pause
            | Action::Send
            | Action::WriteConfig => {
                let text = format!(
                    "{} acts on one session and {what} is a group; select one of its members (on the header {} {} {} {} act on all of them)",
                    self.keymap.hint(action),
                    self.keymap.hint(Action::Start),
                    self.keymap.hint(Action::Stop),
                    self.keymap.hint(Action::Kill),
                    self.keymap.hint(Action::Restart),
                );
                self.say(text, Level::Error);
                return Some(Effect::None);
            }
            _ => return None,
        };
        self.grouping.asking = Some(key);
        self.open_overlay(Mode::ConfirmMany(op, ids));
        Some(Effect::None)
    }
}
