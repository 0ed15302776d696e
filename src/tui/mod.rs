//! The interactive screen. One async loop over terminal events, watcher reports, the
//! followed log and a frame timer; the UI never waits on a backend, and it draws only when
//! something changed, at most 60 times a second.

pub mod app;
mod custom;
mod events;
mod follow;
pub mod groups;
mod handover;
pub mod hosts;
mod insight;
pub mod keys;
pub mod logtools;
pub mod marks;
mod notify;
mod ops;
mod reload;
pub mod rows;
mod runtime_feed;
mod savelog;
pub mod terminal;
pub mod tree;
pub mod ui;
mod watch;
mod watch_host;
pub mod wording;
mod writeconfig;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use crossterm::event::{Event, EventStream};
use futures::StreamExt;
use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::mpsc;

use crate::config::{self, ConfigSource};
use crate::engine::{Engine, EngineError, LogStream, Report, Source};
use app::{App, Effect, Level, OpOutcome};
use follow::Follower;
use keys::{Keymap, KeymapError};
use reload::Reloader;
use terminal::Tui;
use watch::Watchers;

/// Why the TUI could not run.
#[derive(Debug, thiserror::Error)]
pub enum TuiError {
    /// The terminal could not be set up or drawn.
    #[error("terminal error: {0}")]
    Terminal(#[from] std::io::Error),
    /// A background task panicked; the panic hook has printed why and given the terminal
    /// back.
    #[error("a background task panicked (the message is above); the screen was closed")]
    Panicked,
    /// The `keys:` section of the config is invalid.
    #[error("config {path}: {error}")]
    Keys {
        /// The config file (`-` when it came from stdin).
        path: String,
        /// The entry that is wrong, and why (part of the message, so not a `source`).
        error: KeymapError,
    },
}

/// One line per configured host, none heard from yet.
fn host_lines(engine: &Engine) -> Vec<hosts::HostLine> {
    engine
        .remotes()
        .iter()
        .map(|m| hosts::HostLine::new(m.host.clone()))
        .collect()
}

/// Messages from background tasks to the loop.
#[derive(Debug)]
pub enum Msg {
    /// A source's fresh listing and health.
    Report(Report),
    /// A configured host's fresh listing (or failure), and when it is tried again.
    Host {
        /// What the host answered.
        scan: crate::engine::HostScan,
        /// When it is listed again, while it does not answer.
        retry_at: Option<std::time::Instant>,
    },
    /// An operation finished.
    OpDone(OpOutcome),
    /// One of the config's own commands finished (or could not run).
    CommandDone {
        /// Its busy line.
        label: String,
        /// The command.
        command: config::CustomCommand,
        /// The session it ran on.
        id: crate::model::SessionId,
        /// What it printed and how it ended, or why it did not run (one line).
        result: Result<crate::engine::CommandOutput, String>,
    },
    /// An operation on several sessions ended: one line per session, then the summary.
    BulkDone {
        /// The busy line to take off.
        label: String,
        /// What happened to each session.
        lines: Vec<(String, Level)>,
        /// `3 stopped, 1 failed: …`.
        summary: (String, Level),
    },
    /// A command run in a container from the prompt ended.
    ExecDone {
        /// The container.
        id: crate::model::SessionId,
        /// The line that ran.
        line: String,
        /// Its output, or why it could not run.
        result: Result<crate::engine::ExecOutput, String>,
    },
    /// A session's definition for `W` was read: its config name and text, or why not.
    Captured {
        /// The session.
        id: crate::model::SessionId,
        /// Name and definition, or the error in one line.
        result: Result<(String, String), String>,
    },
    /// `W` wrote the config file (the status line), or did not (why).
    Written(Result<String, String>),
    /// A config reload, run off the loop, finished.
    Config(Result<config::Config, config::ConfigError>),
    /// Details of a session, or why there are none.
    Details {
        /// Whose.
        id: crate::model::SessionId,
        /// The details (None: defined or gone), or the error in one line.
        result: Result<Option<crate::details::Details>, String>,
    },
    /// The windows and panes of a session unfolded in the list, or why there are none.
    Tree {
        /// Whose.
        id: crate::model::SessionId,
        /// Its details (None: gone), or the error in one line.
        result: Result<Option<crate::details::Details>, String>,
    },
    /// CPU and memory of the sessions, with the /proc sampler to measure against next.
    Usage {
        /// The sampler, back from the measurement.
        sampler: Box<crate::stats::Sampler>,
        /// Figures per session.
        usage: crate::engine::UsageMap,
    },
    /// A follow stream is ready (or failed) for the session of generation `generation`.
    Stream {
        /// Which follow it belongs to; an older one's is dropped.
        generation: u64,
        /// The stream, or why the log cannot be followed.
        result: Result<LogStream, EngineError>,
    },
}

/// Shortest time between two frames.
const FRAME: Duration = Duration::from_millis(16);
/// Time a frame gives the log pane's search and filter to read lines before drawing.
const SCAN_TIME: Duration = Duration::from_millis(8);

/// Fault injection for the reliability test `tests/tui_faults.rs`: when this variable is
/// set, a debug build panics on the first key press (the first frame is on screen by then):
/// in a background task when it is `task`, else inside the event loop. The test checks that
/// either panic restores the terminal, leaves its message readable and ends muxdeck.
/// Release builds ignore it.
const TEST_PANIC_VAR: &str = "MUXDECK_TEST_PANIC";

/// Opens the screen and runs until the user quits. The keymap is checked before the
/// terminal is touched, so a bad config never leaves a half-drawn screen.
pub async fn run(engine: Engine, source: ConfigSource) -> Result<(), TuiError> {
    let keymap = Keymap::new(&engine.config().keys).map_err(|e| TuiError::Keys {
        path: source
            .path()
            .map_or_else(|| "-".into(), |p| p.display().to_string()),
        error: e,
    })?;
    let mono = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    terminal::install_panic_hook();
    let mut tui = Tui::new(engine.config().mouse)?;
    tui.enter()?;
    let mut app = App::new(keymap, engine.config().log_lines, mono);
    app.set_commands(&engine.config().commands);
    app.set_theme(engine.config().theme.clone());
    app.grouping.on = engine.config().grouped;
    app.save_style = engine.config().save_style;
    app.hosts = host_lines(&engine);
    let (tx, rx) = mpsc::channel(256);
    let sources = engine.sources();
    let mut runner = Runner {
        sources,
        engine,
        app,
        tui,
        reports: BTreeMap::new(),
        remote: BTreeMap::new(),
        follower: Follower::new(),
        tx,
        rx,
        // Started after the first frame (see `Runner::run`).
        watchers: Watchers::default(),
        events: Some(EventStream::new()),
        sigint: signal(SignalKind::interrupt())?,
        dirty: true,
        reload: Reloader::new(source),
        gatherer: insight::Gatherer::new(),
        settled: tokio::sync::watch::Sender::new(false),
    };
    let result = runner.run().await;
    runner.tui.exit();
    result
}

/// The event loop's own state: what it listens to and what it runs. Every change to
/// what the screen shows goes through [`App`].
struct Runner {
    engine: Engine,
    /// The sources in use (`backends:`): only these are watched and shown.
    sources: Vec<Source>,
    app: App,
    tui: Tui,
    /// The latest report of each source, merged into the listing.
    reports: BTreeMap<Source, Report>,
    /// The last reports of each configured host that answered: kept (shown stale) while
    /// it does not answer, so its rows never silently vanish.
    remote: BTreeMap<crate::model::Host, Vec<Report>>,
    follower: Follower,
    tx: mpsc::Sender<Msg>,
    rx: mpsc::Receiver<Msg>,
    watchers: Watchers,
    /// Terminal events; none while the terminal is handed over.
    events: Option<EventStream>,
    /// SIGINT, which ends the app like `q`, except while the terminal is handed over. In
    /// raw mode Ctrl-C is a key press, so a SIGINT comes from another process (`kill -INT`,
    /// `timeout -s INT`, a supervisor); left to its default it killed muxdeck on the spot,
    /// leaving the terminal raw and on the alternate screen.
    sigint: tokio::signal::unix::Signal,
    /// Something changed since the last frame.
    dirty: bool,
    reload: Reloader,
    /// Details and measurements in flight.
    gatherer: insight::Gatherer,
    /// Becomes true once every machine has answered once and the frame showing it is
    /// drawn: start-up work that can wait (the hosts' change feeds) waits for it.
    settled: tokio::sync::watch::Sender<bool>,
}

async fn next_event(events: &mut Option<EventStream>) -> Option<std::io::Result<Event>> {
    match events {
        Some(e) => e.next().await,
        None => std::future::pending().await,
    }
}

/// Panics as [`TEST_PANIC_VAR`] asks, in a debug build where it is set: `task` in a
/// background task, anything else right here, in the event loop.
fn inject_test_panic() {
    if !cfg!(debug_assertions) {
        return;
    }
    let Some(how) = std::env::var_os(TEST_PANIC_VAR) else {
        return;
    };
    if how == "task" {
        tokio::spawn(async {
            panic!("{TEST_PANIC_VAR}=task: panicking on purpose in a background task");
        });
    } else {
        panic!("{TEST_PANIC_VAR} is set: panicking on purpose in the event loop");
    }
}

impl Runner {
    async fn run(&mut self) -> Result<(), TuiError> {
        // Signals from other processes end the app the way `q` does, terminal restored.
        let mut sigterm = signal(SignalKind::terminate())?;
        let mut sighup = signal(SignalKind::hangup())?;
        let mut second = tokio::time::interval(Duration::from_secs(1));
        second.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        // The first frame before anything starts: the watchers' first calls (an ssh per
        // host, podman, tmux) are a dozen processes starting at once, which on a busy
        // machine took the cores from it (the frame came 110 ms after start under load
        // 11-15, 31 ms quiet).
        self.draw()?;
        let mut last_draw = Instant::now();
        self.watchers = Watchers::start(
            &self.engine,
            &self.sources,
            &self.tx,
            &self.settled.subscribe(),
        );
        let mut ticks: u64 = 0;
        loop {
            if !terminal::active() {
                // The panic hook gave the terminal back: a task panicked. Drawing on would
                // scribble over its message on the user's screen, and the app has lost a
                // part of itself anyway. Its message is still being printed on the other
                // thread: the app's last line waits for it.
                terminal::await_panic_report(Duration::from_secs(2));
                return Err(TuiError::Panicked);
            }
            self.gatherer.poll(&mut self.app, &self.engine, &self.tx);
            if self.dirty && last_draw.elapsed() >= FRAME {
                self.draw()?;
                last_draw = Instant::now();
            }
            let frame_due = tokio::time::Instant::from_std(last_draw + FRAME);
            // Biased, in this order: a person's keys and signals are never kept waiting
            // behind a flooding log, which comes last.
            tokio::select! {
                biased;
                _ = sigterm.recv() => return Ok(()),
                _ = sighup.recv() => return Ok(()),
                _ = self.sigint.recv() => return Ok(()),
                ev = next_event(&mut self.events) => match ev {
                    Some(Ok(ev)) => {
                        if matches!(ev, Event::Key(_)) {
                            inject_test_panic();
                        }
                        if self.on_terminal(ev).await? {
                            return Ok(());
                        }
                    }
                    Some(Err(e)) => return Err(e.into()),
                    None => return Ok(()),
                },
                () = follow::due(self.follower.pending.as_ref()) => {
                    self.follower.start(&self.engine, &self.tx);
                }
                _ = second.tick() => {
                    ticks += 1;
                    self.on_second(ticks);
                }
                Some(msg) = self.rx.recv() => self.on_msg(msg),
                () = tokio::time::sleep_until(frame_due), if self.dirty => {}
                ev = follow::next_log(&mut self.follower.stream) => {
                    self.follower.on_event(ev, &mut self.app);
                    self.dirty = true;
                }
            }
        }
    }

    /// Ages on screen move with the clock: every second while some age is in seconds,
    /// else twice a minute. The config may have been edited.
    fn on_second(&mut self, ticks: u64) {
        let now_s = crate::model::unix_now();
        self.app.tick(now_s);
        if ticks.is_multiple_of(30)
            || self
                .app
                .sessions
                .iter()
                .any(|s| s.created.is_some_and(|c| now_s - c < 120))
        {
            self.dirty = true;
        }
        // "retry in 8 s" counts down.
        if self.app.hosts.iter().any(|h| h.retry_at.is_some()) {
            self.dirty = true;
        }
        self.reload.check(&self.tx);
    }

    fn draw(&mut self) -> Result<(), TuiError> {
        // The log pane's search and filter read new lines in bounded steps, as many as fit
        // SCAN_TIME; the rest is read for the next frames.
        let started = Instant::now();
        let mut more = self.app.scan_logs();
        while more && started.elapsed() < SCAN_TIME {
            more = self.app.scan_logs();
        }
        let size = self.tui.terminal.size()?;
        let areas = ui::layout(
            ratatui::layout::Rect::new(0, 0, size.width, size.height),
            &self.app,
            &self.sources,
        );
        self.app.set_pane_heights(
            usize::from(areas.list.height.saturating_sub(3)),
            usize::from(areas.logs.height.saturating_sub(2)),
        );
        self.app.set_list_width(areas.list.width);
        // Drawing has `&App`: the lines it will show are converted (once) here.
        self.app.convert_shown_logs();
        let now = crate::model::unix_now();
        let (app, sources, screen) = (&self.app, &self.sources, &mut self.tui.terminal);
        // Nothing is drawn once a panicking task gave the terminal back; the loop ends.
        if let Some(drawn) =
            terminal::while_active(|| screen.draw(|f| ui::render(app, sources, now, f)))
        {
            drawn?;
        }
        // The first full listing of every machine (or a host's failure) is on screen:
        // measuring and the hosts' change feeds may begin.
        if self.reports.len() == self.sources.len()
            && self.app.hosts.iter().all(|h| h.status.is_some())
        {
            self.gatherer.listed();
            self.settled
                .send_if_modified(|s| !std::mem::replace(s, true));
        }
        self.dirty = more;
        Ok(())
    }

    fn merge(&mut self) {
        let mut reports: Vec<Report> = self
            .sources
            .iter()
            .filter_map(|s| self.reports.get(s).cloned())
            .collect();
        let sources: Vec<Source> = reports.iter().map(|r| r.source).collect();
        let local = reports.len();
        // Hosts seen once count as answering for the config's sessions there: their rows
        // stay, marked stale, while the host is away.
        let seen: Vec<crate::engine::HostHealth> = self
            .remote
            .keys()
            .map(|h| crate::engine::HostHealth {
                host: h.clone(),
                status: crate::engine::HostStatus::Ok,
                message: None,
                latency_ms: None,
            })
            .collect();
        reports.extend(self.remote.values().flatten().cloned());
        let mut listing = self.engine.merge_on(&reports, &seen);
        listing.health.truncate(local);
        self.app.tick(crate::model::unix_now());
        let effect = self.app.set_listing(listing, &sources);
        notify::tell(self.engine.config().notify, self.app.take_alerts());
        if reports.len() == self.sources.len() {
            self.app.settle();
        }
        self.apply(effect);
    }

    fn on_msg(&mut self, msg: Msg) {
        let dirty = self.dirty;
        self.dirty = true;
        match msg {
            Msg::Report(r) => {
                if self.reports.get(&r.source) == Some(&r) {
                    self.dirty = dirty;
                    return;
                }
                self.reports.insert(r.source, r);
                self.merge();
            }
            Msg::Host { scan, retry_at } => {
                if !self.on_host(scan, retry_at) {
                    self.dirty = dirty;
                }
            }
            Msg::OpDone(outcome) => {
                self.app.op_done(outcome);
                self.watchers.refresh();
            }
            Msg::CommandDone {
                label,
                command,
                id,
                result,
            } => {
                self.app.command_done(&label, &command, &id, result);
                self.watchers.refresh();
            }
            Msg::ExecDone { id, line, result } => self.app.exec_output(&id, &line, result),
            Msg::BulkDone {
                label,
                lines,
                summary,
            } => {
                self.app.bulk_done(&label, lines, summary);
                self.watchers.refresh();
            }
            Msg::Config(result) => self.on_config(result),
            Msg::Captured { id, result } => {
                let file = writeconfig::target(self.reload.path());
                self.app.captured(&id, result, file);
            }
            Msg::Written(Ok(text)) => {
                self.app.say(text, Level::Info);
                self.watchers.refresh();
                self.reload.start(&self.tx);
            }
            Msg::Written(Err(e)) => self.app.say(e, Level::Error),
            Msg::Details { id, result } => self.app.set_details(id, result),
            Msg::Tree { id, result } => {
                let effect = self.app.set_tree(&id, result);
                self.apply(effect);
            }
            Msg::Usage { sampler, usage } => {
                self.gatherer.measured(*sampler);
                self.app.set_usage(usage);
            }
            Msg::Stream { generation, result } => {
                self.follower.opened(generation, result, &mut self.app);
            }
        }
    }

    /// Takes a host's listing; false when it changed nothing on screen. A host that
    /// answers as it did last time (a safety listing, a feed line about a change that
    /// touched none of its rows) costs no merge, sort and redraw of every host's rows,
    /// which with many hosts is most of what an idle screen would do.
    fn on_host(&mut self, scan: crate::engine::HostScan, retry_at: Option<Instant>) -> bool {
        let host = scan.health.host.clone();
        let was = self
            .app
            .hosts
            .iter()
            .find(|h| h.host == host)
            .and_then(|h| h.status);
        self.app.host_answered(&scan.health, retry_at);
        let ok = scan.health.status == crate::engine::HostStatus::Ok;
        // A listing may ask only some sources (the watcher's tmux-only safety listing):
        // the others keep their last report.
        let mut reports = self.remote.get(&host).cloned().unwrap_or_default();
        for new in scan.reports {
            match reports.iter_mut().find(|r| r.source == new.source) {
                Some(old) => *old = new,
                None => reports.push(new),
            }
        }
        if was == Some(scan.health.status) && (!ok || self.remote.get(&host) == Some(&reports)) {
            return false;
        }
        if ok {
            self.remote.insert(host, reports);
        }
        self.merge();
        true
    }

    /// Handles a terminal event; true when the app should quit.
    async fn on_terminal(&mut self, ev: Event) -> Result<bool, TuiError> {
        self.dirty = true;
        let effect = match ev {
            Event::Key(key) => self.app.on_key(&key),
            Event::Mouse(m) => {
                let size = self.tui.terminal.size()?;
                let area = ratatui::layout::Rect::new(0, 0, size.width, size.height);
                let now = crate::model::unix_now();
                let hit = ui::hit(&self.app, &self.sources, area, now, m.column, m.row);
                self.app.on_mouse(m, hit, Instant::now())
            }
            Event::Resize(..) => {
                // The terminal reflowed or cropped what was on it: the next frame is drawn
                // whole. Without this, sizes that come and go between two frames (and end
                // at the size last drawn) left a diff drawn over a screen it no longer
                // matched.
                self.tui.terminal.clear()?;
                Effect::None
            }
            _ => Effect::None,
        };
        match effect {
            Effect::Quit => return Ok(true),
            Effect::HandOver(s, to) => self.hand_over(&s, to, None).await?,
            Effect::AttachAt(s, at) => {
                self.hand_over(&s, app::HandOver::Attach, Some(&at)).await?;
            }
            Effect::Command(cmd, s) if cmd.output == config::OutputMode::Handover => {
                self.hand_over_command(&cmd, &s).await?;
            }
            effect => self.apply(effect),
        }
        Ok(false)
    }

    fn apply(&mut self, effect: Effect) {
        match effect {
            Effect::None | Effect::Quit | Effect::HandOver(..) | Effect::AttachAt(..) => {}
            Effect::Follow(target) => {
                let (window, all) = self.app.log.since.window();
                self.follower
                    .follow_in(target, self.engine.config().log_lines, window, all);
            }
            Effect::FollowAt(s, at) => {
                let (window, all) = self.app.log.since.window();
                self.follower
                    .follow_at(s, at, self.engine.config().log_lines, window, all);
            }
            Effect::FollowMerged(sessions) => {
                let (window, all) = self.app.log.since.window();
                self.follower
                    .follow_merged(sessions, self.engine.config().log_lines, window, all);
            }
            Effect::Run(op, s) => {
                let label = ops::spawn(op, s, &self.engine, &self.app.keymap, &self.tx);
                self.app.op_started(label);
            }
            Effect::SaveLog(req) => {
                let tx = self.tx.clone();
                tokio::task::spawn_blocking(move || {
                    let result = match savelog::logs_dir() {
                        Some(dir) => savelog::save(&dir, &req, &savelog::stamp_now()),
                        None => Err(savelog::SaveError::NoFolder),
                    };
                    let (text, level) = match result {
                        Ok(path) => (
                            format!("saved {} lines to {}", req.lines, path.display()),
                            Level::Info,
                        ),
                        Err(e) => (e.to_string(), Level::Error),
                    };
                    let _ = tx.blocking_send(Msg::OpDone(OpOutcome {
                        label: String::new(),
                        text,
                        level,
                    }));
                });
            }
            Effect::Copy { text, lines } => {
                let (text, cut) = crate::clipboard::bounded(&text);
                let in_tmux = std::env::var_os("TMUX").is_some_and(|v| !v.is_empty());
                let seq = crate::clipboard::osc52(text, in_tmux);
                let written = {
                    use std::io::Write as _;
                    let out = self.tui.terminal.backend_mut();
                    out.write_all(seq.as_bytes()).and_then(|()| out.flush())
                };
                match written {
                    Ok(()) if cut => self.app.say(
                        format!(
                            "copied the first {} KiB of {lines} lines to the clipboard (terminals take no more)",
                            crate::clipboard::MAX_COPY_BYTES / 1024
                        ),
                        Level::Info,
                    ),
                    Ok(()) => self.app.say(
                        format!(
                            "copied {lines} line{} to the clipboard (OSC 52)",
                            if lines == 1 { "" } else { "s" }
                        ),
                        Level::Info,
                    ),
                    Err(e) => self
                        .app
                        .say(format!("cannot copy to the clipboard: {e}"), Level::Error),
                }
            }
            Effect::Command(cmd, s) => {
                let label = custom::spawn(cmd, s, &self.engine, &self.app.keymap, &self.tx);
                self.app.op_started(label);
            }
            Effect::RunMany(op, sessions) => {
                let label = ops::spawn_many(op, sessions, &self.engine, &self.app.keymap, &self.tx);
                self.app.op_started(label);
            }
            Effect::Send(targets, line) => {
                let label = ops::spawn_send(
                    targets,
                    None,
                    line,
                    &self.engine,
                    &self.app.keymap,
                    &self.tx,
                );
                self.app.op_started(label);
            }
            Effect::SendAt(s, at, line) => {
                let label = ops::spawn_send(
                    vec![s],
                    Some(at),
                    line,
                    &self.engine,
                    &self.app.keymap,
                    &self.tx,
                );
                self.app.op_started(label);
            }
            Effect::Capture(s) => {
                writeconfig::spawn_capture(s, &self.engine, &self.app.keymap, &self.tx);
            }
            Effect::WriteConfig(req) => {
                writeconfig::spawn_write(req, self.reload.path(), self.reload.loaded(), &self.tx);
            }
            Effect::Refresh => {
                self.watchers.refresh();
                self.reload.start(&self.tx);
                self.app.say("refreshing…", Level::Info);
            }
        }
    }
}
