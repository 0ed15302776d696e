//! One row of the list: a session, a group's header (grouped view, [`crate::tui::groups`])
//! or a window or pane of an unfolded tmux session ([`crate::tui::tree`]). The rows are
//! made afresh from the listing for each use, borrowing from it.

use crate::backend::tmux_tree::WindowPane;
use crate::details::{PaneInfo, WindowInfo};
use crate::model::{Session, SessionId};
use crate::tui::groups::Header;

/// One row of the list.
#[derive(Debug, Clone)]
pub enum Row<'a> {
    /// A session; `member` when it is drawn indented under its group's header.
    Session {
        /// The session.
        session: &'a Session,
        /// Drawn under a header.
        member: bool,
    },
    /// A group's header (while the list is grouped).
    Header(Header<'a>),
    /// A window of an unfolded tmux session; `last` among its session's windows.
    Window {
        /// Its session.
        session: &'a Session,
        /// The window.
        window: &'a WindowInfo,
        /// Whether no window follows it (its glyph closes the branch).
        last: bool,
    },
    /// A pane under its window's row.
    Pane {
        /// Its session.
        session: &'a Session,
        /// Its window.
        window: &'a WindowInfo,
        /// The pane.
        pane: &'a PaneInfo,
        /// Whether its window is the session's last (no branch line runs past it).
        last_window: bool,
        /// Whether no pane follows it in its window.
        last: bool,
    },
}

impl<'a> Row<'a> {
    /// The session the row is, or belongs to: what session actions act on. None for a
    /// group header, which stands for several.
    pub fn session(&self) -> Option<&'a Session> {
        match self {
            Row::Session { session: s, .. }
            | Row::Window { session: s, .. }
            | Row::Pane { session: s, .. } => Some(s),
            Row::Header(_) => None,
        }
    }

    /// A session row: a session that is not a window or pane of one, nor a header.
    pub fn plain(session: &'a Session) -> Row<'a> {
        Row::Session {
            session,
            member: false,
        }
    }

    /// The window or pane the row stands for; None for a session row.
    pub fn child(&self) -> Option<WindowPane> {
        match self {
            Row::Session { .. } | Row::Header(_) => None,
            Row::Window { window, .. } => Some(WindowPane {
                window: window.id.clone(),
                pane: None,
            }),
            Row::Pane { window, pane, .. } => Some(WindowPane {
                window: window.id.clone(),
                pane: Some(pane.id.clone()),
            }),
        }
    }

    /// Whether the row is `child` of session `id` (its own row when `child` is None).
    pub fn is(&self, id: &SessionId, child: Option<&WindowPane>) -> bool {
        self.session().is_some_and(|s| s.id == *id) && self.child().as_ref() == child
    }

    /// The name column of a child row, choose-tree style: the branch glyphs, the index,
    /// the window's name or the pane's program, `*` on the active one. Empty for a
    /// session or header row.
    pub fn label(&self) -> String {
        match self {
            Row::Session { .. } | Row::Header(_) => String::new(),
            Row::Window { window, last, .. } => format!(
                "{}─ {}: {}{}",
                if *last { "└" } else { "├" },
                window.index,
                window.name,
                if window.active { "*" } else { "" }
            ),
            Row::Pane {
                pane,
                last_window,
                last,
                ..
            } => format!(
                "{}  {}─ {}: {}{}",
                if *last_window { " " } else { "│" },
                if *last { "└" } else { "├" },
                pane.index,
                pane.command,
                if pane.active { "*" } else { "" }
            ),
        }
    }

    /// What a child row says beyond its label: a window's pane count; a pane's id,
    /// directory, size and pid.
    pub fn info(&self) -> String {
        match self {
            Row::Session { .. } | Row::Header(_) => String::new(),
            Row::Window { window, .. } => {
                let n = window.panes.len();
                format!("{n} pane{}", if n == 1 { "" } else { "s" })
            }
            Row::Pane { pane, .. } => {
                let pid = pane.pid.map_or_else(|| "-".into(), |p| p.to_string());
                format!(
                    "{}  {}  {}x{}  pid {pid}",
                    pane.id,
                    short_dir(&pane.cwd),
                    pane.width,
                    pane.height
                )
            }
        }
    }
}

/// Longest directory shown whole in a pane row; a longer one keeps its last two parts.
const DIR_MAX: usize = 24;

/// `…/proj/src` for a long directory, so that the pane's size and pid stay in view.
fn short_dir(dir: &str) -> String {
    if dir.chars().count() <= DIR_MAX {
        return dir.to_string();
    }
    let parts: Vec<&str> = dir.rsplitn(3, '/').collect();
    match parts.as_slice() {
        [last, parent, _] => format!("…/{parent}/{last}"),
        _ => dir.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_directory_keeps_its_last_two_parts() {
        assert_eq!(short_dir("/srv/app"), "/srv/app");
        assert_eq!(
            short_dir("/home/someone/projects/muxdeck/src"),
            "…/muxdeck/src"
        );
        let odd = "x".repeat(30);
        assert_eq!(short_dir(&odd), odd, "no slash: whole");
    }
}
