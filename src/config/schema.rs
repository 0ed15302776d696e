//! The YAML schema as serde sees it. Unknown keys are refused everywhere.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, DeserializeSeed, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};

use super::values::{
    CommandTimeoutSecs, EnvKey, ImageRef, LogLines, PortSpec, SessionName, SocketName,
    StopTimeoutSecs, VolumeSpec,
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
    pub stop_timeout: Option<StopTimeoutSecs>,
    pub command_timeout: Option<CommandTimeoutSecs>,
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
