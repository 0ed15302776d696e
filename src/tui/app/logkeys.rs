//! The log pane's tools as the keys drive them: typing a search or a filter, jumping
//! between matches, cycling the context, clearing, saving; and marks in the list. The scans
//! behind them run in bounded steps from [`App::scan_logs`], as many as a frame allows.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::{App, Effect, Level, Mode};
use crate::logs::LogEntry;
use crate::logs::search::next_context;
use crate::model::Location;
use crate::tui::keys::{Action, Key};
use crate::tui::logtools::{Prompt, SCAN_BUDGET_BYTES, SINCE_PRESETS, SincePreset, ViewItem};

/// What the loop writes when the log pane is saved: the lines of the session named, as
/// plain text or with their colors (`logs.save:`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SaveRequest {
    /// The session's qualified name, for the file name.
    pub name: String,
    /// The lines, oldest first, each ending in a newline; with colors, a colored line
    /// ends in a reset so its colors stop where the pane stops them.
    pub text: String,
    /// How many lines.
    pub lines: usize,
}

impl App {
    /// Does what a log pane action asks.
    pub(super) fn log_action(&mut self, action: Action) -> Effect {
        match action {
            Action::LogSearch => {
                self.mode = Mode::LogPrompt(Prompt::Search);
                self.log.tools.search.set_text(String::new());
            }
            Action::LogFilter => {
                self.mode = Mode::LogPrompt(Prompt::Filter);
                let text = self.log.tools.filter.text.clone();
                self.set_filter_text(text);
            }
            Action::NextMatch => self.jump(false),
            Action::PrevMatch => self.jump(true),
            Action::Context => {
                let next = next_context(self.log.tools.filter.context);
                self.log.tools.filter.set_context(next, &self.log.buffer);
                self.clamp_scroll();
            }
            Action::ClearLogTools if self.is_nothing_to_clear() && self.is_merged() => {
                return self.close_merged();
            }
            Action::ClearLogTools => self.clear_log_tools(),
            Action::SaveLog => return self.save_request(),
            Action::Copy => return self.copy_request(),
            _ => {}
        }
        Effect::None
    }

    /// A key typed into the search or the filter: it applies at once (incremental).
    pub(super) fn type_log_prompt(&mut self, prompt: Prompt, key: &KeyEvent) -> Effect {
        let mut text = match prompt {
            Prompt::Search => self.log.tools.search.text.clone(),
            Prompt::Filter => self.log.tools.filter.text.clone(),
        };
        match key.code {
            KeyCode::Backspace => {
                text.pop();
            }
            KeyCode::Char(c) if !key.modifiers.contains(KeyModifiers::CONTROL) => text.push(c),
            _ => return Effect::None,
        }
        // The scan runs in the frames that follow (see `scan_logs`).
        match prompt {
            Prompt::Search => self.log.tools.search.set_text(text),
            Prompt::Filter => self.set_filter_text(text),
        }
        Effect::None
    }

    fn set_filter_text(&mut self, text: String) {
        self.log.tools.filter.set_text(text);
        self.log.scroll = 0;
        self.log.follow = true;
    }

    /// Enter in a prompt: keep what was typed; a search jumps to its match nearest the
    /// bottom of the view.
    pub(super) fn keep_log_prompt(&mut self, prompt: Prompt) {
        self.mode = Mode::Normal;
        if prompt == Prompt::Search {
            if let Some(p) = &self.log.tools.search.pattern
                && p.is_literal()
            {
                let text = format!(
                    "{:?} is not a valid regex: searching for the text as it is",
                    p.as_str()
                );
                self.say(text, Level::Info);
            }
            // The jump waits for the scan to have read the whole pane (`scan_logs`).
            self.log.tools.search.jump_pending = self.log.tools.search.is_on();
            self.scan_logs();
        }
    }

    /// Esc in a prompt: the search or filter being typed goes.
    pub(super) fn cancel_log_prompt(&mut self, prompt: Prompt) {
        self.mode = Mode::Normal;
        match prompt {
            Prompt::Search => self.log.tools.search.set_text(String::new()),
            Prompt::Filter => self.set_filter_text(String::new()),
        }
        self.clamp_scroll();
    }

    /// Whether Esc in the log pane has no search or filter to clear.
    fn is_nothing_to_clear(&self) -> bool {
        !self.log.tools.search.is_on() && !self.log.tools.filter.is_on()
    }

    /// Esc in the log pane: the search goes first, then the filter.
    fn clear_log_tools(&mut self) {
        if self.log.tools.search.is_on() {
            self.log.tools.search.set_text(String::new());
        } else if self.log.tools.filter.is_on() {
            self.set_filter_text(String::new());
        }
    }

    /// `n` / `N`: the next or previous match, shown in the middle of the pane; following
    /// pauses (`f` resumes).
    fn jump(&mut self, back: bool) {
        if !self.log.tools.search.is_on() {
            self.say(
                format!(
                    "no search: press {} in the log pane to search",
                    self.keymap.hint(Action::LogSearch)
                ),
                Level::Info,
            );
            return;
        }
        if self.log.tools.search.step(back).is_none() {
            let text = format!("no match for {:?}", self.log.tools.search.text);
            self.say(text, Level::Info);
            return;
        }
        self.show_current();
    }

    /// Scrolls so that the current match is in the middle of the pane; pauses following.
    fn show_current(&mut self) {
        let Some(seq) = self.log.tools.search.current else {
            return;
        };
        let tools = &self.log.tools;
        let len = tools.view_len(&self.log.buffer);
        let Some(pos) = tools.view_position(&self.log.buffer, seq) else {
            return;
        };
        let below = len.saturating_sub(pos + 1);
        self.log.scroll = below
            .saturating_sub(self.log_height / 2)
            .min(self.max_scroll());
        self.log.follow = false;
    }

    fn clamp_scroll(&mut self) {
        self.log.scroll = self.log.scroll.min(self.max_scroll());
    }

    /// Scans the log pane's new lines for the search and the filter, one step of bounded
    /// work ([`SCAN_BUDGET_BYTES`]); true when there is more to do (the loop takes more
    /// steps while its time for a frame lasts, and draws again for the rest).
    pub fn scan_logs(&mut self) -> bool {
        let before = self.log.tools.view_len(&self.log.buffer);
        let filter_done = self
            .log
            .tools
            .filter
            .advance(&self.log.buffer, SCAN_BUDGET_BYTES);
        let search_done = self
            .log
            .tools
            .search
            .advance(&self.log.buffer, SCAN_BUDGET_BYTES);
        if self.log.tools.filter.is_on() && !self.log.follow {
            // Keep the view still while new rows come in below it.
            let after = self.log.tools.view_len(&self.log.buffer);
            self.log.scroll =
                (self.log.scroll + after.saturating_sub(before)).min(self.max_scroll());
        }
        if self.mode == Mode::LogPrompt(Prompt::Search) {
            let bottom = self.bottom_seq();
            self.log.tools.search.nearest_above(bottom);
        } else if self.log.tools.search.jump_pending && search_done && filter_done {
            self.log.tools.search.jump_pending = false;
            let bottom = self.bottom_seq();
            self.log.tools.search.nearest_above(bottom);
            self.show_current();
        }
        !(filter_done && search_done)
    }

    /// Converts the log view's lines a frame can show (the pane's height of rows ending
    /// `scroll` rows above the newest, or the first page) and a pane's height more on each
    /// side, so that a scroll by a page finds them converted too: the loop's step before
    /// each frame, as drawing has only `&App`. A line is converted once and kept; rows
    /// already converted cost a look.
    pub fn convert_shown_logs(&mut self) {
        let height = self.log_height.max(1);
        let log = &mut self.log;
        let len = log.tools.view_len(&log.buffer);
        let end = len.saturating_sub(log.scroll);
        // The filter's rows are not contiguous in the buffer: each is looked up.
        for i in end.saturating_sub(2 * height)..end.saturating_add(height).min(len) {
            if let Some(at) = log.tools.view_entry(&log.buffer, i) {
                log.buffer.convert(at);
            }
        }
    }

    /// The sequence number of the newest line in view.
    fn bottom_seq(&self) -> u64 {
        let tools = &self.log.tools;
        let len = tools.view_len(&self.log.buffer);
        let row = len.saturating_sub(self.log.scroll + 1);
        (0..=row)
            .rev()
            .find_map(|i| match tools.view_item(&self.log.buffer, i) {
                Some(ViewItem::Entry { seq, .. }) => Some(seq),
                _ => None,
            })
            .unwrap_or(u64::MAX)
    }

    /// A key of the `since` action: its place among the action's keys picks the preset.
    pub(super) fn since_key(&mut self, key: &KeyEvent) -> Effect {
        let pressed = Key::from_event(key);
        let place = self
            .keymap
            .keys_of(Action::Since)
            .iter()
            .position(|k| *k == pressed);
        match place.and_then(|i| SINCE_PRESETS.get(i)) {
            Some(preset) => self.reach_back(*preset),
            None => Effect::None,
        }
    }

    /// Reloads the pane reaching back as `preset` says; tmux keeps no times, which the
    /// status line says when a time is asked of it.
    fn reach_back(&mut self, preset: SincePreset) -> Effect {
        self.log.since = preset;
        let Some(s) = self.followed_selection().cloned() else {
            return Effect::None;
        };
        if matches!(s.id.location, Location::Tmux { .. }) && preset != SincePreset::Tail {
            self.say(
                format!(
                    "tmux keeps no times: {} shows its history as far back as it goes",
                    s.id
                ),
                Level::Info,
            );
        }
        self.follow_selected()
    }

    /// `y`: the current match's line when it is on screen, else the lines on screen.
    fn copy_request(&mut self) -> Effect {
        let tools = &self.log.tools;
        let buf = &self.log.buffer;
        let len = tools.view_len(buf);
        let end = len.saturating_sub(self.log.scroll);
        let start = end.saturating_sub(self.log_height.max(1));
        let current = tools.search.current;
        let mut lines: Vec<String> = Vec::new();
        let mut current_line = None;
        for i in start..end {
            match tools.view_item(buf, i) {
                Some(ViewItem::Entry {
                    entry: LogEntry::Line(l),
                    seq,
                    ..
                }) => {
                    if Some(seq) == current {
                        current_line = Some(l.plain().into_owned());
                    }
                    lines.push(l.plain().into_owned());
                }
                Some(ViewItem::Separator) => lines.push("--".into()),
                _ => {}
            }
        }
        if let Some(line) = current_line {
            lines = vec![line];
        }
        if lines.is_empty() {
            self.say("nothing to copy: the log pane shows no line", Level::Info);
            return Effect::None;
        }
        let n = lines.len();
        let mut text = lines.join("\n");
        text.push('\n');
        Effect::Copy { text, lines: n }
    }

    /// The pane's lines (after the filter, context included), to save as `logs.save:`
    /// says.
    fn save_request(&mut self) -> Effect {
        let Some(id) = self.log.id.clone() else {
            self.say("no log to save: select a session first", Level::Info);
            return Effect::None;
        };
        let tools = &self.log.tools;
        let buf = &self.log.buffer;
        let ansi = self.save_style == crate::config::SaveStyle::Ansi;
        let mut text = String::new();
        let mut lines = 0;
        for i in 0..tools.view_len(buf) {
            match tools.view_item(buf, i) {
                Some(ViewItem::Entry {
                    entry: LogEntry::Line(l),
                    ..
                }) if ansi => l.push_ansi_closed(&mut text),
                Some(ViewItem::Entry {
                    entry: LogEntry::Line(l),
                    ..
                }) => text.push_str(&l.plain()),
                Some(ViewItem::Entry {
                    entry: LogEntry::Gap(n),
                    ..
                }) => text.push_str(&format!("… {n} lines skipped (output too fast) …")),
                Some(ViewItem::Entry {
                    entry: LogEntry::StreamBroke(why),
                    ..
                }) => text.push_str(&format!("… log stream broke ({why}) …")),
                Some(ViewItem::Separator) => text.push_str("--"),
                None => continue,
            }
            text.push('\n');
            lines += 1;
        }
        // A merged log is none of its sessions': its file says what it is.
        let name = if self.is_merged() {
            format!("merged-{}", self.log.merged.len())
        } else {
            id.qualified()
        };
        Effect::SaveLog(SaveRequest { name, text, lines })
    }
}
