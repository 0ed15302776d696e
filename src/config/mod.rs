//! The config file: where it is found, how it loads, and the validated [`Config`] the engine
//! uses. Every error names the file, the position and what is wrong.

pub mod append;
mod backends;
pub mod capture;
pub mod commands;
mod hosts;
mod limits;
mod schema;
pub mod theme;
pub mod values;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

pub use backends::{BackendName, Backends};
pub use commands::{CustomCommand, OutputMode};
pub use hosts::HostDef;
use limits::ReadFailure;
pub use limits::{MAX_CONFIG_BYTES, MAX_DEPTH};
pub use schema::{BackendChoice, Notify, RuntimeChoice, SaveStyle};
use schema::{FileSchema, SessionSchema};
use values::Text;

/// The environment variable naming a config file.
pub const CONFIG_ENV: &str = "MUXDECK_CONFIG";

/// Default number of log lines the TUI keeps per pane.
pub const DEFAULT_LOG_LINES: usize = 10_000;

/// Default `defaults.stop_timeout`, in seconds.
pub const DEFAULT_STOP_TIMEOUT_SECS: u64 = 10;

/// Default `defaults.command_timeout`, in seconds.
pub const DEFAULT_COMMAND_TIMEOUT_SECS: u64 = 5;

/// A config problem, always tied to a file.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file exists but cannot be read.
    #[error("cannot read config {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// YAML syntax or schema error, with a position when serde_yaml gives one.
    #[error("config {path}{at}: {message}", at = position(*line, *column))]
    Invalid {
        /// The file.
        path: PathBuf,
        /// 1-based line, when known.
        line: Option<usize>,
        /// 1-based column, when known.
        column: Option<usize>,
        /// What is wrong, with the key path.
        message: String,
    },
    /// The path is a FIFO, a device, a folder...: never read, since reading it could block
    /// or never end.
    #[error("config {path} is a {kind}, not a regular file; point --config at a YAML file")]
    NotAFile {
        /// The path.
        path: PathBuf,
        /// What it is instead.
        kind: &'static str,
    },
    /// The file is larger than [`MAX_CONFIG_BYTES`]; nothing of it is used.
    #[error(
        "config {path} is larger than {} MiB, the most muxdeck reads; is it the right file?",
        MAX_CONFIG_BYTES >> 20
    )]
    TooLarge {
        /// The file.
        path: PathBuf,
    },
    /// A path given with `--config` or `$MUXDECK_CONFIG` does not exist.
    #[error("config file {path} does not exist (given by {source_name})")]
    NotFound {
        /// The file.
        path: PathBuf,
        /// `--config` or `$MUXDECK_CONFIG`.
        source_name: &'static str,
    },
}

fn position(line: Option<usize>, column: Option<usize>) -> String {
    match (line, column) {
        (Some(l), Some(c)) => format!(" line {l} column {c}"),
        (Some(l), None) => format!(" line {l}"),
        _ => String::new(),
    }
}

/// Where the config came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigSource {
    /// `--config PATH`
    Flag(PathBuf),
    /// `$MUXDECK_CONFIG`
    Env(PathBuf),
    /// The platform config folder (may not exist).
    Platform(PathBuf),
    /// No file anywhere: empty config.
    None,
}

impl ConfigSource {
    /// The path, when there is one.
    pub fn path(&self) -> Option<&Path> {
        match self {
            ConfigSource::Flag(p) | ConfigSource::Env(p) | ConfigSource::Platform(p) => Some(p),
            ConfigSource::None => None,
        }
    }
}

/// Finds the config: `--config`, else `$MUXDECK_CONFIG`, else the platform config folder
/// (`~/.config/muxdeck/config.yml` on Linux).
pub fn locate(flag: Option<&Path>) -> ConfigSource {
    if let Some(p) = flag {
        return ConfigSource::Flag(p.to_path_buf());
    }
    if let Some(p) = std::env::var_os(CONFIG_ENV).filter(|v| !v.is_empty()) {
        return ConfigSource::Env(PathBuf::from(p));
    }
    match directories::ProjectDirs::from("", "", "muxdeck") {
        Some(dirs) => ConfigSource::Platform(dirs.config_dir().join("config.yml")),
        None => ConfigSource::None,
    }
}

/// Validated defaults.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Defaults {
    /// Backend of sessions that do not name one.
    pub backend: BackendChoice,
    /// tmux executable.
    pub tmux_binary: String,
    /// podman executable.
    pub podman_binary: String,
    /// docker executable.
    pub docker_binary: String,
    /// Which runtime config container sessions use.
    pub container_runtime: RuntimeChoice,
    /// How long a graceful stop waits before forcing.
    pub stop_timeout: Duration,
    /// How long any single backend call may take.
    pub command_timeout: Duration,
    /// Shell for `exec` into containers.
    pub shell: String,
}

impl Default for Defaults {
    fn default() -> Self {
        Defaults {
            backend: BackendChoice::Tmux,
            tmux_binary: "tmux".into(),
            podman_binary: "podman".into(),
            docker_binary: "docker".into(),
            container_runtime: RuntimeChoice::Auto,
            stop_timeout: Duration::from_secs(DEFAULT_STOP_TIMEOUT_SECS),
            command_timeout: Duration::from_secs(DEFAULT_COMMAND_TIMEOUT_SECS),
            shell: "sh".into(),
        }
    }
}

/// What a config session runs on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionKind {
    /// A tmux session.
    Tmux {
        /// Socket name (`-L`), `default` when not given.
        socket: String,
    },
    /// A container.
    Container {
        /// Image to run.
        image: String,
        /// `host:container[:mode]`, host paths already resolved.
        volumes: Vec<String>,
        /// Published ports.
        ports: Vec<String>,
        /// Runtime override for this session.
        runtime: RuntimeChoice,
    },
}

/// A session defined in the config, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionDef {
    /// Its name.
    pub name: String,
    /// Backend specifics.
    pub kind: SessionKind,
    /// Command to run: a shell command line for tmux, split into words for containers.
    pub command: Option<String>,
    /// Working directory (tmux: on the host; container: inside it), `~` expanded.
    pub working_dir: Option<PathBuf>,
    /// Environment.
    pub env: BTreeMap<String, String>,
    /// The machine it runs on (`host:`; this one by default).
    pub host: crate::model::Host,
}

/// The loaded config.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// The file it came from, if any.
    pub path: Option<PathBuf>,
    /// Defaults.
    pub defaults: Defaults,
    /// Sessions in name order.
    pub sessions: Vec<SessionDef>,
    /// Lines kept per log pane.
    pub log_lines: usize,
    /// Key remapping: action name → keys.
    pub keys: BTreeMap<String, Vec<String>>,
    /// The backends muxdeck asks.
    pub backends: Backends,
    /// The user's own commands, in name order.
    pub commands: Vec<CustomCommand>,
    /// How the TUI tells of a session that exits with a failure.
    pub notify: Notify,
    /// The TUI's colors (`theme:`); `NO_COLOR` still turns them off.
    pub theme: theme::ThemeConfig,
    /// Whether the TUI captures the mouse (`mouse:`); off leaves the terminal's own
    /// selection working.
    pub mouse: bool,
    /// Whether the TUI's list opens grouped by pod and compose project (`grouped:`).
    pub grouped: bool,
    /// `ssh -F` for every host (`ssh_config:`), resolved.
    pub ssh_config: Option<PathBuf>,
    /// Other machines (`hosts:`), in name order.
    pub hosts: Vec<HostDef>,
    /// What the details pane and `status --json` show.
    pub details: DetailsConfig,
    /// How `ctrl-s` writes the log pane (`logs.save:`).
    pub save_style: SaveStyle,
}

/// `details:` of the config.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DetailsConfig {
    /// Show environment values whose names look secret (`PASS`, `SECRET`, `TOKEN`, `KEY`,
    /// `CREDENTIAL`) instead of masking them.
    pub show_secrets: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            path: None,
            defaults: Defaults::default(),
            sessions: Vec::new(),
            log_lines: DEFAULT_LOG_LINES,
            keys: BTreeMap::new(),
            backends: Backends::default(),
            commands: Vec::new(),
            notify: Notify::None,
            theme: theme::ThemeConfig::default(),
            mouse: true,
            grouped: false,
            ssh_config: None,
            hosts: Vec::new(),
            details: DetailsConfig::default(),
            save_style: SaveStyle::Plain,
        }
    }
}

impl Config {
    /// The config session with this name.
    pub fn session(&self, name: &str) -> Option<&SessionDef> {
        self.sessions.iter().find(|s| s.name == name)
    }

    /// The custom command with this name.
    pub fn command(&self, name: &str) -> Option<&CustomCommand> {
        self.commands.iter().find(|c| c.name == name)
    }
}

/// Loads the config from where [`locate`] points. A missing platform file is an empty
/// config; a missing file named explicitly is an error.
pub fn load(source: &ConfigSource) -> Result<Config, ConfigError> {
    let (path, explicit) = match source {
        ConfigSource::Flag(p) => (p, Some("--config")),
        ConfigSource::Env(p) => (p, Some("$MUXDECK_CONFIG")),
        ConfigSource::Platform(p) => (p, None),
        ConfigSource::None => return Ok(Config::default()),
    };
    match limits::read_config_file(path) {
        Ok(text) => parse(&text, path),
        Err(ReadFailure::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => match explicit {
            Some(source_name) => Err(ConfigError::NotFound {
                path: path.clone(),
                source_name,
            }),
            None => Ok(Config::default()),
        },
        Err(ReadFailure::Io(source)) => Err(ConfigError::Read {
            path: path.clone(),
            source,
        }),
        Err(ReadFailure::NotAFile(kind)) => Err(ConfigError::NotAFile {
            path: path.clone(),
            kind,
        }),
        Err(ReadFailure::TooLarge) => Err(ConfigError::TooLarge { path: path.clone() }),
    }
}

/// Parses and validates config text; `path` names the file in errors and anchors relative
/// host paths. Text over [`MAX_CONFIG_BYTES`] or nested deeper than [`MAX_DEPTH`] is
/// refused before YAML parsing starts, so parsing time stays bounded.
pub fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
    let invalid = |line, column, message: String| ConfigError::Invalid {
        path: path.to_path_buf(),
        line,
        column,
        message,
    };
    if u64::try_from(text.len()).map_or(true, |n| n > MAX_CONFIG_BYTES) {
        return Err(ConfigError::TooLarge {
            path: path.to_path_buf(),
        });
    }
    if let Err(at) = limits::check_depth(text) {
        return Err(invalid(
            Some(at.line),
            Some(at.column),
            format!(
                "nested deeper than {MAX_DEPTH} levels, far more than a muxdeck config needs; is it the right file?"
            ),
        ));
    }
    let file = read_schema(text, path)?;
    let base = path
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."));
    let defaults = defaults_from(file.defaults);
    let backends = backends_from(file.backends, &defaults, text, path)?;
    let hosts = hosts::host_defs(file.hosts);
    let mut sessions = Vec::new();
    for (name, spec) in file.sessions {
        let line = find_key_line(text, name.as_str());
        let def = session_def(name.as_str(), spec, defaults.backend, &base, &hosts)
            .and_then(|def| check_backend_used(&def, &defaults, &backends).map(|()| def))
            .map_err(|m| invalid(line, None, format!("sessions.{name}: {m}")))?;
        sessions.push(def);
    }
    // Bounded (1 and more) while deserialized, with the value's own position.
    let log_lines = file.log_lines.map_or(DEFAULT_LOG_LINES, |n| n.get());
    let keys: BTreeMap<String, Vec<String>> = file
        .keys
        .into_iter()
        .map(|(k, v)| (k.into_string(), v.into_vec()))
        .collect();
    let commands: Vec<CustomCommand> = file
        .commands
        .into_iter()
        .map(|(name, spec)| spec.into_command(&name))
        .collect();
    if let Some((name, key, owner)) = commands::key_clash(&commands, &keys) {
        let (line, column) = find_command_key(text, &name).unzip();
        return Err(invalid(
            line,
            column,
            format!(
                "commands.{name}.key: {key:?} is already {owner}'s key in the list; choose another (or move that one in `keys:`)"
            ),
        ));
    }
    Ok(Config {
        path: Some(path.to_path_buf()),
        defaults,
        sessions,
        log_lines,
        keys,
        backends,
        commands,
        notify: file.notify.unwrap_or_default(),
        theme: file.theme.unwrap_or_default(),
        mouse: file.mouse.unwrap_or(true),
        grouped: file.grouped.unwrap_or(false),
        ssh_config: hosts::ssh_config_path(file.ssh_config, &base),
        hosts,
        details: DetailsConfig {
            show_secrets: file.details.show_secrets,
        },
        save_style: file.logs.save.unwrap_or_default(),
    })
}

/// The YAML read into the schema, every error located. An empty file (or one of only
/// comments) is an empty config, not an error.
fn read_schema(text: &str, path: &Path) -> Result<FileSchema, ConfigError> {
    if text.lines().all(|l| {
        let t = l.trim();
        t.is_empty() || t.starts_with('#') || t == "---"
    }) {
        return Ok(FileSchema::default());
    }
    serde_yaml::from_str(text).map_err(|e| {
        let loc = e.location();
        let at = loc
            .as_ref()
            .map(|l| format!(" at line {} column {}", l.line(), l.column()));
        ConfigError::Invalid {
            path: path.to_path_buf(),
            line: loc.as_ref().map(|l| l.line()),
            column: loc.as_ref().map(|l| l.column()),
            message: one_line(&explain(&e.to_string(), at.as_deref())),
        }
    })
}

/// The `defaults:` section with every value not given filled in.
fn defaults_from(d: schema::DefaultsSchema) -> Defaults {
    Defaults {
        backend: d.backend.unwrap_or(BackendChoice::Tmux),
        tmux_binary: d
            .tmux_binary
            .map_or_else(|| "tmux".into(), Text::into_string),
        podman_binary: d
            .podman_binary
            .map_or_else(|| "podman".into(), Text::into_string),
        docker_binary: d
            .docker_binary
            .map_or_else(|| "docker".into(), Text::into_string),
        container_runtime: d.container_runtime.unwrap_or_default(),
        stop_timeout: Duration::from_secs(
            d.stop_timeout
                .map_or(DEFAULT_STOP_TIMEOUT_SECS, |t| t.get()),
        ),
        command_timeout: Duration::from_secs(
            d.command_timeout
                .map_or(DEFAULT_COMMAND_TIMEOUT_SECS, |t| t.get())
                .max(1),
        ),
        shell: d.shell.map_or_else(|| "sh".into(), Text::into_string),
    }
}

/// The backends in use: those `backends:` lists, else the default for the runtime choice;
/// the runtime chosen in `defaults` must be one of them.
fn backends_from(
    listed: Option<Vec<BackendName>>,
    defaults: &Defaults,
    text: &str,
    path: &Path,
) -> Result<Backends, ConfigError> {
    let invalid = |line, message: String| ConfigError::Invalid {
        path: path.to_path_buf(),
        line,
        column: None,
        message,
    };
    let backends = match listed {
        None => Backends::default_for(defaults.container_runtime),
        Some(names) if names.is_empty() => {
            return Err(invalid(
                find_key_line(text, "backends"),
                "backends: the list is empty; name at least one of tmux, podman, docker, or leave `backends` out to use those installed".into(),
            ));
        }
        Some(names) => Backends::listed(names),
    };
    if let Some(rt) = runtime_name(defaults.container_runtime)
        && !backends.uses(rt)
    {
        return Err(invalid(
            find_key_line(text, "container_runtime"),
            format!(
                "defaults.container_runtime: {0} is not in `backends:`; add {0} there or choose another runtime",
                rt.as_str()
            ),
        ));
    }
    Ok(backends)
}

/// The runtime a choice names, when it names one.
fn runtime_name(choice: RuntimeChoice) -> Option<BackendName> {
    match choice {
        RuntimeChoice::Auto => None,
        RuntimeChoice::Podman => Some(BackendName::Podman),
        RuntimeChoice::Docker => Some(BackendName::Docker),
    }
}

/// Refuses a session whose backend `backends:` leaves out: it could never be listed or
/// started.
pub fn check_backend_used(
    def: &SessionDef,
    defaults: &Defaults,
    backends: &Backends,
) -> Result<(), String> {
    let off = |what: &str| {
        Err(format!(
            "it runs on {what}, which `backends:` leaves out; add it there"
        ))
    };
    match &def.kind {
        SessionKind::Tmux { .. } if !backends.uses(BackendName::Tmux) => off("tmux"),
        SessionKind::Tmux { .. } => Ok(()),
        SessionKind::Container { runtime, .. } => {
            let choice = match runtime {
                RuntimeChoice::Auto => defaults.container_runtime,
                other => *other,
            };
            match runtime_name(choice) {
                Some(rt) if !backends.uses(rt) => off(rt.as_str()),
                None if !backends.uses(BackendName::Podman)
                    && !backends.uses(BackendName::Docker) =>
                {
                    off("a container runtime (podman or docker)")
                }
                _ => Ok(()),
            }
        }
    }
}

fn session_def(
    name: &str,
    spec: SessionSchema,
    default_backend: BackendChoice,
    base: &Path,
    hosts: &[HostDef],
) -> Result<SessionDef, String> {
    let host = hosts::session_host(spec.host.as_ref().map(Text::as_str), hosts)?;
    let backend = spec.backend.unwrap_or(default_backend);
    let kind = match backend {
        BackendChoice::Tmux => {
            let container_only = [
                ("image", spec.image.is_some()),
                ("volumes", !spec.volumes.is_empty()),
                ("ports", !spec.ports.is_empty()),
                ("runtime", spec.runtime.is_some()),
            ];
            if let Some((field, _)) = container_only.iter().find(|(_, set)| *set) {
                return Err(format!(
                    "`{field}` is only for container sessions (this one has backend: tmux)"
                ));
            }
            SessionKind::Tmux {
                socket: spec.socket.map_or_else(
                    || crate::model::DEFAULT_SOCKET.to_string(),
                    |s| s.to_string(),
                ),
            }
        }
        BackendChoice::Container => {
            if spec.socket.is_some() {
                return Err("`socket` is only for tmux sessions".into());
            }
            let image = spec
                .image
                .ok_or("a container session needs `image`")?
                .to_string();
            let volumes = spec
                .volumes
                .iter()
                .map(|v| {
                    if host.is_local() {
                        resolve_volume(v.as_str(), base)
                    } else {
                        v.as_str().to_string()
                    }
                })
                .collect();
            SessionKind::Container {
                image,
                volumes,
                ports: spec.ports.iter().map(|p| p.to_string()).collect(),
                runtime: spec.runtime.unwrap_or_default(),
            }
        }
    };
    let command = spec.command.map(Text::into_string);
    if let Some(cmd) = &command {
        if cmd.trim().is_empty() {
            return Err("`command` is empty".into());
        }
        if matches!(kind, SessionKind::Container { .. }) {
            shell_words::split(cmd).map_err(|e| format!("`command` cannot be split: {e}"))?;
        }
    }
    let working_dir = spec.working_dir.map(|w| match kind {
        // Another machine's folders are its own: `~` and relative paths are left to it.
        SessionKind::Tmux { .. } if !host.is_local() => PathBuf::from(w.into_string()),
        SessionKind::Tmux { .. } => resolve_host_path(w.as_str(), base),
        SessionKind::Container { .. } => PathBuf::from(w.into_string()),
    });
    Ok(SessionDef {
        name: name.to_string(),
        kind,
        command,
        working_dir,
        env: spec
            .env
            .into_iter()
            .map(|(k, v)| (k.into_string(), v.into_string()))
            .collect(),
        host,
    })
}

/// `~` expands to the home folder; a relative path resolves against the config's folder.
pub fn resolve_host_path(p: &str, base: &Path) -> PathBuf {
    let expanded = if p == "~" {
        home().unwrap_or_else(|| PathBuf::from(p))
    } else if let Some(rest) = p.strip_prefix("~/") {
        home().map_or_else(|| PathBuf::from(p), |h| h.join(rest))
    } else {
        PathBuf::from(p)
    };
    if expanded.is_absolute() {
        expanded
    } else {
        base.join(expanded)
    }
}

fn resolve_volume(v: &str, base: &Path) -> String {
    match v.split_once(':') {
        Some((host, rest)) if host.starts_with(['.', '~', '/']) => {
            format!("{}:{rest}", resolve_host_path(host, base).display())
        }
        // A bare word is a named volume: leave it to the runtime.
        _ => v.to_string(),
    }
}

fn home() -> Option<PathBuf> {
    directories::BaseDirs::new().map(|b| b.home_dir().to_path_buf())
}

/// The 1-based line where `key:` first appears as a mapping key.
fn find_key_line(text: &str, key: &str) -> Option<usize> {
    text.lines()
        .position(|l| {
            let t = l.trim_start();
            t.strip_prefix(key)
                .or_else(|| {
                    t.strip_prefix(&format!("\"{key}\""))
                        .or_else(|| t.strip_prefix(&format!("'{key}'")))
                })
                .is_some_and(|rest| rest.trim_start().starts_with(':'))
        })
        .map(|i| i + 1)
}

/// The 1-based line and column of the value of `key:` in `commands.NAME`, found in the
/// text (the check that needs it runs after the YAML is read).
fn find_command_key(text: &str, name: &str) -> Option<(usize, usize)> {
    let lines: Vec<&str> = text.lines().collect();
    let top = lines.iter().position(|l| l.starts_with("commands:"))?;
    let entry = top
        + 1
        + lines[top + 1..].iter().position(|l| {
            let t = l.trim_start();
            l.len() > t.len()
                && t.trim_matches(['"', '\'']).starts_with(name)
                && t.trim_start_matches(['"', '\''])[name.len()..]
                    .trim_start_matches(['"', '\''])
                    .trim_start()
                    .starts_with(':')
        })?;
    let indent = lines[entry].len() - lines[entry].trim_start().len();
    for (i, l) in lines.iter().enumerate().skip(entry + 1) {
        let t = l.trim_start();
        let this_indent = l.len() - t.len();
        if !t.is_empty() && !t.starts_with('#') && this_indent <= indent {
            break;
        }
        if let Some(rest) = t.strip_prefix("key:") {
            let value = rest.trim_start();
            return Some((i + 1, l.len() - value.len() + 1));
        }
    }
    Some((entry + 1, indent + 1))
}

/// Control characters written as escapes (`\n`, `\t`): a message quotes the offending value,
/// and a multi-line value must not break the error's one line.
fn one_line(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    for c in message.chars() {
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

/// Makes serde_yaml's message shorter and adds a "did you mean" for near-miss keys. `at`
/// is the reported position as serde_yaml words it (` at line L column C`).
fn explain(message: &str, at: Option<&str>) -> String {
    // The reported position is printed separately: drop it wherever serde_yaml or libyaml
    // repeat it. Another position (libyaml's "while scanning ... at line 3 column 14",
    // where an unclosed quote began) is kept: it is the useful one.
    let owned = match at {
        Some(at) => message.replace(at, ""),
        None => message.to_string(),
    };
    let msg = owned.as_str();
    if let Some(start) = msg.find("unknown field `") {
        let rest = &msg[start + "unknown field `".len()..];
        if let Some(end) = rest.find('`') {
            let field = &rest[..end];
            // serde names the fields that would fit here (`expected one of `a`, `b``): the
            // suggestion comes from them, so it can never name a field of another section.
            let expected_names = rest[end + 1..].split('`').skip(1).step_by(2);
            let best = expected_names
                .map(|k| (strsim::jaro_winkler(field, k), k))
                .filter(|(score, _)| *score > 0.8)
                .max_by(|a, b| a.0.total_cmp(&b.0));
            let head = &msg[..start + "unknown field `".len() + end + 1];
            return match best {
                Some((_, k)) => format!("{head} (did you mean `{k}`?)"),
                None => {
                    let expected = rest[end + 1..].trim_start_matches(", ");
                    format!("{head}, {expected}")
                }
            };
        }
    }
    msg.to_string()
}

#[cfg(test)]
mod tests;
