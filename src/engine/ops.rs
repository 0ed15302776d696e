//! Operations on one resolved session: start, stop, restart, rm, logs, follow, and the
//! commands that hand the terminal over (attach, exec).

use std::collections::BTreeMap;
use std::path::PathBuf;

use super::follow::{self, LogStream};
use super::{Engine, EngineError};
use crate::backend::container::RunSpec;
use crate::backend::process::{self, Invocation};
use crate::config::{SessionDef, SessionKind};
use crate::logs::normalize;
use crate::model::{Location, Session, State};

/// What a stop did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopOutcome {
    /// The programs ended within the grace period.
    Stopped,
    /// The grace period ran out (or force was asked) and the session was killed.
    Killed,
    /// Nothing ran.
    AlreadyStopped,
}

/// An ad hoc session described on the command line.
#[derive(Debug, Clone, Default)]
pub struct AdHoc {
    /// Name.
    pub name: String,
    /// Image: a container session when set, else tmux.
    pub image: Option<String>,
    /// Command.
    pub command: Option<String>,
    /// tmux socket.
    pub socket: Option<String>,
    /// Working directory.
    pub working_dir: Option<String>,
    /// `KEY=VALUE` pairs.
    pub env: Vec<String>,
    /// Volumes.
    pub volumes: Vec<String>,
    /// Ports.
    pub ports: Vec<String>,
}

impl AdHoc {
    /// Validates with the config's own rules and builds a session definition.
    pub fn into_def(self) -> Result<SessionDef, EngineError> {
        use crate::config::values::*;
        let bad = EngineError::Invalid;
        check_name(&self.name).map_err(bad)?;
        let mut env = BTreeMap::new();
        for pair in &self.env {
            let (k, v) = pair
                .split_once('=')
                .ok_or_else(|| bad(format!("--env {pair:?}: expected KEY=VALUE")))?;
            check_env_key(k).map_err(bad)?;
            env.insert(k.to_string(), v.to_string());
        }
        let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
        let kind = match &self.image {
            Some(image) => {
                check_image(image).map_err(bad)?;
                for v in &self.volumes {
                    check_volume(v).map_err(bad)?;
                }
                for p in &self.ports {
                    check_port(p).map_err(bad)?;
                }
                if self.socket.is_some() {
                    return Err(bad("--socket is only for tmux sessions".into()));
                }
                SessionKind::Container {
                    image: image.clone(),
                    volumes: self.volumes.clone(),
                    ports: self.ports.clone(),
                    runtime: crate::config::RuntimeChoice::Auto,
                }
            }
            None => {
                if !self.volumes.is_empty() || !self.ports.is_empty() {
                    return Err(bad(
                        "--volume and --publish need --image (a container session)".into(),
                    ));
                }
                let socket = self
                    .socket
                    .clone()
                    .unwrap_or_else(|| crate::model::DEFAULT_SOCKET.into());
                check_socket(&socket).map_err(bad)?;
                SessionKind::Tmux { socket }
            }
        };
        if let (Some(cmd), SessionKind::Container { .. }) = (&self.command, &kind) {
            shell_words::split(cmd).map_err(|e| bad(format!("--command: {e}")))?;
        }
        let working_dir = self.working_dir.map(|w| match kind {
            SessionKind::Tmux { .. } => crate::config::resolve_host_path(&w, &cwd),
            SessionKind::Container { .. } => PathBuf::from(w),
        });
        Ok(SessionDef {
            name: self.name,
            kind,
            command: self.command,
            working_dir,
            env,
        })
    }
}

impl Engine {
    /// Starts a session: creates a `defined` one from its config, starts a stopped or
    /// exited container. A running session is an error.
    pub async fn start(&self, s: &Session) -> Result<(), EngineError> {
        match (&s.id.location, s.state) {
            (_, State::Running | State::Paused) => Err(EngineError::AlreadyRunning(s.id.clone())),
            (_, State::Defined) => {
                let def = self
                    .config
                    .session(&s.id.name)
                    .ok_or_else(|| EngineError::NotFound {
                        query: s.id.qualified(),
                    })?
                    .clone();
                self.create(&def).await
            }
            (Location::Tmux { socket }, _) => {
                // Every pane of it has exited (remain-on-exit): recreate it from the config.
                match self.config.session(&s.id.name) {
                    Some(def) if self.config_id(def) == s.id => {
                        self.tmux.kill_session(socket, &s.id.name).await?;
                        self.create(&def.clone()).await
                    }
                    _ => Err(EngineError::Unsupported(format!(
                        "{} has exited and is not in the config, so muxdeck does not know how to start it again",
                        s.id
                    ))),
                }
            }
            (Location::Container { runtime }, _) => {
                Ok(self.runtime(*runtime).start(&s.id.name).await?)
            }
        }
    }

    /// Creates a session from a definition; fails if one of that identity exists.
    pub async fn create(&self, def: &SessionDef) -> Result<(), EngineError> {
        let env: Vec<(String, String)> = def
            .env
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let id = self.config_id(def);
        match &def.kind {
            SessionKind::Tmux { socket } => {
                if self.tmux.has_session(socket, &def.name).await? {
                    return Err(EngineError::AlreadyRunning(id));
                }
                if let Some(dir) = &def.working_dir
                    && !dir.is_dir()
                {
                    return Err(EngineError::Invalid(format!(
                        "{id}: working_dir {} is not a folder",
                        dir.display()
                    )));
                }
                self.tmux
                    .new_session(
                        socket,
                        &def.name,
                        def.command.as_deref(),
                        def.working_dir.as_deref(),
                        &env,
                    )
                    .await?;
                Ok(())
            }
            SessionKind::Container {
                image,
                volumes,
                ports,
                runtime,
            } => {
                let cli = self.runtime(self.config_runtime(*runtime));
                if let Some(existing) = cli.inspect(&def.name).await? {
                    if existing.state.is_alive() {
                        return Err(EngineError::AlreadyRunning(id));
                    }
                    return Ok(cli.start(&def.name).await?);
                }
                let command = match &def.command {
                    Some(c) => shell_words::split(c)
                        .map_err(|e| EngineError::Invalid(format!("{id}: command: {e}")))?,
                    None => Vec::new(),
                };
                let spec = RunSpec {
                    name: def.name.clone(),
                    image: image.clone(),
                    command,
                    working_dir: def
                        .working_dir
                        .as_ref()
                        .map(|p| p.to_string_lossy().into_owned()),
                    env,
                    volumes: volumes.clone(),
                    ports: ports.clone(),
                };
                Ok(cli.run(&spec).await?)
            }
        }
    }

    /// Stops a session: graceful (interrupt, then wait up to the stop timeout) unless
    /// `force`. A container is stopped, never removed.
    pub async fn stop(
        &self,
        s: &Session,
        force: bool,
        grace: Option<std::time::Duration>,
    ) -> Result<StopOutcome, EngineError> {
        let grace = grace.unwrap_or_else(|| self.stop_timeout());
        match &s.id.location {
            _ if s.state == State::Defined => Ok(StopOutcome::AlreadyStopped),
            Location::Tmux { socket } => {
                if force {
                    if !self.tmux.has_session(socket, &s.id.name).await? {
                        return Ok(StopOutcome::AlreadyStopped);
                    }
                    self.tmux.kill_session(socket, &s.id.name).await?;
                    return Ok(StopOutcome::Killed);
                }
                // It may have ended since it was listed: then there is nothing to stop.
                if !self.tmux.has_session(socket, &s.id.name).await? {
                    return Ok(StopOutcome::AlreadyStopped);
                }
                let forced = self.tmux.stop(socket, &s.id.name, grace).await?;
                Ok(if forced {
                    StopOutcome::Killed
                } else {
                    StopOutcome::Stopped
                })
            }
            Location::Container { runtime } => {
                if !s.state.is_alive() {
                    return Ok(StopOutcome::AlreadyStopped);
                }
                let cli = self.runtime(*runtime);
                if force {
                    cli.kill(&s.id.name).await?;
                    Ok(StopOutcome::Killed)
                } else {
                    // A frozen program cannot handle the stop signal: thaw it first.
                    if s.state == State::Paused {
                        cli.unpause(&s.id.name).await?;
                    }
                    cli.stop(&s.id.name, grace).await?;
                    Ok(StopOutcome::Stopped)
                }
            }
        }
    }

    /// Restarts: containers restart in place; tmux sessions from the config are stopped
    /// and created again.
    pub async fn restart(&self, s: &Session) -> Result<(), EngineError> {
        match &s.id.location {
            Location::Container { runtime } if s.state != State::Defined => {
                let cli = self.runtime(*runtime);
                if s.state == State::Paused {
                    cli.unpause(&s.id.name).await?;
                }
                if s.state.is_alive() {
                    Ok(cli.restart(&s.id.name, self.stop_timeout()).await?)
                } else {
                    Ok(cli.start(&s.id.name).await?)
                }
            }
            _ => {
                let def = self
                    .config
                    .session(&s.id.name)
                    .filter(|d| self.config_id(d) == s.id)
                    .ok_or_else(|| {
                        EngineError::Unsupported(format!(
                            "{} is not in the config, so muxdeck does not know how to start it again; stop it and start it yourself",
                            s.id
                        ))
                    })?
                    .clone();
                self.stop(s, false, None).await?;
                self.create(&def).await
            }
        }
    }

    /// Removes a container (only ever on this explicit request). A running one needs force.
    pub async fn remove(&self, s: &Session, force: bool) -> Result<(), EngineError> {
        match &s.id.location {
            Location::Tmux { .. } => Err(EngineError::Unsupported(format!(
                "rm is for containers; {} is a tmux session: use `muxdeck stop`",
                s.id
            ))),
            Location::Container { .. } if s.state == State::Defined => {
                Err(EngineError::NotRunning {
                    id: s.id.clone(),
                    state: s.state,
                })
            }
            Location::Container { .. } if s.state.is_alive() && !force => {
                Err(EngineError::RemoveRunning(s.id.clone()))
            }
            Location::Container { runtime } => {
                Ok(self.runtime(*runtime).rm(&s.id.name, force).await?)
            }
        }
    }

    /// The last `lines` log lines, colors kept.
    pub async fn logs(&self, s: &Session, lines: usize) -> Result<Vec<String>, EngineError> {
        match &s.id.location {
            _ if s.state == State::Defined => Err(not_started(s)),
            Location::Tmux { socket } => Ok(self.tmux.capture(socket, &s.id.name, lines).await?),
            Location::Container { runtime } => {
                let cli = self.runtime(*runtime);
                let inv = cli.logs_inv(&s.id.name, lines, false);
                let bytes = process::run_merged(&inv, cli.timeout * 2).await?;
                let mut out = normalize(&bytes);
                let skip = out.len().saturating_sub(lines);
                out.drain(..skip);
                Ok(out)
            }
        }
    }

    /// A live stream of the session's output: the last `lines` lines, then new lines as
    /// they are written. `buffer` bounds what waits for a slow consumer.
    pub async fn follow(
        &self,
        s: &Session,
        lines: usize,
        buffer: usize,
    ) -> Result<LogStream, EngineError> {
        match &s.id.location {
            _ if s.state == State::Defined => Err(not_started(s)),
            Location::Tmux { socket } => {
                let pane = self.tmux.active_pane(socket, &s.id.name).await?;
                Ok(follow::tmux(
                    self.tmux.clone(),
                    socket.clone(),
                    pane,
                    lines,
                    buffer,
                ))
            }
            Location::Container { runtime } => {
                let inv = self.runtime(*runtime).logs_inv(&s.id.name, lines, true);
                Ok(follow::container(inv, buffer))
            }
        }
    }

    /// The command that hands the terminal to the session (run it in the foreground).
    /// `current_tmux` is the caller's `$TMUX`.
    pub fn attach_command(
        &self,
        s: &Session,
        current_tmux: Option<&str>,
    ) -> Result<Invocation, EngineError> {
        match &s.id.location {
            Location::Tmux { socket } if s.state != State::Defined => {
                Ok(self.tmux.attach(socket, &s.id.name, current_tmux))
            }
            Location::Container { runtime } if s.state == State::Running => {
                Ok(self.runtime(*runtime).attach(&s.id.name))
            }
            _ => Err(EngineError::NotRunning {
                id: s.id.clone(),
                state: s.state,
            }),
        }
    }

    /// The command that runs `command` (default: the configured shell) interactively in a
    /// running container.
    pub fn exec_command(&self, s: &Session, command: &[String]) -> Result<Invocation, EngineError> {
        match &s.id.location {
            Location::Container { runtime } if s.state == State::Running => {
                let cmd = if command.is_empty() {
                    vec![self.config.defaults.shell.clone()]
                } else {
                    command.to_vec()
                };
                Ok(self.runtime(*runtime).exec(&s.id.name, &cmd))
            }
            Location::Container { .. } => Err(EngineError::NotRunning {
                id: s.id.clone(),
                state: s.state,
            }),
            Location::Tmux { .. } => Err(EngineError::Unsupported(format!(
                "exec is for containers; {} is a tmux session: attach to it instead",
                s.id
            ))),
        }
    }
}

fn not_started(s: &Session) -> EngineError {
    EngineError::Unsupported(format!(
        "{} is defined in the config but has not been started; start it with `muxdeck start {}`",
        s.id, s.id
    ))
}
