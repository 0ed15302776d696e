//! The engine: one facade over tmux, the container runtimes and the config. It lists every
//! session (backends queried concurrently, each failing on its own), resolves the names a
//! person types, and runs operations on exactly the session named.

pub mod bulk;
mod capture;
mod custom;
mod details;
pub mod follow;
mod freeze;
mod hosts;
mod listing;
mod machine;
pub mod merged;
mod ops;
mod resolve;
pub mod resume;
mod send;
mod stats;
mod stopped;
mod target;

use std::time::Duration;

pub use capture::Captured;
pub use custom::CommandOutput;
pub use follow::{LogEvent, LogStream};
pub use freeze::FreezeOutcome;
pub use hosts::{HostHealth, HostScan, HostStatus};
pub use listing::{Health, HealthStatus, Listing, Report, Source};
pub use machine::Machine;
pub use ops::{AdHoc, AdHocError, Attach, Existing, Handover, StopMode, StopOutcome};
pub use resolve::{Query, parse_query};
pub use send::{EXEC_LIMIT, ExecOutput, Input};
pub use stats::{UsageMap, container_targets, usage_map};
pub use stopped::StopMemory;
pub use target::Target;

use crate::backend::BackendError;
use crate::backend::container::ContainerCli;
use crate::backend::tmux::Tmux;
use crate::config::{BackendName, Config, RuntimeChoice, SessionKind, values};
use crate::model::{Host, Runtime, SessionId, State};
use crate::remote::Route;

/// An operation that could not be done; the message is one line for a person.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// A backend call failed.
    #[error(transparent)]
    Backend(#[from] BackendError),
    /// No session has that name.
    #[error("no session named {query:?}; `muxdeck list` shows what exists")]
    NotFound {
        /// What was typed.
        query: String,
    },
    /// Some of several NAMEs given at once do not resolve; nothing was done to any.
    #[error("{} of {of} names do not resolve, so nothing was done: {}", .problems.len(), .problems.join("; "))]
    Unresolved {
        /// How many NAMEs were given.
        of: usize,
        /// Why each failing NAME does not resolve, one line each.
        problems: Vec<String>,
    },
    /// A bare name matched more than one session.
    #[error("{query:?} matches {} sessions: {}; name one of them", .choices.len(), .choices.join(", "))]
    Ambiguous {
        /// What was typed.
        query: String,
        /// Qualified names of the matches.
        choices: Vec<String>,
    },
    /// Start of a session that runs.
    #[error("{0} is already running")]
    AlreadyRunning(SessionId),
    /// An ad hoc start under a bare name that sessions already have.
    #[error(
        "{name:?} is taken by {}; choose another name, or qualify it (e.g. tmux:{name}) to start a second session of that name", .taken.join(", ")
    )]
    NameTaken {
        /// The name asked for.
        name: String,
        /// Qualified names of the sessions that have it.
        taken: Vec<String>,
    },
    /// A new session was asked for under a name a stopped container has.
    #[error(
        "{id} already exists ({state}); start it as it is with `muxdeck start {id}`, or remove it with `muxdeck rm {id}` first"
    )]
    Exists {
        /// The existing container.
        id: SessionId,
        /// Its state.
        state: State,
    },
    /// The session ended between the moment it was chosen and the operation.
    #[error("{0} no longer exists; it ended after it was listed")]
    Gone(SessionId),
    /// Since it was listed, the name has come to belong to another session; acting on the
    /// name now would reach a session nobody chose.
    #[error(
        "{0} was replaced by another session of the same name since it was listed; nothing was done, look again and choose"
    )]
    Replaced(SessionId),
    /// The window or pane a tree row stands for is no longer in its session (closed, or
    /// moved away since the tree was read).
    #[error("{what} of {id} is gone (closed since the tree showed it); choose another row")]
    PaneGone {
        /// The session.
        id: SessionId,
        /// `window @4` or `pane %7`.
        what: String,
    },
    /// An operation that needs a running session.
    #[error("{id} is not running ({state}); start it first with `muxdeck start {id}`")]
    NotRunning {
        /// The session.
        id: SessionId,
        /// Its state.
        state: State,
    },
    /// `rm` of a running container without force.
    #[error("{0} is running; stop it first, or force with `muxdeck rm --force {0}`")]
    RemoveRunning(SessionId),
    /// A container operation was asked of a tmux session.
    #[error("{0} is a tmux session, not a container")]
    NotAContainer(SessionId),
    /// A tmux operation was asked of a container.
    #[error("{0} is a container, not a tmux session")]
    NotTmux(SessionId),
    /// Pause or unpause of a tmux session: only containers can be frozen.
    #[error(
        "pause is for containers; {0} is a tmux session, which cannot be paused: stop it, or attach and suspend its program yourself"
    )]
    PauseTmux(SessionId),
    /// `send` to a container: only tmux panes take typed lines.
    #[error(
        "send is for tmux panes; {0} is a container: run a command in it with `muxdeck exec {0} -- CMD`"
    )]
    SendContainer(SessionId),
    /// `rm` of a tmux session: only containers are removed.
    #[error("rm is for containers; {0} is a tmux session: use `muxdeck stop`")]
    RemoveTmux(SessionId),
    /// `exec` in a tmux session: only containers run extra commands.
    #[error("exec is for containers; {0} is a tmux session: attach to it instead")]
    ExecTmux(SessionId),
    /// Restart of a running tmux session the config does not define: muxdeck has no
    /// command to start it again with.
    #[error(
        "{0} is not in the config, so muxdeck does not know how to start it again; stop it and start it yourself"
    )]
    NotInConfig(SessionId),
    /// An operation on a config session that has never been started.
    #[error(
        "{0} is defined in the config but has not been started; start it with `muxdeck start {0}`"
    )]
    NotStarted(SessionId),
    /// Nothing of that name was listed, and a backend that could hold it failed or did not
    /// answer: the session may exist there.
    #[error("no session named {query:?} was found, and {backend} did not answer: {message}")]
    Unanswered {
        /// What was typed.
        query: String,
        /// The backend that failed.
        backend: Source,
        /// Its error.
        message: String,
    },
    /// Nothing of that name was listed from the runtime the name asks for, which has no
    /// daemon running.
    #[error("no session named {query:?}: {backend} has no daemon running ({message})")]
    NoDaemon {
        /// What was typed.
        query: String,
        /// The runtime named.
        backend: Source,
        /// The runtime's own words.
        message: String,
    },
    /// The name asks for a backend the config's `backends:` leaves out.
    #[error(
        "{query:?} names {backend}, which `backends:` in the config leaves out; add it there to use it"
    )]
    BackendOff {
        /// What was typed.
        query: String,
        /// The backend left out.
        backend: &'static str,
    },
    /// Options or names given for an ad hoc start are invalid.
    #[error("{0}")]
    Invalid(String),
    /// The options of an ad hoc start do not go together.
    #[error(transparent)]
    AdHoc(#[from] AdHocError),
    /// A name or option value given for an ad hoc start is refused by the config's rules.
    #[error(transparent)]
    InvalidValue(#[from] values::ValueError),
    /// A custom command asked of a session it is not for.
    #[error("the command {command} is for {applies}; {session} is not one")]
    CommandNotFor {
        /// The command's name.
        command: String,
        /// The session.
        session: SessionId,
        /// What it is for.
        applies: &'static str,
    },
    /// A custom command that did not end within `command_timeout`.
    #[error(
        "the command {command} did not end within {} s and was killed; raise defaults.command_timeout, or give it output: handover", .after.as_secs()
    )]
    CommandTimedOut {
        /// The command's name.
        command: String,
        /// The limit.
        after: Duration,
    },
    /// A NAME or `--host` names a host the config's `hosts:` does not have.
    #[error("no host named {host:?}: hosts are {}; add it under `hosts:` in the config", .known.join(", "))]
    UnknownHost {
        /// The host named.
        host: String,
        /// The hosts there are, `local` first.
        known: Vec<String>,
    },
    /// Nothing of that name was listed, and a host that could hold it did not answer.
    #[error("no session named {query:?} was found, and {message}")]
    HostUnanswered {
        /// What was typed.
        query: String,
        /// The host's failure, one line.
        message: String,
    },
    /// No container runtime is installed.
    #[error(
        "no container runtime found: install podman or docker, or set defaults.podman_binary / defaults.docker_binary"
    )]
    NoRuntime,
}

impl EngineError {
    /// Exit code for the command line: 2 for what the user typed wrong, 1 for the rest.
    pub fn exit_code(&self) -> i32 {
        match self {
            EngineError::Ambiguous { .. }
            | EngineError::Invalid(_)
            | EngineError::InvalidValue(_)
            | EngineError::AdHoc(_)
            | EngineError::NameTaken { .. }
            | EngineError::CommandNotFor { .. }
            | EngineError::Unresolved { .. }
            | EngineError::UnknownHost { .. }
            | EngineError::BackendOff { .. } => 2,
            _ => 1,
        }
    }
}

/// The engine. Cheap to clone; every method is a fresh look at the backends.
#[derive(Debug, Clone)]
pub struct Engine {
    config: Config,
    /// This machine first, then the config's hosts in name order.
    machines: Vec<Machine>,
    stopped: StopMemory,
    /// Listings of other hosts running at once, at most [`HOST_FANOUT`]: with hundreds of
    /// hosts, as many ssh processes (and their descriptors) at once would be the fault.
    scans: std::sync::Arc<tokio::sync::Semaphore>,
    /// The runtimes' last `stats`, reused for a while ([`stats::CONTAINER_STATS_EVERY`]).
    container_stats: stats::ContainerStatsCache,
}

/// Most hosts listed at the same time.
pub const HOST_FANOUT: usize = 32;

impl Engine {
    /// An engine over the machine's backends, with `config`'s binaries and limits.
    pub fn new(config: Config) -> Self {
        let d = &config.defaults;
        // A parsed config is already within bounds; a Config built in code may not be, and
        // the backends add and multiply this limit.
        let t = d
            .command_timeout
            .min(Duration::from_secs(values::MAX_COMMAND_TIMEOUT_SECS));
        let mut machines = vec![Machine::local(d, t)];
        if !config.hosts.is_empty() {
            // Where it cannot be made, ssh says so on the first call to each host.
            let _ = crate::remote::ensure_control_dir(&crate::remote::control_dir());
        }
        for def in &config.hosts {
            let route = Route::new(def, config.ssh_config.as_deref(), t);
            machines.push(Machine::remote(route, t));
        }
        Engine {
            machines,
            stopped: StopMemory::in_state_dir(),
            config,
            scans: std::sync::Arc::new(tokio::sync::Semaphore::new(HOST_FANOUT)),
            container_stats: stats::ContainerStatsCache::default(),
        }
    }

    /// Every machine: this one first, then the config's hosts.
    pub fn machines(&self) -> &[Machine] {
        &self.machines
    }

    /// The configured hosts (every machine but this one).
    pub fn remotes(&self) -> &[Machine] {
        &self.machines[1..]
    }

    /// The machine a session lives on.
    pub fn machine(&self, host: &Host) -> Result<&Machine, EngineError> {
        self.machines
            .iter()
            .find(|m| m.host == *host)
            .ok_or_else(|| EngineError::UnknownHost {
                host: host.to_string(),
                known: self.machines.iter().map(|m| m.host.to_string()).collect(),
            })
    }

    /// The config in use.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Replaces the config (after a reload); binaries and limits follow it.
    pub fn set_config(&mut self, config: Config) {
        *self = Engine::new(config);
    }

    /// This machine's tmux.
    pub fn tmux(&self) -> &Tmux {
        &self.machines[0].tmux
    }

    /// The CLI of a runtime on this machine.
    pub fn runtime(&self, runtime: Runtime) -> &ContainerCli {
        self.machines[0].runtime(runtime)
    }

    /// Whether a runtime's executable can be found.
    pub fn runtime_installed(&self, runtime: Runtime) -> bool {
        which::which(&self.runtime(runtime).binary).is_ok()
    }

    /// The runtime a config container session on `host` uses. On another host, whether
    /// a runtime is installed is not known without asking it: `auto` is podman there
    /// unless `backends:` leaves podman out.
    pub fn config_runtime_on(&self, choice: RuntimeChoice, host: &Host) -> Runtime {
        if host.is_local() || choice != RuntimeChoice::Auto {
            return self.config_runtime(choice);
        }
        match self.config.defaults.container_runtime {
            RuntimeChoice::Docker => Runtime::Docker,
            _ if !self.config.backends.uses(BackendName::Podman) => Runtime::Docker,
            _ => Runtime::Podman,
        }
    }

    /// The runtime a config container session on this machine uses.
    pub fn config_runtime(&self, choice: RuntimeChoice) -> Runtime {
        let choice = match choice {
            RuntimeChoice::Auto => self.config.defaults.container_runtime,
            other => other,
        };
        let backends = &self.config.backends;
        match choice {
            RuntimeChoice::Podman => Runtime::Podman,
            RuntimeChoice::Docker => Runtime::Docker,
            // With one runtime in use, that one; with both, podman if it is installed.
            RuntimeChoice::Auto if !backends.uses(BackendName::Docker) => Runtime::Podman,
            RuntimeChoice::Auto if !backends.uses(BackendName::Podman) => Runtime::Docker,
            RuntimeChoice::Auto
                if !self.runtime_installed(Runtime::Podman)
                    && self.runtime_installed(Runtime::Docker) =>
            {
                Runtime::Docker
            }
            RuntimeChoice::Auto => Runtime::Podman,
        }
    }

    /// The identity a config session has when it runs.
    pub fn config_id(&self, def: &crate::config::SessionDef) -> SessionId {
        let id = match &def.kind {
            SessionKind::Tmux { socket } => SessionId::tmux(socket.clone(), def.name.clone()),
            SessionKind::Container { runtime, .. } => SessionId::container(
                self.config_runtime_on(*runtime, &def.host),
                def.name.clone(),
            ),
        };
        id.on(def.host.clone())
    }

    /// Grace period of a stop.
    pub fn stop_timeout(&self) -> Duration {
        // Bounded for the same reason as the command timeout in `new`.
        self.config
            .defaults
            .stop_timeout
            .min(Duration::from_secs(values::MAX_STOP_TIMEOUT_SECS))
    }
}
