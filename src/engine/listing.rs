//! Listing: one report per backend source, merged with the config into one sorted list.

use serde::Serialize;

use super::{Engine, HostHealth};
use crate::backend::BackendError;
use crate::config::BackendName;
use crate::model::{BackendKind, Host, Location, Runtime, Session, State};

/// A place sessions are listed from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Source {
    /// Every tmux server in the socket folder.
    Tmux,
    /// One container runtime.
    Runtime(Runtime),
}

impl Source {
    /// All sources.
    pub const ALL: [Source; 3] = [
        Source::Tmux,
        Source::Runtime(Runtime::Podman),
        Source::Runtime(Runtime::Docker),
    ];

    /// `sources` in the order their listings are started: the container runtimes first.
    /// A runtime's `ps` takes ten times as long as a tmux listing (`podman ps` with 30
    /// containers: 60-70 ms), and a full listing waits for the slowest, which should not
    /// also wait behind the process starts of the tmux calls.
    pub fn slowest_first(sources: &[Source]) -> Vec<Source> {
        let mut v = sources.to_vec();
        v.sort_by_key(|s| s.kind() == BackendKind::Tmux);
        v
    }

    /// Name shown in health and errors.
    pub fn name(self) -> &'static str {
        match self {
            Source::Tmux => "tmux",
            Source::Runtime(r) => r.as_str(),
        }
    }

    /// The backend kind it lists.
    pub fn kind(self) -> BackendKind {
        match self {
            Source::Tmux => BackendKind::Tmux,
            Source::Runtime(_) => BackendKind::Container,
        }
    }

    /// The name `backends:` gives it.
    pub fn backend_name(self) -> BackendName {
        match self {
            Source::Tmux => BackendName::Tmux,
            Source::Runtime(Runtime::Podman) => BackendName::Podman,
            Source::Runtime(Runtime::Docker) => BackendName::Docker,
        }
    }

    /// Whether a session comes from this source.
    pub fn owns(self, location: &Location) -> bool {
        match (self, location) {
            (Source::Tmux, Location::Tmux { .. }) => true,
            (Source::Runtime(r), Location::Container { runtime }) => r == *runtime,
            _ => false,
        }
    }
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// JSON names a source as health lines and errors do (`"backend": "podman"`).
impl Serialize for Source {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

/// How one source answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum HealthStatus {
    /// Listed fine.
    Ok {
        /// Sessions found.
        sessions: usize,
        /// tmux: servers with sessions.
        #[serde(skip_serializing_if = "Option::is_none")]
        servers: Option<usize>,
    },
    /// The tool is not installed: nothing to list, not a fault.
    NotInstalled,
    /// The runtime's CLI is there but no daemon answers at its socket: nothing runs on it,
    /// not a fault either.
    NotRunning {
        /// The tool's own words (the socket it tried).
        message: String,
    },
    /// The tool failed or timed out.
    Error {
        /// One line.
        message: String,
    },
}

/// One source's health line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Health {
    /// The machine of the source (`"local"` for this one).
    pub host: Host,
    /// Which source; JSON says its name (`tmux`, `podman` or `docker`).
    pub backend: Source,
    /// How it answered.
    #[serde(flatten)]
    pub status: HealthStatus,
}

/// What one source answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// Which source.
    pub source: Source,
    /// Its sessions (those it could list even when some part failed).
    pub sessions: Vec<Session>,
    /// Its health.
    pub health: Health,
}

/// Every session, and how each source and each host answered.
#[derive(Debug, Clone, Default)]
pub struct Listing {
    /// Sorted by host, backend, location, name.
    pub sessions: Vec<Session>,
    /// One entry per source per host that answered.
    pub health: Vec<Health>,
    /// One entry per machine: this one first, then the configured hosts.
    pub hosts: Vec<HostHealth>,
}

impl Engine {
    /// Lists one source.
    pub async fn scan(&self, source: Source) -> Report {
        match source {
            Source::Tmux => self.scan_tmux().await.0,
            Source::Runtime(rt) => {
                let (sessions, status) = match self.runtime(rt).list().await {
                    Ok(mut s) => {
                        self.mark_stopped(&mut s);
                        let n = s.len();
                        (
                            s,
                            HealthStatus::Ok {
                                sessions: n,
                                servers: None,
                            },
                        )
                    }
                    Err(BackendError::Missing { .. }) => (Vec::new(), HealthStatus::NotInstalled),
                    Err(BackendError::NotRunning { message, .. }) => {
                        (Vec::new(), HealthStatus::NotRunning { message })
                    }
                    Err(e) => (
                        Vec::new(),
                        HealthStatus::Error {
                            message: e.to_string(),
                        },
                    ),
                };
                Report {
                    source,
                    sessions,
                    health: Health {
                        host: Host::Local,
                        backend: source,
                        status,
                    },
                }
            }
        }
    }

    /// Shows the containers muxdeck stopped as `stopped`: their exit status (137 after a
    /// kill, 143 after SIGTERM) is muxdeck's doing, not a crash. One that ran and ended
    /// again since (podman tells when it ended) is left as the runtime says.
    pub(super) fn mark_stopped(&self, sessions: &mut [Session]) {
        if !sessions.iter().any(|s| matches!(s.state, State::Exited(_))) {
            return;
        }
        let stopped = self.stopped.load();
        for s in sessions {
            let Some(when) = s.backend_id.as_ref().and_then(|id| stopped.get(id)) else {
                continue;
            };
            if matches!(s.state, State::Exited(_)) && s.finished.is_none_or(|f| f <= *when) {
                s.state = State::Stopped;
            }
        }
    }

    /// Lists every tmux server, and says which servers (socket, pid) have sessions, for
    /// watchers that want to notice changes without asking tmux.
    pub async fn scan_tmux(&self) -> (Report, Vec<(String, u32)>) {
        let all = self.tmux().list_all().await;
        let status = if let Some((socket, e)) = all.errors.first() {
            if e.is_missing() {
                HealthStatus::NotInstalled
            } else {
                HealthStatus::Error {
                    message: format!("socket {socket}: {e}"),
                }
            }
        } else {
            HealthStatus::Ok {
                sessions: all.sessions.len(),
                servers: Some(all.servers.len()),
            }
        };
        let report = Report {
            source: Source::Tmux,
            sessions: all.sessions,
            health: Health {
                host: Host::Local,
                backend: Source::Tmux,
                status,
            },
        };
        (report, all.servers)
    }

    /// The sources the config's `backends:` uses, in health-line order.
    pub fn sources(&self) -> Vec<Source> {
        Source::ALL
            .into_iter()
            .filter(|s| self.config.backends.uses(s.backend_name()))
            .collect()
    }

    /// Lists every source in use on every machine concurrently (each host in one round
    /// trip, with its own deadline) and merges the config in. `only` limits the kinds.
    pub async fn list(&self, only: Option<BackendKind>) -> Listing {
        self.list_on(only, None).await
    }

    /// Like [`Engine::list`], on the given machines only (all when None).
    pub async fn list_on(&self, only: Option<BackendKind>, hosts: Option<&[Host]>) -> Listing {
        let sources: Vec<Source> = self
            .sources()
            .into_iter()
            .filter(|s| only.is_none_or(|k| s.kind() == k))
            .collect();
        let wanted = |h: &Host| hosts.is_none_or(|hs| hs.contains(h));
        let local = async {
            if !wanted(&Host::Local) {
                return None;
            }
            let started = std::time::Instant::now();
            let mut reports = futures::future::join_all(
                Source::slowest_first(&sources)
                    .into_iter()
                    .map(|s| self.scan(s)),
            )
            .await;
            // Health lines in the usual order.
            reports.sort_by_key(|r| sources.iter().position(|s| *s == r.source));
            Some((reports, HostHealth::ok(Host::Local, started)))
        };
        let remote = futures::future::join_all(
            self.remotes()
                .iter()
                .filter(|m| wanted(&m.host))
                .map(|m| self.scan_host(m, &sources)),
        );
        // The hosts first: their round trips are the longest, so their ssh starts before
        // this machine's own calls.
        let (remote, local) = futures::join!(remote, local);
        let mut reports = Vec::new();
        let mut hosts = Vec::new();
        if let Some((r, h)) = local {
            reports.extend(r);
            hosts.push(h);
        }
        for scan in remote {
            reports.extend(scan.reports);
            hosts.push(scan.health);
        }
        let mut listing = self.merge_on(&reports, &hosts);
        if let Some(k) = only {
            listing.sessions.retain(|s| s.id.location.kind() == k);
        }
        listing
    }

    /// Merges this machine's reports with the config (see [`Engine::merge_on`]).
    pub fn merge(&self, reports: &[Report]) -> Listing {
        self.merge_on(reports, &[])
    }

    /// Merges reports with the config: config sessions that run are marked, the others are
    /// added as `defined` — only on machines among `hosts` that answered (this machine
    /// always does), so a host that cannot be reached never shows its sessions as
    /// not started. Sorted by host, backend, location, name.
    pub fn merge_on(&self, reports: &[Report], hosts: &[HostHealth]) -> Listing {
        let mut sessions: Vec<Session> = reports
            .iter()
            .flat_map(|r| r.sessions.iter().cloned())
            .collect();
        sessions.sort_by(|a, b| a.id.cmp(&b.id));
        let answered = |h: &Host| {
            h.is_local()
                || hosts
                    .iter()
                    .any(|x| x.host == *h && x.status == super::HostStatus::Ok)
        };
        for def in self.config.sessions.iter().filter(|d| answered(&d.host)) {
            let id = self.config_id(def);
            match sessions.binary_search_by(|s| s.id.cmp(&id)) {
                Ok(i) => sessions[i].from_config = true,
                Err(i) => {
                    let mut s = Session::new(id, State::Defined);
                    s.from_config = true;
                    if let crate::config::SessionKind::Container { image, ports, .. } = &def.kind {
                        s.image = Some(image.clone());
                        s.ports = ports.clone();
                    }
                    sessions.insert(i, s);
                }
            }
        }
        Listing {
            sessions,
            health: reports.iter().map(|r| r.health.clone()).collect(),
            hosts: hosts.to_vec(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The README documents `"backend": "podman"` in `list --json`: the name, not the enum.
    #[test]
    fn health_names_its_backend_in_json() {
        let h = Health {
            host: Host::Local,
            backend: Source::Runtime(Runtime::Podman),
            status: HealthStatus::NotRunning {
                message: "no socket".into(),
            },
        };
        let json = serde_json::to_value(&h).expect("serializes");
        assert_eq!(
            json,
            serde_json::json!({"host": "local", "backend": "podman", "status": "not_running", "message": "no socket"})
        );
        let tmux = Health {
            host: Host::Local,
            backend: Source::Tmux,
            status: HealthStatus::NotInstalled,
        };
        let json = serde_json::to_value(&tmux).expect("serializes");
        assert_eq!(
            json,
            serde_json::json!({"host": "local", "backend": "tmux", "status": "not_installed"})
        );
        assert_eq!(Source::Runtime(Runtime::Docker).to_string(), "docker");
    }

    #[test]
    fn runtimes_are_listed_first_in_their_order() {
        let podman = Source::Runtime(Runtime::Podman);
        let docker = Source::Runtime(Runtime::Docker);
        assert_eq!(
            Source::slowest_first(&Source::ALL),
            [podman, docker, Source::Tmux]
        );
        assert_eq!(
            Source::slowest_first(&[Source::Tmux, docker]),
            [docker, Source::Tmux]
        );
    }
}
