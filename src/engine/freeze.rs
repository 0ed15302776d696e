//! Pausing and unpausing containers: their processes frozen in place and thawed again.
//! tmux has nothing of the kind (a stopped job is not a paused session), so a tmux session
//! is refused, never approximated with signals.

use super::{Engine, EngineError};
use crate::model::{Location, Session, State};

/// What a pause or unpause did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FreezeOutcome {
    /// The container was frozen.
    Paused,
    /// It was paused already; nothing was done.
    AlreadyPaused,
    /// The container was thawed and runs again.
    Unpaused,
    /// It was not paused (it runs); nothing was done.
    NotPaused,
}

impl FreezeOutcome {
    /// One line for a person: what happened to `s`.
    pub fn message(self, s: &Session) -> String {
        let id = &s.id;
        match self {
            FreezeOutcome::Paused => format!("paused {id}"),
            FreezeOutcome::AlreadyPaused => format!("{id} is already paused"),
            FreezeOutcome::Unpaused => format!("unpaused {id}"),
            FreezeOutcome::NotPaused => format!("{id} is not paused; it runs"),
        }
    }
}

impl Engine {
    /// Freezes a running container (by its id, looked up now). A paused one is left as it
    /// is; a tmux session or a container that does not run is refused.
    pub async fn pause(&self, s: &Session) -> Result<FreezeOutcome, EngineError> {
        self.freeze(s, true).await
    }

    /// Thaws a paused container; one that runs is left as it is.
    pub async fn unpause(&self, s: &Session) -> Result<FreezeOutcome, EngineError> {
        self.freeze(s, false).await
    }

    async fn freeze(&self, s: &Session, pause: bool) -> Result<FreezeOutcome, EngineError> {
        let Location::Container { runtime } = s.id.location else {
            return Err(EngineError::PauseTmux(s.id.clone()));
        };
        let id = self.container_id(s).await?;
        // The state now, not as listed: someone may have paused or stopped it since.
        let state = self
            .container_now(&s.id.host, runtime, &s.id.name)
            .await?
            .map_or(s.state, |c| c.state);
        let cli = self.machine(&s.id.host)?.runtime(runtime);
        match (state, pause) {
            (State::Paused, true) => Ok(FreezeOutcome::AlreadyPaused),
            (State::Running, false) => Ok(FreezeOutcome::NotPaused),
            (State::Running, true) => {
                cli.pause(&id).await?;
                Ok(FreezeOutcome::Paused)
            }
            (State::Paused, false) => {
                cli.unpause(&id).await?;
                Ok(FreezeOutcome::Unpaused)
            }
            (state, _) => Err(EngineError::NotRunning {
                id: s.id.clone(),
                state,
            }),
        }
    }
}
