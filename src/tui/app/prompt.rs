//! The `:` prompt (a line typed into tmux panes, or run in containers, without attaching),
//! `p` (pause / unpause), and where a command's output run in a container goes.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::{App, Effect, Level, Mode, Op};
use crate::engine::{ExecOutput, Input};
use crate::model::{Session, SessionId, State};
use crate::tui::keys::Action;

/// The longest line the prompt takes: a pasted file is not a line.
pub const PROMPT_MAX: usize = 4096;

impl App {
    /// `p`: pauses the selected running container, unpauses a paused one; anything else is
    /// refused with the reason (tmux sessions cannot be paused).
    pub(super) fn toggle_pause(&mut self) -> Effect {
        let Some(s) = self.selected_session().cloned() else {
            return Effect::None;
        };
        if self.refused(Action::Pause, &s) {
            return Effect::None;
        }
        let op = if s.state == State::Paused {
            Op::Unpause
        } else {
            Op::Pause
        };
        Effect::Run(op, s)
    }

    /// `:`: opens the prompt for the marked sessions, else for the selected one when a line
    /// can reach it.
    pub(super) fn open_prompt(&mut self) {
        if !self.marks.is_empty() {
            let ids = self
                .sessions
                .iter()
                .filter(|s| self.marks.contains(&s.id))
                .map(|s| s.id.clone())
                .collect();
            self.prompt.clear();
            self.prompt_keys = false;
            self.mode = Mode::Prompt(ids);
            return;
        }
        let Some(s) = self.selected_session().cloned() else {
            return;
        };
        if self.refused(Action::Send, &s) {
            return;
        }
        self.prompt.clear();
        self.prompt_keys = false;
        // On a window or pane row, the line goes there, not to the session's active pane.
        self.prompt_pane = self.tree.child.clone();
        self.mode = Mode::Prompt(vec![s.id]);
    }

    /// A key typed into the prompt: characters go in (pasted newlines too, as they are),
    /// Backspace takes the last one out.
    pub(super) fn type_prompt(&mut self, key: &KeyEvent) {
        match key.code {
            KeyCode::Backspace => {
                self.prompt.pop();
            }
            KeyCode::Char(c)
                if !key.modifiers.contains(KeyModifiers::CONTROL)
                    && self.prompt.len() < PROMPT_MAX =>
            {
                self.prompt.push(c);
            }
            _ => {}
        }
    }

    /// Enter: sends the line to the sessions the prompt was opened for (those still
    /// listed), and closes it.
    pub(super) fn submit_prompt(&mut self) -> Effect {
        let Mode::Prompt(ids) = std::mem::replace(&mut self.mode, Mode::Normal) else {
            return Effect::None;
        };
        let line = std::mem::take(&mut self.prompt);
        let at = self.prompt_pane.take();
        let targets: Vec<Session> = self
            .sessions
            .iter()
            .filter(|s| ids.contains(&s.id))
            .cloned()
            .collect();
        if targets.is_empty() {
            self.say("the session is gone; nothing was sent", Level::Error);
            return Effect::None;
        }
        let input = if self.prompt_keys {
            let keys: Vec<String> = line.split_whitespace().map(str::to_string).collect();
            if keys.is_empty() {
                self.say("no keys typed; nothing was sent", Level::Info);
                return Effect::None;
            }
            Input::Keys(keys)
        } else {
            Input::Line(line)
        };
        match (at, <[Session; 1]>::try_from(targets)) {
            (Some(at), Ok([s])) => Effect::SendAt(s, at, input),
            (_, Ok(one)) => Effect::Send(one.into(), input),
            (_, Err(many)) => Effect::Send(many, input),
        }
    }

    /// Esc: closes the prompt; nothing is sent.
    pub(super) fn close_prompt(&mut self) {
        self.mode = Mode::Normal;
        self.prompt.clear();
        self.prompt_pane = None;
    }

    /// A command run in a container ended: its output goes into the log pane when the
    /// pane shows that container (between two marker lines), and the status line says how
    /// it ended.
    pub fn exec_output(&mut self, id: &SessionId, line: &str, result: Result<ExecOutput, String>) {
        match result {
            Ok(out) => {
                let how = match out.code {
                    Some(0) => "exit 0".to_string(),
                    Some(c) => format!("exit {c}"),
                    None => "ended by a signal".to_string(),
                };
                let level = if out.code == Some(0) {
                    Level::Info
                } else {
                    Level::Error
                };
                let shown = self.log.id.as_ref() == Some(id);
                if shown {
                    // The typed line is shown as text: whatever it holds, no control
                    // sequence of it reaches the screen.
                    let typed = printable(line);
                    self.log.buffer.push(format!("── $ {typed} ──"));
                    let n = out.lines.len();
                    self.log.buffer.extend(out.lines);
                    self.log.buffer.push(format!("── {how}, {n} lines ──"));
                    self.say(
                        format!(
                            "ran `{}` in {id}: {how}; its output is in the log pane",
                            printable(line)
                        ),
                        level,
                    );
                } else {
                    let first = out.lines.first().cloned().unwrap_or_default();
                    self.say(
                        format!("ran `{}` in {id}: {how}: {first}", printable(line)),
                        level,
                    );
                }
            }
            Err(why) => self.say(format!("run in {id} failed: {why}"), Level::Error),
        }
    }
}

/// A typed line as the screen may show it: a control character (none should come from
/// the keyboard, but a terminal may send one) is shown as `⏎`, never sent to the screen.
fn printable(line: &str) -> String {
    line.chars()
        .map(|c| if c.is_control() { '⏎' } else { c })
        .collect()
}
