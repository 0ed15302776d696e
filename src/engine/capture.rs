//! What made a session, read back from its backend, for `muxdeck config init --from`:
//! tmux — the first pane's command and folder, and the socket; containers — how the
//! runtime created it and what its image gives by default.

use super::{Engine, EngineError, Target};
use crate::backend::container::{ImageDefaults, MadeWith};
use crate::model::{Runtime, Session};

/// A session's making, as its backend reports it now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Captured {
    /// A tmux session.
    Tmux {
        /// The server's socket name.
        socket: String,
        /// The folder the first pane is in.
        cwd: String,
        /// Its start command as tmux shows it; empty for the default shell.
        start_command: String,
    },
    /// A container.
    Container {
        /// Its runtime.
        runtime: Runtime,
        /// How it was created.
        made: MadeWith,
        /// What its image gives by default (to leave out of the definition).
        image: ImageDefaults,
    },
}

impl Engine {
    /// Reads how `s` was made; the session must exist in its backend (a config session
    /// never started has nothing to read).
    pub async fn capture(&self, s: &Session) -> Result<Captured, EngineError> {
        let gone = || EngineError::Gone(s.id.clone());
        // On another host, the calls below go there through its connection.
        let machine = self.machine(&s.id.host)?;
        match self.target(s).await? {
            None if s.from_config => Err(EngineError::NotStarted(s.id.clone())),
            None => Err(gone()),
            Some(Target::Tmux { socket, id }) => {
                let origin = machine
                    .tmux
                    .first_pane(&socket, &id)
                    .await?
                    .ok_or_else(gone)?;
                Ok(Captured::Tmux {
                    socket,
                    cwd: origin.cwd,
                    start_command: origin.start_command,
                })
            }
            Some(Target::Container { runtime, id }) => {
                let cli = machine.runtime(runtime);
                let made = cli.made_with(&id).await?.ok_or_else(gone)?;
                let image = match &made.image {
                    Some(i) => cli.image_defaults(i).await?,
                    None => ImageDefaults::default(),
                };
                Ok(Captured::Container {
                    runtime,
                    made,
                    image,
                })
            }
        }
    }
}
