//! What a session is, beyond its row in the list: a container's `inspect` facts or a tmux
//! session's windows and panes. Pure data, shown by the TUI's details pane and printed as
//! the `"details"` object of `muxdeck status NAME --json` (documented in the README).

use std::collections::BTreeMap;

use serde::Serialize;

/// What replaces the value of an environment variable whose name looks secret.
pub const MASK: &str = "••••";

/// Name parts that make an environment variable secret, matched in any case.
const SECRET_PARTS: [&str; 5] = ["PASS", "SECRET", "TOKEN", "KEY", "CREDENTIAL"];

/// The details of one session, by backend.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Details {
    /// A container, from its runtime's `inspect` (boxed: it is much the larger).
    Container(Box<ContainerDetails>),
    /// A tmux session, from one `list-panes` call.
    Tmux(TmuxDetails),
}

/// A container as its runtime's `inspect` tells it; times are Unix seconds.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ContainerDetails {
    /// The full container id.
    pub id: String,
    /// The image reference it was made from.
    pub image: Option<String>,
    /// The image's id or digest (`sha256:…`), when the runtime says.
    pub image_digest: Option<String>,
    /// Entrypoint and arguments, as words.
    pub command: Vec<String>,
    /// When it was made.
    pub created: Option<i64>,
    /// When its program last started.
    pub started: Option<i64>,
    /// When its program last ended (None while it never did).
    pub finished: Option<i64>,
    /// The runtime's state word (`running`, `exited`…).
    pub state: String,
    /// The last exit code (0 while it never exited).
    pub exit_code: Option<i64>,
    /// How often the runtime restarted it.
    pub restart_count: u64,
    /// The health check's verdict, when it has one.
    pub health: Option<HealthCheck>,
    /// Published ports: `host:container/proto`.
    pub ports: Vec<String>,
    /// Volumes and binds.
    pub mounts: Vec<MountInfo>,
    /// Networks it is on, with its address there.
    pub networks: Vec<NetworkInfo>,
    /// Its labels.
    pub labels: BTreeMap<String, String>,
    /// The podman pod it belongs to (its id), if any.
    pub pod: Option<String>,
    /// The compose project (`com.docker.compose.project` or `io.podman.compose.project`).
    pub project: Option<String>,
    /// Its environment, in order; secret-looking values masked unless asked.
    pub env: Vec<EnvVar>,
}

/// A health check's state and what its last run printed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HealthCheck {
    /// `healthy`, `unhealthy`, `starting`.
    pub status: String,
    /// Failed runs in a row.
    pub failing_streak: u64,
    /// The last run's output, trimmed.
    pub last_output: Option<String>,
    /// The last run's exit code.
    pub last_exit_code: Option<i64>,
}

/// A volume or bind mount.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MountInfo {
    /// `bind`, `volume`, `tmpfs`.
    pub kind: String,
    /// Host path or volume name.
    pub source: String,
    /// Path inside the container.
    pub destination: String,
    /// Writable.
    pub rw: bool,
}

/// A network the container is on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NetworkInfo {
    /// The network's name.
    pub name: String,
    /// The container's address on it (empty when none).
    pub ip: String,
}

/// One environment variable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EnvVar {
    /// Its name.
    pub key: String,
    /// Its value, or [`MASK`] when `masked`.
    pub value: String,
    /// Whether the value was hidden because the name looks secret.
    pub masked: bool,
}

/// A tmux session: its server, when it was made, who looks at it, and its panes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct TmuxDetails {
    /// The server's socket path.
    pub socket_path: String,
    /// The session id (`$3`).
    pub session_id: String,
    /// When the session was made, Unix seconds.
    pub created: Option<i64>,
    /// Clients attached to it.
    pub attached_clients: u32,
    /// Its windows, in index order, each with its panes.
    pub windows: Vec<WindowInfo>,
}

/// One window of a tmux session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WindowInfo {
    /// Its index (`0`, `1`…).
    pub index: u32,
    /// The window id (`@4`): what the list's tree targets, as an index may be reused.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Whether it is the session's current window.
    pub active: bool,
    /// Its panes, in index order.
    pub panes: Vec<PaneInfo>,
}

/// One pane of a tmux window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PaneInfo {
    /// The pane id (`%7`): what follow and attach target, never a name.
    pub id: String,
    /// Its index in the window.
    pub index: u32,
    /// Whether it is the window's active pane.
    pub active: bool,
    /// The program in the foreground.
    pub command: String,
    /// Its current directory.
    pub cwd: String,
    /// The pane's first process.
    pub pid: Option<u32>,
    /// Columns.
    pub width: u32,
    /// Rows.
    pub height: u32,
    /// Whether its program has exited (the pane is kept).
    pub dead: bool,
}

impl TmuxDetails {
    /// Every pane, window by window.
    pub fn panes(&self) -> impl Iterator<Item = (&WindowInfo, &PaneInfo)> {
        self.windows
            .iter()
            .flat_map(|w| w.panes.iter().map(move |p| (w, p)))
    }
}

/// Whether an environment variable's name looks like it holds a secret.
pub fn is_secret_name(key: &str) -> bool {
    let upper = key.to_ascii_uppercase();
    SECRET_PARTS.iter().any(|p| upper.contains(p))
}

/// `KEY=VALUE` entries as [`EnvVar`]s, secret-looking values masked unless `show_secrets`.
pub fn env_vars(entries: &[String], show_secrets: bool) -> Vec<EnvVar> {
    entries
        .iter()
        .map(|e| {
            let (key, value) = e.split_once('=').unwrap_or((e.as_str(), ""));
            let masked = !show_secrets && is_secret_name(key);
            EnvVar {
                key: key.to_string(),
                value: if masked {
                    MASK.to_string()
                } else {
                    value.to_string()
                },
                masked,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_names_in_any_case() {
        for k in [
            "API_TOKEN",
            "db_password",
            "aws_Secret",
            "SSH_KEY",
            "GIT_CREDENTIALS",
            "passphrase",
        ] {
            assert!(is_secret_name(k), "{k}");
        }
        for k in ["PATH", "HOME", "RUST_LOG", "PLAIN"] {
            assert!(!is_secret_name(k), "{k}");
        }
    }

    #[test]
    fn masked_unless_asked() {
        let env = vec![
            "DB_PASSWORD=hunter2".to_string(),
            "PLAIN=a=b".to_string(),
            "EMPTY".to_string(),
        ];
        let hidden = env_vars(&env, false);
        assert_eq!(hidden[0].value, MASK);
        assert!(hidden[0].masked);
        assert_eq!(hidden[1].value, "a=b");
        assert_eq!(hidden[2].key, "EMPTY");
        let shown = env_vars(&env, true);
        assert_eq!(shown[0].value, "hunter2");
        assert!(!shown[0].masked);
    }
}
