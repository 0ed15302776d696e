//! Shell completion: the scripts `muxdeck completions SHELL` prints, and the session names
//! offered for NAME while a shell completes (clap_complete's `COMPLETE=SHELL muxdeck`
//! protocol: the script calls muxdeck back with the words typed so far).

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

use clap::ValueEnum;
use clap_complete::CompletionCandidate;
use clap_complete::env::{Bash, EnvCompleter, Fish, Zsh};

use muxdeck::config;
use muxdeck::engine::Engine;
use muxdeck::model::{BackendKind, Session};

/// The variable that makes muxdeck answer a completion request instead of running.
pub const COMPLETE_VAR: &str = "COMPLETE";

/// The shell asking for completions, read before clap_complete answers: it removes
/// [`COMPLETE_VAR`] from the environment first (so that children do not complete too).
static ASKING_SHELL: std::sync::OnceLock<Option<OsString>> = std::sync::OnceLock::new();

/// Notes which shell asks for completions (`COMPLETE=bash`), if one does; called before
/// clap_complete reads the request, so that names can be written as that shell needs.
pub fn note_asking_shell() {
    let _ = ASKING_SHELL.set(std::env::var_os(COMPLETE_VAR));
}

/// How long listing sessions for a completion may take: a shell waiting on Tab must not
/// hang on a backend that does not answer; what answered in time is offered.
const LIST_DEADLINE: Duration = Duration::from_millis(1500);

/// The shells `muxdeck completions` writes a script for.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Shell {
    /// bash (4.4 or later for the best results).
    Bash,
    /// zsh.
    Zsh,
    /// fish.
    Fish,
}

impl Shell {
    /// clap_complete's adapter for this shell.
    fn completer(self) -> &'static dyn EnvCompleter {
        match self {
            Shell::Bash => &Bash,
            Shell::Zsh => &Zsh,
            Shell::Fish => &Fish,
        }
    }
}

/// Writes the script that registers muxdeck's completion in `shell`. The script calls
/// `muxdeck` (found on PATH, so the file stays the same wherever the binary is installed)
/// with `COMPLETE=SHELL` for every completion, so subcommands, options and session names
/// always match the installed binary.
///
/// The zsh script also works installed as `_muxdeck` on `$fpath` (where the Debian package
/// puts it): zsh then runs the file as the body of `_muxdeck` on the first Tab, where
/// clap_complete's script alone would only register its function and offer nothing until
/// the second Tab.
pub fn write_script(shell: Shell, out: &mut dyn Write) -> std::io::Result<()> {
    shell
        .completer()
        .write_registration(COMPLETE_VAR, "muxdeck", "muxdeck", "muxdeck", out)?;
    match shell {
        // `if`, not `&&`: sourced, the script must still end with status 0.
        Shell::Zsh => out.write_all(ZSH_AUTOLOAD_BRIDGE.as_bytes()),
        Shell::Bash | Shell::Fish => Ok(()),
    }
}

/// Appended to the zsh script: when zsh runs it as the autoloaded `_muxdeck` (on Tab),
/// complete now.
const ZSH_AUTOLOAD_BRIDGE: &str = r#"if [[ ${funcstack[1]} == _muxdeck ]]; then
    _clap_dynamic_completer_muxdeck "$@"
fi
"#;

/// The names of every session (running, stopped, or defined in the config), for NAME.
pub fn session_names() -> Vec<CompletionCandidate> {
    candidates(None)
}

/// The names of the containers, for the subcommands only containers take (`exec`, `rm`).
pub fn container_names() -> Vec<CompletionCandidate> {
    candidates(Some(BackendKind::Container))
}

/// `local` and the names under `hosts:` in the config, for `--host`.
pub fn host_names() -> Vec<CompletionCandidate> {
    let source = config::locate(config_flag().as_deref());
    let config = config::load(&source).unwrap_or_default();
    std::iter::once(
        CompletionCandidate::new(muxdeck::model::LOCAL_HOST).help(Some("this machine".into())),
    )
    .chain(
        config.hosts.iter().map(|h| {
            CompletionCandidate::new(h.name.clone()).help(Some(h.destination.clone().into()))
        }),
    )
    .collect()
}

/// The names under `commands:` in the config, for `cmd COMMAND`.
pub fn command_names() -> Vec<CompletionCandidate> {
    let source = config::locate(config_flag().as_deref());
    let config = config::load(&source).unwrap_or_default();
    config
        .commands
        .iter()
        .map(|c| {
            let help = c.description.clone().unwrap_or_else(|| c.argv.join(" "));
            CompletionCandidate::new(c.name.clone()).help(Some(help.into()))
        })
        .collect()
}

/// Lists sessions with a deadline and turns them into candidates. Any failure (no config,
/// a broken one, no backend, no runtime) offers fewer names or none; a completion never
/// prints an error into the user's command line.
fn candidates(only: Option<BackendKind>) -> Vec<CompletionCandidate> {
    let source = config::locate(config_flag().as_deref());
    let config = config::load(&source).unwrap_or_default();
    let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    else {
        return Vec::new();
    };
    let engine = Engine::new(config);
    // Each kind on its own deadline: a slow container runtime must not hide the tmux
    // sessions that answered at once.
    let kinds: Vec<BackendKind> = match only {
        Some(k) => vec![k],
        None => vec![BackendKind::Tmux, BackendKind::Container],
    };
    let sessions: Vec<Session> = runtime.block_on(async {
        let lists = kinds.into_iter().map(|k| {
            let engine = &engine;
            async move {
                tokio::time::timeout(LIST_DEADLINE, engine.list(Some(k)))
                    .await
                    .map(|l| l.sessions)
                    .unwrap_or_default()
            }
        });
        futures::future::join_all(lists).await.concat()
    });
    // Backend calls still running are children killed on drop: do not wait for them.
    runtime.shutdown_timeout(Duration::ZERO);
    name_candidates(&sessions)
}

/// One candidate per name as the list shows it (`NAME`, `HOST/NAME` on another host); a
/// name several sessions share is offered qualified, once per session (the bare name
/// would be refused as ambiguous). The help says where each is.
fn name_candidates(sessions: &[Session]) -> Vec<CompletionCandidate> {
    let mut by_name: BTreeMap<String, Vec<&Session>> = BTreeMap::new();
    for s in sessions {
        by_name.entry(s.id.display_name()).or_default().push(s);
    }
    let mut out = Vec::new();
    for (name, group) in by_name {
        match group.as_slice() {
            [one] => out.push(candidate(name, one)),
            many => out.extend(many.iter().map(|s| candidate(s.id.qualified(), s))),
        }
    }
    out
}

fn candidate(value: String, s: &Session) -> CompletionCandidate {
    let bash = ASKING_SHELL
        .get()
        .and_then(Option::as_ref)
        .is_some_and(|v| v == "bash");
    let value = if bash { bash_word(&value) } else { value };
    CompletionCandidate::new(value).help(Some(
        format!("{} · {}", s.state.as_str(), s.backend_label()).into(),
    ))
}

/// `name` as a word bash reads back as exactly `name`. bash puts what a completion offers
/// into the command line as it is, unlike zsh and fish, which quote it themselves: a
/// session named `$(reboot)` or `a;b` would run a command when the user presses Enter.
/// The quoting is the one remote commands use: plain names stay as they are, any other is
/// single-quoted (so typing `'` first narrows to them).
fn bash_word(name: &str) -> String {
    // Quoting only adds ASCII around and inside UTF-8 text: nothing is lost.
    String::from_utf8_lossy(&muxdeck::remote::quote::quote(name.as_bytes())).into_owned()
}

/// The `--config PATH` among the words being completed: names are then listed with that
/// config, as the command being typed will run with it.
fn config_flag() -> Option<PathBuf> {
    let args: Vec<OsString> = std::env::args_os().collect();
    let mut words = args.iter().skip_while(|a| *a != "--").skip(1);
    while let Some(w) = words.next() {
        if w == "--config" {
            return words.next().map(PathBuf::from);
        }
        if let Some(p) = w.to_str().and_then(|w| w.strip_prefix("--config=")) {
            return Some(PathBuf::from(p));
        }
    }
    None
}
