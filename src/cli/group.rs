//! `--group NAME` of `start`, `stop`, `kill` and `restart`: a podman pod or compose project,
//! named as the list shows it, stands for its members. They become qualified NAMEs, so the
//! command acts on them through the same path as NAMEs typed one by one: all resolved
//! before any is touched, a few at a time, a line each and a summary.

use muxdeck::engine::Engine;
use muxdeck::model::{BackendKind, Group, Host, Location, Runtime, Session};

use super::CliError;

/// Why `--group NAME` names no members.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GroupError {
    /// No listed container belongs to a group of that name (exit 1, as a NAME not found).
    #[error(
        "no pod or compose project named {0:?} is listed; `muxdeck list --json` shows each container's group"
    )]
    NoSuch(String),
    /// Several groups have the name: on two runtimes, hosts, or a pod and a project (exit 2).
    #[error(
        "{name:?} names {} groups ({}); qualify it as the choices are written",
        .choices.len(),
        .choices.join(", ")
    )]
    Ambiguous {
        /// What was typed.
        name: String,
        /// Each group, written as `--group` takes it (`podman:shop`, `web1/docker:shop`).
        choices: Vec<String>,
    },
}

impl GroupError {
    /// Process exit code: 1 when nothing has the name, 2 when it must be qualified.
    pub fn exit_code(&self) -> i32 {
        match self {
            GroupError::NoSuch(_) => 1,
            GroupError::Ambiguous { .. } => 2,
        }
    }
}

/// `--group` as typed: `[HOST/][podman:|docker:]NAME`. Pod and project names hold no `/`
/// or `:` (podman and compose refuse them), so the split is exact.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Spec<'a> {
    host: Option<Host>,
    runtime: Option<Runtime>,
    name: &'a str,
}

impl<'a> Spec<'a> {
    fn parse(text: &'a str) -> Spec<'a> {
        let (host, rest) = match text.split_once('/') {
            Some((h, rest)) => (Some(Host::named(h)), rest),
            None => (None, text),
        };
        let (runtime, name) = match rest.split_once(':') {
            Some(("podman", n)) => (Some(Runtime::Podman), n),
            Some(("docker", n)) => (Some(Runtime::Docker), n),
            _ => (None, rest),
        };
        Spec {
            host,
            runtime,
            name,
        }
    }

    /// Whether `s` is a member of a group this spec names.
    fn matches(&self, s: &Session) -> bool {
        let Location::Container { runtime } = s.id.location else {
            return false;
        };
        s.group.as_ref().is_some_and(|g| g.name == self.name)
            && self.host.as_ref().is_none_or(|h| *h == s.id.host)
            && self.runtime.is_none_or(|r| r == runtime)
    }
}

/// A group as `--group` would name it alone: `podman:shop`, `web1/docker:shop`, and its
/// kind for the reader (`podman:shop (pod)`).
fn written(s: &Session, g: &Group) -> String {
    let here = format!("{}:{} ({})", s.id.location.label(), g.name, g.kind.as_str());
    match &s.id.host {
        Host::Local => here,
        Host::Remote(h) => format!("{h}/{here}"),
    }
}

/// The qualified names of the members of the groups `specs` name, each group's in list
/// order, from one listing of the containers.
pub async fn members(engine: &Engine, specs: &[String]) -> Result<Vec<String>, CliError> {
    if specs.is_empty() {
        return Ok(Vec::new());
    }
    let listing = engine.list(Some(BackendKind::Container)).await;
    let mut out = Vec::new();
    for text in specs {
        out.extend(members_in(&listing.sessions, text)?);
    }
    Ok(out)
}

/// [`members`] among `sessions`, for one `--group`.
fn members_in(sessions: &[Session], text: &str) -> Result<Vec<String>, GroupError> {
    let spec = Spec::parse(text);
    let found: Vec<&Session> = sessions.iter().filter(|s| spec.matches(s)).collect();
    let mut groups: Vec<String> = found
        .iter()
        .filter_map(|s| s.group.as_ref().map(|g| written(s, g)))
        .collect();
    groups.sort();
    groups.dedup();
    match groups.len() {
        0 => Err(GroupError::NoSuch(text.to_string())),
        1 => Ok(found.iter().map(|s| s.id.qualified()).collect()),
        _ => Err(GroupError::Ambiguous {
            name: text.to_string(),
            choices: groups
                .iter()
                .map(|g| g.split(" (").next().unwrap_or(g).to_string())
                .collect(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use muxdeck::model::{GroupKind, SessionId, State};

    fn member(runtime: Runtime, name: &str, group: (GroupKind, &str)) -> Session {
        let mut s = Session::new(SessionId::container(runtime, name), State::Running);
        s.group = Some(Group {
            kind: group.0,
            name: group.1.to_string(),
        });
        s
    }

    #[test]
    fn a_group_stands_for_its_members_and_a_shared_name_must_be_qualified() {
        let shop = (GroupKind::Compose, "shop");
        let mut remote = member(Runtime::Podman, "web", shop);
        remote.id = remote.id.clone().on(Host::Remote("web1".into()));
        let sessions = vec![
            member(Runtime::Podman, "db", shop),
            member(Runtime::Podman, "web", shop),
            member(Runtime::Podman, "redis", (GroupKind::Pod, "cache")),
            Session::new(
                SessionId::container(Runtime::Podman, "lone"),
                State::Running,
            ),
            member(Runtime::Docker, "api", shop),
            remote,
        ];
        assert_eq!(
            members_in(&sessions, "cache"),
            Ok(vec!["podman:redis".to_string()])
        );
        assert_eq!(
            members_in(&sessions, "local/podman:shop"),
            Ok(vec!["podman:db".to_string(), "podman:web".to_string()])
        );
        assert_eq!(
            members_in(&sessions, "docker:shop"),
            Ok(vec!["docker:api".to_string()])
        );
        assert_eq!(
            members_in(&sessions, "web1/shop"),
            Ok(vec!["web1/podman:web".to_string()])
        );
        let Err(e) = members_in(&sessions, "shop") else {
            panic!("shop is on three runtimes and hosts");
        };
        assert_eq!(e.exit_code(), 2);
        assert_eq!(
            e.to_string(),
            "\"shop\" names 3 groups (docker:shop, podman:shop, web1/podman:shop); qualify it as the choices are written"
        );
        // A container's own name is no group; a tmux session never is one.
        let e = members_in(&sessions, "lone").expect_err("no such group");
        assert_eq!(e.exit_code(), 1);
    }
}
