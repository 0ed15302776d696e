//! The YAML schema as serde sees it. Unknown keys are refused everywhere.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::values::{EnvKey, ImageRef, PortSpec, SessionName, SocketName, VolumeSpec};

/// The whole file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileSchema {
    /// Defaults applied to every session.
    #[serde(default)]
    pub defaults: DefaultsSchema,
    /// Sessions by name.
    #[serde(default)]
    pub sessions: BTreeMap<SessionName, SessionSchema>,
    /// Lines kept per log pane in the TUI.
    pub log_lines: Option<usize>,
    /// TUI key remapping: action name → key or list of keys.
    #[serde(default)]
    pub keys: BTreeMap<String, KeyList>,
}

/// One key or several for an action.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum KeyList {
    /// `quit: q`
    One(String),
    /// `quit: [q, ctrl-c]`
    Many(Vec<String>),
}

impl KeyList {
    /// The keys as a list.
    pub fn into_vec(self) -> Vec<String> {
        match self {
            KeyList::One(k) => vec![k],
            KeyList::Many(v) => v,
        }
    }
}

/// Which backend a config session uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BackendChoice {
    /// A tmux session.
    Tmux,
    /// A container.
    Container,
}

/// Which container runtime to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RuntimeChoice {
    /// podman if installed, else docker.
    #[default]
    Auto,
    /// Always podman.
    Podman,
    /// Always docker.
    Docker,
}

/// `defaults:`
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DefaultsSchema {
    pub backend: Option<BackendChoice>,
    pub tmux_binary: Option<String>,
    pub podman_binary: Option<String>,
    pub docker_binary: Option<String>,
    pub container_runtime: Option<RuntimeChoice>,
    pub stop_timeout: Option<u64>,
    pub command_timeout: Option<u64>,
    pub shell: Option<String>,
}

/// One entry of `sessions:`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SessionSchema {
    pub backend: Option<BackendChoice>,
    pub command: Option<String>,
    pub working_dir: Option<String>,
    #[serde(default)]
    pub env: BTreeMap<EnvKey, String>,
    pub socket: Option<SocketName>,
    pub image: Option<ImageRef>,
    #[serde(default)]
    pub volumes: Vec<VolumeSpec>,
    #[serde(default)]
    pub ports: Vec<PortSpec>,
    pub runtime: Option<RuntimeChoice>,
}
