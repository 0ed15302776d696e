//! The user's own commands (`commands:` in the config) on one session: the argument
//! vector with the session's values put in, and a run with a deadline whose output is
//! normalized as a log is. A command asks the backend nothing: its placeholders come from
//! the session as the backend has it right now (the id of the session chosen).

use tokio::io::AsyncReadExt;

use super::{Engine, EngineError, Target};
use crate::backend::process::{self, Invocation};
use crate::config::commands::{CustomCommand, Placeholders};
use crate::model::{BackendKind, Session};

/// The most output a command's run keeps (as much as a log capture).
const MAX_OUTPUT: u64 = 32 * 1024 * 1024;

/// What a command printed, and how it ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandOutput {
    /// Its stdout and stderr in order, as log lines (colors kept, other escapes removed).
    pub lines: Vec<String>,
    /// Its exit code; None when a signal ended it.
    pub code: Option<i32>,
}

impl Engine {
    /// The command's argument vector for `s`, as a call ready to run: refused when the
    /// command is not for this kind of session or the session does not exist now.
    pub async fn command_call(
        &self,
        cmd: &CustomCommand,
        s: &Session,
    ) -> Result<Invocation, EngineError> {
        let applies = match s.id.location.kind() {
            BackendKind::Tmux => cmd.applies.tmux,
            BackendKind::Container => cmd.applies.container,
        };
        if !applies {
            return Err(EngineError::CommandNotFor {
                command: cmd.name.clone(),
                session: s.id.clone(),
                applies: cmd.applies.describe(),
            });
        }
        let values = match self.target(s).await? {
            Some(t) => placeholders(s, &t),
            None if s.from_config => return Err(EngineError::NotStarted(s.id.clone())),
            None => return Err(EngineError::Gone(s.id.clone())),
        };
        let argv = cmd.expand(&values);
        let (program, args) = argv
            .split_first()
            .ok_or_else(|| EngineError::Invalid(format!("commands.{}: argv is empty", cmd.name)))?;
        // On another host the argv runs there, through its connection, quoted.
        let route = self.machine(&s.id.host)?.route.clone();
        Ok(Invocation::new(program).args(args).on(route))
    }

    /// Runs a prepared command with stdout and stderr through one pipe, killing it after
    /// `defaults.command_timeout`.
    pub async fn run_custom(
        &self,
        name: &str,
        call: &Invocation,
    ) -> Result<CommandOutput, EngineError> {
        let timeout = self.config.defaults.command_timeout;
        let (mut child, source) = process::spawn_merged(call)?;
        let work = async {
            let mut bytes = Vec::new();
            source
                .take(MAX_OUTPUT)
                .read_to_end(&mut bytes)
                .await
                .map_err(|e| io_error(call, &e))?;
            let status = child.wait().await.map_err(|e| io_error(call, &e))?;
            Ok::<_, EngineError>((bytes, status))
        };
        match tokio::time::timeout(timeout, work).await {
            Ok(result) => {
                let (bytes, status) = result?;
                Ok(CommandOutput {
                    lines: crate::logs::normalize(&bytes),
                    code: status.code(),
                })
            }
            Err(_) => {
                // Killed now, not when the handle drops; a grandchild holding the pipe is
                // no longer read.
                let _ = child.start_kill();
                Err(EngineError::CommandTimedOut {
                    command: name.to_string(),
                    after: timeout,
                })
            }
        }
    }
}

/// The values of the placeholders for a session that exists as `target`.
fn placeholders(s: &Session, target: &Target) -> Placeholders {
    let mut v = Placeholders {
        name: s.id.name.clone(),
        host: s.id.host.to_string(),
        backend: s.id.location.kind().as_str().into(),
        ..Placeholders::default()
    };
    match target {
        Target::Tmux { socket, id } => {
            v.id = id.as_str().to_string();
            v.socket = socket.clone();
        }
        Target::Container { runtime, id } => {
            v.id = id.clone();
            v.runtime = runtime.as_str().into();
        }
    }
    v
}

fn io_error(call: &Invocation, e: &std::io::Error) -> EngineError {
    EngineError::Backend(crate::backend::BackendError::Io {
        program: call.program.clone(),
        message: e.to_string(),
    })
}
