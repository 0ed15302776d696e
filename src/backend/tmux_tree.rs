//! A tmux session's windows and panes, as choose-tree shows them, from one `list-panes -s`
//! call on the session's id: every pane's window, index, flags, program, directory, pid and
//! size, with the session's creation time and attached clients on every line. Also the
//! window or pane of a session that the list's tree rows stand for ([`WindowPane`]), as
//! follow and attach reach it.

use super::BackendError;
use super::process;
use super::tmux::{SessionRef, Tmux, gone_or_failed};
use crate::details::{PaneInfo, TmuxDetails, WindowInfo};

/// Fields asked of `list-panes -s`, tab-separated. The window name comes last, so a name
/// holding a tab still parses; the directory before it cannot hold one without shifting
/// the name (a directory name with a tab is left to that).
const TREE_FORMAT: &str = "#{session_created}\t#{session_attached}\t#{window_index}\t#{window_active}\t#{pane_id}\t#{pane_index}\t#{pane_active}\t#{pane_pid}\t#{pane_width}\t#{pane_height}\t#{pane_dead}\t#{pane_current_command}\t#{pane_current_path}\t#{window_id}\t#{window_name}";

/// Fields per line of [`TREE_FORMAT`].
const FIELDS: usize = 15;

impl Tmux {
    /// The session's tree of windows and panes, or None when the session (or its server)
    /// is gone. `id` is the session's id: a name never reaches tmux's target parser.
    pub async fn details(
        &self,
        socket: &str,
        id: &SessionRef,
    ) -> Result<Option<TmuxDetails>, BackendError> {
        let inv = self
            .inv(socket)
            .args(["list-panes", "-s", "-t", id.as_str(), "-F", TREE_FORMAT]);
        let (status, out) = process::run_raw(&inv, self.timeout).await?;
        if !status.success() {
            return gone_or_failed(&inv, &out, status.code());
        }
        let mut d = parse_tree(&out.text());
        d.socket_path = self.socket_path(socket).display().to_string();
        d.session_id = id.as_str().to_string();
        Ok(Some(d))
    }
}

/// A window of a tmux session, or one pane of it: what a tree row of the list stands for.
/// By tmux's ids (`@4`, `%7`), which it never gives to another window or pane while the
/// server lives, and always under the session's own id (`$3:@4.%7`), which tmux checks:
/// a window moved to another session, or a pane to another window, is not found.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct WindowPane {
    /// The window id (`@4`).
    pub window: String,
    /// The pane id (`%7`); None for the window itself, which stands for its active pane.
    pub pane: Option<String>,
}

impl WindowPane {
    /// The window's target under the session: `$3:@4`.
    fn window_target(&self, session: &SessionRef) -> String {
        format!("{}:{}", session.as_str(), self.window)
    }

    /// The target of its pane (the window's active one without a pane) under the session:
    /// `$3:@4.%7` or `$3:@4`, which tmux refuses when the window is not in that session
    /// or the pane not in that window.
    pub fn target(&self, session: &SessionRef) -> String {
        match &self.pane {
            Some(p) => format!("{}.{p}", self.window_target(session)),
            None => self.window_target(session),
        }
    }
}

impl Tmux {
    /// The pane id `at` stands for in the session `id`: its pane, or the window's active
    /// pane. None when the window is no longer in that session, or the pane no longer in
    /// that window. (Not `display-message -t`: with a target it cannot find, it answers
    /// for another pane.)
    pub async fn pane_at(
        &self,
        socket: &str,
        id: &SessionRef,
        at: &WindowPane,
    ) -> Result<Option<String>, BackendError> {
        let inv = self.inv(socket).args([
            "list-panes",
            "-t",
            &at.window_target(id),
            "-F",
            "#{pane_id}\t#{pane_active}",
        ]);
        let (status, out) = process::run_raw(&inv, self.timeout).await?;
        if !status.success() {
            return gone_or_failed(&inv, &out, status.code());
        }
        let text = out.text();
        let panes = text.lines().filter_map(|l| l.split_once('\t'));
        let found = match &at.pane {
            Some(p) => panes.map(|(id, _)| id).find(|id| id == p),
            None => panes.filter(|(_, a)| *a == "1").map(|(id, _)| id).next(),
        };
        Ok(found.filter(|p| p.starts_with('%')).map(str::to_string))
    }

    /// Makes `at` the session's current window (and its pane the window's active one), as
    /// choose-tree does before it switches, so that an attach to the session shows it.
    /// False when the window or pane is no longer in that session.
    pub async fn select(
        &self,
        socket: &str,
        id: &SessionRef,
        at: &WindowPane,
    ) -> Result<bool, BackendError> {
        let mut inv = self
            .inv(socket)
            .args(["select-window", "-t", &at.window_target(id)]);
        if at.pane.is_some() {
            // One call: `;` alone is tmux's separator between two commands.
            inv = inv.args([";", "select-pane", "-t", &at.target(id)]);
        }
        let (status, out) = process::run_raw(&inv, self.timeout).await?;
        if status.success() {
            return Ok(true);
        }
        Ok(gone_or_failed::<()>(&inv, &out, status.code())?.is_some())
    }
}

/// Parses `list-panes -s -F TREE_FORMAT` (socket path and session id left empty).
pub fn parse_tree(text: &str) -> TmuxDetails {
    let mut d = TmuxDetails::default();
    for line in text.lines() {
        let f: Vec<&str> = line.splitn(FIELDS, '\t').collect();
        if f.len() < FIELDS {
            continue;
        }
        let num = |i: usize| f[i].parse::<u32>().ok();
        d.created = f[0].parse().ok();
        d.attached_clients = num(1).unwrap_or(0);
        let Some(window) = num(2) else { continue };
        let pane = PaneInfo {
            id: f[4].to_string(),
            index: num(5).unwrap_or(0),
            active: f[6] == "1",
            pid: num(7).filter(|p| *p > 0),
            width: num(8).unwrap_or(0),
            height: num(9).unwrap_or(0),
            dead: f[10] == "1",
            command: f[11].to_string(),
            cwd: f[12].to_string(),
        };
        if !pane.id.starts_with('%') {
            continue;
        }
        match d.windows.iter_mut().find(|w| w.index == window) {
            Some(w) => w.panes.push(pane),
            None => d.windows.push(WindowInfo {
                index: window,
                id: f[13].to_string(),
                name: f[14].to_string(),
                active: f[3] == "1",
                panes: vec![pane],
            }),
        }
    }
    d.windows.sort_by_key(|w| w.index);
    for w in &mut d.windows {
        w.panes.sort_by_key(|p| p.index);
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_group_their_panes() {
        let text = "1764040000\t1\t1\t0\t%3\t0\t1\t500\t80\t24\t0\tvim\t/src\t@1\tedit\n\
                    1764040000\t1\t0\t1\t%0\t0\t0\t400\t40\t24\t0\tbash\t/home/me\t@0\tmain\twith\ttabs\n\
                    1764040000\t1\t0\t1\t%1\t1\t1\t401\t39\t24\t1\tsleep\t/tmp\t@0\tmain\twith\ttabs\n\
                    broken line\n";
        let d = parse_tree(text);
        assert_eq!(d.created, Some(1_764_040_000));
        assert_eq!(d.attached_clients, 1);
        assert_eq!(d.windows.len(), 2);
        assert_eq!(d.windows[0].index, 0);
        assert_eq!(d.windows[0].name, "main\twith\ttabs");
        assert_eq!(
            (d.windows[0].id.as_str(), d.windows[1].id.as_str()),
            ("@0", "@1")
        );
        assert!(d.windows[0].active);
        assert_eq!(d.windows[0].panes[1].id, "%1");
        assert!(d.windows[0].panes[1].active && d.windows[0].panes[1].dead);
        assert_eq!(d.windows[0].panes[1].pid, Some(401));
        assert_eq!(
            (d.windows[0].panes[0].width, d.windows[0].panes[0].height),
            (40, 24)
        );
        assert_eq!(d.windows[1].panes[0].command, "vim");
        assert_eq!(d.windows[1].panes[0].cwd, "/src");
        assert_eq!(d.panes().count(), 3);
    }
}
