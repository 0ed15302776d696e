//! The TUI's state and how it changes. Only the methods here change it: the loop hands in
//! keys, mouse events and background results, and turns the [`Effect`]s they return into
//! engine calls; rendering only reads it. No I/O here.

use std::collections::{BTreeMap, VecDeque};
use std::path::PathBuf;

use crate::config::CustomCommand;
use crate::engine::{
    CommandOutput, EngineError, Health, HealthStatus, Input, Listing, LogEvent, Source,
};
use crate::keyspec::Key;
use crate::logs::LogBuffer;
use crate::model::{Location, Session, SessionId, State};

use super::events::{EventLog, Severity};
use super::groups::Grouping;
use super::keys::{Action, Keymap, Scope};
use super::logtools::{LogTools, Prompt, SincePreset};
use super::marks::Marks;
use super::rows::Row;
use super::tree::Tree;
use crate::backend::tmux_tree::WindowPane;

mod bulk;
mod group;
mod input;
mod logkeys;
mod merged;
mod overlay;

pub use logkeys::SaveRequest;

mod insight;

pub use insight::{Insight, STATS_MIN_WIDTH};
mod prompt;
mod tree;

/// Which pane keys move in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    /// The session list.
    List,
    /// The log pane.
    Logs,
}

/// What the screen is doing besides browsing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mode {
    /// No overlay or question: keys act on the list and the log.
    Normal,
    /// The help overlay.
    Help,
    /// The last messages of the status line, in full.
    Messages,
    /// Typing a filter.
    Filter,
    /// Asking before an operation on exactly this session.
    Confirm(Op, SessionId),
    /// Typing the log pane's search or filter.
    LogPrompt(Prompt),
    /// Asking before running the config's command of this name on exactly this session.
    ConfirmCommand(String, SessionId),
    /// Asking once before an operation on all of these (marked) sessions.
    ConfirmMany(Op, Vec<SessionId>),
    /// Typing a line for these sessions (tmux panes get it typed in, containers run it).
    Prompt(Vec<SessionId>),
    /// The history of what happened since muxdeck started.
    Events,
    /// Asking before adding this definition to the config file.
    ConfirmWrite(WriteRequest),
}

/// A session's definition, captured from what runs, to add to the config file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WriteRequest {
    /// The session it was captured from.
    pub id: SessionId,
    /// Its name in the config (the session's, made one the config takes).
    pub name: String,
    /// The config file it goes into, named in the question.
    pub file: PathBuf,
    /// The definition as `muxdeck config init --from` writes it, under `sessions:`.
    pub yaml: String,
}

impl Mode {
    /// Whose keys apply: an overlay (help, messages) takes any key as "close" instead.
    fn scope(&self) -> Scope {
        match self {
            Mode::Filter | Mode::LogPrompt(_) => Scope::Filter,
            Mode::Confirm(..)
            | Mode::ConfirmMany(..)
            | Mode::ConfirmCommand(..)
            | Mode::ConfirmWrite(..) => Scope::Confirm,
            Mode::Prompt(_) => Scope::Prompt,
            Mode::Normal | Mode::Help | Mode::Messages | Mode::Events => Scope::Normal,
        }
    }
}

/// Operations the loop runs in the background, and the ones a confirm question asks
/// about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// Start a session that does not run (a running one is reported as such).
    Start,
    /// Graceful stop.
    Stop,
    /// Forced stop; the container is kept.
    Kill,
    /// Stop if running, then start.
    Restart,
    /// Delete a container that does not run.
    Remove,
    /// Remove a container even while it runs (it is killed first).
    ForceRemove,
    /// Freeze a running container.
    Pause,
    /// Thaw a paused container.
    Unpause,
}

impl Op {
    /// The verb that opens the confirm question.
    pub fn question(self) -> &'static str {
        match self {
            Op::Start => "Start",
            Op::Stop => "Stop",
            Op::Kill => "Force-kill",
            Op::Remove => "Remove",
            Op::ForceRemove => "Force-remove",
            Op::Restart => "Restart",
            Op::Pause => "Pause",
            Op::Unpause => "Unpause",
        }
    }

    /// The verb, for the busy line and errors.
    pub fn verb(self) -> &'static str {
        match self {
            Op::Start => "start",
            Op::Stop => "stop",
            Op::Kill => "kill",
            Op::Restart => "restart",
            Op::Remove | Op::ForceRemove => "remove",
            Op::Pause => "pause",
            Op::Unpause => "unpause",
        }
    }

    /// Past tense for the status bar.
    pub fn done(self) -> &'static str {
        match self {
            Op::Start => "started",
            Op::Stop => "stopped",
            Op::Kill => "killed",
            Op::Restart => "restarted",
            Op::Remove | Op::ForceRemove => "removed",
            Op::Pause => "paused",
            Op::Unpause => "unpaused",
        }
    }
}

/// What the terminal is handed over to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HandOver {
    /// The session itself: `tmux attach` / `podman attach`.
    Attach,
    /// A new shell inside the container (`exec`).
    Shell,
}

/// What the loop must do after an update.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// The state changed, if at all, and the loop has nothing to run.
    None,
    /// End the app, restoring the terminal.
    Quit,
    /// Follow the log of this session (the old stream is dropped).
    Follow(Option<Session>),
    /// Follow the log of this window (its active pane) or pane of a tmux session.
    FollowAt(Session, WindowPane),
    /// Follow these sessions' logs as one merged log (the old stream is dropped).
    FollowMerged(Vec<Session>),
    /// Run an operation on this exact session.
    Run(Op, Session),
    /// Hand the terminal over to this session until the program there returns.
    HandOver(Session, HandOver),
    /// Attach to this tmux session showing this window or pane.
    AttachAt(Session, WindowPane),
    /// Re-list every backend and reload the config.
    Refresh,
    /// Write the log pane's lines to a file.
    SaveLog(SaveRequest),
    /// Put this text on the user's clipboard (OSC 52): the plain text of `lines` lines.
    Copy {
        /// The lines, each ending in a newline.
        text: String,
        /// How many.
        lines: usize,
    },
    /// Run one of the config's own commands on this exact session.
    Command(CustomCommand, Session),
    /// Run an operation on each of these exact sessions.
    RunMany(Op, Vec<Session>),
    /// Type this line into the tmux sessions' active panes, or run it in the containers;
    /// or press these keys there.
    Send(Vec<Session>, Input),
    /// Type this line, or press these keys, in this window (its active pane) or pane of
    /// a tmux session.
    SendAt(Session, WindowPane, Input),
    /// Read how this session was made, for a definition to add to the config file.
    Capture(Session),
    /// Add this definition to the config file, then reload it.
    WriteConfig(WriteRequest),
}

/// A column of the session list, as a click on its header names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    /// The host (shown when hosts are configured).
    Host,
    /// The session name.
    Name,
    /// Backend and location.
    Backend,
    /// The state.
    State,
    /// The pid (tmux) or image (container).
    Info,
    /// CPU use.
    Cpu,
    /// Memory use.
    Mem,
    /// Published ports.
    Ports,
    /// Time since it was created.
    Age,
}

/// What is under the mouse pointer, as the layout of the last frame places it (the
/// renderer's `ui::hit` finds it; the app decides what a click there does).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hit {
    /// A row of the session list: the index among the visible rows.
    Row(usize),
    /// The header of a list column.
    Header(Column),
    /// Elsewhere in the list pane (its border, the rows below the last).
    List,
    /// The log pane.
    Logs,
    /// The status bar, or outside every pane.
    Elsewhere,
}

/// Severity of the status message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// Something done.
    Info,
    /// Something failed.
    Error,
}

/// How a background operation ended, as the status line tells it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpOutcome {
    /// The busy line of the operation (`stop tmux@work:api…`), taken off when it ends.
    pub label: String,
    /// The status line, and whether it reports a failure.
    pub text: String,
    /// [`Level::Error`] when the operation failed.
    pub level: Level,
}

/// The log pane's state.
#[derive(Debug)]
pub struct LogView {
    /// Whose log it shows; `None` makes the next listing follow the selection afresh.
    pub id: Option<SessionId>,
    /// The window or pane of that tmux session it shows; None for its active pane.
    pub pane: Option<WindowPane>,
    /// The newest lines of that log, up to `log_lines`.
    pub buffer: LogBuffer,
    /// Lines scrolled up from the newest (0 = at the bottom).
    pub scroll: usize,
    /// Following new lines (scrolling up pauses it).
    pub follow: bool,
    /// Wrap long lines.
    pub wrap: bool,
    /// Why the stream is not live (ended, failed, not started), if so.
    pub note: Option<String>,
    /// Waiting for the first lines.
    pub loading: bool,
    /// The search and the filter over the lines.
    pub tools: LogTools,
    /// How far back the pane reaches (`1`..`5`, `0`).
    pub since: SincePreset,
    /// The sessions of the merged log it shows (`L`); empty for the selection's own log.
    pub merged: Vec<SessionId>,
    /// Show when each line arrived (or the runtime's time for it) before it (`t`).
    pub timestamps: bool,
}

/// Everything the screen shows and how keys act on it; only its own methods change it.
#[derive(Debug)]
pub struct App {
    /// Merged sessions, sorted.
    pub sessions: Vec<Session>,
    /// Latest report per source.
    pub health: BTreeMap<Source, Health>,
    /// Selected session (kept across refreshes by identity).
    pub selected: Option<SessionId>,
    /// Text a session's qualified name must contain (any case) to be listed.
    pub filter: String,
    /// The pane movement keys act in.
    pub focus: Focus,
    /// Which overlay or question is open, if any; it decides whose keys apply.
    pub mode: Mode,
    /// What the log pane shows, and how far it is scrolled.
    pub log: LogView,
    /// Last result, shown in the status bar.
    pub message: Option<(String, Level)>,
    /// The last [`HISTORY`] results, oldest first, for the messages overlay: a status line
    /// shows only the newest, and only as much of it as fits.
    pub history: VecDeque<(String, Level)>,
    /// Operations in flight (shown as a spinner line).
    pub busy: Vec<String>,
    /// The key table in use (defaults patched by the config's `keys:`).
    pub keymap: Keymap,
    /// Rows the log pane shows (set by the renderer's layout, for paging).
    pub log_height: usize,
    /// Rows the list shows (set by the renderer's layout, for paging).
    pub list_height: usize,
    /// The first visible row of the list, kept so that the selection stays in view and
    /// the rows do not jump when a click moves it; a click on a row is read against it.
    pub list_top: usize,
    /// The last left click on a list row, for telling a double click (attach).
    pub last_click: Option<(std::time::Instant, usize)>,
    /// Monochrome (NO_COLOR): wins over the theme.
    pub mono: bool,
    /// The config's own commands, with their keys read (a command without a key, or with
    /// one muxdeck cannot read, runs from the command line only).
    pub commands: Vec<(Option<Key>, CustomCommand)>,
    /// The config's `theme:`, which the renderer turns into styles.
    pub theme: crate::config::theme::ThemeConfig,
    /// The config's `logs.save:`: whether `ctrl-s` keeps the lines' colors.
    pub save_style: crate::config::SaveStyle,
    /// The configured hosts, in name order (empty without `hosts:`).
    pub hosts: Vec<crate::tui::hosts::HostLine>,
    /// Whether every source has answered once, or the user has moved the selection. Until
    /// then the selection stays on the first row as the sources answer one by one, so the
    /// screen opens on the top row whichever source answers first.
    pub settled: bool,
    /// Details, CPU and memory, and the list's order.
    pub insight: Insight,
    /// What happened since muxdeck started, and the flag of an unseen failure.
    pub events: EventLog,
    /// The time (Unix seconds) as the loop last told it, for the history's entries.
    pub clock: i64,
    /// The line being typed in the prompt.
    pub prompt: String,
    /// The prompt takes tmux key names (`C-c Up Enter`) instead of a line.
    pub prompt_keys: bool,
    /// The window or pane the prompt types into, when it was opened on a tree row; None
    /// for the sessions' active panes.
    pub prompt_pane: Option<WindowPane>,
    /// The sessions marked for bulk actions.
    pub marks: Marks,
    /// How far the open overlay (help, messages, history, the names of a bulk confirm) is
    /// scrolled. The renderer clamps it to what the overlay holds (only it knows how the
    /// rows wrap), so scrolling past the end never has to be unwound key by key.
    pub overlay_scroll: std::cell::Cell<usize>,
    /// The tmux sessions unfolded into windows and panes, and the child row selected.
    pub tree: Tree,
    /// Whether containers show grouped by pod or compose project, and the selected header.
    pub grouping: Grouping,
}

impl App {
    /// A fresh app with nothing listed yet.
    pub fn new(keymap: Keymap, log_lines: usize, mono: bool) -> Self {
        App {
            sessions: Vec::new(),
            health: BTreeMap::new(),
            hosts: Vec::new(),
            selected: None,
            filter: String::new(),
            focus: Focus::List,
            mode: Mode::Normal,
            log: LogView {
                id: None,
                pane: None,
                buffer: LogBuffer::new(log_lines),
                scroll: 0,
                follow: true,
                wrap: false,
                note: None,
                loading: false,
                tools: LogTools::default(),
                since: SincePreset::Tail,
                merged: Vec::new(),
                timestamps: false,
            },
            message: None,
            history: VecDeque::new(),
            busy: Vec::new(),
            keymap,
            log_height: 10,
            list_height: 10,
            list_top: 0,
            last_click: None,
            mono,
            theme: crate::config::theme::ThemeConfig::default(),
            save_style: crate::config::SaveStyle::Plain,
            settled: false,
            insight: Insight::default(),
            events: EventLog::default(),
            clock: 0,
            prompt: String::new(),
            prompt_keys: false,
            prompt_pane: None,
            marks: Marks::default(),
            overlay_scroll: std::cell::Cell::new(0),
            grouping: Grouping::default(),
            commands: Vec::new(),
            tree: Tree::default(),
        }
    }

    /// The definition of a session captured for `W` is ready: the question shows it and
    /// the file it goes into, if nothing else was opened meanwhile. When the capture
    /// failed, or there is no file to add it to (`file` says why), the status line says
    /// so and nothing is asked: a question whose yes could only be refused would waste it.
    pub fn captured(
        &mut self,
        id: &SessionId,
        result: Result<(String, String), String>,
        file: Result<PathBuf, String>,
    ) {
        match (result, file) {
            (Err(e), _) => self.say(
                format!("cannot read how {id} was made: {e}; nothing written"),
                Level::Error,
            ),
            (Ok(_), Err(why)) => self.say(why, Level::Error),
            (Ok((name, yaml)), Ok(file)) if self.mode == Mode::Normal => {
                self.mode = Mode::ConfirmWrite(WriteRequest {
                    id: id.clone(),
                    name,
                    file,
                    yaml,
                });
            }
            (Ok(_), Ok(_)) => {}
        }
    }

    /// Takes the config's own commands (at start and on every reload).
    pub fn set_commands(&mut self, commands: &[CustomCommand]) {
        self.commands = commands
            .iter()
            .map(|c| (c.key.as_deref().and_then(|k| Key::parse(k).ok()), c.clone()))
            .collect();
    }

    /// A command of the config ended: its busy line goes; with `output: pane` its lines go
    /// into the log pane, between two marker lines, when the pane still shows that session.
    pub fn command_done(
        &mut self,
        label: &str,
        command: &CustomCommand,
        id: &SessionId,
        result: Result<CommandOutput, String>,
    ) {
        self.busy.retain(|b| b != label);
        let out = match result {
            Ok(out) => out,
            Err(e) => {
                self.say(
                    format!("{} on {id} failed: {e}", command.name),
                    Level::Error,
                );
                return;
            }
        };
        let ended = match out.code {
            Some(0) => "exit 0".to_string(),
            Some(c) => format!("exit {c}"),
            None => "killed by a signal".to_string(),
        };
        let level = if out.code == Some(0) {
            Level::Info
        } else {
            Level::Error
        };
        let shown_here = self.log.id.as_ref() == Some(id);
        if command.output == crate::config::OutputMode::Pane && shown_here {
            let n = out.lines.len();
            self.log
                .buffer
                .push(format!("── {} on {id} ──", command.name));
            self.log.buffer.extend(out.lines);
            self.log
                .buffer
                .push(format!("── {} ended: {ended} ──", command.name));
            if !self.log.follow {
                self.log.scroll = (self.log.scroll + n + 2).min(self.max_scroll());
            }
            self.say(
                format!(
                    "{} on {id}: {ended}; its output is in the log",
                    command.name
                ),
                level,
            );
        } else {
            self.say(format!("{} on {id}: {ended}", command.name), level);
        }
    }

    /// The failures to tell of beyond the screen (`notify:`), taken once.
    pub fn take_alerts(&mut self) -> Vec<String> {
        std::mem::take(&mut self.events.alerts)
    }

    /// A configured host's listing went as `health` says; it is tried again at
    /// `retry_at` while it does not answer. A drop or a return goes into the history.
    pub fn host_answered(
        &mut self,
        health: &crate::engine::HostHealth,
        retry_at: Option<std::time::Instant>,
    ) {
        if let Some(line) = self.hosts.iter_mut().find(|h| h.host == health.host) {
            let was = line.status;
            line.update(health, retry_at);
            self.events.host(self.clock, was, health);
        }
    }

    /// The loop tells the time (the history stamps its entries with it).
    pub fn tick(&mut self, now: i64) {
        self.clock = now;
    }

    /// Sessions that pass the filter, in display order.
    pub fn visible(&self) -> Vec<&Session> {
        let f = self.filter.to_lowercase();
        self.sessions
            .iter()
            .filter(|s| {
                f.is_empty()
                    || s.id.qualified().to_lowercase().contains(&f)
                    || (!self.hosts.is_empty() && s.id.host.as_str().contains(&f))
            })
            .collect()
    }

    /// When the rows of `host` were last seen, while it does not answer; None while it
    /// does (and always for this machine).
    pub fn stale_since(&self, host: &crate::model::Host) -> Option<i64> {
        self.hosts
            .iter()
            .find(|h| h.host == *host)
            .and_then(crate::tui::hosts::HostLine::stale_since)
    }

    /// Index of the selection among the list's rows: a session (its own row while its
    /// window or pane row is not shown yet) or a group's header.
    pub fn selected_index(&self) -> Option<usize> {
        let rows = self.rows();
        match (&self.selected, self.selected_header_key()) {
            (Some(sel), _) => rows
                .iter()
                .position(|r| r.is(sel, self.tree.child.as_ref()))
                .or_else(|| rows.iter().position(|r| r.is(sel, None))),
            (None, Some(key)) => rows
                .iter()
                .position(|r| matches!(r, Row::Header(h) if &h.key == key)),
            (None, None) => None,
        }
    }

    /// The selected session, even while the filter hides it.
    pub fn selected_session(&self) -> Option<&Session> {
        let sel = self.selected.as_ref()?;
        self.sessions.iter().find(|s| &s.id == sel)
    }

    /// Takes a new listing. The selection stays on the same session; if it is gone, it moves
    /// to the row now at its place. Returns the log to follow when the selection or its
    /// liveness changed.
    pub fn set_listing(&mut self, listing: Listing, sources: &[Source]) -> Effect {
        let old_index = self
            .selected
            .as_ref()
            .and_then(|sel| self.visible().iter().position(|s| &s.id == sel));
        let old = self
            .selected_session()
            .map(|s| (s.state, s.backend_id.clone()));
        let before_health = self.health.clone();
        for (source, h) in sources.iter().zip(listing.health) {
            self.health.insert(*source, h);
        }
        // A session in view is seen exiting; one elsewhere (or behind an overlay) flags.
        let watched = match self.mode {
            Mode::Normal => self.selected.clone(),
            _ => None,
        };
        let hosts_ok: Vec<crate::model::Host> = self
            .hosts
            .iter()
            .filter(|h| h.status == Some(crate::engine::HostStatus::Ok))
            .map(|h| h.host.clone())
            .collect();
        self.events.observe(
            self.clock,
            (&self.sessions, &before_health),
            (&listing.sessions, &self.health),
            watched.as_ref(),
            &hosts_ok,
        );
        // A mark goes with its session, but not while its backend fails to answer (its rows
        // come back with the next listing that works).
        let answered = |id: &SessionId| {
            !id.host.is_local()
                || matches!(
                    Source::ALL
                        .iter()
                        .find(|src| src.owns(&id.location))
                        .and_then(|src| self.health.get(src))
                        .map(|h| &h.status),
                    Some(HealthStatus::Ok { .. })
                )
        };
        let unanswered: Vec<Session> = self
            .marks
            .ids()
            .filter(|id| !answered(id))
            .map(|id| Session::new(id.clone(), State::Unknown))
            .collect();
        self.sessions = listing.sessions;
        self.resort();
        let present: Vec<Session> = self.sessions.iter().cloned().chain(unanswered).collect();
        self.marks.retain_present(&present);
        let still_there = self.selected_index().is_some();
        if !self.settled {
            let first = self.rows().iter().find_map(Row::session);
            self.selected = first.map(|s| s.id.clone());
        } else if !still_there {
            let idx = old_index.unwrap_or(0);
            self.put_selection_on_row(idx.min(self.rows().len().saturating_sub(1)));
        }
        self.tree.retain_listed(&self.sessions);
        self.tree.make_due();
        if !still_there || !self.settled {
            self.tree.child = None;
        }
        // The log follows the session's active pane again below when its row went.
        self.drop_gone_child();
        let new = self
            .selected_session()
            .map(|s| (s.state, s.backend_id.clone()));
        let log_is_for_selection = self.log.id == self.selected && self.log.pane == self.tree.child;
        // A session that came back to life (started, restarted), one started from the config
        // (even if it has exited already: its last lines are to be read), or another
        // session under the same name needs a fresh stream.
        let renewed = match (old, new) {
            (Some((os, ob)), Some((ns, nb))) => {
                (!os.is_alive() && ns.is_alive())
                    || (os == State::Defined && ns != State::Defined)
                    || ob != nb
            }
            _ => false,
        };
        if !log_is_for_selection && !still_there && self.is_merged() {
            // The row the merged log was opened on went away (its session ended): the
            // merged log marks that end on its own line and goes on; only the user choosing
            // another row leaves it.
            self.log.id = self.selected.clone();
            return Effect::None;
        }
        if !log_is_for_selection || (renewed && self.log.merged.is_empty()) {
            return self.follow_selected();
        }
        Effect::None
    }

    /// Resets the log pane to the selected session and asks the loop to follow it.
    pub(crate) fn follow_selected(&mut self) -> Effect {
        let session = self.selected_session().cloned();
        self.log.merged.clear();
        self.log.id = session.as_ref().map(|s| s.id.clone());
        self.log.pane = self.tree.child.clone();
        self.log.buffer.clear();
        self.log.tools.restart();
        self.log.scroll = 0;
        self.log.follow = true;
        self.log.loading = false;
        self.log.note = None;
        match session {
            Some(s) if s.state == State::Defined => {
                self.log.note = Some(format!(
                    "{} is defined in the config and has not been started. Press {} to start it.",
                    s.id,
                    self.keymap.hint(Action::Start)
                ));
                Effect::Follow(None)
            }
            Some(s) => {
                self.log.loading = true;
                match self.log.pane.clone() {
                    Some(at) => Effect::FollowAt(s, at),
                    None => Effect::Follow(Some(s)),
                }
            }
            None => {
                self.log.note = self.header_note();
                Effect::Follow(None)
            }
        }
    }

    /// Takes a log event of the followed session.
    pub fn on_log(&mut self, ev: LogEvent) {
        self.log.loading = false;
        match ev {
            LogEvent::Lines(lines) => {
                let n = lines.len();
                let merged = self.is_merged();
                let container = self
                    .log
                    .id
                    .as_ref()
                    .is_some_and(|id| matches!(id.location, Location::Container { .. }));
                if merged || container {
                    // Stamped by the runtime (`--timestamps`): its time, not the arrival.
                    let now = jiff::Timestamp::now();
                    for line in lines {
                        let (line, at) = crate::logs::window::take_stamp(line, merged);
                        self.log.buffer.push_at(line, at.unwrap_or(now));
                    }
                } else {
                    self.log.buffer.extend(lines);
                }
                if !self.log.follow {
                    // Keep the view still while the user reads.
                    self.log.scroll = (self.log.scroll + n).min(self.max_scroll());
                }
            }
            LogEvent::Skipped(n) => {
                self.log.buffer.push_gap(n);
                if !self.log.follow && n > 0 {
                    // The gap marker is a line too: keep the view still.
                    self.log.scroll = (self.log.scroll + 1).min(self.max_scroll());
                }
            }
            LogEvent::Ended(why) => self.log.note = Some(format!("log ended: {why}")),
            LogEvent::Failed(why) => self.log.note = Some(format!("log stream failed: {why}")),
        }
    }

    /// Shows a result in the status bar and keeps it in the history.
    pub fn say(&mut self, text: impl Into<String>, level: Level) {
        let text = text.into();
        if self.history.len() >= HISTORY {
            self.history.pop_front();
        }
        self.history.push_back((text.clone(), level));
        self.message = Some((text, level));
    }

    /// An operation is about to run in the background: it shows as busy until
    /// [`App::op_done`].
    pub fn op_started(&mut self, label: String) {
        self.busy.push(label);
    }

    /// An operation ended: its busy line goes, its outcome shows.
    pub fn op_done(&mut self, outcome: OpOutcome) {
        self.busy.retain(|b| *b != outcome.label);
        let severity = match outcome.level {
            Level::Info => Severity::Info,
            Level::Error => Severity::Bad,
        };
        self.events
            .push(self.clock, format!("muxdeck: {}", outcome.text), severity);
        if outcome.text.is_empty() {
            return;
        }
        self.say(outcome.text, outcome.level);
    }

    /// The followed log is open: a session that has written nothing sends nothing, so
    /// the pane says "(no output yet)" from here on instead of loading for ever.
    pub fn log_opened(&mut self) {
        self.log.loading = false;
    }

    /// The followed log could not be opened: the pane says why instead of waiting.
    pub fn follow_failed(&mut self, error: &EngineError) {
        self.log.loading = false;
        self.log.note = Some(error.to_string());
    }

    /// The log stream broke and is resumed: the pane marks where lines may be missing.
    pub fn mark_log_break(&mut self, why: &str) {
        self.log.buffer.push_stream_broke(why);
    }

    /// The session whose log the pane shows, if it is still the selection (a resumed
    /// stream must not start for a row the user has left).
    pub fn followed_selection(&self) -> Option<&Session> {
        self.selected_session()
            .filter(|s| self.log.id.as_ref() == Some(&s.id))
    }

    /// Takes the config's theme (at start and on every reload).
    pub fn set_theme(&mut self, theme: crate::config::theme::ThemeConfig) {
        self.theme = theme;
    }

    /// Takes a reloaded key table.
    pub fn set_keymap(&mut self, keymap: Keymap) {
        self.keymap = keymap;
    }

    /// Every source in use has answered once: the selection no longer snaps to the top.
    pub fn settle(&mut self) {
        self.settled = true;
    }

    /// The rows the list and the log show, from the layout of the frame being drawn, for
    /// paging.
    pub fn set_pane_heights(&mut self, list: usize, log: usize) {
        self.list_height = list;
        self.log_height = log;
        self.keep_selection_in_view();
    }

    /// Moves [`App::list_top`] as little as needed for the selection to be in view, and
    /// so that no room is left empty below the last row.
    fn keep_selection_in_view(&mut self) {
        let room = self.list_height.max(1);
        let len = self.rows().len();
        if let Some(sel) = self.selected_index() {
            if sel < self.list_top {
                self.list_top = sel;
            } else if sel >= self.list_top + room {
                self.list_top = sel + 1 - room;
            }
        }
        self.list_top = self.list_top.min(len.saturating_sub(room));
    }

    /// A container without a terminal cannot be attached to: its live log (already the
    /// selection's) gets the focus, and the status line says why.
    pub fn show_log_instead(&mut self, s: &Session) {
        self.focus = Focus::Logs;
        self.log.follow = true;
        self.log.scroll = 0;
        let text = format!(
            "{} has no terminal (started without -i -t): this is its live log; {} goes back to the list",
            s.id,
            self.keymap.hint(Action::Focus)
        );
        self.say(text, Level::Info);
    }

    /// The terminal is back from a hand-over: say how it ended, and forget which log the
    /// pane follows, so the next listing follows the selection afresh (the old stream may
    /// have ended or missed lines meanwhile).
    pub fn handed_back(&mut self, text: String, level: Level) {
        self.say(text, level);
        self.log.id = None;
    }

    /// The farthest the log scrolls up: to its first page (line 1 on the top row, the
    /// pane full), not to line 1 alone on the bottom row.
    fn max_scroll(&self) -> usize {
        self.log
            .tools
            .view_len(&self.log.buffer)
            .saturating_sub(self.log_height.max(1))
    }

    /// One line per source for the status bar: `tmux: 2 servers · podman: 14 · docker: ...`.
    pub fn health_line(&self, sources: &[Source]) -> Vec<(String, bool)> {
        sources
            .iter()
            .map(|src| match self.health.get(src).map(|h| &h.status) {
                None => (format!("{}: loading…", src.name()), true),
                Some(HealthStatus::Ok { sessions, servers }) => match servers {
                    Some(n) => (
                        format!(
                            "{}: {sessions} on {n} server{}",
                            src.name(),
                            if *n == 1 { "" } else { "s" }
                        ),
                        true,
                    ),
                    None => (format!("{}: {sessions}", src.name()), true),
                },
                Some(HealthStatus::NotInstalled) => {
                    (format!("{}: not installed", src.name()), true)
                }
                Some(HealthStatus::NotRunning { .. }) => {
                    (format!("{}: not running", src.name()), true)
                }
                Some(HealthStatus::Error { message }) => {
                    (format!("{}: {}", src.name(), short_error(message)), false)
                }
            })
            .chain(self.hosts.iter().map(|h| h.text(std::time::Instant::now())))
            .collect()
    }
}

/// Results the messages overlay keeps.
pub const HISTORY: usize = 20;

/// A backend error in a few words for the health line (the full text is in `muxdeck list`).
pub fn short_error(message: &str) -> String {
    let lower = message.to_lowercase();
    // A daemon that is simply absent is `NotRunning`, not an error: this is another failure
    // to reach it (permissions, a refused TCP address).
    if lower.contains("cannot connect") || lower.contains("connection refused") {
        "cannot connect".into()
    } else if lower.contains("did not answer") {
        "not answering".into()
    } else if message.chars().count() > 40 {
        let cut: String = message.chars().take(39).collect();
        format!("{cut}…")
    } else {
        message.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Runtime;
    use crossterm::event::{KeyEvent, KeyModifiers};

    fn app() -> App {
        let keymap = Keymap::new(&BTreeMap::new()).expect("default keys");
        App::new(keymap, 100, false)
    }

    fn listing(ids: &[SessionId]) -> Listing {
        Listing {
            sessions: ids
                .iter()
                .map(|id| Session::new(id.clone(), State::Running))
                .collect(),
            health: Vec::new(),
            hosts: Vec::new(),
        }
    }

    #[test]
    fn opens_on_the_top_row_whichever_source_answers_first() {
        let api = SessionId::tmux("default", "api");
        let web = SessionId::container(Runtime::Podman, "web");
        let mut app = app();
        // podman answers first: its row is the only one.
        let _ = app.set_listing(listing(std::slice::from_ref(&web)), &[]);
        assert_eq!(app.selected.as_ref(), Some(&web));
        // tmux answers: its row is above, and the screen has not been touched yet.
        let effect = app.set_listing(listing(&[api.clone(), web.clone()]), &[]);
        assert_eq!(app.selected.as_ref(), Some(&api));
        assert!(matches!(effect, Effect::Follow(Some(ref s)) if s.id == api));
        // Once settled, a row appearing above does not move the selection.
        app.settled = true;
        let early = SessionId::tmux("default", "aaa");
        let effect = app.set_listing(listing(&[early, api.clone(), web.clone()]), &[]);
        assert_eq!(app.selected.as_ref(), Some(&api));
        assert_eq!(effect, Effect::None);
    }

    #[test]
    fn moving_settles_the_selection() {
        let a = SessionId::tmux("default", "a");
        let b = SessionId::tmux("default", "b");
        let mut app = app();
        let _ = app.set_listing(listing(&[a.clone(), b.clone()]), &[]);
        let _ = app.act(Action::Down);
        assert_eq!(app.selected.as_ref(), Some(&b));
        assert!(app.settled);
        let _ = app.set_listing(listing(&[a, b.clone()]), &[]);
        assert_eq!(app.selected.as_ref(), Some(&b));
    }

    fn press(app: &mut App, code: crossterm::event::KeyCode) -> Effect {
        app.on_key(&KeyEvent::new(code, KeyModifiers::NONE))
    }

    #[test]
    fn movement_keys_scroll_an_overlay_and_other_keys_close_it() {
        use crossterm::event::KeyCode::{Char, End, Home, PageDown};
        let mut app = app();
        let _ = press(&mut app, Char('?'));
        assert_eq!(app.mode, Mode::Help);
        let _ = press(&mut app, Char('j'));
        let _ = press(&mut app, Char('j'));
        assert_eq!(
            (app.mode.clone(), app.overlay_scroll.get()),
            (Mode::Help, 2)
        );
        let _ = press(&mut app, PageDown);
        assert!(app.overlay_scroll.get() > 2);
        let _ = press(&mut app, Home);
        assert_eq!(app.overlay_scroll.get(), 0);
        let _ = press(&mut app, End);
        assert_eq!(
            app.overlay_scroll.get(),
            usize::MAX,
            "the renderer clamps it"
        );
        let _ = press(&mut app, Char('x'));
        assert_eq!(app.mode, Mode::Normal, "a key that is no movement closes");
        // Opening again starts at the top.
        let _ = press(&mut app, Char('?'));
        assert_eq!(app.overlay_scroll.get(), 0);
    }

    #[test]
    fn confirm_and_filter_keys_are_remappable() {
        use crossterm::event::KeyCode::{Char, Enter, Esc, Tab};
        let mut o = BTreeMap::new();
        o.insert("confirm".to_string(), vec!["o".to_string()]);
        o.insert("cancel".to_string(), vec!["ctrl-g".to_string()]);
        o.insert("keep".to_string(), vec!["tab".to_string()]);
        let keymap = Keymap::new(&o).expect("remapped keys");
        let mut app = App::new(keymap, 100, false);
        let api = SessionId::tmux("default", "api");
        let _ = app.set_listing(
            listing(&[api.clone(), SessionId::tmux("default", "web")]),
            &[],
        );
        // `x` asks; `y` and Esc no longer answer, `o` does, for exactly that session.
        assert_eq!(press(&mut app, Char('x')), Effect::None);
        assert_eq!(app.mode, Mode::Confirm(Op::Stop, api.clone()));
        assert_eq!(press(&mut app, Char('y')), Effect::None);
        assert_eq!(press(&mut app, Esc), Effect::None);
        assert_eq!(app.mode, Mode::Confirm(Op::Stop, api.clone()));
        assert!(matches!(press(&mut app, Char('o')), Effect::Run(Op::Stop, ref s) if s.id == api));
        assert_eq!(app.mode, Mode::Normal);
        // `/` types a filter; Enter is typed into nothing and keeps typing, Tab keeps it.
        let _ = press(&mut app, Char('/'));
        let _ = press(&mut app, Char('w'));
        let _ = press(&mut app, Enter);
        assert_eq!((app.mode.clone(), app.filter.as_str()), (Mode::Filter, "w"));
        let _ = press(&mut app, Tab);
        assert_eq!((app.mode.clone(), app.filter.as_str()), (Mode::Normal, "w"));
        // Esc (clear_filter, not remapped) empties it from the list.
        let _ = press(&mut app, Esc);
        assert_eq!(app.filter, "");
    }

    #[test]
    fn w_asks_with_the_definition_and_writes_only_after_yes() {
        use crossterm::event::KeyCode::Char;
        let mut app = app();
        let web = SessionId::tmux("default", "web");
        let planned = SessionId::tmux("default", "planned");
        let mut l = listing(&[planned.clone(), web.clone()]);
        l.sessions[0].from_config = true;
        let _ = app.set_listing(l, &[]);
        // The config's own session: refused, nothing read.
        assert_eq!(press(&mut app, Char('W')), Effect::None);
        assert!(
            app.message
                .as_ref()
                .is_some_and(|(m, l)| *l == Level::Error && m.contains("already in the config"))
        );
        let _ = app.act(Action::Down);
        assert!(matches!(press(&mut app, Char('W')), Effect::Capture(ref s) if s.id == web));
        let file = || Ok(PathBuf::from("/c/config.yml"));
        app.captured(
            &web,
            Ok(("web".into(), "  web:\n    backend: tmux\n".into())),
            file(),
        );
        let Mode::ConfirmWrite(req) = app.mode.clone() else {
            panic!("no question: {:?}", app.mode);
        };
        assert_eq!((req.id.clone(), req.name.as_str()), (web.clone(), "web"));
        assert_eq!(req.file, PathBuf::from("/c/config.yml"));
        // `n`: nothing to write.
        assert_eq!(press(&mut app, Char('n')), Effect::None);
        assert_eq!(app.mode, Mode::Normal);
        app.captured(&web, Ok(("web".into(), req.yaml.clone())), file());
        assert_eq!(press(&mut app, Char('y')), Effect::WriteConfig(req.clone()));
        // No file to add it to: said at once, nothing asked.
        app.captured(
            &web,
            Ok(("web".into(), req.yaml.clone())),
            Err("no config file at /c/config.yml".into()),
        );
        assert_eq!(app.mode, Mode::Normal);
        assert!(
            app.message
                .as_ref()
                .is_some_and(|(m, l)| *l == Level::Error && m.contains("no config file"))
        );
        // A capture that failed says why and asks nothing.
        app.captured(&web, Err("gone".into()), file());
        assert_eq!(app.mode, Mode::Normal);
        assert!(
            app.message
                .as_ref()
                .is_some_and(|(m, _)| m.contains("nothing written"))
        );
    }
}
