//! One function per subcommand: each resolves what it was given, asks the engine, and
//! prints the outcome; the exit code is its `Ok` value.

use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

use muxdeck::config::{self, Config, ConfigSource};
use muxdeck::engine::{
    AdHoc, Attach, Engine, Health, HealthStatus, HostHealth, HostStatus, LogEvent, Source,
};
use muxdeck::model::{BackendKind, Host, Runtime, Session};

use muxdeck::engine::UsageMap;
use muxdeck::sort::{SortKey, sort_sessions};
use muxdeck::stats::Sampler;

use super::output::{
    ListJson, ListedJson, SessionJson, StatusJson, print_line, write_status, write_table,
};
use super::{BackendArg, CliError, ConfigAction};

/// Lines of history `attach` shows of a container it can only follow.
const ATTACH_HISTORY: usize = 100;

/// The exit status of a view ended by Ctrl-C, as a shell reports a command it interrupted.
const INTERRUPTED: i32 = 130;

/// `muxdeck config ...`. It loads the config itself: `config path` must answer even when
/// the file there is broken, which is when it is asked.
pub fn config(action: ConfigAction, source: &ConfigSource) -> ExitCode {
    match action {
        ConfigAction::Path => config_path(source),
        ConfigAction::Init(_) => {
            print!("{}", super::init::STARTER);
            ExitCode::SUCCESS
        }
        ConfigAction::Check => match config::load(source) {
            Ok(c) => config_check(&c),
            Err(e) => {
                eprintln!("muxdeck: {e}");
                ExitCode::from(2)
            }
        },
    }
}

/// `config init --from NAME...` / `--all`: the definitions of sessions that exist now.
pub async fn config_init(
    engine: &Engine,
    args: &super::InitArgs,
    file: &std::path::Path,
    out: &mut impl Write,
) -> Result<i32, CliError> {
    let sessions = if args.all {
        let listing = engine.list(None).await;
        warn_health(engine, &listing.health);
        // Config sessions are defined already; a definition is only read from a backend.
        listing
            .sessions
            .into_iter()
            .filter(|s| !s.from_config && s.state != muxdeck::model::State::Defined)
            .collect()
    } else {
        let mut found = Vec::new();
        for name in &args.from {
            found.push(engine.resolve(name).await?);
        }
        found
    };
    let mut captures = Vec::new();
    for s in sessions {
        match engine.capture(&s).await {
            Ok(captured) => captures.push((s, captured)),
            // With --all, a session that ended since it was listed is not one the user
            // asked for by name: it is left out, and said so.
            Err(
                e @ (muxdeck::engine::EngineError::Gone(_)
                | muxdeck::engine::EngineError::Replaced(_)),
            ) if args.all => {
                eprintln!("muxdeck: left out: {e}");
            }
            Err(e) => return Err(e.into()),
        }
    }
    let hosts = &engine.config().hosts;
    write!(
        out,
        "{}",
        super::init::captured_file(&captures, file, hosts)
    )?;
    Ok(0)
}

/// `config path`: where the config file is looked for.
fn config_path(source: &ConfigSource) -> ExitCode {
    match source.path() {
        Some(p) => {
            println!("{}", p.display());
            ExitCode::SUCCESS
        }
        None => {
            eprintln!("muxdeck: no config folder is known on this system; use --config PATH");
            ExitCode::from(2)
        }
    }
}

/// `config check` of a config that loaded.
fn config_check(config: &Config) -> ExitCode {
    match &config.path {
        Some(p) if p.exists() => println!(
            "config {} is valid: {} session{}",
            p.display(),
            config.sessions.len(),
            if config.sessions.len() == 1 { "" } else { "s" }
        ),
        _ => println!("no config file: muxdeck runs on discovery alone"),
    }
    ExitCode::SUCCESS
}

/// How `list` measures and orders what it prints.
#[derive(Debug, Clone, Copy, Default)]
pub struct ListOrder {
    /// Measure CPU and memory.
    pub stats: bool,
    /// Sort by this key (the listing's order without one).
    pub sort: Option<SortKey>,
    /// Reverse the order.
    pub reverse: bool,
}

/// How long `list --stats` watches processes to tell their CPU use.
const CPU_WINDOW: Duration = Duration::from_millis(500);

/// What `list` gathers before each write: the JSON of some 700 sessions.
const LIST_BUFFER: usize = 256 * 1024;

/// `list`.
pub async fn list(
    engine: &Engine,
    json: bool,
    backend: Option<BackendArg>,
    hosts: &[String],
    order: ListOrder,
    out: &mut impl Write,
) -> Result<i32, CliError> {
    let kind = backend.map(|b| match b {
        BackendArg::Tmux => BackendKind::Tmux,
        BackendArg::Container => BackendKind::Container,
    });
    let only: Vec<Host> = hosts
        .iter()
        .map(|h| engine.machine(&Host::named(h)).map(|m| m.host.clone()))
        .collect::<Result<_, _>>()?;
    let mut listing = engine
        .list_on(kind, (!only.is_empty()).then_some(only.as_slice()))
        .await;
    warn_health(engine, &listing.health);
    warn_hosts(&listing.hosts);
    let measure = order.stats || order.sort.is_some_and(SortKey::needs_usage);
    let usage = if measure {
        // A first pass over /proc and the containers' groups to measure CPU against, half a
        // second before.
        let mut sampler = Sampler::default();
        let _ = sampler.procs.sample();
        sampler
            .cgroups
            .sample(&muxdeck::engine::container_targets(&listing.sessions));
        tokio::time::sleep(CPU_WINDOW).await;
        let limit = engine.config().defaults.command_timeout;
        engine.usage(&listing.sessions, sampler, limit).await.1
    } else {
        UsageMap::new()
    };
    if order.sort.is_some() || order.reverse {
        let key = order.sort.unwrap_or_default();
        sort_sessions(&mut listing.sessions, key, order.reverse, &usage);
    }
    let shown = order.stats.then_some(&usage);
    // One write for the whole list instead of one per line (stdout is line-buffered): with
    // hundreds of sessions, `--json` was some 4000 write calls.
    let mut out = std::io::BufWriter::with_capacity(LIST_BUFFER, out);
    let out = &mut out;
    if json {
        let doc = ListJson {
            sessions: listing
                .sessions
                .iter()
                .map(|s| ListedJson::new(s, shown))
                .collect(),
            backends: &listing.health,
            hosts: &listing.hosts,
        };
        serde_json::to_writer_pretty(&mut *out, &doc).map_err(std::io::Error::from)?;
        writeln!(out)?;
    } else {
        let with_host = !engine.remotes().is_empty();
        write_table(
            out,
            &listing.sessions,
            shown,
            muxdeck::model::unix_now(),
            with_host,
        )?;
    }
    out.flush()?;
    Ok(0)
}

/// One warning line per host that did not answer: its sessions are missing from the list.
fn warn_hosts(hosts: &[HostHealth]) {
    for h in hosts.iter().filter(|h| h.status != HostStatus::Ok) {
        let why = h.message.as_deref().unwrap_or("it did not answer");
        eprintln!("muxdeck: warning: {why}; its sessions are not listed");
    }
}

/// `status`.
pub async fn status(
    engine: &Engine,
    name: &str,
    json: bool,
    out: &mut impl Write,
) -> Result<i32, CliError> {
    let s = engine.resolve(name).await?;
    if json {
        let details = engine.details(&s).await?;
        let doc = StatusJson {
            session: SessionJson::from(&s),
            details: details.as_ref(),
        };
        serde_json::to_writer_pretty(&mut *out, &doc).map_err(std::io::Error::from)?;
        writeln!(out)?;
    } else {
        write_status(out, &s, muxdeck::model::unix_now())?;
    }
    Ok(0)
}

/// The options of `start` that make it an ad hoc start (clap reads them from here, so the
/// command line and this struct cannot disagree).
#[derive(Debug, Default, clap::Args)]
pub struct AdHocArgs {
    /// Ad hoc: run this image as a container session.
    #[arg(long)]
    pub image: Option<String>,
    /// Ad hoc: the command (tmux: a shell command line; container: split into words).
    #[arg(long)]
    pub command: Option<String>,
    /// Ad hoc tmux: socket name (-L).
    #[arg(long)]
    pub socket: Option<String>,
    /// Ad hoc: working directory.
    #[arg(long)]
    pub cwd: Option<String>,
    /// Ad hoc: environment KEY=VALUE (repeatable).
    #[arg(short = 'e', long = "env")]
    pub env: Vec<String>,
    /// Ad hoc container: volume host:container[:ro|:rw] (repeatable).
    #[arg(short = 'v', long = "volume")]
    pub volumes: Vec<String>,
    /// Ad hoc container: port [host:]container[/tcp|/udp] (repeatable).
    #[arg(short = 'p', long = "publish")]
    pub ports: Vec<String>,
}

impl AdHocArgs {
    /// Whether any option was given: without one, `start` means a known session.
    fn any(&self) -> bool {
        self.image.is_some()
            || self.command.is_some()
            || self.socket.is_some()
            || self.cwd.is_some()
            || !self.env.is_empty()
            || !self.volumes.is_empty()
            || !self.ports.is_empty()
    }
}

/// `start`: known sessions, or one ad hoc session when any ad hoc option is given.
pub async fn start(
    engine: &Engine,
    names: Vec<String>,
    args: AdHocArgs,
    out: &mut impl Write,
) -> Result<i32, CliError> {
    if !args.any() {
        return super::bulk::run(engine, &names, super::bulk::Bulk::Start, out).await;
    }
    let [name] = <[String; 1]>::try_from(names).map_err(|_| {
        CliError::Usage(
            "the ad hoc options (--image, --command, ...) describe one new session: give one NAME"
                .into(),
        )
    })?;
    let spec = AdHoc {
        name,
        image: args.image,
        command: args.command,
        socket: args.socket,
        working_dir: args.cwd,
        env: args.env,
        volumes: args.volumes,
        ports: args.ports,
    };
    let id = engine.start_ad_hoc(spec).await?;
    writeln!(out, "started {id}")?;
    Ok(0)
}

/// `attach`: hands the terminal over, or follows the log of a container without one.
pub async fn attach(engine: &Engine, name: &str, out: &mut impl Write) -> Result<i32, CliError> {
    let s = engine.resolve(name).await?;
    let current = std::env::var("TMUX").ok();
    match engine.attach_command(&s, current.as_deref(), None).await? {
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
                result = follow_log(engine, &s, ATTACH_HISTORY, out) => result,
                _ = tokio::signal::ctrl_c() => Ok(INTERRUPTED),
            }
        }
    }
}

/// `exec`.
pub async fn exec(engine: &Engine, name: &str, command: &[String]) -> Result<i32, CliError> {
    let s = engine.resolve(name).await?;
    let inv = engine.exec_command(&s, command).await?;
    hand_over(&inv)
}

/// `cmd COMMAND NAME`: one of the config's own commands on a session. Its output is
/// printed as a log (colors unless NO_COLOR), its exit status is muxdeck's; `handover`
/// gives it the terminal instead, with no time limit.
pub async fn custom(
    engine: &Engine,
    command: &str,
    name: &str,
    yes: bool,
    out: &mut impl Write,
) -> Result<i32, CliError> {
    let Some(cmd) = engine.config().command(command) else {
        return Err(CliError::UnknownCommand {
            name: command.to_string(),
            known: engine
                .config()
                .commands
                .iter()
                .map(|c| c.name.clone())
                .collect(),
        });
    };
    if cmd.confirm && !yes {
        return Err(CliError::NeedsYes(cmd.name.clone()));
    }
    let s = engine.resolve(name).await?;
    let call = engine.command_call(cmd, &s).await?;
    match cmd.output {
        config::OutputMode::Handover => hand_over(&call),
        config::OutputMode::Pane | config::OutputMode::Silent => {
            let result = engine.run_custom(&cmd.name, &call).await?;
            if cmd.output == config::OutputMode::Pane {
                let color = color_wanted();
                for l in &result.lines {
                    print_line(out, l, color)?;
                }
            }
            Ok(result.code.unwrap_or(1))
        }
    }
}

/// `rm`.
pub async fn rm(
    engine: &Engine,
    name: &str,
    force: bool,
    out: &mut impl Write,
) -> Result<i32, CliError> {
    let s = engine.resolve(name).await?;
    engine.remove(&s, force).await?;
    writeln!(out, "removed {}", s.id)?;
    Ok(0)
}

/// Colors stay unless `NO_COLOR` is set to something.
fn color_wanted() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// Warns on stderr about the backends a listing needed that did not answer. A tool that is
/// simply absent, or a runtime without a daemon, is quiet unless the config names it (its
/// executable, or the backend in `backends:`): then the user expects it there.
fn warn_health(engine: &Engine, health: &[Health]) {
    for h in health {
        let named = engine.config().backends.named(h.backend.backend_name());
        match &h.status {
            HealthStatus::Error { message } if h.host.is_local() => {
                eprintln!("muxdeck: warning: {}: {message}", h.backend);
            }
            HealthStatus::Error { message } => {
                eprintln!("muxdeck: warning: {} on {}: {message}", h.backend, h.host);
            }
            // Another host's tools are its own business unless they fail.
            _ if !h.host.is_local() => {}
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
    let color = color_wanted();
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
fn configured_binary(engine: &Engine, backend: Source) -> Option<(&'static str, &str)> {
    let d = &engine.config().defaults;
    let (key, binary) = match backend {
        Source::Tmux => ("tmux_binary", &d.tmux_binary),
        Source::Runtime(Runtime::Podman) => ("podman_binary", &d.podman_binary),
        Source::Runtime(Runtime::Docker) => ("docker_binary", &d.docker_binary),
    };
    (binary != backend.name()).then_some((key, binary.as_str()))
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
