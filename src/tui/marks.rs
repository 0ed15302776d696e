//! The sessions the user marked in the list (`space`), for whatever acts on several at once
//! (the merged log, bulk operations). Marks hold identities, not rows: they survive
//! refreshes, re-sorting and filtering, and a session that leaves the listing keeps its mark
//! in case it comes back (a restart can drop it from one listing), without being counted.

use std::collections::BTreeSet;

use crate::model::{Session, SessionId};

/// The marked sessions, by identity.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Marks {
    ids: BTreeSet<SessionId>,
}

impl Marks {
    /// No session marked.
    pub fn new() -> Self {
        Self::default()
    }

    /// Marks `id`, or unmarks it when it was marked; whether it is marked now.
    pub fn toggle(&mut self, id: &SessionId) -> bool {
        if self.ids.remove(id) {
            false
        } else {
            self.ids.insert(id.clone());
            true
        }
    }

    /// Whether `id` is marked.
    pub fn contains(&self, id: &SessionId) -> bool {
        self.ids.contains(id)
    }

    /// Forgets every mark.
    pub fn clear(&mut self) {
        self.ids.clear();
    }

    /// Whether nothing is marked (also none of the sessions gone from the listing).
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// The marked sessions among `sessions`, in their order (marks of sessions not listed
    /// there are left out, not forgotten).
    pub fn among<'a>(&self, sessions: &'a [Session]) -> Vec<&'a Session> {
        if self.ids.is_empty() {
            return Vec::new();
        }
        sessions.iter().filter(|s| self.contains(&s.id)).collect()
    }

    /// How many of `sessions` are marked.
    pub fn count_in(&self, sessions: &[Session]) -> usize {
        if self.ids.is_empty() {
            return 0;
        }
        sessions.iter().filter(|s| self.contains(&s.id)).count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Runtime, State};

    fn s(id: &SessionId) -> Session {
        Session::new(id.clone(), State::Running)
    }

    #[test]
    fn marks_follow_identity_through_reorder_and_absence() {
        let a = SessionId::tmux("default", "api");
        let a2 = SessionId::tmux("work", "api");
        let w = SessionId::container(Runtime::Podman, "web");
        let mut m = Marks::new();
        assert!(m.is_empty());
        assert!(m.toggle(&a));
        assert!(m.toggle(&w));
        // Same name on another socket is another session.
        assert!(!m.contains(&a2));
        let listing = [s(&w), s(&a2), s(&a)];
        let marked: Vec<_> = m.among(&listing).iter().map(|s| s.id.clone()).collect();
        assert_eq!(marked, [w.clone(), a.clone()]);
        assert_eq!(m.count_in(&listing), 2);
        // `web` leaves the listing: not counted, still marked when it comes back.
        let listing = [s(&a2), s(&a)];
        assert_eq!(m.count_in(&listing), 1);
        assert!(m.contains(&w));
        assert!(!m.toggle(&a));
        assert_eq!(m.count_in(&listing), 0);
        m.clear();
        assert!(m.is_empty());
    }
}
