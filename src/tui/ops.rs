//! Operations on a session, run in the background so the screen never waits on a
//! backend, and the wording of how they ended.

use tokio::sync::mpsc;

use super::Msg;
use super::app::{Level, Op, OpOutcome};
use super::keys::Keymap;
use super::wording;
use crate::backend::tmux_tree::WindowPane;
use crate::engine::{Engine, EngineError, Input, StopOutcome};
use crate::model::{Location, Session};

/// Runs `op` on exactly `s` in a task; the outcome comes back as [`Msg::OpDone`]. Returns
/// the busy line to show meanwhile.
pub(super) fn spawn(
    op: Op,
    s: Session,
    engine: &Engine,
    keymap: &Keymap,
    tx: &mpsc::Sender<Msg>,
) -> String {
    let label = format!("{} {}…", op.verb(), s.id);
    let engine = engine.clone();
    let tx = tx.clone();
    let keymap = keymap.clone();
    let busy = label.clone();
    tokio::spawn(async move {
        let result = run(op, &s, &engine).await;
        let outcome = outcome(op, &s, result, &keymap, label);
        let _ = tx.send(Msg::OpDone(outcome)).await;
    });
    busy
}

/// The engine call of `op`; a stop says how the session ended.
async fn run(op: Op, s: &Session, engine: &Engine) -> Result<Option<String>, EngineError> {
    let said = |o: StopOutcome| Some(o.message(s));
    match op {
        Op::Pause => engine.pause(s).await.map(|o| Some(o.message(s))),
        Op::Unpause => engine.unpause(s).await.map(|o| Some(o.message(s))),
        Op::Start => engine.start(s).await.map(|()| None),
        Op::Stop => engine
            .stop(s, crate::engine::StopMode::Graceful, None)
            .await
            .map(said),
        Op::Kill => engine
            .stop(s, crate::engine::StopMode::Kill, None)
            .await
            .map(said),
        Op::Restart => engine.restart(s).await.map(|()| None),
        Op::Remove => engine.remove(s, false).await.map(|()| None),
        Op::ForceRemove => engine.remove(s, true).await.map(|()| None),
    }
}

/// Runs `op` on every session in a task, a few at a time; each one's outcome and the
/// summary come back as [`Msg::BulkDone`]. Returns the busy line.
pub(super) fn spawn_many(
    op: Op,
    sessions: Vec<Session>,
    engine: &Engine,
    keymap: &Keymap,
    tx: &mpsc::Sender<Msg>,
) -> String {
    let label = format!("{} {} sessions…", op.verb(), sessions.len());
    let (engine, tx, keymap, busy) = (engine.clone(), tx.clone(), keymap.clone(), label.clone());
    tokio::spawn(async move {
        let results = crate::engine::bulk::fan_out(sessions, |s| {
            let engine = &engine;
            async move {
                let r = run(op, &s, engine).await;
                (s, r)
            }
        })
        .await;
        let mut lines = Vec::new();
        let mut failures = Vec::new();
        let mut done = 0;
        for (s, r) in results {
            let failed = r.is_err();
            let why = r.as_ref().err().map(|e| wording::engine_error(e, &keymap));
            let o = outcome(op, &s, r, &keymap, String::new());
            match why {
                Some(why) if failed && o.level == Level::Error => failures.push((s.id, why)),
                _ => done += 1,
            }
            lines.push((o.text, o.level));
        }
        let level = if failures.is_empty() {
            Level::Info
        } else {
            Level::Error
        };
        let summary = (
            crate::engine::bulk::summary(op.done(), done, &failures),
            level,
        );
        let msg = Msg::BulkDone {
            label,
            lines,
            summary,
        };
        let _ = tx.send(msg).await;
    });
    busy
}

/// The status line for how `op` on `s` ended.
fn outcome(
    op: Op,
    s: &Session,
    result: Result<Option<String>, EngineError>,
    keymap: &Keymap,
    label: String,
) -> OpOutcome {
    let (text, level) = match result {
        Ok(Some(said)) => (said, Level::Info),
        Ok(None) => (format!("{} {}", op.done(), s.id), Level::Info),
        // A second `s` while the first start runs: the session the user wants runs.
        Err(EngineError::AlreadyRunning(id)) if op == Op::Start => {
            (format!("{id} is already running"), Level::Info)
        }
        Err(e) => (
            format!(
                "{} failed: {}",
                op.verb(),
                wording::engine_error(&e, keymap)
            ),
            Level::Error,
        ),
    };
    OpOutcome { label, text, level }
}

/// Sends `input` to each session in a task: a line typed into a tmux session's active pane
/// (or the window or pane `at` of it; or run once in a container, whose output comes back
/// as [`Msg::ExecDone`]), or keys pressed in the pane. Returns the busy line.
pub(super) fn spawn_send(
    targets: Vec<Session>,
    at: Option<WindowPane>,
    input: Input,
    engine: &Engine,
    keymap: &Keymap,
    tx: &mpsc::Sender<Msg>,
) -> String {
    let label = match targets.as_slice() {
        [one] => format!("send to {}…", one.id),
        many => format!("send to {} sessions…", many.len()),
    };
    let (engine, tx, keymap, busy) = (engine.clone(), tx.clone(), keymap.clone(), label.clone());
    tokio::spawn(async move {
        let (input, at) = (&input, at.as_ref());
        let line = match input {
            Input::Line(l) => l.clone(),
            Input::Keys(k) => k.join(" "),
        };
        let results = crate::engine::bulk::fan_out(targets, |s| {
            let engine = &engine;
            async move {
                let r = match (&s.id.location, input) {
                    (Location::Container { .. }, Input::Line(line)) => {
                        engine.exec_capture(&s, line).await.map(Some)
                    }
                    _ => engine.send_at(&s, at, input).await.map(|()| None),
                };
                (s, r)
            }
        })
        .await;
        let mut sent = Vec::new();
        let mut failures = Vec::new();
        for (s, r) in results {
            match r {
                Ok(None) => sent.push(s.id),
                Ok(Some(out)) => {
                    let msg = Msg::ExecDone {
                        id: s.id,
                        line: line.clone(),
                        result: Ok(out),
                    };
                    let _ = tx.send(msg).await;
                }
                Err(e) => failures.push((s.id, wording::engine_error(&e, &keymap))),
            }
        }
        let (text, level) = match (sent.as_slice(), failures.is_empty()) {
            ([], true) => (String::new(), Level::Info),
            ([one], true) => (format!("sent to {one}"), Level::Info),
            (_, true) => (
                crate::engine::bulk::summary("sent", sent.len(), &[]),
                Level::Info,
            ),
            (_, false) => (
                format!(
                    "send: {}",
                    crate::engine::bulk::summary("sent", sent.len(), &failures)
                ),
                Level::Error,
            ),
        };
        let _ = tx.send(Msg::OpDone(OpOutcome { label, text, level })).await;
    });
    busy
}
