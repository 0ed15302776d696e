//! The YAML schema as serde sees it. Unknown keys are refused everywhere.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, DeserializeSeed, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};

use super::values::{
    ActionName, CommandTimeoutSecs, EnvKey, HostName, ImageRef, KeySpec, LogLines, PortSpec,
    SessionName, SocketName, SshPort, StopTimeoutSecs, Text, VolumeSpec,
};

/// The whole file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileSchema {
    /// Defaults applied to every session.
    #[serde(default)]
    pub defaults: DefaultsSchema,
    /// Sessions by name.
    #[serde(default, deserialize_with = "unique_sessions")]
    pub sessions: BTreeMap<SessionName, SessionSchema>,
    /// Lines kept per log pane in the TUI.
    pub log_lines: Option<LogLines>,
    /// Which backends to use (default: see [`super::Backends`]).
    pub backends: Option<Vec<super::BackendName>>,
    /// TUI key remapping: action name → key or list of keys.
    #[serde(default)]
    pub keys: BTreeMap<ActionName, KeyList>,
    /// The user's own commands on a session.
    #[serde(default)]
    pub commands: BTreeMap<super::commands::CommandName, super::commands::CommandSchema>,
    /// How the TUI tells of a session that exits with a failure.
    pub notify: Option<Notify>,
    /// Colors of the TUI: a base theme, and elements it overrides.
    pub theme: Option<super::theme::ThemeConfig>,
    /// Whether the TUI captures the mouse (default true).
    pub mouse: Option<bool>,
    /// Whether the TUI's list opens grouped by pod and compose project (default false).
    pub grouped: Option<bool>,
    /// The ssh client config file for every host (`ssh -F`).
    pub ssh_config: Option<Text>,
    /// Other machines, reached with the system's `ssh`.
    #[serde(default, deserialize_with = "unique_hosts")]
    pub hosts: BTreeMap<HostName, HostSchema>,
    /// What the details pane and `status --json` show.
    #[serde(default)]
    pub details: DetailsSchema,
    /// How the log pane's tools write what they save.
    #[serde(default)]
    pub logs: LogsSchema,
}

/// `logs:`
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogsSchema {
    /// How `ctrl-s` writes the pane (default plain).
    pub save: Option<SaveStyle>,
}

/// How a saved log file is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SaveStyle {
    /// Text only: what a pager or `grep` reads without surprises.
    #[default]
    Plain,
    /// Each line with its SGR color sequences, as `less -R` or `cat` in a terminal shows.
    Ansi,
}

/// `details:`
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DetailsSchema {
    /// Show secret-looking environment values unmasked.
    #[serde(default)]
    pub show_secrets: bool,
}

/// How the TUI tells of a session that exits with a failure, besides its history and
/// the flag in the status line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Notify {
    /// Nothing more.
    #[default]
    None,
    /// The terminal bell.
    Bell,
    /// A desktop notification (`notify-send`, when installed).
    Desktop,
}

/// One entry of `hosts:`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HostSchema {
    /// What `ssh` is given as the destination: an alias, a host name, `user@host`.
    pub ssh: Text,
    /// `ssh -p`.
    pub port: Option<SshPort>,
    /// Where that host's tmux keeps its sockets (its `TMUX_TMPDIR`).
    pub tmux_tmpdir: Option<Text>,
}

/// One key (`quit: q`) or several (`quit: [q, ctrl-c]`) for an action, each checked where
/// it is written. Not an untagged enum: serde would replace the key's own error with "did
/// not match any variant", and lose its position.
#[derive(Debug, Clone)]
pub struct KeyList(Vec<KeySpec>);

impl KeyList {
    /// The keys as written.
    pub fn into_vec(self) -> Vec<String> {
        self.0.into_iter().map(KeySpec::into_string).collect()
    }
}

impl<'de> Deserialize<'de> for KeyList {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Keys;
        impl<'de> Visitor<'de> for Keys {
            type Value = KeyList;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a key or a list of keys")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<KeyList, E> {
                KeySpec::new(v).map(|k| KeyList(vec![k])).map_err(E::custom)
            }
            // `quit: 5` is the key `5`, as it is inside a list.
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<KeyList, E> {
                self.visit_str(&v.to_string())
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<KeyList, E> {
                self.visit_str(&v.to_string())
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<KeyList, A::Error> {
                let mut keys = Vec::new();
                while let Some(k) = seq.next_element::<KeySpec>()? {
                    keys.push(k);
                }
                Ok(KeyList(keys))
            }
        }
        d.deserialize_any(Keys)
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
    pub tmux_binary: Option<Text>,
    pub podman_binary: Option<Text>,
    pub docker_binary: Option<Text>,
    pub container_runtime: Option<RuntimeChoice>,
    pub stop_timeout: Option<StopTimeoutSecs>,
    pub command_timeout: Option<CommandTimeoutSecs>,
    pub shell: Option<Text>,
}

/// One entry of `sessions:`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SessionSchema {
    pub backend: Option<BackendChoice>,
    pub command: Option<Text>,
    pub working_dir: Option<Text>,
    #[serde(default)]
    pub env: BTreeMap<EnvKey, Text>,
    pub socket: Option<SocketName>,
    pub image: Option<ImageRef>,
    #[serde(default)]
    pub volumes: Vec<VolumeSpec>,
    #[serde(default)]
    pub ports: Vec<PortSpec>,
    pub runtime: Option<RuntimeChoice>,
    pub host: Option<Text>,
}

/// `sessions:` as a map that refuses a name given twice (YAML would silently keep the
/// last one, and the first definition would vanish without a word).
fn unique_sessions<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<BTreeMap<SessionName, SessionSchema>, D::Error> {
    struct Sessions;
    impl<'de> Visitor<'de> for Sessions {
        type Value = BTreeMap<SessionName, SessionSchema>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a mapping of session names to sessions")
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(BTreeMap::new())
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut out = BTreeMap::new();
            while let Some(name) = map.next_key_seed(NewName(&out))? {
                let spec = map.next_value()?;
                out.insert(name, spec);
            }
            Ok(out)
        }
    }
    d.deserialize_map(Sessions)
}

/// `hosts:` as a map that refuses a name given twice, as `sessions:` does.
fn unique_hosts<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<BTreeMap<HostName, HostSchema>, D::Error> {
    struct Hosts;
    impl<'de> Visitor<'de> for Hosts {
        type Value = BTreeMap<HostName, HostSchema>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a mapping of host names to hosts")
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(BTreeMap::new())
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut out = BTreeMap::new();
            while let Some(name) = map.next_key::<HostName>()? {
                if out.contains_key(&name) {
                    return Err(de::Error::custom(format!(
                        "host {:?} is defined twice; names must be unique",
                        name.as_str()
                    )));
                }
                let spec = map.next_value()?;
                out.insert(name, spec);
            }
            Ok(out)
        }
    }
    d.deserialize_map(Hosts)
}

/// A session name that is not yet in the map. Checked while the key is read, so the error
/// points at the second definition.
struct NewName<'a>(&'a BTreeMap<SessionName, SessionSchema>);

impl<'de> DeserializeSeed<'de> for NewName<'_> {
    type Value = SessionName;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<SessionName, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for NewName<'_> {
    type Value = SessionName;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a session name")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<SessionName, E> {
        let name = SessionName::new(v).map_err(E::custom)?;
        if self.0.contains_key(&name) {
            return Err(E::custom(format!(
                "session {v:?} is defined twice; names must be unique"
            )));
        }
        Ok(name)
    }
}
