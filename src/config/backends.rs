//! `backends:`: which of tmux, podman and docker muxdeck asks at all. A backend left out
//! gets no listing, no watcher and no health entry, so a runtime the user does not use
//! costs nothing and says nothing.

use std::collections::BTreeSet;

use serde::Deserialize;

use super::RuntimeChoice;

/// A backend as `backends:` names it; a name that is not one of these is refused where it
/// is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BackendName {
    /// Every tmux server.
    Tmux,
    /// The podman CLI.
    Podman,
    /// The docker CLI.
    Docker,
}

impl BackendName {
    /// The name as written in the config and shown in health lines.
    pub fn as_str(self) -> &'static str {
        match self {
            BackendName::Tmux => "tmux",
            BackendName::Podman => "podman",
            BackendName::Docker => "docker",
        }
    }
}

/// The backends in use: those `backends:` lists, or, without it, tmux and the runtimes
/// `defaults.container_runtime` allows (`auto`: both; one that is not installed then shows
/// as `not installed`, quietly).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Backends {
    used: BTreeSet<BackendName>,
    listed: bool,
}

impl Backends {
    /// The default for a `container_runtime`.
    pub fn default_for(runtime: RuntimeChoice) -> Self {
        let mut used = BTreeSet::from([BackendName::Tmux]);
        if runtime != RuntimeChoice::Docker {
            used.insert(BackendName::Podman);
        }
        if runtime != RuntimeChoice::Podman {
            used.insert(BackendName::Docker);
        }
        Backends {
            used,
            listed: false,
        }
    }

    /// Exactly the backends given (the caller has refused an empty list).
    pub fn listed(names: impl IntoIterator<Item = BackendName>) -> Self {
        Backends {
            used: names.into_iter().collect(),
            listed: true,
        }
    }

    /// Whether muxdeck asks this backend at all.
    pub fn uses(&self, name: BackendName) -> bool {
        self.used.contains(&name)
    }

    /// Whether the config lists this backend by name (so its absence is worth a warning).
    pub fn named(&self, name: BackendName) -> bool {
        self.listed && self.uses(name)
    }

    /// Whether `backends:` was given (rather than the default).
    pub fn is_listed(&self) -> bool {
        self.listed
    }
}

impl Default for Backends {
    fn default() -> Self {
        Backends::default_for(RuntimeChoice::Auto)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_follows_container_runtime() {
        let all = Backends::default();
        assert!(all.uses(BackendName::Podman) && all.uses(BackendName::Docker));
        assert!(!all.named(BackendName::Tmux));
        let podman = Backends::default_for(RuntimeChoice::Podman);
        assert!(podman.uses(BackendName::Podman) && !podman.uses(BackendName::Docker));
        let docker = Backends::default_for(RuntimeChoice::Docker);
        assert!(!docker.uses(BackendName::Podman) && docker.uses(BackendName::Docker));
        assert!(docker.uses(BackendName::Tmux));
        let only = Backends::listed([BackendName::Docker]);
        assert!(only.named(BackendName::Docker) && !only.uses(BackendName::Tmux));
    }
}
