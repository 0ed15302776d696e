//! Sending input to a session without attaching: a line typed into a tmux pane, keys
//! pressed there, or a command run once in a container, its output captured.

use std::time::Duration;

use super::{Engine, EngineError};
use crate::backend::process;
use crate::backend::tmux_tree::WindowPane;
use crate::logs::normalize;
use crate::model::{Location, Session, State};

/// What to send to a tmux pane.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// A line typed literally, then Enter.
    Line(String),
    /// Keys as tmux names them (`C-c`, `Enter`, `Up`).
    Keys(Vec<String>),
}

/// How a command run in a container ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExecOutput {
    /// Its exit status (None when it was ended by a signal).
    pub code: Option<i32>,
    /// What it printed (stdout, then stderr), colors kept, control sequences removed.
    pub lines: Vec<String>,
}

/// The longest a command run with [`Engine::exec_capture`] may take: long enough for a
/// status query or a migration step, short enough that a `tail -f` typed by mistake does
/// not hold a task for ever.
pub const EXEC_LIMIT: Duration = Duration::from_secs(60);

impl Engine {
    /// Sends `input` to the active pane of a running tmux session, found by its id now.
    /// A container is refused (see [`Engine::exec_capture`]).
    pub async fn send(&self, s: &Session, input: &Input) -> Result<(), EngineError> {
        self.send_at(s, None, input).await
    }

    /// [`Engine::send`] to the window or pane `at` of the session (a tree row's) instead
    /// of its active pane; refused when it is no longer in that session.
    pub async fn send_at(
        &self,
        s: &Session,
        at: Option<&WindowPane>,
        input: &Input,
    ) -> Result<(), EngineError> {
        let Location::Tmux { socket } = &s.id.location else {
            return Err(EngineError::SendContainer(s.id.clone()));
        };
        if s.state == State::Defined {
            return Err(EngineError::NotStarted(s.id.clone()));
        }
        let id = self.tmux_id(s).await?;
        let tmux = &self.machine(&s.id.host)?.tmux;
        let pane = match at {
            None => id.window(),
            Some(at) if tmux.pane_at(socket, &id, at).await?.is_some() => at.target(&id),
            Some(at) => return Err(super::ops::pane_gone(s, at)),
        };
        match input {
            Input::Line(text) => tmux.send_line_to(socket, &pane, text).await?,
            Input::Keys(keys) => tmux.send_key_names_to(socket, &pane, keys).await?,
        }
        Ok(())
    }

    /// Runs `line` once in a running container with the configured shell (`sh -c LINE`,
    /// the container's shell, not muxdeck's), without a terminal, and returns its output.
    pub async fn exec_capture(&self, s: &Session, line: &str) -> Result<ExecOutput, EngineError> {
        let Location::Container { runtime } = s.id.location else {
            return Err(EngineError::ExecTmux(s.id.clone()));
        };
        if s.state != State::Running {
            return Err(EngineError::NotRunning {
                id: s.id.clone(),
                state: s.state,
            });
        }
        let id = self.container_id(s).await?;
        let inv = self.runtime(runtime).inv().args([
            "exec",
            "--",
            &id,
            &self.config.defaults.shell,
            "-c",
            line,
        ]);
        let (status, out) = process::run_raw(&inv, EXEC_LIMIT).await?;
        let mut lines = normalize(&out.stdout);
        lines.extend(normalize(&out.stderr));
        Ok(ExecOutput {
            code: status.code(),
            lines,
        })
    }
}
