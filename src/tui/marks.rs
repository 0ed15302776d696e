//! The sessions marked with `space`, which bulk actions (`s`, `x`, `X`, `r`, `:`) and the
//! merged log act on. Kept by identity, so a mark stays on its session across refreshes,
//! re-sorting and filters, and goes when the session is no longer listed.

use std::collections::BTreeSet;

use crate::model::{Session, SessionId};

/// The marked sessions.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Marks(BTreeSet<SessionId>);

impl Marks {
    /// Marks `id`, or unmarks it when it was marked; whether it is marked now.
    pub fn toggle(&mut self, id: &SessionId) -> bool {
        if self.0.remove(id) {
            false
        } else {
            self.0.insert(id.clone());
            true
        }
    }

    /// Whether `id` is marked.
    pub fn contains(&self, id: &SessionId) -> bool {
        self.0.contains(id)
    }

    /// How many are marked.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether none is.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Forgets the marks of sessions that are no longer listed.
    pub fn retain_present(&mut self, sessions: &[Session]) {
        self.0.retain(|id| sessions.iter().any(|s| &s.id == id));
    }

    /// Unmarks every session.
    pub fn clear(&mut self) {
        self.0.clear();
    }

    /// The marked ids, in list order.
    pub fn ids(&self) -> impl Iterator<Item = &SessionId> {
        self.0.iter()
    }

    /// The marked sessions among `sessions`, in their order.
    pub fn among<'a>(&self, sessions: &'a [Session]) -> Vec<&'a Session> {
        if self.0.is_empty() {
            return Vec::new();
        }
        sessions.iter().filter(|s| self.contains(&s.id)).collect()
    }

    /// How many of `sessions` are marked.
    pub fn count_in(&self, sessions: &[Session]) -> usize {
        self.among(sessions).len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::State;

    #[test]
    fn marks_toggle_and_go_with_their_sessions() {
        let a = SessionId::tmux("s", "a");
        let b = SessionId::tmux("s", "b");
        let mut m = Marks::default();
        m.toggle(&a);
        m.toggle(&b);
        m.toggle(&a);
        assert!(!m.contains(&a) && m.contains(&b));
        assert_eq!(m.len(), 1);
        m.retain_present(&[Session::new(a.clone(), State::Running)]);
        assert!(m.is_empty());
    }
}
