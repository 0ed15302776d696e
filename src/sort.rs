//! The orders the session list can be shown in, shared by the TUI (`o`, `O`) and
//! `muxdeck list --sort`. Sessions equal under the key keep the listing's own order
//! (backend, location, name).

use crate::engine::UsageMap;
use crate::model::{Session, SessionId, State};

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

/// A session's place under a key, computed once per session and borrowed from it: one
/// figure lookup per row rather than two per comparison, and no allocation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Rank<'a> {
    Text(&'a str),
    /// The backend label in its two parts ([`Session::backend_label_parts`]).
    Backend(&'static str, &'a str),
    /// (unknown last, then the value, smaller first).
    Number(bool, i128),
}

fn rank<'a>(key: SortKey, s: &'a Session, usage: &UsageMap) -> Rank<'a> {
    // Larger first: the value negated; unknown after every known one.
    let larger_first = |v: Option<i128>| match v {
        Some(v) => Rank::Number(false, -v),
        None => Rank::Number(true, 0),
    };
    let u = || usage.get(&s.id).copied().unwrap_or_default();
    match key {
        SortKey::Name => Rank::Text(&s.id.name),
        SortKey::Backend => {
            let (kind, socket) = s.backend_label_parts();
            Rank::Backend(kind, socket)
        }
        SortKey::State => Rank::Number(false, i128::from(state_rank(s.state))),
        // Hundredths of a percent: finer than any runtime reports.
        #[allow(clippy::cast_possible_truncation)]
        SortKey::Cpu => larger_first(u().cpu_percent.map(|c| (c * 100.0).round() as i128)),
        SortKey::Memory => larger_first(u().memory_bytes.map(i128::from)),
        SortKey::Age => larger_first(s.created.map(i128::from)),
    }
}

/// Sorts `sessions` by `key`, reversed when `reverse`. Sessions equal under the key keep
/// the listing's own order (by identity) in either direction, as a stable sort of a
/// listing would.
pub fn sort_sessions<S: std::borrow::Borrow<Session>>(
    sessions: &mut [S],
    key: SortKey,
    reverse: bool,
    usage: &UsageMap,
) {
    // The keys are borrowed from the rows, so the order is found on indices first and the
    // rows are moved after.
    let mut order: Vec<(Rank<'_>, &SessionId, usize)> = sessions
        .iter()
        .enumerate()
        .map(|(i, s)| (rank(key, s.borrow(), usage), &s.borrow().id, i))
        .collect();
    order.sort_unstable_by(|a, b| {
        let by_key = a.0.cmp(&b.0);
        let by_key = if reverse { by_key.reverse() } else { by_key };
        by_key.then_with(|| a.1.cmp(b.1)).then(a.2.cmp(&b.2))
    });
    let from: Vec<usize> = order.into_iter().map(|(_, _, i)| i).collect();
    permute(sessions, from);
}

/// Reorders `items` in place so that position `k` holds what was at `from[k]`, following
/// each cycle of the permutation once.
fn permute<T>(items: &mut [T], mut from: Vec<usize>) {
    for start in 0..items.len() {
        // In place, or placed by an earlier cycle.
        if from[start] == start {
            continue;
        }
        // What was at `start` travels along the cycle until its own place comes up.
        let mut at = start;
        loop {
            let src = from[at];
            from[at] = at;
            if src == start {
                break;
            }
            items.swap(at, src);
            at = src;
        }
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

    #[test]
    fn ties_keep_the_order_by_identity_in_either_direction() {
        // Listed out of identity order; all running, so every pair ties under State.
        let mut v: Vec<Session> = ["d", "b", "e", "a", "c"]
            .iter()
            .map(|n| s(n, State::Running, None))
            .collect();
        v.push(s("x", State::Exited(Some(1)), None));
        let names = |v: &[Session]| v.iter().map(|s| s.id.name.as_str()).collect::<String>();
        let usage = UsageMap::new();
        sort_sessions(&mut v, SortKey::State, false, &usage);
        assert_eq!(names(&v), "abcdex");
        sort_sessions(&mut v, SortKey::State, true, &usage);
        assert_eq!(names(&v), "xabcde", "reversed: the ties are not");
    }

    #[test]
    fn permute_puts_every_item_where_it_is_asked() {
        let items: Vec<u32> = (0..50).collect();
        // A long cycle (0..20), five swaps (20..30), and items left in place (30..50).
        let from: Vec<usize> = (0..50)
            .map(|k| match k {
                0..20 => (k * 7 + 3) % 20,
                20..30 => k ^ 1,
                _ => k,
            })
            .collect();
        let mut moved = items.clone();
        permute(&mut moved, from.clone());
        for (k, f) in from.iter().enumerate() {
            assert_eq!(moved[k], items[*f]);
        }
        let mut same = items.clone();
        permute(&mut same, (0..50).collect());
        assert_eq!(same, items);
    }
}
