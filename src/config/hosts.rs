//! `hosts:` and `ssh_config:`: the other machines muxdeck reaches with the system's `ssh`,
//! and which host each config session lives on.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::schema::HostSchema;
use super::values::{HostName, Text};
use crate::model::{Host, LOCAL_HOST};

/// A validated entry of `hosts:`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostDef {
    /// Its name in `hosts:`, written before `/` in qualified names.
    pub name: String,
    /// What `ssh` is given as the destination (alias, host, `user@host`).
    pub destination: String,
    /// `ssh -p`, when set.
    pub port: Option<u16>,
    /// The host's `TMUX_TMPDIR`, when it keeps its tmux sockets somewhere else than `/tmp`.
    pub tmux_tmpdir: Option<String>,
}

/// The validated `hosts:` in name order.
pub fn host_defs(hosts: BTreeMap<HostName, HostSchema>) -> Vec<HostDef> {
    hosts
        .into_iter()
        .map(|(name, h)| HostDef {
            name: name.into_string(),
            destination: h.ssh.into_string(),
            port: h.port.map(|p| p.get()),
            tmux_tmpdir: h.tmux_tmpdir.map(Text::into_string),
        })
        .collect()
}

/// `ssh_config:` as a path: `~` expands, a relative path resolves against the config's
/// folder (ssh would resolve it against wherever muxdeck was started).
pub fn ssh_config_path(value: Option<Text>, base: &Path) -> Option<PathBuf> {
    value.map(|v| super::resolve_host_path(v.as_str(), base))
}

/// The host a session's `host:` names: `local` (or nothing) is this machine; any other
/// name must be one of `hosts:`.
pub fn session_host(value: Option<&str>, hosts: &[HostDef]) -> Result<Host, String> {
    match value {
        None | Some(LOCAL_HOST) => Ok(Host::Local),
        Some(name) if hosts.iter().any(|h| h.name == name) => Ok(Host::Remote(name.into())),
        Some(name) => {
            let known: Vec<&str> = hosts.iter().map(|h| h.name.as_str()).collect();
            let nearest = known
                .iter()
                .map(|k| (strsim::jaro_winkler(name, k), *k))
                .filter(|(score, _)| *score > 0.8)
                .max_by(|a, b| a.0.total_cmp(&b.0));
            let hint = match nearest {
                Some((_, n)) => format!("; did you mean {n:?}?"),
                None if known.is_empty() => "; add it under `hosts:` first".into(),
                None => format!("; hosts are: local, {}", known.join(", ")),
            };
            Err(format!("`host: {name}` is not a host of `hosts:`{hint}"))
        }
    }
}
