//! The command line: clap types, and the text and JSON output of each subcommand.

use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

use clap::builder::RangedU64ValueParser;
use clap::{Parser, Subcommand, ValueEnum};
use serde::Serialize;
use unicode_width::UnicodeWidthStr;

use muxdeck::config::values::{MAX_LOG_LINES, MAX_STOP_TIMEOUT_SECS};
use muxdeck::engine::{
    AdHoc, Attach, Engine, EngineError, Health, HealthStatus, LogEvent, Source, StopOutcome,
};
use muxdeck::model::{BackendKind, Location, Session, State, format_age};

/// Lines of history `attach` shows of a container it can only follow.
const ATTACH_HISTORY: usize = 100;

/// The exit status of a view ended by Ctrl-C, as a shell reports a command it interrupted.
const INTERRUPTED: i32 = 130;

/// [`MAX_LOG_LINES`] as clap's ranges want it (a usize always fits in a u64 here).
const MAX_LOG_LINES_U64: u64 = MAX_LOG_LINES as u64;

/// One screen for every tmux session and container on this machine.
#[derive(Debug, Parser)]
#[command(name = "muxdeck", version, about, long_about = None)]
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

/// Subcommands. NAME may be qualified: tmux:NAME, tmux@SOCKET:NAME, podman:NAME,
/// docker:NAME, container:NAME.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// List every session (tmux on every socket, containers, config sessions).
    List {
        /// Print JSON (format in the README).
        #[arg(long)]
        json: bool,
        /// Only this backend.
        #[arg(long, value_enum)]
        backend: Option<BackendArg>,
    },
    /// Show one session.
    Status {
        /// Session name.
        name: String,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Print a session's log (colors kept), optionally following it.
    Logs {
        /// Session name.
        name: String,
        /// Number of lines (at most 1000000).
        #[arg(
            short = 'n',
            long = "lines",
            default_value_t = 100,
            value_parser = RangedU64ValueParser::<usize>::new().range(0..=MAX_LOG_LINES_U64)
        )]
        lines: usize,
        /// Keep printing new lines until the session ends.
        #[arg(short, long)]
        follow: bool,
    },
    /// Start a config session, a stopped container, or an ad hoc session.
    Start {
        /// Session name.
        name: String,
        /// Ad hoc: run this image as a container session.
        #[arg(long)]
        image: Option<String>,
        /// Ad hoc: the command (tmux: a shell command line; container: split into words).
        #[arg(long)]
        command: Option<String>,
        /// Ad hoc tmux: socket name (-L).
        #[arg(long)]
        socket: Option<String>,
        /// Ad hoc: working directory.
        #[arg(long)]
        cwd: Option<String>,
        /// Ad hoc: environment KEY=VALUE (repeatable).
        #[arg(short = 'e', long = "env")]
        env: Vec<String>,
        /// Ad hoc container: volume host:container[:ro|:rw] (repeatable).
        #[arg(short = 'v', long = "volume")]
        volumes: Vec<String>,
        /// Ad hoc container: port [host:]container[/tcp|/udp] (repeatable).
        #[arg(short = 'p', long = "publish")]
        ports: Vec<String>,
    },
    /// Stop a session gracefully (interrupt, wait, then kill). Never removes a container.
    Stop {
        /// Session name.
        name: String,
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
    /// Kill a session at once (same as stop --force).
    Kill {
        /// Session name.
        name: String,
    },
    /// Restart a session.
    Restart {
        /// Session name.
        name: String,
    },
    /// Hand the terminal to the session (tmux: prefix, then d; container: Ctrl-p Ctrl-q).
    /// A container without a terminal (started without -i -t) has its log followed instead.
    Attach {
        /// Session name.
        name: String,
    },
    /// Run a command (default: a shell) interactively in a running container.
    Exec {
        /// Container name.
        name: String,
        /// Command and arguments, after `--`.
        #[arg(last = true)]
        command: Vec<String>,
    },
    /// Remove a container (explicit only; stop never removes).
    Rm {
        /// Container name.
        name: String,
        /// Also remove a running container.
        #[arg(long)]
        force: bool,
    },
    /// Config file helpers.
    Config {
        /// What to do.
        #[command(subcommand)]
        action: ConfigAction,
    },
}

/// `muxdeck config ...`
#[derive(Debug, Subcommand)]
pub enum ConfigAction {
    /// Load and validate the config; exit 2 with the error if it is invalid.
    Check,
    /// Print the config file's path.
    Path,
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
            _ => 1,
        }
    }
}

/// Runs a subcommand; returns the exit code.
pub async fn run(engine: &Engine, command: Command) -> Result<i32, CliError> {
    let mut out = std::io::stdout().lock();
    match command {
        Command::List { json, backend } => {
            let kind = backend.map(|b| match b {
                BackendArg::Tmux => BackendKind::Tmux,
                BackendArg::Container => BackendKind::Container,
            });
            let listing = engine.list(kind).await;
            warn_health(engine, &listing.health);
            if json {
                let doc = ListJson {
                    sessions: listing.sessions.iter().map(SessionJson::from).collect(),
                    backends: &listing.health,
                };
                serde_json::to_writer_pretty(&mut out, &doc).map_err(std::io::Error::from)?;
                writeln!(out)?;
            } else {
                write_table(&mut out, &listing.sessions, muxdeck::model::unix_now())?;
            }
            Ok(0)
        }
        Command::Status { name, json } => {
            let s = engine.resolve(&name).await?;
            if json {
                serde_json::to_writer_pretty(&mut out, &SessionJson::from(&s))
                    .map_err(std::io::Error::from)?;
                writeln!(out)?;
            } else {
                write_status(&mut out, &s, muxdeck::model::unix_now())?;
            }
            Ok(0)
        }
        Command::Logs {
            name,
            lines,
            follow,
        } => {
            let s = engine.resolve(&name).await?;
            let color = std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
            if !follow {
                for l in engine.logs(&s, lines).await? {
                    print_line(&mut out, &l, color)?;
                }
                return Ok(0);
            }
            follow_log(engine, &s, lines, &mut out).await
        }
        Command::Start {
            name,
            image,
            command,
            socket,
            cwd,
            env,
            volumes,
            ports,
        } => {
            let ad_hoc = image.is_some()
                || command.is_some()
                || socket.is_some()
                || cwd.is_some()
                || !env.is_empty()
                || !volumes.is_empty()
                || !ports.is_empty();
            if ad_hoc {
                let spec = AdHoc {
                    name,
                    image,
                    command,
                    socket,
                    working_dir: cwd,
                    env,
                    volumes,
                    ports,
                };
                let id = engine.start_ad_hoc(spec).await?;
                writeln!(out, "started {id}")?;
                return Ok(0);
            }
            let s = engine.resolve(&name).await?;
            engine.start(&s).await?;
            writeln!(out, "started {}", s.id)?;
            Ok(0)
        }
        Command::Stop {
            name,
            force,
            timeout,
        } => {
            let s = engine.resolve(&name).await?;
            let outcome = engine
                .stop(&s, force, timeout.map(Duration::from_secs))
                .await?;
            report_stop(&mut out, &s, outcome)?;
            Ok(0)
        }
        Command::Kill { name } => {
            let s = engine.resolve(&name).await?;
            let outcome = engine.stop(&s, true, None).await?;
            report_stop(&mut out, &s, outcome)?;
            Ok(0)
        }
        Command::Restart { name } => {
            let s = engine.resolve(&name).await?;
            engine.restart(&s).await?;
            writeln!(out, "restarted {}", s.id)?;
            Ok(0)
        }
        Command::Attach { name } => {
            let s = engine.resolve(&name).await?;
            let current = std::env::var("TMUX").ok();
            match engine.attach_command(&s, current.as_deref()).await? {
                Attach::Terminal(h) => {
                    eprintln!("muxdeck: attaching to {}; {} detaches", s.id, h.back);
                    hand_over(&h.inv)
                }
                Attach::NoTerminal => {
                    eprintln!(
                        "muxdeck: {} has no terminal to attach to (it was started without -i -t); following its log instead, Ctrl-C ends this view and leaves it running",
                        s.id
                    );
                    // The interrupt ends this view only: muxdeck asked nothing of the
                    // container, and `podman logs` ends with it.
                    tokio::select! {
                        result = follow_log(engine, &s, ATTACH_HISTORY, &mut out) => result,
                        _ = tokio::signal::ctrl_c() => Ok(INTERRUPTED),
                    }
                }
            }
        }
        Command::Exec { name, command } => {
            let s = engine.resolve(&name).await?;
            let inv = engine.exec_command(&s, &command).await?;
            hand_over(&inv)
        }
        Command::Rm { name, force } => {
            let s = engine.resolve(&name).await?;
            engine.remove(&s, force).await?;
            writeln!(out, "removed {}", s.id)?;
            Ok(0)
        }
        Command::Config { .. } => Ok(0),
    }
}

/// Warns on stderr about the backends a listing needed that did not answer. A tool that is
/// simply absent, or a runtime without a daemon, is quiet unless the config names it (its
/// executable, or the backend in `backends:`): then the user expects it there.
fn warn_health(engine: &Engine, health: &[Health]) {
    for h in health {
        let named = Source::ALL
            .into_iter()
            .find(|s| s.name() == h.backend)
            .is_some_and(|s| engine.config().backends.named(s.backend_name()));
        match &h.status {
            HealthStatus::Error { message } => {
                eprintln!("muxdeck: warning: {}: {message}", h.backend);
            }
            HealthStatus::NotInstalled => match configured_binary(engine, h.backend) {
                Some((key, binary)) => eprintln!(
                    "muxdeck: warning: {}: {binary} (defaults.{key}) is not installed",
                    h.backend
                ),
                None if named => eprintln!(
                    "muxdeck: warning: {0}: not installed, though `backends:` lists it",
                    h.backend
                ),
                None => {}
            },
            HealthStatus::NotRunning { message } if named => {
                eprintln!(
                    "muxdeck: warning: {}: no daemon is running, though `backends:` lists it ({message})",
                    h.backend
                );
            }
            HealthStatus::NotRunning { .. } | HealthStatus::Ok { .. } => {}
        }
    }
}

/// Prints the last `lines` lines of the session's log, then new lines until it ends.
async fn follow_log(
    engine: &Engine,
    s: &Session,
    lines: usize,
    out: &mut impl Write,
) -> Result<i32, CliError> {
    let color = std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let mut stream = engine.follow(s, lines, 100_000).await?;
    while let Some(ev) = stream.next().await {
        match ev {
            LogEvent::Lines(ls) => {
                for l in &ls {
                    print_line(out, l, color)?;
                }
                out.flush()?;
            }
            LogEvent::Skipped(n) => {
                writeln!(out, "… {n} lines skipped (output too fast) …")?;
            }
            LogEvent::Ended(_) => return Ok(0),
            LogEvent::Failed(msg) => {
                eprintln!("muxdeck: {msg}");
                return Ok(1);
            }
        }
    }
    Ok(0)
}

/// The config key and path of a backend's executable when the config changed it from the
/// default name.
fn configured_binary<'a>(engine: &'a Engine, backend: &str) -> Option<(&'static str, &'a str)> {
    let d = &engine.config().defaults;
    let (key, binary) = match backend {
        "tmux" => ("tmux_binary", &d.tmux_binary),
        "podman" => ("podman_binary", &d.podman_binary),
        "docker" => ("docker_binary", &d.docker_binary),
        _ => return None,
    };
    (binary != backend).then_some((key, binary.as_str()))
}

/// Runs a command on the real terminal and waits for it; its exit status is muxdeck's, as
/// `podman exec` and `docker exec` pass on the command's own (a signal is 128 + its number,
/// as a shell reports it).
fn hand_over(inv: &muxdeck::backend::process::Invocation) -> Result<i32, CliError> {
    use std::os::unix::process::ExitStatusExt;
    let status = inv.to_std().status().map_err(|e| CliError::Handover {
        command: inv.display(),
        message: e.to_string(),
    })?;
    Ok(status
        .code()
        .or_else(|| status.signal().map(|s| 128 + s))
        .unwrap_or(1))
}

fn report_stop(out: &mut impl Write, s: &Session, outcome: StopOutcome) -> std::io::Result<()> {
    writeln!(out, "{}", outcome.message(s))
}

fn print_line(out: &mut impl Write, line: &str, color: bool) -> std::io::Result<()> {
    if color {
        writeln!(out, "{line}")
    } else {
        writeln!(out, "{}", muxdeck::logs::plain_text(line))
    }
}

/// What a row says besides name and state: panes or image and ports.
pub fn detail(s: &Session) -> String {
    match &s.id.location {
        Location::Tmux { .. } => match (s.windows, s.panes) {
            (Some(w), Some(p)) => format!(
                "{w} window{}, {p} pane{}",
                if w == 1 { "" } else { "s" },
                if p == 1 { "" } else { "s" }
            ),
            _ if s.from_config => "from config".into(),
            _ => String::new(),
        },
        Location::Container { .. } => {
            let mut d = s.image.clone().unwrap_or_default();
            if !s.ports.is_empty() {
                d.push(' ');
                d.push_str(&s.ports.join(","));
            }
            d
        }
    }
}

fn write_table(out: &mut impl Write, sessions: &[Session], now: i64) -> std::io::Result<()> {
    let rows: Vec<[String; 7]> = sessions
        .iter()
        .map(|s| {
            [
                s.id.name.clone(),
                s.backend_label(),
                s.state.to_string(),
                s.pid.map_or_else(|| "-".into(), |p| p.to_string()),
                format_age(s.created, now),
                if s.from_config {
                    "yes".into()
                } else {
                    String::new()
                },
                detail(s),
            ]
        })
        .collect();
    let header = ["NAME", "BACKEND", "STATE", "PID", "AGE", "CONFIG", "DETAIL"];
    let mut widths = header.map(UnicodeWidthStr::width);
    for r in &rows {
        for (w, c) in widths.iter_mut().zip(r) {
            *w = (*w).max(c.width());
        }
    }
    let line = |out: &mut dyn Write, cells: &[&str]| -> std::io::Result<()> {
        let mut text = String::new();
        for (i, (c, w)) in cells.iter().zip(widths).enumerate() {
            text.push_str(c);
            if i + 1 < cells.len() {
                text.push_str(&" ".repeat(w - c.width() + 2));
            }
        }
        writeln!(out, "{}", text.trim_end())
    };
    line(out, &header)?;
    for r in &rows {
        let cells: Vec<&str> = r.iter().map(String::as_str).collect();
        line(out, &cells)?;
    }
    if sessions.is_empty() {
        writeln!(
            out,
            "(no sessions: nothing runs in tmux or containers, and the config defines none)"
        )?;
    }
    Ok(())
}

fn write_status(out: &mut impl Write, s: &Session, now: i64) -> std::io::Result<()> {
    writeln!(out, "name:     {}", s.id.name)?;
    writeln!(out, "id:       {}", s.id.qualified())?;
    writeln!(out, "backend:  {}", s.backend_label())?;
    writeln!(out, "state:    {}", s.state)?;
    if let Some(p) = s.pid {
        writeln!(out, "pid:      {p}")?;
    }
    if s.created.is_some() {
        writeln!(out, "age:      {}", format_age(s.created, now))?;
    }
    let d = detail(s);
    if !d.is_empty() {
        writeln!(out, "detail:   {d}")?;
    }
    writeln!(
        out,
        "config:   {}",
        if s.from_config { "yes" } else { "no" }
    )
}

#[derive(Serialize)]
struct ListJson<'a> {
    sessions: Vec<SessionJson<'a>>,
    backends: &'a [Health],
}

/// The stable JSON shape of one session (documented in the README).
#[derive(Serialize)]
struct SessionJson<'a> {
    name: &'a str,
    id: String,
    backend: &'static str,
    location: &'a str,
    state: &'static str,
    exit_code: Option<i32>,
    pid: Option<u32>,
    created: Option<i64>,
    windows: Option<u32>,
    panes: Option<u32>,
    image: Option<&'a str>,
    ports: &'a [String],
    from_config: bool,
}

impl<'a> From<&'a Session> for SessionJson<'a> {
    fn from(s: &'a Session) -> Self {
        SessionJson {
            name: &s.id.name,
            id: s.id.qualified(),
            backend: s.id.location.kind().as_str(),
            location: s.id.location.label(),
            state: s.state.as_str(),
            exit_code: match s.state {
                State::Exited(c) => c,
                _ => None,
            },
            pid: s.pid,
            created: s.created,
            windows: s.windows,
            panes: s.panes,
            image: s.image.as_deref(),
            ports: &s.ports,
            from_config: s.from_config,
        }
    }
}
