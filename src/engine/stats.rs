//! CPU and memory of the listed sessions: one pass over /proc for every tmux session, the
//! control groups of this machine's containers, and a runtime's `stats` only for the
//! containers whose groups cannot be read, with its deadline. A runtime that fails or hangs
//! blanks its own containers' figures only.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::Engine;
use crate::backend::container::ContainerStat;
use crate::model::{Location, Runtime, Session, SessionId};
use crate::stats::cgroup::Target;
use crate::stats::proc_tree::ProcSnapshot;
use crate::stats::{Sampler, Usage};

/// Usage by session. A running session missing from it could not be measured.
pub type UsageMap = HashMap<SessionId, Usage>;

/// How long the runtimes' figures are reused, where a runtime must be asked. `podman stats`
/// costs about 90 ms of CPU with 30 containers: asked at every 2 s measurement it would take
/// 4.5 % of a core, every 10 s under 1 %. Figures read from /proc and the control groups
/// stay fresh at every measurement.
pub const CONTAINER_STATS_EVERY: Duration = Duration::from_secs(10);

/// What each runtime's `stats` said, and when it was asked (None: it failed or hung).
type RuntimeStats = (Option<Vec<ContainerStat>>, Option<Vec<ContainerStat>>);

/// The last [`RuntimeStats`], shared by the clones of an engine.
#[derive(Debug, Clone, Default)]
pub struct ContainerStatsCache(Arc<Mutex<Option<(Instant, RuntimeStats)>>>);

impl ContainerStatsCache {
    /// The figures asked less than [`CONTAINER_STATS_EVERY`] ago, if any.
    fn fresh(&self) -> Option<RuntimeStats> {
        let last = self.0.lock().ok()?;
        let (at, stats) = last.as_ref()?;
        (at.elapsed() < CONTAINER_STATS_EVERY).then(|| stats.clone())
    }

    fn keep(&self, stats: &RuntimeStats) {
        if let Ok(mut last) = self.0.lock() {
            *last = Some((Instant::now(), stats.clone()));
        }
    }
}

impl Engine {
    /// Measures every running session of `sessions`. `sampler` keeps the previous
    /// measurement that CPU is measured against; it is handed back for the next call.
    /// Containers are read from their control groups; a runtime is asked (`stats`, ended
    /// by `limit`) only for containers whose groups cannot be read here, and its figures
    /// are reused while younger than [`CONTAINER_STATS_EVERY`].
    pub async fn usage(
        &self,
        sessions: &[Session],
        sampler: Sampler,
        limit: Duration,
    ) -> (Sampler, UsageMap) {
        let targets = container_targets(sessions);
        let local = tokio::task::spawn_blocking(move || {
            let mut sampler = sampler;
            let snap = sampler.procs.sample().ok();
            let groups = sampler.cgroups.sample(&targets);
            (sampler, snap, groups)
        });
        // A pass that panicked starts afresh, with no tmux or group figures this time.
        let (sampler, snapshot, groups) = local.await.unwrap_or_default();
        // Runtimes with a running container of this machine whose group was not read.
        let unread = |rt: Runtime| {
            sessions.iter().any(|s| {
                is_local_container(s, rt)
                    && !s
                        .backend_id
                        .as_ref()
                        .is_some_and(|id| groups.contains_key(id))
            })
        };
        let ask = (unread(Runtime::Podman), unread(Runtime::Docker));
        let stats_of = |rt: Runtime, wanted: bool| async move {
            if !wanted {
                return None;
            }
            self.runtime(rt).stats(limit).await.ok()
        };
        let (podman, docker) = if ask == (false, false) {
            (None, None)
        } else if let Some(cached) = self.container_stats.fresh() {
            cached
        } else {
            let both = tokio::join!(
                stats_of(Runtime::Podman, ask.0),
                stats_of(Runtime::Docker, ask.1)
            );
            self.container_stats.keep(&both);
            both
        };
        let map = usage_map(
            sessions,
            &groups,
            podman.as_deref(),
            docker.as_deref(),
            snapshot.as_ref(),
        );
        (sampler, map)
    }
}

/// Whether `s` is a running container of runtime `rt` on this machine.
fn is_local_container(s: &Session, rt: Runtime) -> bool {
    s.state.is_alive()
        && s.id.host.is_local()
        && s.id.location == Location::Container { runtime: rt }
}

/// The running containers of this machine whose runtime named their init process: the
/// ones whose control groups may be read here.
pub fn container_targets(sessions: &[Session]) -> Vec<Target> {
    sessions
        .iter()
        .filter(|s| {
            is_local_container(s, Runtime::Podman) || is_local_container(s, Runtime::Docker)
        })
        .filter_map(|s| {
            Some(Target {
                id: s.backend_id.clone()?,
                pid: s.pid.filter(|p| *p > 0)?,
            })
        })
        .collect()
}

/// Puts the measurements together per session: containers from their groups, else by
/// id prefix from their runtime's `stats`; tmux sessions by the trees of their live
/// panes. Only sessions on this machine are measured: /proc, the groups and the runtimes
/// asked are this machine's.
pub fn usage_map(
    sessions: &[Session],
    groups: &HashMap<String, Usage>,
    podman: Option<&[ContainerStat]>,
    docker: Option<&[ContainerStat]>,
    procs: Option<&ProcSnapshot>,
) -> UsageMap {
    let mut map = UsageMap::new();
    for s in sessions
        .iter()
        .filter(|s| s.state.is_alive() && s.id.host.is_local())
    {
        let u = match &s.id.location {
            Location::Container { runtime } => {
                let stats = match runtime {
                    Runtime::Podman => podman,
                    Runtime::Docker => docker,
                };
                let id = s.backend_id.as_deref().unwrap_or("");
                groups.get(id).copied().or_else(|| {
                    stats
                        .and_then(|all| all.iter().find(|c| c.is_for(id)))
                        .map(|c| Usage {
                            cpu_percent: c.cpu_percent,
                            memory_bytes: c.memory_bytes,
                        })
                })
            }
            Location::Tmux { .. } => procs.and_then(|p| p.usage(&s.pane_pids)),
        };
        if let Some(u) = u {
            map.insert(s.id.clone(), u);
        }
    }
    map
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::State;
    use crate::stats::proc_tree::ProcSampler;

    fn sessions() -> Vec<Session> {
        let mut t = Session::new(SessionId::tmux("w", "api"), State::Running);
        t.pane_pids = vec![std::process::id()];
        let mut c = Session::new(SessionId::container(Runtime::Podman, "db"), State::Running);
        c.backend_id = Some("0123456789abcdef".into());
        let stopped = Session::new(SessionId::tmux("w", "old"), State::Stopped);
        vec![t, c, stopped]
    }

    #[test]
    fn what_could_not_be_read_blanks_only_its_own_rows() {
        let all = sessions();
        let podman = [ContainerStat {
            id_prefix: "0123456789ab".into(),
            cpu_percent: Some(1.5),
            memory_bytes: Some(2048),
        }];
        // /proc could not be read: the container keeps its figures, the tmux row has none.
        let map = usage_map(&all, &HashMap::new(), Some(&podman), None, None);
        assert_eq!(map.get(&all[1].id).and_then(|u| u.memory_bytes), Some(2048));
        assert!(!map.contains_key(&all[0].id));
        // The runtime's `stats` hung or failed: the tmux row keeps its figures.
        let snap = ProcSampler::default()
            .sample()
            .expect("this machine's /proc");
        let map = usage_map(&all, &HashMap::new(), None, None, Some(&snap));
        assert!(
            map.get(&all[0].id)
                .and_then(|u| u.memory_bytes)
                .is_some_and(|m| m > 0)
        );
        assert!(!map.contains_key(&all[1].id));
        // A container whose group was read has the group's figures, not the runtime's.
        let read = Usage {
            cpu_percent: Some(7.0),
            memory_bytes: Some(4096),
        };
        let groups = HashMap::from([("0123456789abcdef".to_string(), read)]);
        let map = usage_map(&all, &groups, Some(&podman), None, None);
        assert_eq!(map.get(&all[1].id), Some(&read));
        // A session that does not run is never measured.
        assert!(!map.contains_key(&all[2].id));
    }
}
