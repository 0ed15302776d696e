//! Operations on one resolved session: start, stop, restart, rm, logs, follow, and the
//! commands that hand the terminal over (attach, exec).

use std::collections::BTreeMap;
use std::path::PathBuf;

use super::follow::{self, LogStream};
use super::{Engine, EngineError, Target};
use crate::backend::container::{DETACH_HINT, RunError, RunSpec};
use crate::backend::process::{self, Invocation};
use crate::backend::tmux_tree::WindowPane;
use crate::config::{SessionDef, SessionKind};
use crate::logs::normalize;
use crate::logs::window::LogWindow;
use crate::model::{BackendKind, Location, Runtime, Session, SessionId, State};

/// What creating a container does when a stopped one already has its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Existing {
    /// Start that container: it is the config's session, made earlier.
    StartIt,
    /// Refuse: an ad hoc start describes a new container, and silently starting the old one
    /// would run another image and command than the ones asked for.
    Refuse,
}

/// How a stop ends a session's program.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopMode {
    /// Interrupt, wait up to the grace, then kill what is left.
    Graceful,
    /// Kill at once, without a grace.
    Kill,
}

/// What a stop did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopOutcome {
    /// The programs ended within the grace period.
    Stopped,
    /// Force was asked: the session was killed at once.
    Killed,
    /// The programs did not end on the polite request (Ctrl-C for tmux, SIGTERM for a
    /// container) within this grace period, and were killed.
    KilledAfter(std::time::Duration),
    /// A tmux session whose programs had all exited (its panes kept by remain-on-exit) was
    /// removed: nothing ran, so nothing was ended.
    Cleared,
    /// Nothing ran.
    AlreadyStopped,
}

impl StopOutcome {
    /// One line for a person: what happened to `s`.
    pub fn message(self, s: &Session) -> String {
        let id = &s.id;
        match self {
            StopOutcome::Stopped => format!("stopped {id}"),
            StopOutcome::Killed => format!("killed {id}"),
            StopOutcome::KilledAfter(grace) => {
                let asked = match id.location {
                    Location::Tmux { .. } => "Ctrl-C",
                    Location::Container { .. } => "SIGTERM",
                };
                format!(
                    "killed {id} after {} s (it did not stop on {asked})",
                    grace.as_secs()
                )
            }
            StopOutcome::Cleared => {
                format!("cleared {id} (its program had already exited; nothing was running)")
            }
            StopOutcome::AlreadyStopped => format!("{id} is already stopped ({})", s.state),
        }
    }
}

/// Exit status of a program ended by SIGKILL (128 + 9), as runtimes report it.
const SIGKILL_STATUS: i32 = 137;

/// A command that takes the user's terminal, and the keys that give it back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Handover {
    /// Run in the foreground, on the real terminal.
    pub inv: Invocation,
    /// What the user types to come back (`Ctrl-b d`, `Ctrl-p Ctrl-q`), for the line
    /// printed before the terminal is handed over.
    pub back: String,
}

/// What attaching to a session can be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attach {
    /// Hand the terminal over.
    Terminal(Handover),
    /// A container started without a TTY or an open stdin: `attach` would show its output
    /// with no key that comes back (detach keys need both), so there is nothing to attach
    /// to; its log shows the same output.
    NoTerminal,
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

/// Why the options of an ad hoc start do not describe a session.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AdHocError {
    /// The qualified name asks for another kind of session than the options.
    #[error("{name:?} names a {what}, which does not go with the options given")]
    Conflict {
        /// The name as typed.
        name: String,
        /// What the name asks for (`tmux session`, `tmux socket`).
        what: &'static str,
    },
    /// A name qualified as a container, without `--image`.
    #[error("{0:?} names a container: give its --image")]
    ContainerNeedsImage(String),
    /// An `--env` without `=`.
    #[error("--env {0:?}: expected KEY=VALUE")]
    EnvPair(String),
    /// `--socket` with `--image`.
    #[error("--socket is only for tmux sessions")]
    SocketNotTmux,
    /// `--volume` or `--publish` without `--image`.
    #[error("--volume and --publish need --image (a container session)")]
    NeedsImage,
    /// A blank `--command`.
    #[error("--command is empty: name the program to run, or leave --command out")]
    EmptyCommand,
    /// A container `--command` that does not split into words (an open quote).
    #[error("--command: {0}")]
    Command(String),
}

impl AdHoc {
    /// Validates with the config's own rules and builds a session definition. The name may
    /// be qualified (`tmux:NAME`, `tmux@SOCKET:NAME`, `podman:NAME`, ...) to say where the
    /// session goes; it must agree with the options.
    pub fn into_def(mut self) -> Result<SessionDef, EngineError> {
        use crate::config::values::*;
        let q = super::parse_query(&self.name);
        let runtime = self.qualify(&q)?;
        self.name = q.name;
        check_name(&self.name)?;
        let mut env = BTreeMap::new();
        for pair in &self.env {
            let (k, v) = pair
                .split_once('=')
                .ok_or_else(|| AdHocError::EnvPair(pair.clone()))?;
            check_env_key(k)?;
            env.insert(k.to_string(), v.to_string());
        }
        let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
        let kind = match &self.image {
            Some(image) => {
                check_image(image)?;
                for v in &self.volumes {
                    check_volume(v)?;
                }
                for p in &self.ports {
                    check_port(p)?;
                }
                if self.socket.is_some() {
                    return Err(AdHocError::SocketNotTmux.into());
                }
                SessionKind::Container {
                    image: image.clone(),
                    volumes: self.volumes.clone(),
                    ports: self.ports.clone(),
                    runtime,
                }
            }
            None => {
                if !self.volumes.is_empty() || !self.ports.is_empty() {
                    return Err(AdHocError::NeedsImage.into());
                }
                let socket = self
                    .socket
                    .clone()
                    .unwrap_or_else(|| crate::model::DEFAULT_SOCKET.into());
                check_socket(&socket)?;
                SessionKind::Tmux { socket }
            }
        };
        if self.command.as_deref().is_some_and(|c| c.trim().is_empty()) {
            return Err(AdHocError::EmptyCommand.into());
        }
        if let (Some(cmd), SessionKind::Container { .. }) = (&self.command, &kind) {
            shell_words::split(cmd).map_err(|e| AdHocError::Command(e.to_string()))?;
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
            host: crate::model::Host::Local,
        })
    }
}

impl AdHoc {
    /// Applies a qualified name's backend, socket or runtime; returns the runtime choice.
    fn qualify(&mut self, q: &super::Query) -> Result<crate::config::RuntimeChoice, EngineError> {
        use crate::config::RuntimeChoice;
        let conflict = |what: &'static str| {
            Err(AdHocError::Conflict {
                name: self.name.clone(),
                what,
            }
            .into())
        };
        match q.kind {
            Some(BackendKind::Tmux) if self.image.is_some() => return conflict("tmux session"),
            Some(BackendKind::Container) if self.image.is_none() => {
                return Err(AdHocError::ContainerNeedsImage(self.name.clone()).into());
            }
            _ => {}
        }
        if let Some(socket) = &q.socket {
            if self.socket.as_ref().is_some_and(|s| s != socket) {
                return conflict("tmux socket");
            }
            self.socket = Some(socket.clone());
        }
        Ok(match q.runtime {
            Some(Runtime::Podman) => RuntimeChoice::Podman,
            Some(Runtime::Docker) => RuntimeChoice::Docker,
            None => RuntimeChoice::Auto,
        })
    }
}

impl Engine {
    /// Starts a session described on the command line. A bare name that any session has
    /// (any backend, running or not, or defined in the config) is refused, so one name
    /// never comes to mean two sessions by accident; a qualified name is refused only when
    /// that very session exists.
    pub async fn start_ad_hoc(&self, spec: AdHoc) -> Result<SessionId, EngineError> {
        let qualified = super::parse_query(&spec.name).kind.is_some();
        let def = spec.into_def()?;
        crate::config::check_backend_used(&def, &self.config.defaults, &self.config.backends)
            .map_err(|m| EngineError::Invalid(format!("{}: {m}", def.name)))?;
        let id = self.config_id(&def);
        if !qualified {
            // The very session asked for is left to `create`, which says it already runs.
            let listing = self.list(None).await;
            let taken: Vec<String> = listing
                .sessions
                .iter()
                .filter(|s| s.id.name == def.name && s.id != id)
                .map(|s| s.id.qualified())
                .collect();
            if !taken.is_empty() {
                return Err(EngineError::NameTaken {
                    name: def.name,
                    taken,
                });
            }
        }
        self.create(&def, Existing::Refuse).await?;
        Ok(id)
    }

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
                self.create(&def, Existing::StartIt).await
            }
            (Location::Tmux { socket }, _) => {
                // Every pane of it has exited (remain-on-exit). It may have been started
                // again since it was listed: then it runs, and is left alone.
                let id = self.tmux_id(s).await?;
                if !self.machine(&s.id.host)?.tmux.all_dead(socket, &id).await? {
                    return Err(EngineError::AlreadyRunning(s.id.clone()));
                }
                match self.config.session(&s.id.name) {
                    // From the config: made anew, so an edited command takes effect.
                    Some(def) if self.config_id(def) == s.id => {
                        let def = def.clone();
                        self.machine(&s.id.host)?
                            .tmux
                            .kill_session(socket, &id)
                            .await?;
                        self.create(&def, Existing::StartIt).await
                    }
                    // Each pane runs its own command again.
                    _ => Ok(self
                        .machine(&s.id.host)?
                        .tmux
                        .respawn_dead(socket, &id)
                        .await?),
                }
            }
            (Location::Container { runtime }, _) => {
                let id = self.container_id(s).await?;
                self.machine(&s.id.host)?
                    .runtime(*runtime)
                    .start(&id)
                    .await?;
                self.stopped.forget(&id);
                Ok(())
            }
        }
    }

    /// The full id of a container session that must exist.
    pub(super) async fn container_id(&self, s: &Session) -> Result<String, EngineError> {
        match self.existing_target(s).await? {
            Target::Container { id, .. } => Ok(id),
            Target::Tmux { .. } => Err(EngineError::NotAContainer(s.id.clone())),
        }
    }

    /// The tmux id of a session that must exist.
    pub(super) async fn tmux_id(
        &self,
        s: &Session,
    ) -> Result<crate::backend::tmux::SessionRef, EngineError> {
        match self.existing_target(s).await? {
            Target::Tmux { id, .. } => Ok(id),
            Target::Container { .. } => Err(EngineError::NotTmux(s.id.clone())),
        }
    }

    /// Creates a session from a definition; fails if one of that identity runs. A stopped
    /// container of that name is started or refused, as `existing` says.
    pub async fn create(&self, def: &SessionDef, existing: Existing) -> Result<(), EngineError> {
        let env: Vec<(String, String)> = def
            .env
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let id = self.config_id(def);
        match &def.kind {
            SessionKind::Tmux { socket } => {
                if self
                    .machine(&def.host)?
                    .tmux
                    .find(socket, &def.name)
                    .await?
                    .is_some()
                {
                    return Err(EngineError::AlreadyRunning(id));
                }
                // Another host's folders can only be seen there: tmux says it if one is wrong.
                if let Some(dir) = &def.working_dir
                    && def.host.is_local()
                    && !dir.is_dir()
                {
                    return Err(EngineError::Invalid(format!(
                        "{id}: working_dir {} is not a folder",
                        dir.display()
                    )));
                }
                self.machine(&def.host)?
                    .tmux
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
                let cli = self
                    .machine(&def.host)?
                    .runtime(self.config_runtime_on(*runtime, &def.host));
                if self.start_existing(&id, existing).await? {
                    return Ok(());
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
                match cli.run(&spec).await {
                    Ok(()) => Ok(()),
                    // Someone made it between the look and the run: theirs stays untouched.
                    Err(RunError::NameInUse(_)) => match self.start_existing(&id, existing).await {
                        Ok(true) => Ok(()),
                        Ok(false) => Err(EngineError::AlreadyRunning(id)),
                        Err(e) => Err(e),
                    },
                    Err(RunError::Backend(e)) => Err(e.into()),
                }
            }
        }
    }

    /// Deals with a container that already has the name of one about to be created:
    /// running, it is an error; stopped, it is started (by its id) or refused. Returns
    /// whether one existed and was started; false when there is none.
    async fn start_existing(
        &self,
        id: &SessionId,
        existing: Existing,
    ) -> Result<bool, EngineError> {
        let Location::Container { runtime } = id.location else {
            return Ok(false);
        };
        let Some(Session {
            backend_id: Some(cid),
            state,
            ..
        }) = self.container_now(&id.host, runtime, &id.name).await?
        else {
            return Ok(false);
        };
        let cli = self.machine(&id.host)?.runtime(runtime);
        if state.is_alive() {
            return Err(EngineError::AlreadyRunning(id.clone()));
        }
        match existing {
            Existing::StartIt => {
                cli.start(&cid).await?;
                self.stopped.forget(&cid);
                Ok(true)
            }
            Existing::Refuse => Err(EngineError::Exists {
                id: id.clone(),
                state,
            }),
        }
    }

    /// Stops a session as `mode` says (graceful: interrupt, then wait up to `grace` or the
    /// stop timeout). A container is stopped, never removed.
    pub async fn stop(
        &self,
        s: &Session,
        mode: StopMode,
        grace: Option<std::time::Duration>,
    ) -> Result<StopOutcome, EngineError> {
        let grace = grace.unwrap_or_else(|| self.stop_timeout());
        match &s.id.location {
            _ if s.state == State::Defined => Ok(StopOutcome::AlreadyStopped),
            Location::Tmux { socket } => {
                // It may have ended since it was listed: then there is nothing to stop.
                let Some(Target::Tmux { id, .. }) = self.target(s).await? else {
                    return Ok(StopOutcome::AlreadyStopped);
                };
                if self.machine(&s.id.host)?.tmux.all_dead(socket, &id).await? {
                    self.machine(&s.id.host)?
                        .tmux
                        .kill_session(socket, &id)
                        .await?;
                    return Ok(StopOutcome::Cleared);
                }
                if mode == StopMode::Kill {
                    self.machine(&s.id.host)?
                        .tmux
                        .kill_session(socket, &id)
                        .await?;
                    return Ok(StopOutcome::Killed);
                }
                let forced = self
                    .machine(&s.id.host)?
                    .tmux
                    .stop(socket, &id, grace)
                    .await?;
                Ok(if forced {
                    StopOutcome::KilledAfter(grace)
                } else {
                    StopOutcome::Stopped
                })
            }
            Location::Container { runtime } => {
                if !s.state.is_alive() {
                    return Ok(StopOutcome::AlreadyStopped);
                }
                let cli = self.machine(&s.id.host)?.runtime(*runtime);
                let Some(Target::Container { id, .. }) = self.target(s).await? else {
                    return Ok(StopOutcome::AlreadyStopped);
                };
                if mode == StopMode::Kill {
                    cli.kill(&id).await?;
                    self.stopped.remember(&id, unix_now());
                    return Ok(StopOutcome::Killed);
                }
                // A frozen program cannot handle the stop signal: thaw it first.
                if s.state == State::Paused {
                    cli.unpause(&id).await?;
                }
                cli.stop(&id, grace).await?;
                self.stopped.remember(&id, unix_now());
                // The runtime says only that it stopped; the exit status tells whether the
                // program ended on SIGTERM or had to be killed when the grace ran out.
                let after = cli.inspect(&id).await.ok().flatten().map(|c| c.state);
                Ok(match after {
                    Some(State::Exited(Some(SIGKILL_STATUS))) => StopOutcome::KilledAfter(grace),
                    _ => StopOutcome::Stopped,
                })
            }
        }
    }

    /// Restarts: containers restart in place; tmux sessions from the config are stopped
    /// and created again.
    pub async fn restart(&self, s: &Session) -> Result<(), EngineError> {
        match &s.id.location {
            Location::Container { runtime } if s.state != State::Defined => {
                let cli = self.machine(&s.id.host)?.runtime(*runtime);
                let id = self.container_id(s).await?;
                if s.state == State::Paused {
                    cli.unpause(&id).await?;
                }
                if s.state.is_alive() {
                    cli.restart(&id, self.stop_timeout()).await?;
                } else {
                    cli.start(&id).await?;
                }
                self.stopped.forget(&id);
                Ok(())
            }
            // Nothing of it runs: restarting it is starting it again, also when the
            // config does not know it (its panes keep their commands).
            Location::Tmux { .. } if matches!(s.state, State::Exited(_)) => self.start(s).await,
            _ => {
                let def = self
                    .config
                    .session(&s.id.name)
                    .filter(|d| self.config_id(d) == s.id)
                    .ok_or_else(|| EngineError::NotInConfig(s.id.clone()))?
                    .clone();
                self.stop(s, StopMode::Graceful, None).await?;
                self.create(&def, Existing::StartIt).await
            }
        }
    }

    /// Removes a container (only ever on this explicit request). A running one needs force.
    pub async fn remove(&self, s: &Session, force: bool) -> Result<(), EngineError> {
        match &s.id.location {
            Location::Tmux { .. } => Err(EngineError::RemoveTmux(s.id.clone())),
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
                let id = self.container_id(s).await?;
                self.machine(&s.id.host)?
                    .runtime(*runtime)
                    .rm(&id, force)
                    .await?;
                self.stopped.forget(&id);
                Ok(())
            }
        }
    }

    /// The last `lines` log lines, colors kept.
    pub async fn logs(&self, s: &Session, lines: usize) -> Result<Vec<String>, EngineError> {
        self.logs_in(s, lines, LogWindow::default()).await
    }

    /// [`logs`](Self::logs) limited to `window`; tmux keeps no times, so its lines come
    /// as they are, however far back `window` reaches.
    pub async fn logs_in(
        &self,
        s: &Session,
        lines: usize,
        window: LogWindow,
    ) -> Result<Vec<String>, EngineError> {
        match &s.id.location {
            _ if s.state == State::Defined => Err(not_started(s)),
            Location::Tmux { socket } => {
                let id = self.tmux_id(s).await?;
                Ok(self
                    .machine(&s.id.host)?
                    .tmux
                    .capture(socket, &id, lines)
                    .await?)
            }
            Location::Container { runtime } => {
                let cli = self.machine(&s.id.host)?.runtime(*runtime);
                let inv = cli.logs_inv_in(&self.container_id(s).await?, lines, false, window);
                let bytes = process::run_merged(&inv, cli.timeout.saturating_mul(2)).await?;
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
        self.follow_in(s, lines, buffer, LogWindow::default()).await
    }

    /// [`follow`](Self::follow), its history limited to `window` (containers).
    pub async fn follow_in(
        &self,
        s: &Session,
        lines: usize,
        buffer: usize,
        window: LogWindow,
    ) -> Result<LogStream, EngineError> {
        self.follow_at(s, None, lines, buffer, window).await
    }

    /// [`follow_in`](Self::follow_in), of the window or pane `at` of a tmux session
    /// instead of its active pane (ignored for a container).
    pub async fn follow_at(
        &self,
        s: &Session,
        at: Option<&WindowPane>,
        lines: usize,
        buffer: usize,
        window: LogWindow,
    ) -> Result<LogStream, EngineError> {
        match &s.id.location {
            _ if s.state == State::Defined => Err(not_started(s)),
            Location::Tmux { socket } => {
                let id = self.tmux_id(s).await?;
                let tmux = &self.machine(&s.id.host)?.tmux;
                let pane = match at {
                    None => tmux.active_pane(socket, &id).await?,
                    Some(at) => tmux
                        .pane_at(socket, &id, at)
                        .await?
                        .ok_or_else(|| pane_gone(s, at))?,
                };
                Ok(follow::tmux(
                    self.machine(&s.id.host)?.tmux.clone(),
                    socket.clone(),
                    pane,
                    lines,
                    buffer,
                ))
            }
            Location::Container { runtime } => {
                let id = self.container_id(s).await?;
                let inv = self
                    .machine(&s.id.host)?
                    .runtime(*runtime)
                    .logs_inv_in(&id, lines, true, window);
                Ok(follow::container(inv, buffer))
            }
        }
    }

    /// How to hand the terminal to the session (run the command in the foreground), and
    /// the keys that come back from it. `current_tmux` is the caller's `$TMUX`.
    /// With `at`, a tmux session is attached showing that window or pane (it becomes the
    /// session's current one, as choose-tree makes it).
    pub async fn attach_command(
        &self,
        s: &Session,
        current_tmux: Option<&str>,
        at: Option<&WindowPane>,
    ) -> Result<Attach, EngineError> {
        match &s.id.location {
            Location::Tmux { socket } if s.state != State::Defined => {
                let id = self.tmux_id(s).await?;
                if let Some(at) = at
                    && !self
                        .machine(&s.id.host)?
                        .tmux
                        .select(socket, &id, at)
                        .await?
                {
                    return Err(pane_gone(s, at));
                }
                // Only for the line that says how to come back: not worth failing over.
                let prefix = self
                    .machine(&s.id.host)?
                    .tmux
                    .prefix(socket)
                    .await
                    .unwrap_or_else(|_| "the tmux prefix".into());
                let back = format!("{prefix} d");
                let title = format!(" {} · {back} comes back ", s.id);
                let inv = self
                    .machine(&s.id.host)?
                    .tmux
                    .attach(socket, &id, current_tmux, &title);
                Ok(Attach::Terminal(Handover { inv, back }))
            }
            Location::Container { runtime } if s.state == State::Running => {
                let id = self.container_id(s).await?;
                let cli = self.machine(&s.id.host)?.runtime(*runtime);
                if !cli.has_terminal(&id).await? {
                    return Ok(Attach::NoTerminal);
                }
                Ok(Attach::Terminal(Handover {
                    inv: cli.attach(&id),
                    back: DETACH_HINT.into(),
                }))
            }
            _ => Err(EngineError::NotRunning {
                id: s.id.clone(),
                state: s.state,
            }),
        }
    }

    /// The command that runs `command` (default: the configured shell) interactively in a
    /// running container.
    pub async fn exec_command(
        &self,
        s: &Session,
        command: &[String],
    ) -> Result<Invocation, EngineError> {
        match &s.id.location {
            Location::Container { runtime } if s.state == State::Running => {
                let cmd = if command.is_empty() {
                    vec![self.config.defaults.shell.clone()]
                } else {
                    command.to_vec()
                };
                let id = self.container_id(s).await?;
                Ok(self.machine(&s.id.host)?.runtime(*runtime).exec(&id, &cmd))
            }
            Location::Container { .. } => Err(EngineError::NotRunning {
                id: s.id.clone(),
                state: s.state,
            }),
            Location::Tmux { .. } => Err(EngineError::ExecTmux(s.id.clone())),
        }
    }
}

fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// The window or pane `at` of `s` is no longer there.
pub(super) fn pane_gone(s: &Session, at: &WindowPane) -> EngineError {
    EngineError::PaneGone {
        id: s.id.clone(),
        what: match &at.pane {
            Some(p) => format!("pane {p}"),
            None => format!("window {}", at.window),
        },
    }
}

fn not_started(s: &Session) -> EngineError {
    EngineError::NotStarted(s.id.clone())
}
