//! `W`: a running session's definition, read from its backend off the loop, and added to
//! the config file (as text, after the question) off the loop too; the results come back
//! as [`Msg::Captured`] and [`Msg::Written`].

use std::collections::BTreeSet;
use std::path::PathBuf;

use tokio::sync::mpsc;

use super::Msg;
use super::app::WriteRequest;
use super::keys::Keymap;
use super::wording;
use crate::config::append::{AppendError, FileStamp, append_definition};
use crate::config::capture::{config_name, definition};
use crate::engine::Engine;
use crate::model::Session;

/// Reads how `s` was made and turns it into a definition named as the config would
/// take it (not one of the config's names).
pub(super) fn spawn_capture(s: Session, engine: &Engine, keymap: &Keymap, tx: &mpsc::Sender<Msg>) {
    let engine = engine.clone();
    let keymap = keymap.clone();
    let tx = tx.clone();
    tokio::spawn(async move {
        let result = match engine.capture(&s).await {
            Ok(captured) => {
                let mut taken: BTreeSet<String> = engine
                    .config()
                    .sessions
                    .iter()
                    .map(|d| d.name.clone())
                    .collect();
                let name = config_name(&s.id.name, &mut taken);
                let yaml = definition(&s, &name, &captured);
                Ok((name, yaml))
            }
            Err(e) => Err(wording::engine_error(&e, &keymap)),
        };
        let _ = tx.send(Msg::Captured { id: s.id, result }).await;
    });
}

/// The file `W` adds to, or why there is none (said before any question): no config path
/// at all, or a path with no file yet (the message says how to make one).
pub(super) fn target(path: Option<PathBuf>) -> Result<PathBuf, String> {
    match path {
        None => Err(AppendError::NoPath.to_string()),
        Some(p) if !p.exists() => Err(AppendError::Missing(p).to_string()),
        Some(p) => Ok(p),
    }
}

/// Adds `req` to the file at `path`, which muxdeck loaded as `loaded`; the outcome is one
/// status line.
pub(super) fn spawn_write(
    req: WriteRequest,
    path: Option<PathBuf>,
    loaded: Option<FileStamp>,
    tx: &mpsc::Sender<Msg>,
) {
    let tx = tx.clone();
    tokio::task::spawn_blocking(move || {
        let result = append_definition(path.as_deref(), loaded.as_ref(), &req.name, &req.yaml)
            .map(|_| {
                format!(
                    "added {} to {}; reloading it",
                    req.name,
                    path.as_deref()
                        .map(|p| p.display().to_string())
                        .unwrap_or_default()
                )
            })
            .map_err(|e| e.to_string());
        let _ = tx.blocking_send(Msg::Written(result));
    });
}
