//! Operations on a session, run in the background so the screen never waits on a
//! backend, and the wording of how they ended.

use tokio::sync::mpsc;

use super::Msg;
use super::app::{Level, Op, OpOutcome};
use super::keys::Keymap;
use super::wording;
use crate::engine::{Engine, EngineError, StopOutcome};
use crate::model::Session;

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
async fn run(op: Op, s: &Session, engine: &Engine) -> Result<Option<StopOutcome>, EngineError> {
    match op {
        Op::Start => engine.start(s).await.map(|()| None),
        Op::Stop => engine
            .stop(s, crate::engine::StopMode::Graceful, None)
            .await
            .map(Some),
        Op::Kill => engine
            .stop(s, crate::engine::StopMode::Kill, None)
            .await
            .map(Some),
        Op::Restart => engine.restart(s).await.map(|()| None),
        Op::Remove => engine.remove(s, false).await.map(|()| None),
        Op::ForceRemove => engine.remove(s, true).await.map(|()| None),
    }
}

/// The status line for how `op` on `s` ended.
fn outcome(
    op: Op,
    s: &Session,
    result: Result<Option<StopOutcome>, EngineError>,
    keymap: &Keymap,
    label: String,
) -> OpOutcome {
    let (text, level) = match result {
        Ok(Some(stopped)) => (stopped.message(s), Level::Info),
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
