//! The grouped view of the list (`G`): the containers of one podman pod or compose project
//! under a header row that names the group and how many of its members run, the members
//! indented below it. Sessions without a group keep their place. The list's sort order
//! holds within a group, and a group comes where its first member would; the rows are made
//! afresh from every listing, so the view follows what runs.

use std::collections::{BTreeMap, BTreeSet};

use crate::model::{Group, Host, Location, Session, SessionId};
use crate::tui::rows::Row;

/// A group as the screen tells one from another: the same project name on two hosts, or
/// on podman and on docker (which may list the same containers through podman's Docker
/// API), is two groups, since an action on one must not reach the other.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct GroupKey {
    /// The machine its containers run on.
    pub host: Host,
    /// The runtime that listed them.
    pub location: Location,
    /// Pod or compose project, and its name.
    pub group: Group,
}

impl GroupKey {
    /// The group `s` belongs to; None for a tmux session or a container of no group.
    pub fn of(s: &Session) -> Option<GroupKey> {
        let group = s.group.clone()?;
        Some(GroupKey {
            host: s.id.host.clone(),
            location: s.id.location.clone(),
            group,
        })
    }

    /// How messages name it: `compose project shop` or `pod web` (on another host,
    /// `pod web on web1`).
    pub fn describe(&self) -> String {
        let kind = match self.group.kind {
            crate::model::GroupKind::Pod => "pod",
            crate::model::GroupKind::Compose => "compose project",
        };
        match &self.host {
            Host::Local => format!("{kind} {}", self.group.name),
            Host::Remote(h) => format!("{kind} {} on {h}", self.group.name),
        }
    }
}

/// A group's header row: the group and every member listed, filtered out or not, since
/// an action on the group acts on all of them.
#[derive(Debug, Clone)]
pub struct Header<'a> {
    /// Which group.
    pub key: GroupKey,
    /// Its members, in the list's order.
    pub members: Vec<&'a Session>,
}

impl Header<'_> {
    /// How many members run (paused ones count: their programs are alive).
    pub fn running(&self) -> usize {
        self.members.iter().filter(|s| s.state.is_alive()).count()
    }

    /// The header's state cell: `2 running of 3`.
    pub fn summary(&self) -> String {
        format!("{} running of {}", self.running(), self.members.len())
    }

    /// The members' ids, in the list's order.
    pub fn member_ids(&self) -> Vec<SessionId> {
        self.members.iter().map(|s| s.id.clone()).collect()
    }
}

/// Whether the list is grouped, and which header is selected.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Grouping {
    /// Groups are shown (`G` toggles; `grouped: true` in the config opens so).
    pub on: bool,
    /// The selected header, by identity. It is the selection only while no session is
    /// selected (`App::selected` is None): choosing a session row takes it over.
    pub header: Option<GroupKey>,
    /// The group the open bulk question is about, when a header asked it (marked
    /// sessions ask with None), so that the question names the group.
    pub asking: Option<GroupKey>,
}

/// A [`GroupKey`] borrowed from a session.
type KeyRef<'a> = (&'a Host, &'a Location, &'a Group);

/// The group of `s` as a borrowed key, in [`GroupKey`]'s order.
fn key_ref(s: &Session) -> Option<KeyRef<'_>> {
    Some((&s.id.host, &s.id.location, s.group.as_ref()?))
}

/// The rows of the list: `visible` (the sessions the filter passes, sorted) as they are,
/// or, when `grouped`, each group's members gathered under a header at the place of its
/// first visible member. `all` is every listed session in the same order, whose members
/// the headers count.
pub fn rows<'a>(visible: &[&'a Session], all: &'a [Session], grouped: bool) -> Vec<Row<'a>> {
    let plain = |s: &'a Session| Row::plain(s);
    if !grouped {
        return visible.iter().copied().map(plain).collect();
    }
    // Borrowed keys: the rows are made several times a frame, and only a header needs
    // its key owned.
    let mut members: BTreeMap<KeyRef, Vec<&'a Session>> = BTreeMap::new();
    for s in all {
        if let Some(key) = key_ref(s) {
            members.entry(key).or_default().push(s);
        }
    }
    let mut shown: BTreeMap<KeyRef, Vec<&'a Session>> = BTreeMap::new();
    for s in visible {
        if let Some(key) = key_ref(s) {
            shown.entry(key).or_default().push(s);
        }
    }
    let mut placed = BTreeSet::new();
    let mut out = Vec::with_capacity(visible.len() + shown.len());
    for s in visible {
        let Some(key) = key_ref(s) else {
            out.push(plain(s));
            continue;
        };
        if !placed.insert(key) {
            continue;
        }
        out.push(Row::Header(Header {
            members: members.get(&key).cloned().unwrap_or_default(),
            key: GroupKey {
                host: key.0.clone(),
                location: key.1.clone(),
                group: key.2.clone(),
            },
        }));
        for m in shown.get(&key).into_iter().flatten() {
            out.push(Row::Session {
                session: m,
                member: true,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{GroupKind, Runtime, State};

    fn container(name: &str, state: State, group: Option<(GroupKind, &str)>) -> Session {
        let mut s = Session::new(SessionId::container(Runtime::Podman, name), state);
        s.group = group.map(|(kind, n)| Group {
            kind,
            name: n.to_string(),
        });
        s
    }

    /// Each row as text: `[shop 1 running of 2]`, `  web` for a member, `api` otherwise.
    fn texts(rows: &[Row]) -> Vec<String> {
        rows.iter()
            .map(|r| match r {
                Row::Header(h) => format!("[{} {}]", h.key.group.name, h.summary()),
                Row::Session { session, member } => {
                    format!("{}{}", if *member { "  " } else { "" }, session.id.name)
                }
                other => other.label(),
            })
            .collect()
    }

    fn world() -> Vec<Session> {
        let shop = Some((GroupKind::Compose, "shop"));
        let pod = Some((GroupKind::Pod, "cache"));
        vec![
            container("a-lone", State::Running, None),
            container("b-web", State::Running, shop),
            container("c-redis", State::Exited(Some(1)), pod),
            container("d-db", State::Stopped, shop),
            container("e-lone", State::Running, None),
            container("f-warm", State::Paused, pod),
        ]
    }

    #[test]
    fn ungrouped_rows_are_the_visible_sessions_as_they_are() {
        let all = world();
        let visible: Vec<&Session> = all.iter().collect();
        let r = rows(&visible, &all, false);
        assert_eq!(
            texts(&r),
            ["a-lone", "b-web", "c-redis", "d-db", "e-lone", "f-warm"]
        );
    }

    #[test]
    fn members_gather_under_a_header_where_their_first_member_was() {
        let all = world();
        let visible: Vec<&Session> = all.iter().collect();
        let r = rows(&visible, &all, true);
        assert_eq!(
            texts(&r),
            [
                "a-lone",
                "[shop 1 running of 2]",
                "  b-web",
                "  d-db",
                // A paused member's programs are alive: it counts as running.
                "[cache 1 running of 2]",
                "  c-redis",
                "  f-warm",
                "e-lone",
            ]
        );
    }

    #[test]
    fn the_sort_order_holds_within_a_group() {
        let mut all = world();
        all.reverse();
        let visible: Vec<&Session> = all.iter().collect();
        let r = rows(&visible, &all, true);
        assert_eq!(
            texts(&r),
            [
                "[cache 1 running of 2]",
                "  f-warm",
                "  c-redis",
                "e-lone",
                "[shop 1 running of 2]",
                "  d-db",
                "  b-web",
                "a-lone",
            ]
        );
    }

    #[test]
    fn a_filtered_group_shows_its_visible_members_but_counts_and_acts_on_all() {
        let all = world();
        let visible: Vec<&Session> = all.iter().filter(|s| s.id.name != "d-db").collect();
        let r = rows(&visible, &all, true);
        assert_eq!(texts(&r)[1..3], ["[shop 1 running of 2]", "  b-web"]);
        let Row::Header(h) = &r[1] else {
            panic!("no header: {:?}", texts(&r));
        };
        assert_eq!(
            h.member_ids(),
            [
                SessionId::container(Runtime::Podman, "b-web"),
                SessionId::container(Runtime::Podman, "d-db")
            ]
        );
        // A group none of whose members passes the filter has no header.
        let visible: Vec<&Session> = all.iter().filter(|s| s.group.is_none()).collect();
        assert_eq!(texts(&rows(&visible, &all, true)), ["a-lone", "e-lone"]);
    }

    #[test]
    fn one_name_on_two_runtimes_or_hosts_is_two_groups() {
        let shop = Some((GroupKind::Compose, "shop"));
        let a = container("web", State::Running, shop);
        let mut b = container("web", State::Running, shop);
        b.id = SessionId::container(Runtime::Docker, "web");
        let mut c = container("web", State::Stopped, shop);
        c.id = c.id.clone().on(Host::Remote("web1".into()));
        let all = vec![a, b, c];
        let visible: Vec<&Session> = all.iter().collect();
        let r = rows(&visible, &all, true);
        let headers: Vec<String> = r
            .iter()
            .filter_map(|r| match r {
                Row::Header(h) => Some(format!("{} {}", h.key.describe(), h.summary())),
                _ => None,
            })
            .collect();
        assert_eq!(
            headers,
            [
                "compose project shop 1 running of 1",
                "compose project shop 1 running of 1",
                "compose project shop on web1 0 running of 1"
            ]
        );
    }
}
