//! The command line: clap types, errors, and the dispatch to one function per subcommand
//! (`commands`), which print through `output`.

mod bulk;
mod commands;
pub mod complete;
mod group;
pub mod init;
mod logs;
pub mod manpage;
mod output;

use std::path::PathBuf;
use std::time::Duration;

use clap::{Parser, Subcommand, ValueEnum};
use clap_complete::ArgValueCandidates;

use bulk::Bulk;
use muxdeck::config::values::{MAX_LOG_LINES, MAX_STOP_TIMEOUT_SECS};
use muxdeck::engine::{Engine, EngineError, StopMode};

pub use commands::{config, config_init};

/// [`MAX_LOG_LINES`] as clap's ranges want it (a usize always fits in a u64 here).
const MAX_LOG_LINES_U64: u64 = MAX_LOG_LINES as u64;

/// `--version`: the package version and the commit it was built from (`unknown` when
/// built outside a git checkout, e.g. from a crate tarball).
pub const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (commit ",
    env!("MUXDECK_COMMIT"),
    ")"
);

/// One screen for every tmux session and container, on this machine and on the hosts it
/// reaches over ssh.
#[derive(Debug, Parser)]
#[command(name = "muxdeck", version = VERSION, long_about = None)]
pub struct Cli {
    /// Config file (default: $MUXDECK_CONFIG, else ~/.config/muxdeck/config.yml).
    #[arg(long, global = true, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// What to do; without one, the interactive screen opens.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// A backend filter for `list`.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum BackendArg {
    /// tmux sessions.
    Tmux,
    /// Containers of every runtime.
    Container,
}

/// What `list --sort` orders by.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum SortArg {
    /// Name (the default order: backend, location, name).
    Name,
    /// State: running first.
    State,
    /// CPU: busiest first.
    Cpu,
    /// Memory: largest first.
    Mem,
    /// Age: newest first.
    Age,
}

impl SortArg {
    /// The engine's key.
    pub fn key(self) -> muxdeck::sort::SortKey {
        use muxdeck::sort::SortKey;
        match self {
            SortArg::Name => SortKey::Name,
            SortArg::State => SortKey::State,
            SortArg::Cpu => SortKey::Cpu,
            SortArg::Mem => SortKey::Memory,
            SortArg::Age => SortKey::Age,
        }
    }
}

/// Subcommands: those about sessions, and `config`, which needs no engine (and `config
/// path` not even a valid config).
#[derive(Debug, Subcommand)]
pub enum Command {
    /// A subcommand about sessions.
    #[command(flatten)]
    Session(SessionCommand),
    /// Config file helpers.
    Config {
        /// What to do.
        #[command(subcommand)]
        action: ConfigAction,
    },
    /// Print the shell completion script (subcommands, options and session names), e.g.
    /// `source <(muxdeck completions bash)`.
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: complete::Shell,
    },
    /// Print the manual page (roff), e.g. `muxdeck man | man -l -`.
    Man,
}

/// Subcommands about sessions. NAME may be qualified: tmux:NAME, tmux@SOCKET:NAME,
/// podman:NAME, docker:NAME, container:NAME.
#[derive(Debug, Subcommand)]
pub enum SessionCommand {
    /// List every session (tmux on every socket, containers, config sessions).
    List {
        /// Print JSON (format in the README).
        #[arg(long)]
        json: bool,
        /// Only this backend.
        #[arg(long, value_enum)]
        backend: Option<BackendArg>,
        /// Measure CPU and memory of running sessions (over half a second): `CPU` and `MEM`
        /// columns, `cpu_percent` and `memory_bytes` in JSON.
        #[arg(long)]
        stats: bool,
        /// Order of the sessions (cpu and mem: largest first; age: newest first).
        #[arg(long, value_enum, value_name = "KEY")]
        sort: Option<SortArg>,
        /// Reverse the order.
        #[arg(long)]
        reverse: bool,
        /// Only this host (`local` or a name of `hosts:`); may be given more than once.
        #[arg(
            long = "host",
            value_name = "HOST",
            add = ArgValueCandidates::new(complete::host_names)
        )]
        hosts: Vec<String>,
    },
    /// Show one session.
    Status {
        /// Session name.
        #[arg(add = ArgValueCandidates::new(complete::session_names))]
        name: String,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Print a session's log (colors kept), optionally following it; several sessions
    /// print one merged log.
    Logs(logs::LogsArgs),
    /// Start config sessions, stopped containers, or one ad hoc session.
    Start {
        /// Session names (one with the ad hoc options).
        #[arg(required_unless_present = "group", value_name = "NAME", add = ArgValueCandidates::new(complete::session_names))]
        names: Vec<String>,
        /// Every member of this podman pod or compose project too ([HOST/][RUNTIME:]NAME).
        #[arg(long, value_name = "GROUP")]
        group: Vec<String>,
        /// The ad hoc options.
        #[command(flatten)]
        spec: commands::AdHocArgs,
    },
    /// Stop sessions gracefully (interrupt, wait, then kill). Never removes a container.
    Stop {
        /// Session names.
        #[arg(required_unless_present = "group", value_name = "NAME", add = ArgValueCandidates::new(complete::session_names))]
        names: Vec<String>,
        /// Every member of this podman pod or compose project too ([HOST/][RUNTIME:]NAME).
        #[arg(long, value_name = "GROUP")]
        group: Vec<String>,
        /// Kill at once.
        #[arg(long)]
        force: bool,
        /// Seconds to wait before forcing, at most 3600 (default: defaults.stop_timeout).
        #[arg(
            long,
            value_name = "S",
            value_parser = clap::value_parser!(u64).range(0..=MAX_STOP_TIMEOUT_SECS)
        )]
        timeout: Option<u64>,
    },
    /// Kill sessions at once (same as stop --force).
    Kill {
        /// Session names.
        #[arg(required_unless_present = "group", value_name = "NAME", add = ArgValueCandidates::new(complete::session_names))]
        names: Vec<String>,
        /// Every member of this podman pod or compose project too ([HOST/][RUNTIME:]NAME).
        #[arg(long, value_name = "GROUP")]
        group: Vec<String>,
    },
    /// Restart sessions.
    Restart {
        /// Session names.
        #[arg(required_unless_present = "group", value_name = "NAME", add = ArgValueCandidates::new(complete::session_names))]
        names: Vec<String>,
        /// Every member of this podman pod or compose project too ([HOST/][RUNTIME:]NAME).
        #[arg(long, value_name = "GROUP")]
        group: Vec<String>,
    },
    /// Pause containers (their processes frozen in place; tmux sessions cannot be paused).
    Pause {
        /// Container names.
        #[arg(required = true, value_name = "NAME", add = ArgValueCandidates::new(complete::session_names))]
        names: Vec<String>,
    },
    /// Unpause paused containers.
    Unpause {
        /// Container names.
        #[arg(required = true, value_name = "NAME", add = ArgValueCandidates::new(complete::session_names))]
        names: Vec<String>,
    },
    /// Type a line into tmux panes without attaching (literally, then Enter), or press
    /// keys there with --keys. Containers take commands through `exec` instead.
    #[command(
        override_usage = "muxdeck send NAME... -- TEXT\n       muxdeck send --keys KEY[,KEY...] NAME..."
    )]
    Send {
        /// Session names, then `--` and the text (without --keys).
        #[arg(required = true, value_name = "NAME", add = ArgValueCandidates::new(complete::session_names))]
        names: Vec<String>,
        /// The line to type, after `--`.
        #[arg(last = true, value_name = "TEXT")]
        text: Vec<String>,
        /// Press these keys instead, as tmux names them (C-c, Enter, Up, M-x), comma
        /// separated or repeated.
        #[arg(long, value_name = "KEY", value_delimiter = ',')]
        keys: Vec<String>,
    },
    /// Hand the terminal to the session (tmux: prefix, then d; container: Ctrl-p Ctrl-q).
    /// A container without a terminal (started without -i -t) has its log followed instead.
    Attach {
        /// Session name.
        #[arg(add = ArgValueCandidates::new(complete::session_names))]
        name: String,
    },
    /// Run a command (default: a shell) interactively in a running container.
    Exec {
        /// Container name.
        #[arg(add = ArgValueCandidates::new(complete::container_names))]
        name: String,
        /// Command and arguments, after `--`.
        #[arg(last = true)]
        command: Vec<String>,
    },
    /// Run one of the config's own commands (`commands:`) on a session; its output is
    /// printed, as a log is, and its exit status is muxdeck's.
    Cmd {
        /// The command's name under `commands:`.
        #[arg(add = ArgValueCandidates::new(complete::command_names))]
        command: String,
        /// Session name.
        #[arg(add = ArgValueCandidates::new(complete::session_names))]
        name: String,
        /// Run a command whose config says `confirm: true` (the command line does not ask: without --yes such a command is refused).
        #[arg(long, short = 'y')]
        yes: bool,
    },
    /// Remove a container (explicit only; stop never removes).
    Rm {
        /// Container name.
        #[arg(add = ArgValueCandidates::new(complete::container_names))]
        name: String,
        /// Also remove a running container.
        #[arg(long)]
        force: bool,
    },
}

/// `muxdeck config ...`
#[derive(Debug, Subcommand)]
pub enum ConfigAction {
    /// Load and validate the config; exit 2 with the error if it is invalid.
    Check,
    /// Print the config file's path.
    Path,
    /// Print a commented starter config; with --from or --all, the definitions of sessions
    /// that exist now (redirect it into a file, then `config check` it).
    Init(InitArgs),
}

/// `config init` options.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct InitArgs {
    /// Write the definitions of these sessions (qualified names accepted).
    #[arg(
        long,
        value_name = "NAME",
        num_args = 1..,
        conflicts_with = "all",
        add = ArgValueCandidates::new(complete::session_names)
    )]
    pub from: Vec<String>,
    /// Write the definitions of every session that exists and the config does not define.
    #[arg(long)]
    pub all: bool,
}

impl InitArgs {
    /// Whether sessions are to be captured (else the starter config is printed).
    pub fn captures(&self) -> bool {
        self.all || !self.from.is_empty()
    }
}

/// Folds clap's rendered usage error (message, tips, usage, "try --help", or a whole help
/// page when a subcommand is missing) into the one line every muxdeck error is.
pub fn usage_line(rendered: &str) -> String {
    let mut message: Vec<&str> = Vec::new();
    let mut tips: Vec<&str> = Vec::new();
    let mut usage = None;
    let mut commands: Vec<&str> = Vec::new();
    let mut section = "";
    for line in rendered.lines() {
        let trimmed = line.trim();
        if trimmed.is_empty() {
            section = "";
        } else if let Some(m) = line.strip_prefix("error: ") {
            message.push(m.trim());
            section = "error";
        } else if let Some(u) = line.strip_prefix("Usage: ") {
            usage.get_or_insert(u.trim());
        } else if trimmed.starts_with("tip: ") {
            tips.push(trimmed);
        } else if trimmed == "Commands:" {
            section = "commands";
        } else if section == "error" {
            message.push(trimmed);
        } else if section == "commands"
            && let Some(name) = trimmed.split_whitespace().next()
            && name != "help"
        {
            commands.push(name);
        }
    }
    let mut text = message.join(" ");
    if text.is_empty() {
        text = if commands.is_empty() {
            "invalid arguments".into()
        } else {
            format!("a command is needed: {}", commands.join(", "))
        };
    }
    if !tips.is_empty() {
        text = format!("{text} ({})", tips.join("; "));
    }
    // The command path is the usage up to its first placeholder: `muxdeck list`.
    let path = usage.map(|u| {
        u.split_whitespace()
            .take_while(|w| !w.starts_with(['[', '<']))
            .collect::<Vec<_>>()
            .join(" ")
    });
    if let Some(u) = usage {
        text = format!("{text}; usage: {u}");
    }
    match path {
        Some(p) if !p.is_empty() => format!("{text}; more: `{p} --help`"),
        _ => format!("{text}; more: --help"),
    }
}

/// A subcommand's failure: one line and an exit code.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// From the engine.
    #[error(transparent)]
    Engine(#[from] EngineError),
    /// Writing output failed (a closed pipe is not reported).
    #[error("cannot write output: {0}")]
    Output(#[from] std::io::Error),
    /// `cmd` names a command the config does not have.
    #[error("no command named {name:?} under `commands:` in the config{}", known_commands(.known))]
    UnknownCommand {
        /// What was typed.
        name: String,
        /// The commands there are.
        known: Vec<String>,
    },
    /// `cmd` of a command that asks first, without `--yes`.
    #[error("the command {0} asks before it runs (confirm: true); run it again with --yes")]
    NeedsYes(String),
    /// The command line asks for something that cannot be (exit 2).
    #[error("{0}")]
    Usage(String),
    /// `--group` names no group, or several.
    #[error(transparent)]
    Group(#[from] group::GroupError),
    /// Some sessions of several failed; each was reported on its own line.
    #[error("{0}")]
    Partial(String),
    /// A handed-over command could not run.
    #[error("cannot run `{command}`: {message}")]
    Handover {
        /// The command.
        command: String,
        /// Why.
        message: String,
    },
}

impl CliError {
    /// Process exit code.
    pub fn exit_code(&self) -> i32 {
        match self {
            CliError::Engine(e) => e.exit_code(),
            CliError::Group(e) => e.exit_code(),
            CliError::UnknownCommand { .. } | CliError::NeedsYes(_) | CliError::Usage(_) => 2,
            _ => 1,
        }
    }
}

/// `names` and, after them, the members of each `--group`.
async fn with_groups(
    engine: &Engine,
    mut names: Vec<String>,
    groups: &[String],
) -> Result<Vec<String>, CliError> {
    names.extend(group::members(engine, groups).await?);
    Ok(names)
}

fn known_commands(known: &[String]) -> String {
    if known.is_empty() {
        "; it defines none".into()
    } else {
        format!(" (it has: {})", known.join(", "))
    }
}

/// Runs a subcommand about sessions; returns the exit code.
pub async fn run(engine: &Engine, command: SessionCommand) -> Result<i32, CliError> {
    use SessionCommand as C;
    let mut out = std::io::stdout().lock();
    match command {
        C::List {
            json,
            backend,
            hosts,
            stats,
            sort,
            reverse,
        } => {
            let order = commands::ListOrder {
                stats,
                sort: sort.map(SortArg::key),
                reverse,
            };
            commands::list(engine, json, backend, &hosts, order, &mut out).await
        }
        C::Status { name, json } => commands::status(engine, &name, json, &mut out).await,
        C::Logs(args) => logs::logs(engine, args, &mut out).await,
        C::Start { names, group, spec } => {
            let names = with_groups(engine, names, &group).await?;
            commands::start(engine, names, spec, &mut out).await
        }
        C::Stop {
            names,
            group,
            force,
            timeout,
        } => {
            let names = with_groups(engine, names, &group).await?;
            let mode = if force {
                StopMode::Kill
            } else {
                StopMode::Graceful
            };
            let op = Bulk::Stop(mode, timeout.map(Duration::from_secs));
            bulk::run(engine, &names, op, &mut out).await
        }
        C::Kill { names, group } => {
            let names = with_groups(engine, names, &group).await?;
            bulk::run(engine, &names, Bulk::Stop(StopMode::Kill, None), &mut out).await
        }
        C::Restart { names, group } => {
            let names = with_groups(engine, names, &group).await?;
            bulk::run(engine, &names, Bulk::Restart, &mut out).await
        }
        C::Pause { names } => bulk::run(engine, &names, Bulk::Pause, &mut out).await,
        C::Unpause { names } => bulk::run(engine, &names, Bulk::Unpause, &mut out).await,
        C::Send { names, text, keys } => bulk::send(engine, &names, text, keys, &mut out).await,
        C::Attach { name } => commands::attach(engine, &name, &mut out).await,
        C::Exec { name, command } => commands::exec(engine, &name, &command).await,
        C::Rm { name, force } => commands::rm(engine, &name, force, &mut out).await,
        C::Cmd { command, name, yes } => {
            commands::custom(engine, &command, &name, yes, &mut out).await
        }
    }
}
