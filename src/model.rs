//! What a session is: identity (backend + location + name), state and the facts listed per
//! session. Pure data, shared by the engine, the CLI and the TUI.

use std::fmt;

use serde::Serialize;

/// A container runtime muxdeck drives through its command-line tool.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Runtime {
    /// `podman`
    Podman,
    /// `docker` (any engine answering the Docker API, podman's included)
    Docker,
}

impl Runtime {
    /// The runtime's name as typed on the command line and shown on screen.
    pub fn as_str(self) -> &'static str {
        match self {
            Runtime::Podman => "podman",
            Runtime::Docker => "docker",
        }
    }
}

impl fmt::Display for Runtime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The kind of backend a session lives in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum BackendKind {
    /// A tmux session on some tmux server (socket).
    Tmux,
    /// A container of some runtime.
    Container,
}

impl BackendKind {
    /// The backend's name as typed in the config and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            BackendKind::Tmux => "tmux",
            BackendKind::Container => "container",
        }
    }
}

/// The name of tmux's default socket (the one `tmux` uses without `-L`/`-S`).
pub const DEFAULT_SOCKET: &str = "default";

/// Where a session lives: which tmux server, or which container runtime.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Location {
    /// A tmux server, named by its socket in the tmux socket folder (`-L NAME`).
    Tmux {
        /// Socket name; [`DEFAULT_SOCKET`] for the default server.
        socket: String,
    },
    /// A container runtime.
    Container {
        /// Which runtime's CLI knows this container.
        runtime: Runtime,
    },
}

impl Location {
    /// The backend kind of this location.
    pub fn kind(&self) -> BackendKind {
        match self {
            Location::Tmux { .. } => BackendKind::Tmux,
            Location::Container { .. } => BackendKind::Container,
        }
    }

    /// Short label: the socket name or the runtime name.
    pub fn label(&self) -> &str {
        match self {
            Location::Tmux { socket } => socket,
            Location::Container { runtime } => runtime.as_str(),
        }
    }
}

/// The machine a session runs on: this one, or a host of the config's `hosts:` reached
/// over ssh. This machine sorts first.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub enum Host {
    /// The machine muxdeck runs on, named [`LOCAL_HOST`] wherever a host is named.
    #[default]
    Local,
    /// A configured host, by its name in `hosts:`.
    Remote(String),
}

/// The name the machine muxdeck runs on has in JSON, on screen and in `--host`.
pub const LOCAL_HOST: &str = "local";

impl Host {
    /// The host's name: [`LOCAL_HOST`] or the name from `hosts:`.
    pub fn as_str(&self) -> &str {
        match self {
            Host::Local => LOCAL_HOST,
            Host::Remote(name) => name,
        }
    }

    /// Whether this is the machine muxdeck runs on.
    pub fn is_local(&self) -> bool {
        matches!(self, Host::Local)
    }

    /// The host a name (`local` or a name from `hosts:`) stands for.
    pub fn named(name: &str) -> Host {
        if name == LOCAL_HOST {
            Host::Local
        } else {
            Host::Remote(name.to_string())
        }
    }
}

impl fmt::Display for Host {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Host {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// Identity of a session: host + backend + location + name. Two sessions with the same
/// name on different hosts, sockets or runtimes are different sessions.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SessionId {
    /// The machine it runs on.
    pub host: Host,
    /// Where it lives.
    pub location: Location,
    /// Its name in that location (tmux session name or container name).
    pub name: String,
}

impl SessionId {
    /// A tmux session on the given socket.
    pub fn tmux(socket: impl Into<String>, name: impl Into<String>) -> Self {
        SessionId {
            host: Host::Local,
            location: Location::Tmux {
                socket: socket.into(),
            },
            name: name.into(),
        }
    }

    /// A container of the given runtime.
    pub fn container(runtime: Runtime, name: impl Into<String>) -> Self {
        SessionId {
            host: Host::Local,
            location: Location::Container { runtime },
            name: name.into(),
        }
    }

    /// The same session on another host.
    pub fn on(mut self, host: Host) -> Self {
        self.host = host;
        self
    }

    /// The fully qualified form accepted everywhere a NAME is: `tmux:NAME` on the default
    /// socket, `tmux@SOCKET:NAME` elsewhere, `podman:NAME`, `docker:NAME`; on another host
    /// prefixed with `HOST/` (`web1/tmux:api`).
    pub fn qualified(&self) -> String {
        let here = match &self.location {
            Location::Tmux { socket } if socket == DEFAULT_SOCKET => format!("tmux:{}", self.name),
            Location::Tmux { socket } => format!("tmux@{socket}:{}", self.name),
            Location::Container { runtime } => format!("{runtime}:{}", self.name),
        };
        match &self.host {
            Host::Local => here,
            Host::Remote(h) => format!("{h}/{here}"),
        }
    }

    /// The name as the list shows it: bare here, `HOST/NAME` on another host.
    pub fn display_name(&self) -> String {
        match &self.host {
            Host::Local => self.name.clone(),
            Host::Remote(h) => format!("{h}/{}", self.name),
        }
    }
}

impl fmt::Display for SessionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.qualified())
    }
}

/// The state of a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum State {
    /// Programs are running.
    Running,
    /// The main program ended; the exit code when the backend reports one.
    Exited(Option<i32>),
    /// Created but never started, or stopped.
    Stopped,
    /// Frozen by the runtime.
    Paused,
    /// Defined in the config, not started.
    Defined,
    /// The backend reported a state muxdeck does not know.
    Unknown,
}

impl State {
    /// Stable lowercase name used in JSON and on screen.
    pub fn as_str(self) -> &'static str {
        match self {
            State::Running => "running",
            State::Exited(_) => "exited",
            State::Stopped => "stopped",
            State::Paused => "paused",
            State::Defined => "defined",
            State::Unknown => "unknown",
        }
    }

    /// Whether the session's programs are alive (running or paused).
    pub fn is_alive(self) -> bool {
        matches!(self, State::Running | State::Paused)
    }
}

impl fmt::Display for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            State::Exited(Some(code)) => write!(f, "exited ({code})"),
            other => f.write_str(other.as_str()),
        }
    }
}

/// What ties containers together into one application: a podman pod, or a compose
/// project (docker compose and podman-compose label each container with it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum GroupKind {
    /// A podman pod (its containers share namespaces and start and stop together).
    Pod,
    /// A compose project, read from its label.
    Compose,
}

impl GroupKind {
    /// The word the list and JSON use: `pod` or `compose`.
    pub fn as_str(self) -> &'static str {
        match self {
            GroupKind::Pod => "pod",
            GroupKind::Compose => "compose",
        }
    }
}

/// The pod or compose project a container belongs to, as its runtime's listing says.
/// Scoped by the container's host and runtime: the same name elsewhere is another group.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Group {
    /// Pod or compose project.
    pub kind: GroupKind,
    /// The pod's name (its short id when the runtime gave no name), or the project's.
    pub name: String,
}

/// One session as listed: identity, state and what its backend tells about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// Identity.
    pub id: SessionId,
    /// Current state.
    pub state: State,
    /// Process id: the active pane's process (tmux) or the container's init process.
    pub pid: Option<u32>,
    /// Creation time, seconds since the Unix epoch.
    pub created: Option<i64>,
    /// tmux: number of windows.
    pub windows: Option<u32>,
    /// tmux: number of panes.
    pub panes: Option<u32>,
    /// tmux: number of attached clients.
    pub attached: Option<u32>,
    /// Container: image reference.
    pub image: Option<String>,
    /// Container: published ports as the runtime prints them.
    pub ports: Vec<String>,
    /// The backend's own identity of this session, which it never gives to another one
    /// while it lives: a tmux session id (`$3`, unique per server) or a full container id.
    /// Operations act on it, not on the name, so a name tmux or a runtime reads as
    /// something else (`$0`, an id prefix) never reaches another session.
    pub backend_id: Option<String>,
    /// Whether the config file defines this session.
    pub from_config: bool,
    /// Container: when its program last ended, Unix seconds, when the runtime says
    /// (podman does, docker's listing does not).
    pub finished: Option<i64>,
    /// tmux: the first process of every live pane, whose process trees make the session's
    /// CPU and memory use.
    pub pane_pids: Vec<u32>,
    /// Container: the pod or compose project it is part of, if any.
    pub group: Option<Group>,
}

impl Session {
    /// A session with only identity and state known.
    pub fn new(id: SessionId, state: State) -> Self {
        Session {
            id,
            state,
            pid: None,
            created: None,
            windows: None,
            panes: None,
            attached: None,
            image: None,
            ports: Vec::new(),
            backend_id: None,
            from_config: false,
            finished: None,
            pane_pids: Vec::new(),
            group: None,
        }
    }
}

impl Session {
    /// The backend column: `tmux`, `tmux@work`, `podman`, `docker`.
    pub fn backend_label(&self) -> String {
        let (kind, socket) = self.backend_label_parts();
        format!("{kind}{socket}")
    }

    /// [`Session::backend_label`] in two borrowed parts (`tmux@`, `work`), which order as
    /// the joined label does: sorting and sizing a thousand rows need no allocation.
    pub fn backend_label_parts(&self) -> (&'static str, &str) {
        match &self.id.location {
            Location::Tmux { socket } if socket == DEFAULT_SOCKET => ("tmux", ""),
            Location::Tmux { socket } => ("tmux@", socket),
            Location::Container { runtime } => (runtime.as_str(), ""),
        }
    }
}

/// The time now in Unix seconds (0 before 1970, saturating far in the future), as the
/// backends report creation times.
pub fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// Compact age from a creation time and the time now (Unix seconds): `45s`, `12m`, `3h`,
/// `9d`; `-` when unknown.
pub fn format_age(created: Option<i64>, now: i64) -> String {
    let Some(c) = created else {
        return "-".into();
    };
    match (now - c).max(0) {
        s if s < 60 => format!("{s}s"),
        s if s < 3600 => format!("{}m", s / 60),
        s if s < 86_400 => format!("{}h", s / 3600),
        s => format!("{}d", s / 86_400),
    }
}
