//! The interactive screen. One async loop over terminal events, watcher reports, the
//! followed log and a frame timer; the UI never waits on a backend, and it draws only when
//! something changed, at most 60 times a second.

pub mod app;
pub mod keys;
pub mod terminal;
pub mod ui;
mod watch;
pub mod wording;

use std::collections::BTreeMap;
use std::time::{Duration, Instant, SystemTime};

use crossterm::event::{Event, EventStream, KeyCode, KeyEventKind, MouseEventKind};
use futures::{FutureExt, StreamExt};
use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::mpsc;

use crate::config::{self, ConfigSource};
use crate::engine::{Attach, Engine, Handover, LogEvent, LogStream, Report, Source, Target};
use crate::model::Session;
use app::{App, Effect, Level, Mode, Op};
use keys::Keymap;
use terminal::Tui;
use watch::{Backoff, Watchers};

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
    #[error("config {path}: {message}")]
    Keys {
        /// The config file.
        path: String,
        /// What is wrong.
        message: String,
    },
}

/// Messages from background tasks to the loop.
#[derive(Debug)]
pub enum Msg {
    /// A source listed.
    Report(Report),
    /// An operation finished.
    OpDone {
        /// What ran, for the busy line.
        label: String,
        /// The result line.
        text: String,
        /// Whether it worked.
        ok: bool,
    },
    /// A config reload, run off the loop, finished.
    Config(Result<config::Config, config::ConfigError>),
    /// A follow stream is ready (or failed) for the session of generation `generation`.
    Stream {
        /// Which selection it belongs to.
        generation: u64,
        /// The stream or the error line.
        result: Result<LogStream, String>,
    },
}

/// Shortest time between two frames.
const FRAME: Duration = Duration::from_millis(16);
/// How often in a row a log stream that breaks soon after it started is resumed before
/// the pane gives up and says why (podman 4.3's `logs --follow` can exit under a log
/// flood). A stream that ran healthy for a while ([`watch::HEALTHY_RUN`]) starts the count
/// over, so occasional breaks over a long watch never exhaust it.
const MAX_RESUMES: u32 = 3;
/// Wait before resuming a broken log stream; it doubles with each quick break in a row.
const RESUME_DELAY: Duration = Duration::from_secs(1);
/// Longest wait before resuming a broken log stream.
const RESUME_MAX: Duration = Duration::from_secs(30);
/// Lines of history a new follow starts with.
const FOLLOW_HISTORY: usize = 2000;
/// Quiet time after the selection moves before its log is followed, so that running
/// through the list with `j` starts no follower (and its backend calls) for the rows
/// passed over.
const FOLLOW_DELAY: Duration = Duration::from_millis(100);

/// Fault injection for the reliability test `tests/tui_faults.rs`: when this variable is
/// set, a debug build panics on the first key press (the first frame is on screen by then):
/// in a background task when it is `task`, else inside the event loop. The test checks that
/// either panic restores the terminal, leaves its message readable and ends muxdeck.
/// Release builds ignore it.
const TEST_PANIC_VAR: &str = "MUXDECK_TEST_PANIC";

/// Opens the screen and runs until the user quits. The keymap is checked before the
/// terminal is touched, so a bad config never leaves a half-drawn screen.
pub async fn run(engine: Engine, source: ConfigSource) -> Result<(), TuiError> {
    let keymap = Keymap::new(&engine.config().keys).map_err(|message| TuiError::Keys {
        path: source
            .path()
            .map_or_else(|| "-".into(), |p| p.display().to_string()),
        message,
    })?;
    let mono = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    terminal::install_panic_hook();
    let mut tui = Tui::new()?;
    tui.enter()?;
    let app = App::new(keymap, engine.config().log_lines, mono);
    let (tx, rx) = mpsc::channel(256);
    let sources = engine.sources();
    let watchers = Watchers::start(&engine, &sources, &tx);
    let mut runner = Runner {
        sources,
        config_stamp: stamp(&source),
        engine,
        app,
        tui,
        reports: BTreeMap::new(),
        stream: None,
        pending: None,
        resumes: Backoff::new(RESUME_DELAY, RESUME_MAX),
        generation: 0,
        tx,
        rx,
        watchers,
        events: Some(EventStream::new()),
        sigint: signal(SignalKind::interrupt())?,
        dirty: true,
        source,
        reloading: false,
    };
    let result = runner.run().await;
    runner.tui.exit();
    result
}

/// The log to follow once the selection has been still for [`FOLLOW_DELAY`].
struct PendingFollow {
    due: tokio::time::Instant,
    session: Session,
    /// Lines of history to start with (none when resuming a stream that broke).
    history: usize,
}

struct Runner {
    engine: Engine,
    /// The sources in use (`backends:`): only these are watched and shown.
    sources: Vec<Source>,
    app: App,
    tui: Tui,
    reports: BTreeMap<Source, Report>,
    stream: Option<LogStream>,
    /// A follow waiting for the selection to settle.
    pending: Option<PendingFollow>,
    /// Waits before resuming the current log stream, and its quick breaks in a row.
    resumes: Backoff,
    generation: u64,
    tx: mpsc::Sender<Msg>,
    rx: mpsc::Receiver<Msg>,
    watchers: Watchers,
    events: Option<EventStream>,
    /// SIGINT, which ends the app like `q`, except while the terminal is handed over. In
    /// raw mode Ctrl-C is a key press, so a SIGINT comes from another process (`kill -INT`,
    /// `timeout -s INT`, a supervisor); left to its default it killed muxdeck on the spot,
    /// leaving the terminal raw and on the alternate screen.
    sigint: tokio::signal::unix::Signal,
    dirty: bool,
    source: ConfigSource,
    config_stamp: Option<Stamp>,
    /// A config reload runs in the background; no second one starts meanwhile.
    reloading: bool,
}

async fn next_log(stream: &mut Option<LogStream>) -> Option<LogEvent> {
    match stream {
        Some(s) => s.next().await,
        None => std::future::pending().await,
    }
}

async fn follow_due(pending: Option<&PendingFollow>) {
    match pending {
        Some(p) => tokio::time::sleep_until(p.due).await,
        None => std::future::pending().await,
    }
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

/// What the config file looks like from outside: modification time, size and inode. The
/// time alone misses edits: file systems keep it in coarse ticks, and an editor (or
/// `echo > file`) truncates and then writes, so a check between the two saw the empty file,
/// and the write, in the same tick, left the time as it was: the edit was never loaded.
type Stamp = (SystemTime, u64, u64);

fn stamp(source: &ConfigSource) -> Option<Stamp> {
    use std::os::unix::fs::MetadataExt;
    let meta = std::fs::metadata(source.path()?).ok()?;
    Some((meta.modified().ok()?, meta.len(), meta.ino()))
}

impl Runner {
    async fn run(&mut self) -> Result<(), TuiError> {
        // Signals from other processes end the app the way `q` does, terminal restored.
        let mut sigterm = signal(SignalKind::terminate())?;
        let mut sighup = signal(SignalKind::hangup())?;
        let mut second = tokio::time::interval(Duration::from_secs(1));
        second.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut last_draw = Instant::now() - FRAME;
        let mut ticks: u64 = 0;
        loop {
            if !terminal::active() {
                // The panic hook gave the terminal back: a task panicked. Drawing on would
                // scribble over its message on the user's screen, and the app has lost a
                // part of itself anyway.
                return Err(TuiError::Panicked);
            }
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
                () = follow_due(self.pending.as_ref()) => self.start_follow(),
                _ = second.tick() => {
                    // Ages on screen move with the clock: every second while some age is in
                    // seconds, else twice a minute. The config may have been edited.
                    ticks += 1;
                    let now_s = crate::model::unix_now();
                    if ticks.is_multiple_of(30)
                        || self.app.sessions.iter().any(|s| s.created.is_some_and(|c| now_s - c < 120))
                    {
                        self.dirty = true;
                    }
                    // While a reload runs, the stamp is left as it was: a change made meanwhile
                    // is seen again on a later tick and loaded then.
                    let now = stamp(&self.source);
                    if now != self.config_stamp && !self.reloading {
                        self.config_stamp = now;
                        self.reload_config();
                    }
                }
                Some(msg) = self.rx.recv() => self.on_msg(msg),
                () = tokio::time::sleep_until(frame_due), if self.dirty => {}
                ev = next_log(&mut self.stream) => {
                    match ev {
                        Some(LogEvent::Failed(why)) => {
                            self.stream = None;
                            self.on_broken_log(why);
                        }
                        Some(ev @ LogEvent::Ended(_)) => {
                            self.app.on_log(ev);
                            self.stream = None;
                        }
                        Some(ev) => self.app.on_log(ev),
                        None => self.stream = None,
                    }
                    self.dirty = true;
                }
            }
        }
    }

    fn draw(&mut self) -> Result<(), TuiError> {
        let size = self.tui.terminal.size()?;
        let areas = ui::layout(
            ratatui::layout::Rect::new(0, 0, size.width, size.height),
            &self.app,
            &Source::ALL,
        );
        self.app.list_height = usize::from(areas.list.height.saturating_sub(3));
        self.app.log_height = usize::from(areas.logs.height.saturating_sub(2));
        let now = crate::model::unix_now();
        let (app, sources) = (&self.app, &self.sources);
        self.tui
            .terminal
            .draw(|f| ui::render(app, sources, now, f))?;
        self.dirty = false;
        Ok(())
    }

    fn merge(&mut self) {
        let reports: Vec<Report> = self
            .sources
            .iter()
            .filter_map(|s| self.reports.get(s).cloned())
            .collect();
        let sources: Vec<Source> = reports.iter().map(|r| r.source).collect();
        let listing = self.engine.merge(&reports);
        let effect = self.app.set_listing(listing, &sources);
        if reports.len() == self.sources.len() {
            self.app.settled = true;
        }
        self.apply(effect);
    }

    fn on_msg(&mut self, msg: Msg) {
        self.dirty = true;
        match msg {
            Msg::Report(r) => {
                self.reports.insert(r.source, r);
                self.merge();
            }
            Msg::OpDone { label, text, ok } => {
                self.app.busy.retain(|b| *b != label);
                self.app
                    .say(text, if ok { Level::Info } else { Level::Error });
                self.watchers.refresh();
            }
            Msg::Config(result) => self.on_config(result),
            Msg::Stream { generation, result } => {
                if generation != self.generation {
                    return;
                }
                match result {
                    Ok(s) => {
                        self.stream = Some(s);
                        self.resumes.started();
                    }
                    Err(e) => {
                        self.app.log.loading = false;
                        self.app.log.note = Some(e);
                    }
                }
            }
        }
    }

    /// Loads the config again in a blocking task (reading and parsing a file must never
    /// hold up keys and drawing); the result comes back as [`Msg::Config`].
    fn reload_config(&mut self) {
        if self.reloading {
            return;
        }
        self.reloading = true;
        let source = self.source.clone();
        let tx = self.tx.clone();
        tokio::spawn(async move {
            let result = match tokio::task::spawn_blocking(move || config::load(&source)).await {
                Ok(result) => result,
                // The load panicked: let the panic hook's message stand, as for any task.
                Err(_) => return,
            };
            let _ = tx.send(Msg::Config(result)).await;
        });
    }

    /// Takes a reloaded config, or keeps the last good one and says why not.
    fn on_config(&mut self, result: Result<config::Config, config::ConfigError>) {
        self.reloading = false;
        match result {
            Ok(c) => {
                if &c == self.engine.config() {
                    return;
                }
                match Keymap::new(&c.keys) {
                    Ok(km) => self.app.keymap = km,
                    Err(e) => {
                        self.app
                            .say(format!("config not reloaded: {e}"), Level::Error);
                        return;
                    }
                }
                self.engine.set_config(c);
                self.sources = self.engine.sources();
                let sources = &self.sources;
                self.reports.retain(|s, _| sources.contains(s));
                self.watchers = Watchers::start(&self.engine, sources, &self.tx);
                self.app.say("config reloaded", Level::Info);
                self.merge();
            }
            Err(e) => self.app.say(
                format!("config not reloaded, keeping the last good one: {e}"),
                Level::Error,
            ),
        }
    }

    /// Handles a terminal event; true when the app should quit.
    async fn on_terminal(&mut self, ev: Event) -> Result<bool, TuiError> {
        self.dirty = true;
        let key = match ev {
            Event::Key(k) if k.kind != KeyEventKind::Release => k,
            Event::Mouse(m) => {
                match m.kind {
                    MouseEventKind::ScrollUp => self.app.scroll_log(true, 3),
                    MouseEventKind::ScrollDown => self.app.scroll_log(false, 3),
                    _ => {}
                }
                return Ok(false);
            }
            _ => return Ok(false),
        };
        let effect = match &self.app.mode {
            Mode::Help | Mode::Messages => {
                self.app.mode = Mode::Normal;
                Effect::None
            }
            Mode::Confirm(..) => match key.code {
                KeyCode::Char('y' | 'Y') => self.app.answer(true),
                KeyCode::Char('n' | 'N') | KeyCode::Esc => self.app.answer(false),
                _ => Effect::None,
            },
            Mode::Filter => match key.code {
                KeyCode::Esc => {
                    self.app.filter.clear();
                    self.app.mode = Mode::Normal;
                    self.app.refilter()
                }
                KeyCode::Enter => {
                    self.app.mode = Mode::Normal;
                    Effect::None
                }
                KeyCode::Backspace => {
                    self.app.filter.pop();
                    self.app.refilter()
                }
                KeyCode::Char(c)
                    if !key
                        .modifiers
                        .contains(crossterm::event::KeyModifiers::CONTROL) =>
                {
                    self.app.filter.push(c);
                    self.app.refilter()
                }
                _ => Effect::None,
            },
            Mode::Normal => {
                if key.code == KeyCode::Esc && !self.app.filter.is_empty() {
                    self.app.filter.clear();
                    self.app.refilter()
                } else {
                    match self.app.keymap.action(&key) {
                        Some(a) => self.app.act(a),
                        None => Effect::None,
                    }
                }
            }
        };
        if effect == Effect::Quit {
            return Ok(true);
        }
        if let Effect::HandOver(s, exec) = effect {
            self.hand_over(&s, exec).await?;
            return Ok(false);
        }
        self.apply(effect);
        Ok(false)
    }

    fn apply(&mut self, effect: Effect) {
        match effect {
            Effect::None | Effect::Quit | Effect::HandOver(..) => {}
            Effect::Follow(target) => {
                self.stream = None;
                self.generation += 1;
                self.resumes = Backoff::new(RESUME_DELAY, RESUME_MAX);
                let history = FOLLOW_HISTORY.min(self.engine.config().log_lines);
                self.pending = target.map(|session| PendingFollow {
                    due: tokio::time::Instant::now() + FOLLOW_DELAY,
                    session,
                    history,
                });
            }
            Effect::Run(op, s) => self.run_op(op, s),
            Effect::Refresh => {
                self.watchers.refresh();
                self.reload_config();
                self.app.say("refreshing…", Level::Info);
            }
        }
    }

    /// The log stream broke: resumed after a wait that doubles while it keeps breaking
    /// soon after it started, and given up (saying why) after [`MAX_RESUMES`] such breaks.
    fn on_broken_log(&mut self, why: String) {
        let wait = self.resumes.ended();
        if self.resumes.streak() <= MAX_RESUMES {
            self.resume_follow(&why, wait);
        } else {
            self.app.on_log(LogEvent::Failed(why));
        }
    }

    /// The log stream broke while its session may still run: mark the break in the pane
    /// and follow again from now on, after `wait` (no history, so nothing shows twice).
    fn resume_follow(&mut self, why: &str, wait: Duration) {
        self.app.log.buffer.push(format!(
            "\x1b[2;33m⋯ log stream broke ({why}); following again, lines written meanwhile may be missing ⋯\x1b[0m"
        ));
        self.pending = self
            .app
            .selected_session()
            .filter(|s| self.app.log.id.as_ref() == Some(&s.id))
            .cloned()
            .map(|session| PendingFollow {
                due: tokio::time::Instant::now() + wait,
                session,
                history: 0,
            });
    }

    /// Asks the engine for the stream of the pending follow, now that the selection has
    /// settled.
    fn start_follow(&mut self) {
        let Some(PendingFollow {
            session, history, ..
        }) = self.pending.take()
        else {
            return;
        };
        let engine = self.engine.clone();
        let tx = self.tx.clone();
        let generation = self.generation;
        let cap = self.engine.config().log_lines;
        tokio::spawn(async move {
            let result = engine
                .follow(&session, history, cap)
                .await
                .map_err(|e| e.to_string());
            let _ = tx.send(Msg::Stream { generation, result }).await;
        });
    }

    fn run_op(&mut self, op: Op, s: Session) {
        let label = format!("{} {}…", op.verb(), s.id);
        self.app.busy.push(label.clone());
        let engine = self.engine.clone();
        let tx = self.tx.clone();
        let keymap = self.app.keymap.clone();
        tokio::spawn(async move {
            let result = match op {
                Op::Start => engine.start(&s).await.map(|()| None),
                Op::Stop => engine
                    .stop(&s, crate::engine::StopMode::Graceful, None)
                    .await
                    .map(Some),
                Op::Kill => engine
                    .stop(&s, crate::engine::StopMode::Kill, None)
                    .await
                    .map(Some),
                Op::Restart => engine.restart(&s).await.map(|()| None),
                Op::Remove => engine.remove(&s, false).await.map(|()| None),
                Op::ForceRemove => engine.remove(&s, true).await.map(|()| None),
            };
            let (text, ok) = match result {
                Ok(Some(outcome)) => (outcome.message(&s), true),
                Ok(None) => (format!("{} {}", op.done(), s.id), true),
                // A second `s` while the first start runs: the session the user wants runs.
                Err(crate::engine::EngineError::AlreadyRunning(id)) if op == Op::Start => {
                    (format!("{id} is already running"), true)
                }
                Err(e) => (
                    format!(
                        "{} failed: {}",
                        op.verb(),
                        wording::engine_error(&e, &keymap)
                    ),
                    false,
                ),
            };
            let _ = tx.send(Msg::OpDone { label, text, ok }).await;
        });
    }

    /// Hands the real terminal to `tmux attach` / `podman attach` / `exec`, and takes it
    /// back when that returns, whatever happened.
    async fn hand_over(&mut self, s: &Session, exec: bool) -> Result<(), TuiError> {
        let current = std::env::var("TMUX").ok();
        let plan = if exec {
            self.engine.exec_command(s, &[]).await.map(|inv| {
                Attach::Terminal(Handover {
                    inv,
                    back: "`exit`".into(),
                })
            })
        } else {
            self.engine.attach_command(s, current.as_deref()).await
        };
        let Handover { inv, back } = match plan {
            Ok(Attach::Terminal(h)) => h,
            Ok(Attach::NoTerminal) => {
                self.show_log_instead(s);
                return Ok(());
            }
            Err(e) => {
                let text = wording::engine_error(&e, &self.app.keymap);
                self.app.say(text, Level::Error);
                return Ok(());
            }
        };
        // The event stream reads stdin: it must be gone before the child gets the terminal.
        self.events = None;
        self.tui.exit();
        // On the main screen, where it stays visible under a program that does not clear it
        // and above the shell when muxdeck ends.
        let what = if exec { "shell in" } else { "attached to" };
        println!("muxdeck: {what} {}; {back} comes back to muxdeck", s.id);
        let status = tokio::task::block_in_place(|| inv.to_std().status());
        // A Ctrl-C typed into a program that leaves the terminal cooked (`podman attach` to
        // a container without a tty) signals muxdeck too, as part of the terminal's
        // foreground group: it was meant for that program, not for muxdeck.
        while let Some(Some(())) = self.sigint.recv().now_or_never() {}
        self.tui.enter()?;
        // Keys typed while away were meant for the session, not for muxdeck. The first
        // poll may only swallow the wake-up the dropped event stream left pending (and
        // report nothing), so drain twice.
        for _ in 0..2 {
            while crossterm::event::poll(Duration::ZERO)? {
                let _ = crossterm::event::read()?;
            }
        }
        self.events = Some(EventStream::new());
        let alive = self.still_alive(s).await;
        let (text, level) = match (status, alive) {
            (Err(e), _) => (format!("cannot run `{}`: {e}", inv.display()), Level::Error),
            (Ok(_), false) => (format!("{} has ended", s.id), Level::Error),
            (Ok(st), true) if !st.success() && !exec => {
                (format!("`{}` ended with {st}", inv.display()), Level::Error)
            }
            (Ok(_), true) => (format!("back from {}", s.id), Level::Info),
        };
        self.app.say(text, level);
        self.watchers.refresh();
        // The log stream may have ended or missed nothing; restart it to be sure it is live.
        self.app.log.id = None;
        self.merge();
        self.dirty = true;
        Ok(())
    }

    /// A container without a terminal cannot be attached to: its live log (already the
    /// selection's) gets the focus, and the status line says why.
    fn show_log_instead(&mut self, s: &Session) {
        self.app.focus = app::Focus::Logs;
        self.app.log.follow = true;
        self.app.log.scroll = 0;
        let text = format!(
            "{} has no terminal (started without -i -t): this is its live log; {} goes back to the list",
            s.id,
            self.app.keymap.hint(keys::Action::Focus)
        );
        self.app.say(text, Level::Info);
    }

    async fn still_alive(&self, s: &Session) -> bool {
        match self.engine.target(s).await {
            Ok(Some(Target::Tmux { .. })) => true,
            Ok(Some(Target::Container { runtime, id })) => self
                .engine
                .runtime(runtime)
                .inspect(&id)
                .await
                .ok()
                .flatten()
                .is_some_and(|c| c.state.is_alive()),
            _ => false,
        }
    }
}
