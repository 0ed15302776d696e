//! The history of what happened since muxdeck started, told by comparing each listing
//! with the one before: sessions that appeared, ended (with their exit code), were
//! restarted, stopped, started, paused, and backends that dropped or came back; plus
//! muxdeck's own operations. Only sources that answered both times are compared, so the
//! first answer of a source (or its first after an outage) is a starting point, not a
//! flood of "appeared". A session that exits non-zero while the user looks elsewhere
//! raises a flag until the history is opened.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use crate::engine::{Health, HealthStatus, HostHealth, HostStatus, Source};
use crate::model::{Host, Session, SessionId, State};

/// Entries kept; the oldest go first.
pub const EVENTS_KEPT: usize = 1000;

/// What kind of thing happened, for its color.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    /// Something came, started or was done as asked.
    Info,
    /// Something ended of itself with a failure, or a backend dropped.
    Bad,
}

/// One thing that happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// When it was seen (Unix seconds).
    pub at: i64,
    /// What happened, one line.
    pub text: String,
    /// Its color.
    pub severity: Severity,
}

/// The history and its flag.
#[derive(Debug, Default)]
pub struct EventLog {
    /// Oldest first, at most [`EVENTS_KEPT`].
    pub entries: VecDeque<Event>,
    /// The newest non-zero exit not yet seen in the history, and how many there were.
    pub flag: Option<(String, usize)>,
    /// Exits the user should hear about (`notify:`), taken by the loop.
    pub alerts: Vec<String>,
    /// Other hosts whose sessions have been listed once: only theirs are compared (a
    /// host's first answer is a starting point too).
    known_hosts: BTreeSet<Host>,
}

fn alive_or_kept(state: State) -> bool {
    state != State::Defined
}

impl EventLog {
    /// Adds an event.
    pub fn push(&mut self, at: i64, text: String, severity: Severity) {
        if self.entries.len() >= EVENTS_KEPT {
            self.entries.pop_front();
        }
        self.entries.push_back(Event { at, text, severity });
    }

    /// The history was opened: the flag has been seen.
    pub fn seen(&mut self) {
        self.flag = None;
    }

    /// A configured host answered (or did not): tells when it drops or comes back.
    /// `was` is how its previous listing went (None before the first).
    pub fn host(&mut self, at: i64, was: Option<HostStatus>, now: &HostHealth) {
        match (was, now.status) {
            (Some(HostStatus::Ok), HostStatus::Ok) | (None, _) => {}
            (Some(HostStatus::Ok), _) => {
                let why = now.message.as_deref().unwrap_or("it does not answer");
                self.push(
                    at,
                    format!("host {} dropped: {why}", now.host),
                    Severity::Bad,
                );
            }
            (Some(_), HostStatus::Ok) => {
                self.push(at, format!("host {} came back", now.host), Severity::Info);
            }
            (Some(_), _) => {}
        }
    }

    /// Compares two consecutive listings. `watched` is the session the user has in view
    /// (its exit raises no flag: it is on screen); `hosts_ok` are the other hosts that
    /// answer now (a host that does not keeps its last rows, which are not compared).
    pub fn observe(
        &mut self,
        at: i64,
        before: (&[Session], &BTreeMap<Source, Health>),
        after: (&[Session], &BTreeMap<Source, Health>),
        watched: Option<&SessionId>,
        hosts_ok: &[Host],
    ) {
        let ok = |h: &BTreeMap<Source, Health>, s: Source| {
            matches!(h.get(&s).map(|h| &h.status), Some(HealthStatus::Ok { .. }))
        };
        let mut compared = Vec::new();
        for (source, now) in after.1 {
            let was = before.1.get(source);
            let (was_ok, is_ok) = (ok(before.1, *source), ok(after.1, *source));
            match (&now.status, was_ok) {
                (HealthStatus::Error { message }, true)
                | (HealthStatus::NotRunning { message }, true) => {
                    self.push(at, format!("{source} dropped: {message}"), Severity::Bad)
                }
                (HealthStatus::Ok { .. }, false) if was.is_some() => {
                    self.push(at, format!("{source} came back"), Severity::Info);
                }
                _ => {}
            }
            if was_ok && is_ok {
                compared.push(*source);
            }
        }
        // Sources' health is this machine's; another host's sessions are compared while the
        // host answers, from its second answer on.
        let known = self.known_hosts.clone();
        let in_compared = |id: &SessionId| {
            if id.host.is_local() {
                compared.iter().any(|s| s.owns(&id.location))
            } else {
                known.contains(&id.host) && hosts_ok.contains(&id.host)
            }
        };
        let old: BTreeMap<&SessionId, &Session> = before
            .0
            .iter()
            .filter(|s| in_compared(&s.id))
            .map(|s| (&s.id, s))
            .collect();
        let new: BTreeMap<&SessionId, &Session> = after
            .0
            .iter()
            .filter(|s| in_compared(&s.id))
            .map(|s| (&s.id, s))
            .collect();
        for (id, s) in &new {
            match old.get(id) {
                None if alive_or_kept(s.state) => {
                    self.push(at, format!("{id} appeared ({})", s.state), Severity::Info);
                }
                None => {}
                Some(o) => self.changed(at, o, s, watched),
            }
        }
        for (id, o) in &old {
            if !new.contains_key(id) && alive_or_kept(o.state) {
                self.push(at, format!("{id} ended (it is gone)"), Severity::Info);
            }
        }
        self.known_hosts.extend(hosts_ok.iter().cloned());
    }

    /// One session, listed both times.
    fn changed(&mut self, at: i64, o: &Session, s: &Session, watched: Option<&SessionId>) {
        let id = &s.id;
        let (was, now) = (o.state, s.state);
        if was == now {
            if was.is_alive() && o.backend_id != s.backend_id {
                self.push(
                    at,
                    format!("{id} restarted (a new session of that name)"),
                    Severity::Info,
                );
            }
            return;
        }
        let (text, bad) = match (was, now) {
            (State::Running, State::Paused) => (format!("{id} paused"), false),
            (State::Paused, State::Running) => (format!("{id} unpaused"), false),
            (_, State::Running) => (format!("{id} started"), false),
            (_, State::Exited(code)) => {
                let failed = code != Some(0);
                (format!("{id} {now}"), failed && code.is_some())
            }
            (_, State::Stopped) => (format!("{id} stopped"), false),
            (_, State::Defined) => (format!("{id} ended (it is gone)"), false),
            _ => (format!("{id}: {was} → {now}"), false),
        };
        if bad {
            self.alerts.push(text.clone());
            if watched != Some(id) {
                let count = self.flag.as_ref().map_or(0, |(_, n)| *n) + 1;
                self.flag = Some((text.clone(), count));
            }
        }
        let severity = if bad { Severity::Bad } else { Severity::Info };
        self.push(at, text, severity);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Runtime;

    fn health(sources: &[(Source, bool)]) -> BTreeMap<Source, Health> {
        sources
            .iter()
            .map(|(s, ok)| {
                let status = if *ok {
                    HealthStatus::Ok {
                        sessions: 0,
                        servers: None,
                    }
                } else {
                    HealthStatus::Error {
                        message: "did not answer".into(),
                    }
                };
                (
                    *s,
                    Health {
                        host: crate::model::Host::Local,
                        backend: *s,
                        status,
                    },
                )
            })
            .collect()
    }

    fn session(id: &SessionId, state: State, bid: &str) -> Session {
        let mut s = Session::new(id.clone(), state);
        s.backend_id = Some(bid.into());
        s
    }

    #[test]
    fn a_first_answer_is_a_starting_point_and_changes_after_it_are_told() {
        let pod = Source::Runtime(Runtime::Podman);
        let web = SessionId::container(Runtime::Podman, "web");
        let api = SessionId::tmux("default", "api");
        let mut log = EventLog::default();
        let none = health(&[]);
        let up = health(&[(Source::Tmux, true), (pod, true)]);
        let first = vec![
            session(&web, State::Running, "c1"),
            session(&api, State::Running, "$1"),
        ];
        log.observe(1, (&[], &none), (&first, &up), None, &[]);
        assert!(log.entries.is_empty(), "{:?}", log.entries);
        // web exits 3 while api is watched: told, flagged, alerted.
        let second = vec![
            session(&web, State::Exited(Some(3)), "c1"),
            session(&api, State::Running, "$1"),
        ];
        log.observe(2, (&first, &up), (&second, &up), Some(&api), &[]);
        assert_eq!(
            log.entries.back().map(|e| e.text.as_str()),
            Some("podman:web exited (3)")
        );
        assert_eq!(log.flag.as_ref().map(|f| f.1), Some(1));
        assert_eq!(log.alerts.len(), 1);
        // api replaced under its name; a new one appears; web is removed.
        let new = SessionId::tmux("default", "new");
        let third = vec![
            session(&api, State::Running, "$2"),
            session(&new, State::Running, "$3"),
        ];
        log.observe(3, (&second, &up), (&third, &up), Some(&api), &[]);
        let texts: Vec<&str> = log.entries.iter().map(|e| e.text.as_str()).collect();
        assert!(
            texts.contains(&"tmux:api restarted (a new session of that name)"),
            "{texts:?}"
        );
        assert!(texts.contains(&"tmux:new appeared (running)"), "{texts:?}");
        assert!(
            texts.contains(&"podman:web ended (it is gone)"),
            "{texts:?}"
        );
        // podman drops: its sessions are not "ended"; it comes back: not "appeared".
        let down = health(&[(Source::Tmux, true), (pod, false)]);
        let n = log.entries.len();
        log.observe(4, (&third, &up), (&third, &down), None, &[]);
        assert_eq!(log.entries.len(), n + 1);
        assert!(
            log.entries
                .back()
                .is_some_and(|e| e.text.starts_with("podman dropped"))
        );
        let back = vec![
            session(&web, State::Running, "c9"),
            third[0].clone(),
            third[1].clone(),
        ];
        log.observe(5, (&third, &down), (&back, &up), None, &[]);
        assert_eq!(
            log.entries.back().map(|e| e.text.as_str()),
            Some("podman came back")
        );
        // A watched session's failure is told but raises no flag; opening the history clears it.
        log.seen();
        let failed = vec![
            session(&web, State::Exited(Some(1)), "c9"),
            third[0].clone(),
            third[1].clone(),
        ];
        log.observe(6, (&back, &up), (&failed, &up), Some(&web), &[]);
        assert!(log.flag.is_none());
    }

    #[test]
    fn another_host_is_compared_from_its_second_answer_and_its_drop_is_told() {
        let web1 = Host::named("web1");
        let api = SessionId::tmux("default", "api").on(web1.clone());
        let mut log = EventLog::default();
        let none = health(&[]);
        let first = vec![session(&api, State::Running, "$1")];
        // Its first answer: a starting point.
        log.observe(
            1,
            (&[], &none),
            (&first, &none),
            None,
            std::slice::from_ref(&web1),
        );
        assert!(log.entries.is_empty(), "{:?}", log.entries);
        let exited = vec![session(&api, State::Exited(Some(2)), "$1")];
        log.observe(
            2,
            (&first, &none),
            (&exited, &none),
            None,
            std::slice::from_ref(&web1),
        );
        assert_eq!(
            log.entries.back().map(|e| e.text.as_str()),
            Some("web1/tmux:api exited (2)")
        );
        let ok = HostHealth {
            host: web1.clone(),
            status: HostStatus::Ok,
            message: None,
            latency_ms: None,
        };
        let down = HostHealth {
            status: HostStatus::Unreachable,
            message: Some("timed out".into()),
            ..ok.clone()
        };
        log.host(3, Some(HostStatus::Ok), &down);
        assert_eq!(
            log.entries.back().map(|e| e.text.as_str()),
            Some("host web1 dropped: timed out")
        );
        log.host(4, Some(HostStatus::Unreachable), &ok);
        assert_eq!(
            log.entries.back().map(|e| e.text.as_str()),
            Some("host web1 came back")
        );
    }
}
