//! `L`: the log pane as one merged live log of the marked sessions (or of the rows the
//! list's filter shows when none is marked; on a group's header, of its members), and back
//! to the selection's own log.

use super::{App, Effect, Level};
use crate::engine::merged::MAX_MERGED;
use crate::model::{Session, SessionId};

impl App {
    /// Whether the log pane shows a merged log.
    pub fn is_merged(&self) -> bool {
        !self.log.merged.is_empty()
    }

    /// `L`: opens the merged log, or closes it when it is open.
    pub(super) fn toggle_merged(&mut self) -> Effect {
        if self.is_merged() {
            return self.close_merged();
        }
        let marked = self.marks.among(&self.sessions);
        // A header wins over marks, as it does for `s` `x` `X` `r`.
        let members = self
            .selected_header()
            .map(|h| h.members.into_iter().cloned().collect::<Vec<Session>>());
        let mut chosen: Vec<Session> = match members {
            Some(members) => members,
            None if marked.is_empty() => self.visible().into_iter().cloned().collect(),
            None => marked.into_iter().cloned().collect(),
        };
        if chosen.is_empty() {
            self.say("no session to merge: mark some with space", Level::Info);
            return Effect::None;
        }
        if chosen.len() > MAX_MERGED {
            self.say(
                format!(
                    "merged log: the first {MAX_MERGED} of {} sessions (at most {MAX_MERGED} at once)",
                    chosen.len()
                ),
                Level::Info,
            );
            chosen.truncate(MAX_MERGED);
        }
        let ids: Vec<SessionId> = chosen.iter().map(|s| s.id.clone()).collect();
        // The pane keeps the selection as its id, so a listing does not re-follow it.
        // Its stream is replaced by the merged one (the effect would only drop it).
        let _ = self.follow_selected();
        self.log.merged = ids;
        self.log.note = None;
        self.log.loading = true;
        Effect::FollowMerged(chosen)
    }

    /// Back to the selection's own log.
    pub(super) fn close_merged(&mut self) -> Effect {
        self.log.merged.clear();
        self.follow_selected()
    }
}
