//! The details of one session, read from its backend by the session's own id (see
//! [`Engine::target`]): a container's `inspect`, a tmux session's windows and panes.

use super::{Engine, EngineError, Target};
use crate::details::Details;
use crate::model::{Session, State};

impl Engine {
    /// What the backend tells about `s` now; None for a session that is defined but not
    /// started, or that is gone. Container environment values whose names look secret are
    /// masked unless the config's `details.show_secrets` says otherwise.
    pub async fn details(&self, s: &Session) -> Result<Option<Details>, EngineError> {
        if s.state == State::Defined {
            return Ok(None);
        }
        let Some(target) = self.target(s).await? else {
            return Ok(None);
        };
        // The machine the session is on: a remote host's tmux and runtimes are reached as
        // every other operation reaches them.
        let m = self.machine(&s.id.host)?;
        Ok(match target {
            Target::Tmux { socket, id } => m.tmux.details(&socket, &id).await?.map(Details::Tmux),
            Target::Container { runtime, id } => m
                .runtime(runtime)
                .details(&id, self.config().details.show_secrets)
                .await?
                .map(|d| Details::Container(Box::new(d))),
        })
    }
}
