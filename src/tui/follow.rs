//! The followed log's lifecycle: a follow waits for the selection to settle, each one has
//! a generation so a stream that arrives for a row the user has left is dropped, and a
//! stream that breaks is resumed after a growing wait, then given up with the reason.

use std::time::Duration;

use tokio::sync::mpsc;

use super::Msg;
use super::app::App;
use crate::backend::tmux_tree::WindowPane;
use crate::engine::resume::Resumes;
use crate::engine::{Engine, EngineError, LogEvent, LogStream};
use crate::logs::window::LogWindow;
use crate::model::{Location, Session};

/// Lines of history a new follow starts with.
const FOLLOW_HISTORY: usize = 2000;
/// Quiet time after the selection moves before its log is followed, so that running
/// through the list with `j` starts no follower (and its backend calls) for the rows
/// passed over.
const FOLLOW_DELAY: Duration = Duration::from_millis(100);

/// The log to follow once the selection has been still for [`FOLLOW_DELAY`].
pub(super) struct PendingFollow {
    due: tokio::time::Instant,
    session: Session,
    /// The sessions of a merged log (then `session` is unused); empty for one session.
    merged: Vec<Session>,
    /// Lines of history to start with (none when resuming a stream that broke).
    history: usize,
    /// The window or pane of a tmux session to follow instead of its active pane.
    at: Option<WindowPane>,
}

/// The stream of the selection's log, or the follow waiting to open it.
pub(super) struct Follower {
    /// The live stream, read by the loop (its field is borrowed beside [`Self::pending`]).
    pub(super) stream: Option<LogStream>,
    /// A follow waiting for the selection to settle or a resume waiting out its delay.
    pub(super) pending: Option<PendingFollow>,
    /// Waits before resuming the current log stream, and its quick breaks in a row.
    resumes: Resumes,
    /// Counts follows; a stream opened for an older one is dropped.
    generation: u64,
    /// How far back the current follow reaches (kept for its resumes).
    window: LogWindow,
    /// The pending or opening follow resumes a stream that broke: its failure to open is
    /// one more break (the host may be back soon), not the end.
    resuming: bool,
}

impl Follower {
    /// No log followed yet.
    pub(super) fn new() -> Self {
        Follower {
            stream: None,
            pending: None,
            resumes: Resumes::default(),
            generation: 0,
            window: LogWindow::default(),
            resuming: false,
        }
    }

    /// Drops the current stream and, after [`FOLLOW_DELAY`], follows `target` (nothing
    /// when `None`) reaching back as `window` says: the usual tail of history (at most
    /// `log_lines`), or with `all_history` every line the backend keeps up to `log_lines`.
    pub(super) fn follow_in(
        &mut self,
        target: Option<Session>,
        log_lines: usize,
        window: LogWindow,
        all_history: bool,
    ) {
        self.stream = None;
        self.generation += 1;
        self.resumes = Resumes::default();
        self.resuming = false;
        self.window = window;
        let history = if all_history {
            log_lines
        } else {
            FOLLOW_HISTORY.min(log_lines)
        };
        self.pending = target.map(|session| PendingFollow {
            due: tokio::time::Instant::now() + FOLLOW_DELAY,
            session,
            merged: Vec::new(),
            history,
            at: None,
        });
    }

    /// [`Self::follow_in`] of the window or pane `at` of the tmux session `target`.
    pub(super) fn follow_at(
        &mut self,
        target: Session,
        at: WindowPane,
        log_lines: usize,
        window: LogWindow,
        all_history: bool,
    ) {
        self.follow_in(Some(target), log_lines, window, all_history);
        if let Some(p) = &mut self.pending {
            p.at = Some(at);
        }
    }

    /// Drops the current stream and follows `sessions` as one merged log (the first one
    /// stands for the follow), reaching back as [`Self::follow_in`] does.
    pub(super) fn follow_merged(
        &mut self,
        sessions: Vec<Session>,
        log_lines: usize,
        window: LogWindow,
        all_history: bool,
    ) {
        let first = sessions.first().cloned();
        self.follow_in(first, log_lines, window, all_history);
        if let Some(p) = &mut self.pending {
            // No waiting: `L` is one deliberate key, not a run through the list.
            p.due = tokio::time::Instant::now();
            p.merged = sessions;
        }
    }

    /// Asks the engine for the stream of the pending follow, now that the selection has
    /// settled; it comes back as [`Msg::Stream`].
    pub(super) fn start(&mut self, engine: &Engine, tx: &mpsc::Sender<Msg>) {
        let Some(PendingFollow {
            session,
            merged,
            history,
            at,
            ..
        }) = self.pending.take()
        else {
            return;
        };
        let engine = engine.clone();
        let tx = tx.clone();
        let generation = self.generation;
        let cap = engine.config().log_lines;
        // A container's lines come with the runtime's own time (`t` shows it).
        let window = LogWindow {
            timestamps: matches!(session.id.location, Location::Container { .. }),
            ..self.window
        };
        tokio::spawn(async move {
            let result = if merged.is_empty() {
                engine
                    .follow_at(&session, at.as_ref(), history, cap, window)
                    .await
            } else {
                Ok(engine.follow_merged(merged, history, cap, window))
            };
            let _ = tx.send(Msg::Stream { generation, result }).await;
        });
    }

    /// A stream (or why there is none) for follow number `generation`.
    pub(super) fn opened(
        &mut self,
        generation: u64,
        result: Result<LogStream, EngineError>,
        app: &mut App,
    ) {
        if generation != self.generation {
            return;
        }
        match result {
            Ok(s) => {
                self.stream = Some(s);
                self.resumes.started();
                app.log_opened();
            }
            Err(e) if self.resuming => self.broke(e.to_string(), app),
            Err(e) => app.follow_failed(&e),
        }
    }

    /// An event of the stream, or its end (`None`), into the pane.
    pub(super) fn on_event(&mut self, ev: Option<LogEvent>, app: &mut App) {
        match ev {
            Some(LogEvent::Failed(why)) => {
                self.stream = None;
                self.broke(why, app);
            }
            Some(ev @ LogEvent::Ended(_)) => {
                app.on_log(ev);
                self.stream = None;
            }
            Some(ev) => app.on_log(ev),
            None => self.stream = None,
        }
    }

    /// The log stream broke: resumed as [`Resumes`] says, or given up saying why.
    fn broke(&mut self, why: String, app: &mut App) {
        let Some(wait) = self.resumes.broke() else {
            app.on_log(LogEvent::Failed(why));
            return;
        };
        // The session may still run: mark the break and follow again from now on, with
        // no history, so nothing shows twice.
        app.mark_log_break(&why);
        self.resuming = true;
        self.pending = app
            .followed_selection()
            .cloned()
            .map(|session| PendingFollow {
                due: tokio::time::Instant::now() + wait,
                session,
                merged: Vec::new(),
                history: 0,
                at: app.log.pane.clone(),
            });
    }
}

/// The next event of the stream; never, while there is none.
pub(super) async fn next_log(stream: &mut Option<LogStream>) -> Option<LogEvent> {
    match stream {
        Some(s) => s.next().await,
        None => std::future::pending().await,
    }
}

/// When the pending follow is due; never, while there is none.
pub(super) async fn due(pending: Option<&PendingFollow>) {
    match pending {
        Some(p) => tokio::time::sleep_until(p.due).await,
        None => std::future::pending().await,
    }
}
