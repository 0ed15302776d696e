//! The orders the session list can be shown in, shared by the TUI (`o`, `O`) and
//! `muxdeck list --sort`. Sorting is stable: sessions equal under the key keep the
//! listing's own order (backend, location, name).

use std::cmp::Ordering;

use crate::engine::UsageMap;
use crate::model::{Session, State};

/// What the list is sorted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortKey {
    /// The listing's own order: backend, location, name.
    #[default]
    Name,
    /// Backend and location first (`docker`, `podman`, `tmux`, `tmux@work`), then name.
    Backend,
    /// Running first, then paused, exited, stopped, defined, unknown.
    State,
    /// Busiest first; sessions without a figure last.
    Cpu,
    /// Largest first; sessions without a figure last.
    Memory,
    /// Newest first; sessions without a creation time last.
    Age,
}

impl SortKey {
    /// Every key, in the order `o` cycles through them.
    pub const CYCLE: [SortKey; 6] = [
        SortKey::Name,
        SortKey::Backend,
        SortKey::State,
        SortKey::Cpu,
        SortKey::Memory,
        SortKey::Age,
    ];

    /// The key after this one in [`SortKey::CYCLE`].
    pub fn next(self) -> SortKey {
        let i = Self::CYCLE.iter().position(|k| *k == self).unwrap_or(0);
        Self::CYCLE[(i + 1) % Self::CYCLE.len()]
    }

    /// Its name, as `--sort` takes it and the header shows it.
    pub fn as_str(self) -> &'static str {
        match self {
            SortKey::Name => "name",
            SortKey::Backend => "backend",
            SortKey::State => "state",
            SortKey::Cpu => "cpu",
            SortKey::Memory => "mem",
            SortKey::Age => "age",
        }
    }

    /// Whether sorting by this key needs CPU and memory figures.
    pub fn needs_usage(self) -> bool {
        matches!(self, SortKey::Cpu | SortKey::Memory)
    }
}

fn state_rank(s: State) -> u8 {
    match s {
        State::Running => 0,
        State::Paused => 1,
        State::Exited(_) => 2,
        State::Stopped => 3,
        State::Defined => 4,
        State::Unknown => 5,
    }
}

/// Known figures before unknown ones; among known ones, larger first.
fn larger_first<T: PartialOrd>(a: Option<T>, b: Option<T>) -> Ordering {
    match (a, b) {
        (Some(a), Some(b)) => b.partial_cmp(&a).unwrap_or(Ordering::Equal),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    }
}

/// How two sessions compare under `key` (before any reversal).
pub fn compare(key: SortKey, a: &Session, b: &Session, usage: &UsageMap) -> Ordering {
    let u = |s: &Session| usage.get(&s.id).copied().unwrap_or_default();
    match key {
        SortKey::Name => a.id.name.cmp(&b.id.name),
        SortKey::Backend => a.backend_label().cmp(&b.backend_label()),
        SortKey::State => state_rank(a.state).cmp(&state_rank(b.state)),
        SortKey::Cpu => larger_first(u(a).cpu_percent, u(b).cpu_percent),
        SortKey::Memory => larger_first(u(a).memory_bytes, u(b).memory_bytes),
        SortKey::Age => larger_first(a.created, b.created),
    }
}

/// A session's place under a key, computed once per session: one figure lookup per row
/// rather than two per comparison.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Rank {
    Text(String),
    /// (unknown last, then the value, smaller first).
    Number(bool, i128),
}

fn rank(key: SortKey, s: &Session, usage: &UsageMap) -> Rank {
    // Larger first: the value negated; unknown after every known one.
    let larger_first = |v: Option<i128>| match v {
        Some(v) => Rank::Number(false, -v),
        None => Rank::Number(true, 0),
    };
    let u = || usage.get(&s.id).copied().unwrap_or_default();
    match key {
        SortKey::Name => Rank::Text(s.id.name.clone()),
        SortKey::Backend => Rank::Text(s.backend_label()),
        SortKey::State => Rank::Number(false, i128::from(state_rank(s.state))),
        // Hundredths of a percent: finer than any runtime reports.
        #[allow(clippy::cast_possible_truncation)]
        SortKey::Cpu => larger_first(u().cpu_percent.map(|c| (c * 100.0).round() as i128)),
        SortKey::Memory => larger_first(u().memory_bytes.map(i128::from)),
        SortKey::Age => larger_first(s.created.map(i128::from)),
    }
}

/// Sorts `sessions` by `key` (stably), reversed when `reverse`.
pub fn sort_sessions<S: std::borrow::Borrow<Session>>(
    sessions: &mut [S],
    key: SortKey,
    reverse: bool,
    usage: &UsageMap,
) {
    if reverse {
        sessions.sort_by_cached_key(|s| std::cmp::Reverse(rank(key, s.borrow(), usage)));
    } else {
        sessions.sort_by_cached_key(|s| rank(key, s.borrow(), usage));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Runtime, SessionId};
    use crate::stats::Usage;

    fn s(name: &str, state: State, created: Option<i64>) -> Session {
        let mut s = Session::new(SessionId::tmux("default", name), state);
        s.created = created;
        s
    }

    #[test]
    fn keys_and_directions() {
        let mut v = vec![
            s("b", State::Exited(Some(1)), Some(10)),
            s("a", State::Running, Some(30)),
            s("c", State::Running, None),
        ];
        let mut usage = UsageMap::new();
        usage.insert(
            v[0].id.clone(),
            Usage {
                cpu_percent: Some(1.0),
                memory_bytes: Some(500),
            },
        );
        usage.insert(
            v[1].id.clone(),
            Usage {
                cpu_percent: Some(9.0),
                memory_bytes: Some(100),
            },
        );
        let names = |v: &[Session]| v.iter().map(|s| s.id.name.as_str()).collect::<String>();
        sort_sessions(&mut v, SortKey::Name, false, &usage);
        assert_eq!(names(&v), "abc");
        sort_sessions(&mut v, SortKey::Memory, false, &usage);
        assert_eq!(names(&v), "bac", "largest first, unknown last");
        sort_sessions(&mut v, SortKey::Cpu, false, &usage);
        assert_eq!(names(&v), "abc", "busiest first");
        sort_sessions(&mut v, SortKey::Age, false, &usage);
        assert_eq!(names(&v), "abc", "newest first");
        sort_sessions(&mut v, SortKey::State, true, &usage);
        assert_eq!(
            names(&v),
            "bac",
            "reversed: exited before running (a, c stay in order reversed)"
        );
        let p = Session::new(SessionId::container(Runtime::Podman, "z"), State::Running);
        let mut w = vec![v[0].clone(), p];
        sort_sessions(&mut w, SortKey::Backend, false, &usage);
        assert_eq!(
            w[0].id.name, "z",
            "by the backend column: podman before tmux"
        );
        assert_eq!(SortKey::Age.next(), SortKey::Name);
    }
}
