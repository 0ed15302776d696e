//! tmux sessions unfolded in the list into their windows and panes, as choose-tree shows
//! them: which sessions are open, their windows as last read, and the rows the list shows.
//! Open sessions are kept by identity (host, socket, name and tmux's `$N`), so they stay
//! open across refreshes and re-sorting, and close when their session goes or is replaced
//! under the same name. Pure state: the loop reads the trees that are due
//! ([`Tree::take_due`]) and hands them in ([`Tree::set`]).

use crate::backend::tmux_tree::WindowPane;
use crate::details::{TmuxDetails, WindowInfo};
use crate::model::{Location, Session, SessionId, State};
use crate::tui::rows::Row;

/// A session unfolded in the list.
#[derive(Debug, Clone)]
struct Open {
    id: SessionId,
    /// tmux's `$N` as listed when it was opened: another session under the same name is
    /// not this one.
    backend_id: Option<String>,
    /// Its windows as last read (empty until the first read arrives).
    windows: Vec<WindowInfo>,
    /// A read is in flight.
    pending: bool,
    /// A read is due (just opened, or the listing moved on since the last one).
    due: bool,
}

/// See the module doc.
#[derive(Debug, Default)]
pub struct Tree {
    open: Vec<Open>,
    /// The window or pane row the selection is on, under the selected session; None on
    /// the session's own row.
    pub child: Option<WindowPane>,
}

/// Whether `s` has windows and panes to unfold: a tmux session that has been started.
pub fn unfolds(s: &Session) -> bool {
    matches!(s.id.location, Location::Tmux { .. }) && s.state != State::Defined
}

impl Tree {
    /// Whether the session `id` is unfolded.
    pub fn is_open(&self, id: &SessionId) -> bool {
        self.open.iter().any(|o| o.id == *id)
    }

    /// Unfolds `s`; its windows are read next (see [`Tree::take_due`]).
    pub fn open(&mut self, s: &Session) {
        if self.is_open(&s.id) {
            return;
        }
        self.open.push(Open {
            id: s.id.clone(),
            backend_id: s.backend_id.clone(),
            windows: Vec::new(),
            pending: false,
            due: true,
        });
    }

    /// Folds the session `id` back into one row.
    pub fn close(&mut self, id: &SessionId) {
        self.open.retain(|o| o.id != *id);
    }

    /// The windows of the unfolded session `id`, as last read.
    pub fn windows(&self, id: &SessionId) -> Option<&[WindowInfo]> {
        self.open
            .iter()
            .find(|o| o.id == *id)
            .map(|o| o.windows.as_slice())
    }

    /// Every open tree is read again (the listing moved on, or time passed).
    pub fn make_due(&mut self) {
        for o in &mut self.open {
            o.due = true;
        }
    }

    /// The sessions (as listed in `sessions`) whose trees are due and not being read;
    /// they count as being read from now on.
    pub fn take_due(&mut self, sessions: &[Session]) -> Vec<Session> {
        let mut out = Vec::new();
        for o in self.open.iter_mut().filter(|o| o.due && !o.pending) {
            if let Some(s) = sessions.iter().find(|s| s.id == o.id) {
                o.due = false;
                o.pending = true;
                out.push(s.clone());
            }
        }
        out
    }

    /// A read of the tree of `id` came back: its windows, None when the session is gone
    /// (it folds), or why it could not be read. Returns the error to tell when the
    /// session had never been read (it folds: there is nothing to show); a later failure
    /// keeps the windows last read, and the next read tries again.
    pub fn set(
        &mut self,
        id: &SessionId,
        result: Result<Option<TmuxDetails>, String>,
    ) -> Option<String> {
        let o = self.open.iter_mut().find(|o| o.id == *id)?;
        o.pending = false;
        match result {
            Ok(Some(d)) => {
                o.windows = d.windows;
                None
            }
            Ok(None) => {
                self.close(id);
                None
            }
            Err(e) if o.windows.is_empty() => {
                self.close(id);
                Some(e)
            }
            Err(_) => None,
        }
    }

    /// Folds the sessions that are no longer listed, or that another session replaced
    /// under the same name, or that stopped having panes (defined again).
    pub fn retain_listed(&mut self, sessions: &[Session]) {
        self.open.retain(|o| {
            sessions.iter().any(|s| {
                s.id == o.id
                    && unfolds(s)
                    && (o.backend_id.is_none() || s.backend_id == o.backend_id)
            })
        });
    }

    /// Whether `child` is still a row under the session `id`.
    pub fn has(&self, id: &SessionId, child: &WindowPane) -> bool {
        self.windows(id).is_some_and(|ws| {
            ws.iter().any(|w| {
                w.id == child.window
                    && child
                        .pane
                        .as_ref()
                        .is_none_or(|p| w.panes.iter().any(|x| x.id == *p))
            })
        })
    }

    /// How the log pane's title names `child` of the session `id`: `window 1 (logs)`,
    /// `pane %7 (window 1, 1: sleep)`; by its ids when the tree no longer has it.
    pub fn describe(&self, id: &SessionId, child: &WindowPane) -> String {
        let window = self
            .windows(id)
            .and_then(|ws| ws.iter().find(|w| w.id == child.window));
        match (&child.pane, window) {
            (None, Some(w)) => format!("window {} ({})", w.index, w.name),
            (None, None) => format!("window {}", child.window),
            (Some(p), Some(w)) => match w.panes.iter().find(|x| x.id == *p) {
                Some(x) => format!("pane {p} (window {}, {}: {})", w.index, x.index, x.command),
                None => format!("pane {p}"),
            },
            (Some(p), None) => format!("pane {p}"),
        }
    }
}

/// The list's rows with the unfolded sessions' windows after them, each window followed
/// by its panes.
pub fn unfold<'a>(rows: Vec<Row<'a>>, tree: &'a Tree) -> Vec<Row<'a>> {
    if tree.open.is_empty() {
        return rows;
    }
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let session = match &row {
            Row::Session { session, .. } => Some(*session),
            _ => None,
        };
        out.push(row);
        let Some(s) = session else {
            continue;
        };
        let Some(windows) = tree.windows(&s.id) else {
            continue;
        };
        for (wi, w) in windows.iter().enumerate() {
            let last_window = wi + 1 == windows.len();
            out.push(Row::Window {
                session: s,
                window: w,
                last: last_window,
            });
            for (pi, p) in w.panes.iter().enumerate() {
                out.push(Row::Pane {
                    session: s,
                    window: w,
                    pane: p,
                    last_window,
                    last: pi + 1 == w.panes.len(),
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_window_or_pane_the_tree_no_longer_has_is_named_by_its_ids() {
        let tree = Tree::default();
        let id = SessionId::tmux("work", "api");
        let window = WindowPane {
            window: "@4".into(),
            pane: None,
        };
        assert_eq!(tree.describe(&id, &window), "window @4");
        let pane = WindowPane {
            pane: Some("%7".into()),
            ..window
        };
        assert_eq!(tree.describe(&id, &pane), "pane %7");
        assert!(!tree.has(&id, &pane));
    }
}
