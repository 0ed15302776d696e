//! Names as people type them: `NAME`, `tmux:NAME`, `tmux@SOCKET:NAME`, `podman:NAME`,
//! `docker:NAME`, `container:NAME`, each optionally after `HOST/`. A name matches exactly
//! or not at all.

use super::{Engine, EngineError, Health, HealthStatus, HostHealth, HostStatus, Listing, Source};
use crate::config::BackendName;
use crate::model::{BackendKind, Host, Location, Runtime, Session};

/// A parsed NAME argument.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    /// Only this machine, when `HOST/` leads the NAME.
    pub host: Option<Host>,
    /// Only this kind, when qualified.
    pub kind: Option<BackendKind>,
    /// Only this tmux socket.
    pub socket: Option<String>,
    /// Only this runtime.
    pub runtime: Option<Runtime>,
    /// The session name, exact.
    pub name: String,
}

/// Splits a qualifier off a NAME. Anything that does not start with a known qualifier is a
/// bare name, colons and all.
pub fn parse_query(text: &str) -> Query {
    let bare = Query {
        host: None,
        kind: None,
        socket: None,
        runtime: None,
        name: text.to_string(),
    };
    let Some((head, name)) = text.split_once(':') else {
        return bare;
    };
    let name = name.to_string();
    match head {
        "tmux" => Query {
            kind: Some(BackendKind::Tmux),
            name,
            ..bare
        },
        "podman" | "docker" => Query {
            kind: Some(BackendKind::Container),
            runtime: Some(if head == "podman" {
                Runtime::Podman
            } else {
                Runtime::Docker
            }),
            name,
            ..bare
        },
        "container" => Query {
            kind: Some(BackendKind::Container),
            name,
            ..bare
        },
        // tmux never lets a session name hold a `:` (it turns it into `_`), while a socket
        // name may: the name is what follows the last colon.
        _ => match text
            .strip_prefix("tmux@")
            .and_then(|rest| rest.rsplit_once(':'))
        {
            Some((socket, name)) if !socket.is_empty() => Query {
                kind: Some(BackendKind::Tmux),
                socket: Some(socket.to_string()),
                name: name.to_string(),
                ..bare
            },
            _ => bare,
        },
    }
}

impl Query {
    /// Whether a session matches.
    pub fn matches(&self, s: &Session) -> bool {
        if s.id.name != self.name {
            return false;
        }
        if self.host.as_ref().is_some_and(|h| *h != s.id.host) {
            return false;
        }
        if self.kind.is_some_and(|k| k != s.id.location.kind()) {
            return false;
        }
        match &s.id.location {
            Location::Tmux { socket } => self.socket.as_ref().is_none_or(|q| q == socket),
            Location::Container { runtime } => self.runtime.is_none_or(|q| q == *runtime),
        }
    }
}

/// Why nothing answers to a NAME: a backend that could hold it failed (the session may be
/// there), the runtime the NAME asks for has no daemon, or there is simply no such session.
/// A runtime without a daemon that the NAME does not ask for holds nothing, and is not
/// mentioned.
fn not_found(q: &Query, text: &str, health: &[Health], hosts: &[HostHealth]) -> EngineError {
    if let Some(h) = hosts.iter().find(|h| h.status != HostStatus::Ok) {
        return EngineError::HostUnanswered {
            query: text.to_string(),
            message: h
                .message
                .clone()
                .unwrap_or_else(|| format!("host {} did not answer", h.host)),
        };
    }
    let could_hold = |h: &Health| q.runtime.is_none_or(|r| h.backend == Source::Runtime(r));
    for h in health.iter().filter(|h| could_hold(h)) {
        match &h.status {
            HealthStatus::Error { message } => {
                return EngineError::Unanswered {
                    query: text.to_string(),
                    backend: h.backend,
                    message: message.clone(),
                };
            }
            HealthStatus::NotRunning { message } if q.runtime.is_some() => {
                return EngineError::NoDaemon {
                    query: text.to_string(),
                    backend: h.backend,
                    message: message.clone(),
                };
            }
            _ => {}
        }
    }
    EngineError::NotFound {
        query: text.to_string(),
    }
}

impl Engine {
    /// Parses a NAME, with its `HOST/` when the part before the first `/` is `local` or a
    /// host of the config (a tmux session may have a `/` in its name: without a known
    /// host before it, the `/` is part of the name).
    pub fn parse_name(&self, text: &str) -> Query {
        if let Some((head, rest)) = text.split_once('/')
            && let Some(m) = self.machines().iter().find(|m| m.host.as_str() == head)
        {
            let mut q = parse_query(rest);
            q.host = Some(m.host.clone());
            return q;
        }
        parse_query(text)
    }

    /// Refuses a NAME that asks for a backend `backends:` leaves out: it would be looked
    /// for nowhere, and "not found" would hide why.
    fn check_backend_on(&self, q: &Query, text: &str) -> Result<(), EngineError> {
        let backends = &self.config.backends;
        let off = |backend| {
            Err(EngineError::BackendOff {
                query: text.to_string(),
                backend,
            })
        };
        match (q.kind, q.runtime) {
            (_, Some(rt)) if !backends.uses(Source::Runtime(rt).backend_name()) => off(rt.as_str()),
            (Some(BackendKind::Tmux), _) if !backends.uses(BackendName::Tmux) => off("tmux"),
            (Some(BackendKind::Container), None)
                if !backends.uses(BackendName::Podman) && !backends.uses(BackendName::Docker) =>
            {
                off("every container runtime")
            }
            _ => Ok(()),
        }
    }

    /// The one session a NAME means, freshly listed.
    pub async fn resolve(&self, text: &str) -> Result<Session, EngineError> {
        let q = self.query(text)?;
        // A NAME with its host asks that host only: one down host does not slow it.
        let listing = self
            .list_on(q.kind, q.host.as_ref().map(std::slice::from_ref))
            .await;
        pick(&q, text, &listing)
    }

    /// The session each of `texts` means, in their order, as [`resolve`](Self::resolve)
    /// finds it, but all in one listing: `logs a b c …` with fifty names asked every
    /// backend fifty times before printing a line. The first NAME that does not resolve is
    /// the error.
    pub async fn resolve_each(&self, texts: &[String]) -> Result<Vec<Session>, EngineError> {
        let listing = self.list(None).await;
        texts
            .iter()
            .map(|text| self.query(text).and_then(|q| pick(&q, text, &listing)))
            .collect()
    }

    /// The sessions several NAMEs mean, all looked up in one fresh listing before anything
    /// is done with any of them. A session named twice (`api tmux:api`) is there once. When
    /// any NAME does not resolve (no such session, several, a backend left out), nothing is
    /// returned: [`EngineError::Unresolved`] lists every such NAME and why.
    pub async fn resolve_many(&self, texts: &[String]) -> Result<Vec<Session>, EngineError> {
        let listing = self.list(None).await;
        let mut found: Vec<Session> = Vec::new();
        let mut problems = Vec::new();
        for text in texts {
            let picked = self.query(text).and_then(|q| pick(&q, text, &listing));
            match picked {
                Ok(s) if found.iter().any(|f| f.id == s.id) => {}
                Ok(s) => found.push(s),
                Err(e) => problems.push(e.to_string()),
            }
        }
        if problems.is_empty() {
            Ok(found)
        } else {
            Err(EngineError::Unresolved {
                of: texts.len(),
                problems,
            })
        }
    }

    /// A NAME parsed (with its host) and checked against `backends:`.
    fn query(&self, text: &str) -> Result<Query, EngineError> {
        let q = self.parse_name(text);
        if q.name.is_empty() {
            return Err(EngineError::Invalid(format!(
                "{text:?} names no session: give NAME or BACKEND:NAME"
            )));
        }
        self.check_backend_on(&q, text)?;
        Ok(q)
    }
}

/// The one session of `listing` that `q` (typed as `text`) means.
fn pick(q: &Query, text: &str, listing: &Listing) -> Result<Session, EngineError> {
    let mut found: Vec<&Session> = listing.sessions.iter().filter(|s| q.matches(s)).collect();
    match found.len() {
        0 => Err(not_found(q, text, &listing.health, &listing.hosts)),
        1 => Ok(found.remove(0).clone()),
        // `tmux:NAME` matches every socket, yet it is also the qualified form of the
        // default socket's session: every name the ambiguity error lists must resolve.
        _ => match found.iter().find(|s| s.id.qualified() == text) {
            Some(s) => Ok((*s).clone()),
            None => Err(EngineError::Ambiguous {
                query: text.to_string(),
                choices: found.iter().map(|s| s.id.qualified()).collect(),
            }),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn qualifiers() {
        let q = parse_query("tmux@work:api");
        assert_eq!(q.kind, Some(BackendKind::Tmux));
        assert_eq!(q.socket.as_deref(), Some("work"));
        assert_eq!(q.name, "api");
        assert_eq!(parse_query("docker:x").runtime, Some(Runtime::Docker));
        assert_eq!(parse_query("container:x").runtime, None);
        assert_eq!(
            parse_query("container:x").kind,
            Some(BackendKind::Container)
        );
        let bare = parse_query("weird:name");
        assert_eq!(bare.kind, None);
        assert_eq!(bare.name, "weird:name");
        assert_eq!(parse_query("tmux@:x").name, "tmux@:x");
    }

    #[test]
    fn every_qualified_name_parses_back_to_its_session() {
        use crate::model::SessionId;
        let sockets = [
            "default",
            "work",
            "a:b",
            "a:b:c",
            "x@y",
            "with space",
            ":lead",
            "tail:",
        ];
        let names = [
            "s1",
            "$0",
            "=x",
            "@1",
            "has space",
            "-dash",
            "ünï",
            "a@b",
            "tmux@x",
        ];
        for socket in sockets {
            for name in names {
                let id = SessionId::tmux(socket, name);
                let q = parse_query(&id.qualified());
                assert_eq!(q.kind, Some(BackendKind::Tmux), "{id}");
                assert_eq!(q.name, name, "{id}");
                assert_eq!(q.socket.as_deref().unwrap_or("default"), socket, "{id}");
            }
        }
        for name in names {
            for rt in [Runtime::Podman, Runtime::Docker] {
                let id = SessionId::container(rt, name);
                let q = parse_query(&id.qualified());
                assert_eq!((q.runtime, q.name.as_str()), (Some(rt), name), "{id}");
            }
        }
    }
}
