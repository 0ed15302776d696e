//! `→` / `←` on the list: a tmux session unfolds into its windows and panes and folds
//! back, choose-tree style (the rows themselves are [`crate::tui::tree`]'s). Session actions
//! on a window or pane row act on its session; follow and attach reach that window or pane.

use super::{App, Effect, Level};
use crate::details::Details;
use crate::model::{Session, SessionId};
use crate::tui::rows::Row;
use crate::tui::tree;

impl App {
    /// The list's rows: the visible sessions (under their groups' headers while grouped),
    /// each unfolded one followed by its windows and panes.
    pub fn rows(&self) -> Vec<Row<'_>> {
        let rows = crate::tui::groups::rows(&self.visible(), &self.sessions, self.grouping.on);
        tree::unfold(rows, &self.tree)
    }

    /// `→`: unfolds the selected tmux session; on an unfolded session, moves to its first
    /// window, on a window to its first pane (as choose-tree moves into a branch).
    pub(super) fn expand(&mut self) -> Effect {
        let Some(s) = self.selected_session().cloned() else {
            return Effect::None;
        };
        if !tree::unfolds(&s) {
            let why = if s.state == crate::model::State::Defined {
                "has not been started: it has no windows yet"
            } else {
                "is a container: only tmux sessions have windows and panes"
            };
            self.say(format!("{} {why}", s.id), Level::Info);
            return Effect::None;
        }
        if !self.tree.is_open(&s.id) {
            self.tree.open(&s);
            return Effect::None;
        }
        // Into the branch: the row below, when it is this session's child.
        match self.selected_index() {
            Some(i) if self.tree.child.as_ref().is_none_or(|c| c.pane.is_none()) => {
                let below_is_child = self
                    .rows()
                    .get(i + 1)
                    .is_some_and(|r| r.is(&s.id, r.child().as_ref()) && r.child().is_some());
                if below_is_child {
                    return self.select_row(i + 1);
                }
                Effect::None
            }
            _ => Effect::None,
        }
    }

    /// `←`: on a window or pane row, the selection goes back to its session, which folds
    /// (as in choose-tree); on an unfolded session, it folds.
    pub(super) fn fold(&mut self) -> Effect {
        let Some(id) = self.selected.clone() else {
            return Effect::None;
        };
        if !self.tree.is_open(&id) {
            return Effect::None;
        }
        self.tree.close(&id);
        if self.tree.child.take().is_some() {
            return self.follow_selected();
        }
        Effect::None
    }

    /// The unfolded sessions whose windows the loop should read now; they count as being
    /// read until [`App::set_tree`].
    pub fn trees_due(&mut self) -> Vec<Session> {
        self.tree.take_due(&self.sessions)
    }

    /// Time passed: the unfolded trees are read again.
    pub fn trees_stale(&mut self) {
        self.tree.make_due();
    }

    /// The windows of the unfolded session `id` were read (or not). A session that is
    /// gone folds; a window or pane row the selection was on that is gone moves the
    /// selection to its session's row, whose active pane the log follows then.
    pub fn set_tree(&mut self, id: &SessionId, result: Result<Option<Details>, String>) -> Effect {
        let result = result.map(|d| match d {
            Some(Details::Tmux(t)) => Some(t),
            _ => None,
        });
        if let Some(e) = self.tree.set(id, result) {
            self.say(
                format!("cannot read the windows of {id}: {e}; it stays folded"),
                Level::Error,
            );
        }
        self.keep_child()
    }

    /// Drops the selection's window or pane when its tree no longer has it; the log then
    /// follows the session's active pane.
    pub(super) fn keep_child(&mut self) -> Effect {
        if self.drop_gone_child() && self.log.id == self.selected && self.log.merged.is_empty() {
            return self.follow_selected();
        }
        Effect::None
    }

    /// Drops the selection's window or pane when its tree no longer has it; true then.
    pub(super) fn drop_gone_child(&mut self) -> bool {
        let gone = match (&self.selected, &self.tree.child) {
            (Some(id), Some(c)) => !self.tree.has(id, c),
            _ => false,
        };
        if gone {
            self.tree.child = None;
        }
        gone
    }

    /// What the attach line and the log title call the selection's window or pane.
    pub fn child_label(&self) -> Option<String> {
        let id = self.selected.as_ref()?;
        let c = self.tree.child.as_ref()?;
        Some(self.tree.describe(id, c))
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::backend::tmux_tree::WindowPane;
    use crate::details::{PaneInfo, TmuxDetails, WindowInfo};
    use crate::engine::{Input, Listing};
    use crate::model::{Runtime, State};
    use crate::tui::app::{Effect, Mode, Op};
    use crate::tui::keys::{Action, Keymap};

    fn app() -> App {
        let keymap = Keymap::new(&BTreeMap::new()).expect("default keys");
        let mut app = App::new(keymap, 100, false);
        app.settle();
        app
    }

    fn tmux(name: &str, dollar: &str) -> Session {
        let mut s = Session::new(SessionId::tmux("work", name), State::Running);
        s.backend_id = Some(dollar.into());
        s
    }

    fn listing(sessions: &[Session]) -> Listing {
        Listing {
            sessions: sessions.to_vec(),
            health: Vec::new(),
            hosts: Vec::new(),
        }
    }

    fn pane(id: &str, index: u32, active: bool) -> PaneInfo {
        PaneInfo {
            id: id.into(),
            index,
            active,
            command: "sleep".into(),
            cwd: "/tmp".into(),
            pid: Some(100),
            width: 80,
            height: 24,
            dead: false,
        }
    }

    /// Window `@0` with pane `%0`; window `@1` (active) with `%1` (active) and `%2`.
    fn two_windows() -> Result<Option<Details>, String> {
        Ok(Some(Details::Tmux(TmuxDetails {
            windows: vec![
                WindowInfo {
                    index: 0,
                    id: "@0".into(),
                    name: "main".into(),
                    active: false,
                    panes: vec![pane("%0", 0, true)],
                },
                WindowInfo {
                    index: 1,
                    id: "@1".into(),
                    name: "logs".into(),
                    active: true,
                    panes: vec![pane("%1", 0, true), pane("%2", 1, false)],
                },
            ],
            ..TmuxDetails::default()
        })))
    }

    fn at(window: &str, pane: Option<&str>) -> WindowPane {
        WindowPane {
            window: window.into(),
            pane: pane.map(str::to_string),
        }
    }

    /// `api` unfolded with [`two_windows`], `web` (a container) below; the selection on
    /// `api`'s row.
    fn unfolded() -> (App, Session, Session) {
        let api = tmux("api", "$1");
        let web = Session::new(SessionId::container(Runtime::Podman, "web"), State::Running);
        let mut app = app();
        let _ = app.set_listing(listing(&[api.clone(), web.clone()]), &[]);
        assert_eq!(app.act(Action::Expand), Effect::None);
        assert!(app.tree.is_open(&api.id));
        assert_eq!(app.trees_due(), vec![api.clone()]);
        assert!(app.trees_due().is_empty(), "one read at a time");
        let _ = app.set_tree(&api.id, two_windows());
        (app, api, web)
    }

    fn labels(app: &App) -> Vec<String> {
        app.rows()
            .iter()
            .map(|r| match r.child() {
                None => r.session().map(|s| s.id.name.clone()).unwrap_or_default(),
                Some(_) => r.label(),
            })
            .collect()
    }

    #[test]
    fn right_unfolds_into_windows_and_panes_as_choose_tree_draws_them() {
        let (app, ..) = unfolded();
        assert_eq!(
            labels(&app),
            [
                "api",
                "├─ 0: main",
                "│  └─ 0: sleep*",
                "└─ 1: logs*",
                "   ├─ 0: sleep*",
                "   └─ 1: sleep",
                "web"
            ]
        );
        assert_eq!(app.rows()[3].info(), "2 panes");
        assert_eq!(app.rows()[5].info(), "%2  /tmp  80x24  pid 100");
    }

    #[test]
    fn a_pane_row_follows_that_pane_and_left_goes_back_to_the_session_folded() {
        let (mut app, api, _) = unfolded();
        // → again moves into the branch: the first window, whose active pane is followed.
        assert_eq!(
            app.act(Action::Expand),
            Effect::FollowAt(api.clone(), at("@0", None))
        );
        let _ = app.act(Action::Down);
        let _ = app.act(Action::Down);
        let effect = app.act(Action::Down);
        assert_eq!(effect, Effect::FollowAt(api.clone(), at("@1", Some("%1"))));
        let effect = app.act(Action::Down);
        assert_eq!(effect, Effect::FollowAt(api.clone(), at("@1", Some("%2"))));
        assert_eq!(app.log.pane, Some(at("@1", Some("%2"))));
        assert_eq!(app.selected_index(), Some(5));
        // ← on a pane: back on the session's row, folded, its active pane followed.
        assert_eq!(app.act(Action::Fold), Effect::Follow(Some(api.clone())));
        assert_eq!(app.selected_index(), Some(0));
        assert_eq!(app.tree.child, None);
        assert!(!app.tree.is_open(&api.id));
        assert_eq!(labels(&app), ["api", "web"]);
        // ← on a folded session does nothing.
        assert_eq!(app.act(Action::Fold), Effect::None);
    }

    #[test]
    fn the_unfolded_tree_and_the_pane_selected_survive_refreshes_and_sorting() {
        let (mut app, api, web) = unfolded();
        let _ = app.select_row(5);
        // Another listing (other order, a new session above): nothing moves or refollows.
        let new = tmux("aaa", "$7");
        let effect = app.set_listing(listing(&[web.clone(), new, api.clone()]), &[]);
        assert_eq!(effect, Effect::None);
        let _ = app.act(Action::SortReverse);
        assert_eq!(app.tree.child, Some(at("@1", Some("%2"))));
        let rows = app.rows();
        let i = app.selected_index().expect("selected");
        assert!(rows[i].is(&api.id, Some(&at("@1", Some("%2")))));
        assert_eq!(
            rows[i - 5].session().map(|s| &s.id),
            Some(&api.id),
            "its session's row is above"
        );
        // A fresh read without that pane: back on the session's row and its active pane.
        let mut fewer = two_windows();
        if let Ok(Some(Details::Tmux(t))) = &mut fewer {
            t.windows[1].panes.pop();
        }
        assert_eq!(
            app.set_tree(&api.id, fewer),
            Effect::Follow(Some(api.clone()))
        );
        assert_eq!(app.tree.child, None);
        assert!(app.tree.is_open(&api.id));
    }

    #[test]
    fn a_session_that_goes_or_is_replaced_loses_its_children() {
        let (mut app, api, web) = unfolded();
        let _ = app.select_row(4);
        // Replaced under the same name: another session, folded, followed afresh.
        let other = tmux("api", "$9");
        let effect = app.set_listing(listing(&[other.clone(), web.clone()]), &[]);
        assert!(!app.tree.is_open(&api.id));
        assert_eq!(app.tree.child, None);
        assert_eq!(effect, Effect::Follow(Some(other.clone())));
        assert_eq!(labels(&app), ["api", "web"]);
        // Gone: its rows go, the selection lands on a row still there.
        let (mut app, api, web) = unfolded();
        let _ = app.select_row(2);
        let effect = app.set_listing(listing(std::slice::from_ref(&web)), &[]);
        assert!(!app.tree.is_open(&api.id));
        assert_eq!(
            (app.selected.clone(), app.tree.child.clone()),
            (Some(web.id.clone()), None)
        );
        assert_eq!(effect, Effect::Follow(Some(web)));
        // A read that says it is gone folds it too.
        let (mut app, api, _) = unfolded();
        let _ = app.set_tree(&api.id, Ok(None));
        assert!(!app.tree.is_open(&api.id));
    }

    #[test]
    fn session_actions_on_a_child_row_act_on_its_session_and_attach_goes_to_the_pane() {
        let (mut app, api, _) = unfolded();
        let _ = app.select_row(5);
        assert_eq!(
            app.act(Action::Attach),
            Effect::AttachAt(api.clone(), at("@1", Some("%2")))
        );
        assert_eq!(app.act(Action::Stop), Effect::None);
        assert_eq!(app.mode, Mode::Confirm(Op::Stop, api.id.clone()));
        let _ = app.answer(false);
        // `:` types into that pane, not the session's active one.
        let _ = app.act(Action::Send);
        app.prompt = "make test".into();
        assert_eq!(
            app.act(Action::SendLine),
            Effect::SendAt(
                api.clone(),
                at("@1", Some("%2")),
                Input::Line("make test".into())
            )
        );
        // Space marks the session and moves to the next session's row.
        let _ = app.act(Action::Mark);
        assert!(app.marks.contains(&api.id));
        assert_eq!(app.selected_index(), Some(6));
        // With marks, `:` goes to every marked session's active pane, as ever.
        let _ = app.select_row(5);
        let _ = app.act(Action::Send);
        app.prompt = "ls".into();
        assert_eq!(
            app.act(Action::SendLine),
            Effect::Send(vec![api.clone()], Input::Line("ls".into()))
        );
    }

    #[test]
    fn a_click_selects_a_pane_row_and_a_double_click_attaches_there() {
        use crossterm::event::{KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
        let (mut app, api, _) = unfolded();
        let click = MouseEvent {
            kind: MouseEventKind::Down(MouseButton::Left),
            column: 3,
            row: 7,
            modifiers: KeyModifiers::NONE,
        };
        let now = std::time::Instant::now();
        let hit = crate::tui::app::Hit::Row(5);
        assert_eq!(
            app.on_mouse(click, hit, now),
            Effect::FollowAt(api.clone(), at("@1", Some("%2")))
        );
        assert_eq!(
            app.on_mouse(click, hit, now),
            Effect::AttachAt(api, at("@1", Some("%2")))
        );
    }

    #[test]
    fn only_started_tmux_sessions_unfold_and_a_first_read_that_fails_says_why() {
        let (mut app, api, web) = unfolded();
        let _ = app.select_row(6);
        assert_eq!(app.act(Action::Expand), Effect::None);
        assert!(!app.tree.is_open(&web.id));
        let said = app.message.clone().map(|(m, _)| m).unwrap_or_default();
        assert!(said.contains("only tmux sessions"), "{said}");
        // A later failed read keeps the tree; a first one folds and says so.
        let _ = app.set_tree(&api.id, Err("no server".into()));
        assert!(app.tree.is_open(&api.id));
        let mut app2 = self::app();
        let _ = app2.set_listing(listing(std::slice::from_ref(&api)), &[]);
        let _ = app2.act(Action::Expand);
        let _ = app2.set_tree(&api.id, Err("no server".into()));
        assert!(!app2.tree.is_open(&api.id));
        let said = app2.message.clone().map(|(m, _)| m).unwrap_or_default();
        assert!(
            said.contains("cannot read the windows of tmux@work:api: no server"),
            "{said}"
        );
    }
}
