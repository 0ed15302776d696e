//! The one way an operation reaches a backend: the session a person chose is looked up by
//! its exact name right before the call, and the call names the backend's own id of it.
//!
//! Names are not safe targets. tmux reads `=$0` as the session id `$0` and falls back to a
//! client's session for a name like `pts/3`; podman and docker take a name that matches no
//! container for an id prefix, so stopping a removed container `cafe` could stop `cafe12…`.
//! Ids are never given to a second session while it exists, and the lookup compares names
//! itself, so neither grammar is ever asked to read a name.

use super::{Engine, EngineError};
use crate::backend::tmux::SessionRef;
use crate::model::{Host, Location, Runtime, Session};

/// A session as its backend addresses it now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A tmux session on the server of `socket`.
    Tmux {
        /// The server's socket name.
        socket: String,
        /// The session's id on that server.
        id: SessionRef,
    },
    /// A container, by its full id.
    Container {
        /// The runtime that knows it.
        runtime: Runtime,
        /// Its full id.
        id: String,
    },
}

impl Engine {
    /// The backend's id of `s` now; None when no session of that name exists any more.
    /// When `s` was listed with an id and the name now belongs to another session (it was
    /// replaced since the listing), that is an error: the session chosen is gone.
    pub async fn target(&self, s: &Session) -> Result<Option<Target>, EngineError> {
        let (target, now) = match &s.id.location {
            Location::Tmux { socket } => {
                let Some(id) = self
                    .machine(&s.id.host)?
                    .tmux
                    .find(socket, &s.id.name)
                    .await?
                else {
                    return Ok(None);
                };
                let now = id.as_str().to_string();
                let target = Target::Tmux {
                    socket: socket.clone(),
                    id,
                };
                (target, now)
            }
            Location::Container { runtime } => {
                let Some(c) = self.container_now(&s.id.host, *runtime, &s.id.name).await? else {
                    return Ok(None);
                };
                let Some(id) = c.backend_id else {
                    return Ok(None);
                };
                let target = Target::Container {
                    runtime: *runtime,
                    id: id.clone(),
                };
                (target, id)
            }
        };
        match &s.backend_id {
            Some(listed) if *listed != now => Err(EngineError::Replaced(s.id.clone())),
            _ => Ok(Some(target)),
        }
    }

    /// The container named exactly `name` as the runtime has it now (its full id, state,
    /// pid), or None. The runtime may answer for an id prefix: only the name counts.
    pub async fn container_now(
        &self,
        host: &Host,
        runtime: Runtime,
        name: &str,
    ) -> Result<Option<Session>, EngineError> {
        let found = self.machine(host)?.runtime(runtime).inspect(name).await?;
        Ok(found.filter(|c| c.id.name == name).map(|c| Session {
            id: c.id.on(host.clone()),
            ..c
        }))
    }

    /// Like [`Engine::target`], for operations that need the session to exist.
    pub async fn existing_target(&self, s: &Session) -> Result<Target, EngineError> {
        self.target(s)
            .await?
            .ok_or_else(|| EngineError::Gone(s.id.clone()))
    }
}
