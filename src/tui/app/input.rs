//! How keys and the mouse change the [`App`]: an action read through the keymap of the
//! mode, the questions asked before an operation, movement in either pane, the filter.

use std::time::{Duration, Instant};

use crossterm::event::{
    KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};

use super::{App, Column, Effect, Focus, HandOver, Hit, Level, Mode, Op};
use crate::model::{Session, State};
use crate::tui::keys::{Action, Scope};
use crate::tui::wording;

/// Longest time between the two clicks of a double click (what desktops use by default).
pub const DOUBLE_CLICK: Duration = Duration::from_millis(400);

/// Log lines one notch of the wheel scrolls.
const WHEEL_LINES: usize = 3;

impl App {
    /// Does what `action` asks, in whichever mode its key was read.
    pub fn act(&mut self, action: Action) -> Effect {
        if let Some(effect) = self.on_header(action) {
            return effect;
        }
        match action {
            Action::Quit => return Effect::Quit,
            Action::Help => self.open_overlay(Mode::Help),
            Action::Messages => self.open_overlay(Mode::Messages),
            Action::Filter => self.mode = Mode::Filter,
            Action::Focus => {
                self.focus = match self.focus {
                    Focus::List => Focus::Logs,
                    Focus::Logs => Focus::List,
                }
            }
            Action::Refresh => return Effect::Refresh,
            Action::WriteConfig => return self.write_config(),
            Action::Follow => {
                self.log.follow = true;
                self.log.scroll = 0;
            }
            Action::Wrap => self.log.wrap = !self.log.wrap,
            Action::Up
            | Action::Down
            | Action::Top
            | Action::Bottom
            | Action::PageUp
            | Action::PageDown
            | Action::HalfPageUp
            | Action::HalfPageDown => {
                return self.movement(action);
            }
            Action::Expand => return self.expand(),
            Action::Fold => return self.fold(),
            Action::Attach | Action::Exec => {
                if let Some(s) = self.selected_session().cloned()
                    && !self.refused(action, &s)
                {
                    if let Some(at) = self.tree.child.clone().filter(|_| action == Action::Attach) {
                        return Effect::AttachAt(s, at);
                    }
                    let to = if action == Action::Exec {
                        HandOver::Shell
                    } else {
                        HandOver::Attach
                    };
                    return Effect::HandOver(s, to);
                }
            }
            Action::Start | Action::Restart | Action::Stop | Action::Kill
                if !self.marks.is_empty() =>
            {
                let op = match action {
                    Action::Start => Op::Start,
                    Action::Restart => Op::Restart,
                    Action::Stop => Op::Stop,
                    _ => Op::Kill,
                };
                self.ask_many(op);
            }
            Action::Mark => return self.toggle_mark(),
            Action::MergedLog => return self.toggle_merged(),
            Action::Timestamps => self.log.timestamps = !self.log.timestamps,
            Action::Start => return self.run(Op::Start),
            Action::Restart => return self.ask_if_running(Op::Restart),
            Action::Stop => return self.ask_if_running(Op::Stop),
            Action::Kill => return self.ask_if_running(Op::Kill),
            Action::Remove => self.ask_remove(),
            Action::Pause => return self.toggle_pause(),
            Action::Send => self.open_prompt(),
            Action::SendLine => return self.submit_prompt(),
            Action::ClosePrompt => self.close_prompt(),
            Action::PromptKeys => self.prompt_keys = !self.prompt_keys,
            Action::Events => {
                self.events.seen();
                self.open_overlay(Mode::Events);
            }
            Action::Details => return self.toggle_details(),
            Action::Group => return self.toggle_groups(),
            Action::Stats => return self.toggle_stats(),
            Action::Sort => return self.sort_by(true),
            Action::SortReverse => return self.sort_by(false),
            Action::ClearFilter => match self.mode {
                Mode::LogPrompt(p) => self.cancel_log_prompt(p),
                _ => return self.clear_filter(),
            },
            Action::Keep => match self.mode {
                Mode::LogPrompt(p) => self.keep_log_prompt(p),
                _ => self.mode = Mode::Normal,
            },
            Action::LogSearch
            | Action::NextMatch
            | Action::PrevMatch
            | Action::LogFilter
            | Action::Context
            | Action::ClearLogTools
            | Action::SaveLog
            | Action::Copy
            | Action::Since => return self.log_action(action),
            Action::Confirm => return self.answer(true),
            Action::Cancel => return self.answer(false),
        }
        Effect::None
    }

    /// Handles a key press in whatever mode the screen is in: overlays close on any key,
    /// a filter being typed takes the keys no filter action has, and everything else goes
    /// through the keymap of the mode.
    pub fn on_key(&mut self, key: &KeyEvent) -> Effect {
        if key.kind == KeyEventKind::Release {
            return Effect::None;
        }
        if matches!(self.mode, Mode::Help | Mode::Messages | Mode::Events) {
            if !self.scroll_overlay(key) {
                self.mode = Mode::Normal;
            }
            return Effect::None;
        }
        // The focused pane's own keys come first (`/` searches the log there, `G` groups
        // the list).
        let pane = match (self.mode == Mode::Normal, self.focus) {
            (true, Focus::Logs) => self.keymap.action(Scope::LogPane, key),
            (true, Focus::List) => self.keymap.action(Scope::List, key),
            (false, _) => None,
        };
        match pane.or_else(|| self.keymap.action(self.mode.scope(), key)) {
            Some(Action::Since) => self.since_key(key),
            Some(a) => self.act(a),
            None if self.mode == Mode::Filter => self.type_filter(key),
            None if self.mode == Mode::Normal => self.command_key(key),
            None if matches!(self.mode, Mode::ConfirmMany(..)) => {
                self.scroll_overlay(key);
                Effect::None
            }
            None if matches!(self.mode, Mode::Prompt(_)) => {
                self.type_prompt(key);
                Effect::None
            }
            None => match self.mode {
                Mode::LogPrompt(p) => self.type_log_prompt(p, key),
                _ => Effect::None,
            },
        }
    }

    /// A key no action has in the list may be one of the config's own commands: it runs on
    /// the selected session (after a question when the command asks for one).
    fn command_key(&mut self, key: &KeyEvent) -> Effect {
        let pressed = crate::keyspec::Key::from_event(key);
        let Some(cmd) = self
            .commands
            .iter()
            .find(|(k, _)| *k == Some(pressed))
            .map(|(_, c)| c.clone())
        else {
            return Effect::None;
        };
        let Some(s) = self.selected_session().cloned() else {
            return Effect::None;
        };
        let applies = match s.id.location.kind() {
            crate::model::BackendKind::Tmux => cmd.applies.tmux,
            crate::model::BackendKind::Container => cmd.applies.container,
        };
        if !applies {
            self.say(
                format!(
                    "{} is for {}; {} is not one",
                    cmd.name,
                    cmd.applies.describe(),
                    s.id
                ),
                Level::Error,
            );
            return Effect::None;
        }
        if s.state == State::Defined {
            self.say(
                format!(
                    "{} has not been started; press {} to start it first",
                    s.id,
                    self.keymap.hint(Action::Start)
                ),
                Level::Error,
            );
            return Effect::None;
        }
        if cmd.confirm {
            self.mode = Mode::ConfirmCommand(cmd.name, s.id);
            return Effect::None;
        }
        Effect::Command(cmd, s)
    }

    /// A key typed into the filter: characters (not Ctrl ones) go in, Backspace takes the
    /// last one out.
    fn type_filter(&mut self, key: &KeyEvent) -> Effect {
        match key.code {
            KeyCode::Backspace => {
                self.filter.pop();
            }
            KeyCode::Char(c) if !key.modifiers.contains(KeyModifiers::CONTROL) => {
                self.filter.push(c);
            }
            _ => return Effect::None,
        }
        self.refilter()
    }

    /// Empties the filter, and ends typing one.
    fn clear_filter(&mut self) -> Effect {
        if self.mode == Mode::Normal && self.is_merged() {
            return self.close_merged();
        }
        self.mode = Mode::Normal;
        if self.filter.is_empty() {
            return Effect::None;
        }
        self.filter.clear();
        self.refilter()
    }

    /// A mouse event over `hit` (what the last frame showed under the pointer), at `now`
    /// (for telling a double click). A left click selects a row and focuses the pane it is
    /// in; a second click on the same row within [`DOUBLE_CLICK`] attaches, as Enter does;
    /// the wheel scrolls the pane under the pointer, whichever has the focus. Overlays close
    /// on a click, as on a key, and scroll with the wheel; a confirm question is answered
    /// only by its keys.
    pub fn on_mouse(&mut self, m: MouseEvent, hit: Hit, now: Instant) -> Effect {
        match self.mode {
            // The wheel scrolls an overlay, a bulk question's names included.
            Mode::Help | Mode::Messages | Mode::Events | Mode::ConfirmMany(..)
                if matches!(
                    m.kind,
                    MouseEventKind::ScrollUp | MouseEventKind::ScrollDown
                ) =>
            {
                let rows = if m.kind == MouseEventKind::ScrollUp {
                    -3
                } else {
                    3
                };
                self.wheel_overlay(rows);
                return Effect::None;
            }
            // A question is answered, and a prompt sent or closed, only by keys.
            Mode::Confirm(..)
            | Mode::ConfirmCommand(..)
            | Mode::ConfirmMany(..)
            | Mode::ConfirmWrite(..)
            | Mode::Prompt(_) => {
                return Effect::None;
            }
            Mode::Help | Mode::Messages | Mode::Events => {
                if matches!(m.kind, MouseEventKind::Down(_)) {
                    self.mode = Mode::Normal;
                }
                return Effect::None;
            }
            Mode::Filter if matches!(m.kind, MouseEventKind::Down(_)) => {
                // Clicking elsewhere keeps the filter typed so far, as Enter does.
                self.mode = Mode::Normal;
            }
            Mode::LogPrompt(p) if matches!(m.kind, MouseEventKind::Down(_)) => {
                // The same for the log pane's search or filter.
                self.keep_log_prompt(p);
            }
            Mode::Normal | Mode::Filter | Mode::LogPrompt(_) => {}
        }
        match (m.kind, hit) {
            (MouseEventKind::Down(MouseButton::Left), Hit::Row(row)) => {
                self.focus = Focus::List;
                self.settled = true;
                let double = self.last_click.is_some_and(|(at, r)| {
                    r == row && now.saturating_duration_since(at) <= DOUBLE_CLICK
                });
                if double {
                    self.last_click = None;
                    let effect = self.select_row(row);
                    return match self.act(Action::Attach) {
                        Effect::None => effect,
                        attach => attach,
                    };
                }
                self.last_click = Some((now, row));
                self.select_row(row)
            }
            (MouseEventKind::Down(MouseButton::Left), Hit::Header(column)) => {
                self.focus = Focus::List;
                self.header_clicked(column)
            }
            (MouseEventKind::Down(MouseButton::Left), Hit::List) => {
                self.focus = Focus::List;
                Effect::None
            }
            (MouseEventKind::Down(MouseButton::Left), Hit::Logs) => {
                self.focus = Focus::Logs;
                Effect::None
            }
            (MouseEventKind::ScrollUp | MouseEventKind::ScrollDown, Hit::Logs) => {
                self.scroll_log(m.kind == MouseEventKind::ScrollUp, WHEEL_LINES);
                Effect::None
            }
            (
                MouseEventKind::ScrollUp | MouseEventKind::ScrollDown,
                Hit::Row(_) | Hit::Header(_) | Hit::List,
            ) => {
                self.settled = true;
                let Some(cur) = self.selected_index() else {
                    return Effect::None;
                };
                let last = self.rows().len().saturating_sub(1);
                let next = if m.kind == MouseEventKind::ScrollUp {
                    cur.saturating_sub(1)
                } else {
                    (cur + 1).min(last)
                };
                self.select_row(next)
            }
            _ => Effect::None,
        }
    }

    /// A click on the header of `column`: the list is sorted by it, or, when it already is,
    /// the other way round. Columns with no order (host, pid / image, ports) only focus the
    /// list.
    fn header_clicked(&mut self, column: Column) -> Effect {
        match column.sort_key() {
            Some(key) => self.sort_by_key(key),
            None => Effect::None,
        }
    }

    /// Says why `action` cannot apply to `s`, if it cannot; true then.
    pub(super) fn refused(&mut self, action: Action, s: &Session) -> bool {
        match wording::refusal(action, s, &self.keymap) {
            Some(why) => {
                self.say(why, Level::Error);
                true
            }
            None => false,
        }
    }

    /// `D`: a tmux session or a defined one is refused at once (nothing to confirm); a
    /// running container is offered a forced removal, and the question says so.
    fn ask_remove(&mut self) {
        let Some(s) = self.selected_session().cloned() else {
            return;
        };
        if self.refused(Action::Remove, &s) {
            return;
        }
        if s.state.is_alive() {
            self.ask(Op::ForceRemove);
        } else {
            self.ask(Op::Remove);
        }
    }

    /// Asks first only when the operation ends a running program. Otherwise there is
    /// nothing to lose: restart just starts it, and stop or kill clear a tmux session whose
    /// programs have exited (its kept panes) or say that nothing runs.
    fn ask_if_running(&mut self, what: Op) -> Effect {
        let Some(s) = self.selected_session().cloned() else {
            return Effect::None;
        };
        // A state muxdeck does not know may well be running: ask.
        if s.state.is_alive() || s.state == State::Unknown {
            self.ask(what);
            return Effect::None;
        }
        let exited_tmux = matches!(s.id.location, crate::model::Location::Tmux { .. })
            && matches!(s.state, State::Exited(_));
        match what {
            Op::Restart => Effect::Run(Op::Restart, s),
            _ if exited_tmux => Effect::Run(Op::Stop, s),
            _ => {
                self.say(
                    format!("{} is not running ({}); nothing to stop", s.id, s.state),
                    Level::Info,
                );
                Effect::None
            }
        }
    }

    fn run(&mut self, op: Op) -> Effect {
        match self.selected_session().cloned() {
            Some(s) => Effect::Run(op, s),
            None => Effect::None,
        }
    }

    fn ask(&mut self, what: Op) {
        if let Some(id) = self.selected.clone() {
            self.mode = Mode::Confirm(what, id);
        }
    }

    /// `W`: the selected session's definition is read (the question follows when it is),
    /// unless the config has the session already.
    fn write_config(&mut self) -> Effect {
        let Some(s) = self.selected_session().cloned() else {
            return Effect::None;
        };
        if s.from_config {
            self.say(
                format!("{} is already in the config; nothing written", s.id),
                Level::Error,
            );
            return Effect::None;
        }
        Effect::Capture(s)
    }

    /// The answer to a confirm: `yes` runs the operation on the session named in the
    /// question, even if the selection moved meanwhile.
    pub fn answer(&mut self, yes: bool) -> Effect {
        let (op, id) = match std::mem::replace(&mut self.mode, Mode::Normal) {
            Mode::Confirm(what, id) => (Ok(what), id),
            Mode::ConfirmCommand(name, id) => (Err(name), id),
            Mode::ConfirmMany(what, ids) if yes => return self.answer_many(what, &ids),
            Mode::ConfirmMany(..) => {
                self.say("cancelled; nothing was done", Level::Info);
                return Effect::None;
            }
            Mode::ConfirmWrite(req) if yes => return Effect::WriteConfig(req),
            Mode::ConfirmWrite(_) => {
                self.say("cancelled; the config file is unchanged", Level::Info);
                return Effect::None;
            }
            _ => return Effect::None,
        };
        if !yes {
            self.say("cancelled", Level::Info);
            return Effect::None;
        }
        let Some(s) = self.sessions.iter().find(|s| s.id == id).cloned() else {
            self.say(format!("{id} is gone"), Level::Error);
            return Effect::None;
        };
        match op {
            Ok(what) => Effect::Run(what, s),
            Err(name) => match self.commands.iter().find(|(_, c)| c.name == name) {
                Some((_, c)) => Effect::Command(c.clone(), s),
                None => {
                    self.say(
                        format!("the command {name} is no longer in the config"),
                        Level::Error,
                    );
                    Effect::None
                }
            },
        }
    }

    fn movement(&mut self, action: Action) -> Effect {
        match self.focus {
            Focus::List => {
                self.settled = true;
                let vis_len = self.rows().len();
                if vis_len == 0 {
                    return Effect::None;
                }
                let page = self.list_height.max(1);
                let cur = self.selected_index().unwrap_or(0);
                let next = match action {
                    Action::Up => cur.saturating_sub(1),
                    Action::Down => cur + 1,
                    Action::Top => 0,
                    Action::Bottom => vis_len - 1,
                    Action::PageUp => cur.saturating_sub(page),
                    Action::PageDown => cur + page,
                    Action::HalfPageUp => cur.saturating_sub(page / 2),
                    _ => cur + page / 2,
                }
                .min(vis_len - 1);
                self.select_row(next)
            }
            Focus::Logs => {
                let page = self.log_height.max(1);
                let max = self.max_scroll();
                let s = self.log.scroll;
                self.log.scroll = match action {
                    Action::Up => s + 1,
                    Action::Down => s.saturating_sub(1),
                    Action::Top => max,
                    Action::Bottom => 0,
                    Action::PageUp => s + page,
                    Action::PageDown => s.saturating_sub(page),
                    Action::HalfPageUp => s + page / 2,
                    _ => s.saturating_sub(page / 2),
                }
                .min(max);
                self.log.follow = self.log.scroll == 0;
                Effect::None
            }
        }
    }

    /// Scrolls the log by `lines`, towards older lines when `up`, as the mouse wheel does.
    pub fn scroll_log(&mut self, up: bool, lines: usize) {
        let max = self.max_scroll();
        self.log.scroll = if up {
            (self.log.scroll + lines).min(max)
        } else {
            self.log.scroll.saturating_sub(lines)
        };
        self.log.follow = self.log.scroll == 0;
    }

    /// Selects a row of the list (a session, a window or pane of one, or a group's
    /// header), switching the log stream.
    pub fn select_row(&mut self, row: usize) -> Effect {
        if row >= self.rows().len() || self.selected_index() == Some(row) {
            return Effect::None;
        }
        self.put_selection_on_row(row);
        self.follow_selected()
    }

    /// After the filter text changed: keep the selection if visible, else the first row.
    pub fn refilter(&mut self) -> Effect {
        if self.selected_index().is_some() {
            return Effect::None;
        }
        self.selected = None;
        self.tree.child = None;
        self.grouping.header = None;
        self.select_row(0)
    }
}
