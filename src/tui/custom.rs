//! The config's own commands run from the screen: in a background task (output: pane or
//! silent), whose outcome comes back as [`Msg::CommandDone`], or with the terminal handed
//! over (output: handover), as attach does.

use tokio::sync::mpsc;

use super::app::Level;
use super::{Msg, Runner, TuiError, wording};
use crate::config::CustomCommand;
use crate::engine::{CommandOutput, Engine};
use crate::model::Session;

/// Runs `cmd` on exactly `s` in a task; returns the busy line to show meanwhile.
pub(super) fn spawn(
    cmd: CustomCommand,
    s: Session,
    engine: &Engine,
    keymap: &super::keys::Keymap,
    tx: &mpsc::Sender<Msg>,
) -> String {
    let label = format!("{} on {}…", cmd.name, s.id);
    let engine = engine.clone();
    let tx = tx.clone();
    let keymap = keymap.clone();
    let busy = label.clone();
    tokio::spawn(async move {
        let result: Result<CommandOutput, String> = match engine.command_call(&cmd, &s).await {
            Ok(call) => engine.run_custom(&cmd.name, &call).await,
            Err(e) => Err(e),
        }
        .map_err(|e| wording::engine_error(&e, &keymap));
        let _ = tx
            .send(Msg::CommandDone {
                label,
                command: cmd,
                id: s.id,
                result,
            })
            .await;
    });
    busy
}

impl Runner {
    /// Hands the terminal to a command with `output: handover` and takes it back when the
    /// command ends (no time limit: the user is at it).
    pub(super) async fn hand_over_command(
        &mut self,
        cmd: &CustomCommand,
        s: &Session,
    ) -> Result<(), TuiError> {
        let call = match self.engine.command_call(cmd, s).await {
            Ok(call) => call,
            Err(e) => {
                let text = wording::engine_error(&e, &self.app.keymap);
                self.app.say(text, Level::Error);
                return Ok(());
            }
        };
        let line = format!(
            "muxdeck: running {} on {}; muxdeck comes back when it ends",
            cmd.name, s.id
        );
        let status = self.away(&call, &line).await?;
        let (text, level) = match status {
            Err(e) => (
                format!("cannot run `{}`: {e}", call.display()),
                Level::Error,
            ),
            Ok(st) if st.success() => (format!("back from {} on {}", cmd.name, s.id), Level::Info),
            Ok(st) => (
                format!("{} on {} ended with {st}", cmd.name, s.id),
                Level::Error,
            ),
        };
        self.app.handed_back(text, level);
        self.watchers.refresh();
        self.merge();
        self.dirty = true;
        Ok(())
    }
}
