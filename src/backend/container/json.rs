//! The JSON podman and docker print for `ps -a` and `container inspect`, as typed records.
//! One record serves both runtimes: the field names that differ are serde aliases, and the
//! fields one of them leaves out are optional.

use serde::Deserialize;

use std::collections::BTreeMap;

use super::details::PROJECT_LABELS;
use crate::model::{Group, GroupKind, Runtime, Session, SessionId, State};

/// One container of `ps -a --format json`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct PsItem {
    /// Podman spells it `Id`, docker `ID`.
    #[serde(alias = "ID")]
    id: Option<String>,
    names: Option<Names>,
    #[serde(default)]
    state: String,
    /// Podman only; docker says it in `Status` (`Exited (3) 4 minutes ago`).
    exit_code: Option<i64>,
    status: Option<String>,
    /// Podman only; 0 when the container is not running.
    pid: Option<u64>,
    /// Podman: Unix seconds. Docker has no such field.
    created: Option<i64>,
    /// Docker: `2026-11-25 03:37:10 +0000 UTC`; podman: words (`5 minutes ago`).
    created_at: Option<String>,
    image: Option<String>,
    /// Podman only: Unix seconds, 0 while the container never exited.
    exited_at: Option<i64>,
    ports: Option<Ports>,
    /// Podman only: the pod's full id, empty outside a pod.
    pod: Option<String>,
    /// Podman only, and only with `ps --pod`: the pod's name.
    pod_name: Option<String>,
    labels: Option<Labels>,
}

/// Podman gives labels as an object (`null` without any); docker as one line of
/// `key=value` pairs joined by commas.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Labels {
    Map(BTreeMap<String, String>),
    Text(String),
}

impl Labels {
    /// The compose project a label names, by the first of [`PROJECT_LABELS`] that is set.
    fn project(&self) -> Option<String> {
        let value = |key: &str| match self {
            Labels::Map(m) => m.get(key).cloned(),
            // Compose project names hold no comma (`[a-z0-9_-]`), so the split is exact
            // for the labels read here.
            Labels::Text(t) => t
                .split(',')
                .filter_map(|kv| kv.split_once('='))
                .find(|(k, _)| *k == key)
                .map(|(_, v)| v.to_string()),
        };
        PROJECT_LABELS
            .iter()
            .find_map(|k| value(k).filter(|v| !v.is_empty()))
    }
}

/// A pod id is shown as the runtime's short ids are, when the listing gave no name.
const SHORT_ID: usize = 12;

/// The group of a container: its compose project when a label names one (podman-compose
/// also puts the project's containers in a pod named after it, and the project is the
/// name the user wrote), else its podman pod.
fn group_of(labels: Option<&Labels>, pod: Option<&str>, pod_name: Option<&str>) -> Option<Group> {
    if let Some(name) = labels.and_then(Labels::project) {
        return Some(Group {
            kind: GroupKind::Compose,
            name,
        });
    }
    let pod = pod.filter(|p| !p.is_empty())?;
    let name = pod_name
        .filter(|n| !n.is_empty())
        .map_or_else(|| pod.chars().take(SHORT_ID).collect(), str::to_string);
    Some(Group {
        kind: GroupKind::Pod,
        name,
    })
}

/// Podman lists every name; docker joins them with commas.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Names {
    List(Vec<String>),
    Joined(String),
}

/// Podman gives port objects; docker gives them as one line of text.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Ports {
    Mappings(Vec<PortMapping>),
    Text(String),
}

/// One of podman's port objects.
#[derive(Debug, Deserialize)]
struct PortMapping {
    container_port: u64,
    host_port: Option<u64>,
    protocol: Option<String>,
}

/// One container of `container inspect --format json`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct Inspect {
    /// Podman: `NAME`; docker: `/NAME`.
    name: Option<String>,
    id: Option<String>,
    #[serde(default)]
    state: InspectState,
    /// Podman only; docker has the image in `Config.Image`.
    image_name: Option<String>,
    #[serde(default)]
    config: InspectConfig,
}

/// `State` of `inspect`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct InspectState {
    #[serde(default)]
    status: String,
    exit_code: Option<i64>,
    pid: Option<u64>,
    /// RFC 3339; the year 1 while the container never exited.
    finished_at: Option<String>,
}

/// `Config` of `inspect`: what attach needs to know.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct InspectConfig {
    #[serde(default)]
    tty: bool,
    #[serde(default)]
    open_stdin: bool,
    image: Option<String>,
}

impl Inspect {
    /// Whether the container was created with a TTY (`-t`) and an open stdin (`-i`).
    pub(super) fn has_terminal(&self) -> bool {
        self.config.tty && self.config.open_stdin
    }

    /// The container as a session; None without a name.
    pub(super) fn into_session(self, runtime: Runtime) -> Option<Session> {
        let name = self.name?;
        let name = name.strip_prefix('/').unwrap_or(&name);
        let st = self.state;
        let code = st.exit_code.and_then(|v| i32::try_from(v).ok());
        let mut s = Session::new(
            SessionId::container(runtime, name),
            container_state(&st.status, code),
        );
        s.pid = live_pid(st.pid);
        s.finished = st.finished_at.as_deref().and_then(parse_rfc3339);
        s.image = self.image_name.or(self.config.image);
        s.backend_id = self.id;
        Some(s)
    }
}

/// Parses `inspect`'s array and returns its first container.
pub(super) fn parse_inspect(bytes: &[u8]) -> Result<Option<Inspect>, serde_json::Error> {
    let all: Vec<Inspect> = serde_json::from_slice(bytes)?;
    Ok(all.into_iter().next())
}

/// Parses `ps -a --format json`: podman prints one JSON array, docker one object a line.
pub fn parse_ps(text: &str, runtime: Runtime) -> Result<Vec<Session>, String> {
    let trimmed = text.trim();
    let items: Vec<PsItem> = if trimmed.is_empty() {
        Vec::new()
    } else if trimmed.starts_with('[') {
        serde_json::from_str(trimmed).map_err(|e| e.to_string())?
    } else {
        trimmed
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(serde_json::from_str)
            .collect::<Result<_, _>>()
            .map_err(|e| e.to_string())?
    };
    Ok(items
        .into_iter()
        .filter_map(|c| c.into_session(runtime))
        .collect())
}

impl PsItem {
    /// The container as a session; None without a name.
    fn into_session(self, runtime: Runtime) -> Option<Session> {
        let name = match self.names? {
            Names::List(l) => l.into_iter().next()?,
            Names::Joined(j) => j.split(',').next()?.to_string(),
        };
        let exit_code = self
            .exit_code
            .and_then(|v| i32::try_from(v).ok())
            .or_else(|| self.status.as_deref().and_then(docker_exit_code));
        let mut s = Session::new(
            SessionId::container(runtime, name),
            container_state(&self.state, exit_code),
        );
        s.pid = live_pid(self.pid);
        s.created = self
            .created
            .or_else(|| self.created_at.as_deref().and_then(parse_docker_time));
        s.image = self.image;
        s.finished = self.exited_at.filter(|t| *t > 0);
        s.ports = self.ports.map(Ports::into_strings).unwrap_or_default();
        s.group = group_of(
            self.labels.as_ref(),
            self.pod.as_deref(),
            self.pod_name.as_deref(),
        );
        s.backend_id = self.id;
        Some(s)
    }
}

impl Ports {
    /// Ports as `host:container/proto` strings (docker's text as it is).
    fn into_strings(self) -> Vec<String> {
        match self {
            Ports::Mappings(m) => m
                .into_iter()
                .map(|p| {
                    let proto = p.protocol.as_deref().unwrap_or("tcp");
                    match p.host_port {
                        Some(h) if h > 0 => format!("{h}:{}/{proto}", p.container_port),
                        _ => format!("{}/{proto}", p.container_port),
                    }
                })
                .collect(),
            Ports::Text(t) if !t.is_empty() => t.split(", ").map(str::to_string).collect(),
            Ports::Text(_) => Vec::new(),
        }
    }
}

/// A runtime says pid 0 for a container that is not running.
fn live_pid(pid: Option<u64>) -> Option<u32> {
    pid.and_then(|p| u32::try_from(p).ok()).filter(|p| *p > 0)
}

/// Maps a runtime's state word to a [`State`].
pub fn container_state(word: &str, exit_code: Option<i32>) -> State {
    match word.to_ascii_lowercase().as_str() {
        "running" | "restarting" | "stopping" => State::Running,
        "exited" => State::Exited(exit_code),
        "created" | "configured" | "initialized" | "stopped" => State::Stopped,
        "paused" => State::Paused,
        _ => State::Unknown,
    }
}

/// `Exited (137) 5 minutes ago` → 137.
fn docker_exit_code(status: &str) -> Option<i32> {
    let rest = status.strip_prefix("Exited (")?;
    rest.split(')').next()?.parse().ok()
}

/// `2026-11-25 03:37:10 +0000 UTC` → Unix seconds. The zone's abbreviation is left out:
/// the offset before it already says where the time is.
fn parse_docker_time(s: &str) -> Option<i64> {
    let without_zone: Vec<&str> = s.split_whitespace().take(3).collect();
    let tm = jiff::fmt::strtime::parse("%Y-%m-%d %H:%M:%S%.f %z", without_zone.join(" ")).ok()?;
    Some(tm.to_timestamp().ok()?.as_second())
}

/// `2026-11-29T19:23:30.848446622Z` → Unix seconds; None for the zero time (year 1) a
/// runtime prints for a container that never exited.
pub(super) fn parse_rfc3339(s: &str) -> Option<i64> {
    let t: jiff::Timestamp = s.parse().ok()?;
    Some(t.as_second()).filter(|t| *t > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    // Captured from podman 4.3.1 `ps -a --format json` (trimmed to the fields muxdeck reads).
    const PODMAN_PS: &str = r#"[
  {"AutoRemove":false,"Command":["sh"],"Created":1764041830,"CreatedAt":"5 minutes ago",
   "Exited":true,"ExitedAt":1764041900,"ExitCode":3,"Id":"0123456789abcdef0123","Image":"localhost/muxdeck-test/busybox:latest",
   "Names":["worker"],"Pid":0,"Ports":null,"State":"exited","Status":"Exited (3) 4 minutes ago"},
  {"Created":1764041850,"ExitCode":0,"Id":"fedcba9876543210","Image":"localhost/acme/api:1.4",
   "Names":["api-prod"],"Pid":31337,"Ports":[{"host_ip":"","container_port":8080,"host_port":8080,"range":1,"protocol":"tcp"}],
   "State":"running"},
  {"Created":1764041860,"ExitCode":0,"Id":"aaaa","Image":"x","Names":["fresh"],"Pid":0,"State":"created"},
  {"Created":1764041870,"ExitCode":0,"Id":"bbbb","Image":"x","Names":["frozen"],"Pid":77,"State":"paused"}
]"#;

    // Captured from docker 28.2 `ps -a --format json` against podman's Docker API.
    const DOCKER_PS: &str = r#"{"Command":"\"sh\"","CreatedAt":"2026-11-25 03:37:10 +0000 UTC","ID":"0123456789ab","Image":"localhost/muxdeck-test/busybox:latest","Names":"worker","Ports":"","State":"exited","Status":"Exited (3) 4 minutes ago"}
{"Command":"\"/app/api\"","CreatedAt":"2026-11-25 03:40:00 +0100 CET","ID":"fedcba987654","Image":"localhost/acme/api:1.4","Names":"api-prod","Ports":"0.0.0.0:8080->8080/tcp","State":"running","Status":"Up 2 minutes"}
"#;

    // Captured from podman 4.3.1 `container inspect --format json` of `sh -c 'exit 3'`
    // (trimmed to the fields muxdeck reads and a few beside them).
    const PODMAN_INSPECT: &str = r#"[{"Id": "fb54ea2acef5ddf83b35fe30dca098d18fd26b3c414e073b0684169d46291c83", "Created": "2026-11-29T19:23:30.490471878Z", "Name": "mdx-fixture-11792", "ImageName": "localhost/muxdeck-test/busybox:latest", "State": {"Status": "exited", "Running": false, "Paused": false, "ExitCode": 3, "Pid": 0, "StartedAt": "2026-11-29T19:23:30.83586634Z", "FinishedAt": "2026-11-29T19:23:30.848446622Z"}, "Config": {"Tty": false, "OpenStdin": false, "Image": "localhost/muxdeck-test/busybox:latest"}}]"#;

    // Captured from docker 28.2.2 `container inspect --format json` against podman's Docker
    // API, of a container run with -i -t (trimmed the same way).
    const DOCKER_INSPECT: &str = r#"[{"Id": "32e1d4fb60f51f20c69e59624be59580037328cef61736e6ade37b4a467f1e47", "Created": "2026-11-29T19:23:37.42556956Z", "Name": "/mdx-fixture-d11792", "State": {"Status": "exited", "Running": false, "Paused": false, "ExitCode": 3, "Pid": 0, "StartedAt": "2026-11-29T19:23:37.71311275Z", "FinishedAt": "2026-11-29T19:23:38.724446796Z"}, "Config": {"Tty": true, "OpenStdin": true, "Image": "localhost/muxdeck-test/busybox:latest"}}]"#;

    #[test]
    fn podman_ps() {
        let s = parse_ps(PODMAN_PS, Runtime::Podman).expect("parses");
        assert_eq!(s.len(), 4);
        assert_eq!(s[0].id, SessionId::container(Runtime::Podman, "worker"));
        assert_eq!(s[0].state, State::Exited(Some(3)));
        assert_eq!(s[0].pid, None);
        assert_eq!(s[0].backend_id.as_deref(), Some("0123456789abcdef0123"));
        assert_eq!(s[0].finished, Some(1_764_041_900));
        assert_eq!(s[1].finished, None);
        assert_eq!(s[1].state, State::Running);
        assert_eq!(s[1].pid, Some(31337));
        assert_eq!(s[1].ports, vec!["8080:8080/tcp".to_string()]);
        assert_eq!(s[1].created, Some(1_764_041_850));
        assert_eq!(s[2].state, State::Stopped);
        assert_eq!(s[3].state, State::Paused);
    }

    #[test]
    fn docker_ps() {
        let s = parse_ps(DOCKER_PS, Runtime::Docker).expect("parses");
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].state, State::Exited(Some(3)));
        assert_eq!(s[0].created, Some(1_795_577_830));
        assert_eq!(s[1].state, State::Running);
        assert_eq!(s[1].created, Some(1_795_574_400));
        assert_eq!(s[1].ports, vec!["0.0.0.0:8080->8080/tcp".to_string()]);
    }

    #[test]
    fn podman_inspect() {
        let c = parse_inspect(PODMAN_INSPECT.as_bytes())
            .expect("parses")
            .expect("one container");
        assert!(!c.has_terminal());
        let s = c.into_session(Runtime::Podman).expect("named");
        assert_eq!(
            s.id,
            SessionId::container(Runtime::Podman, "mdx-fixture-11792")
        );
        assert_eq!(s.state, State::Exited(Some(3)));
        assert_eq!(s.pid, None);
        assert_eq!(s.finished, Some(1_795_980_210));
        assert_eq!(
            s.image.as_deref(),
            Some("localhost/muxdeck-test/busybox:latest")
        );
        assert_eq!(
            s.backend_id.as_deref(),
            Some("fb54ea2acef5ddf83b35fe30dca098d18fd26b3c414e073b0684169d46291c83")
        );
    }

    #[test]
    fn docker_inspect() {
        let c = parse_inspect(DOCKER_INSPECT.as_bytes())
            .expect("parses")
            .expect("one container");
        assert!(c.has_terminal());
        let s = c.into_session(Runtime::Docker).expect("named");
        // Docker prints the name as `/NAME`.
        assert_eq!(
            s.id,
            SessionId::container(Runtime::Docker, "mdx-fixture-d11792")
        );
        assert_eq!(s.state, State::Exited(Some(3)));
        assert_eq!(s.finished, Some(1_795_980_218));
        assert_eq!(
            s.image.as_deref(),
            Some("localhost/muxdeck-test/busybox:latest")
        );
        assert_eq!(
            s.backend_id.as_deref(),
            Some("32e1d4fb60f51f20c69e59624be59580037328cef61736e6ade37b4a467f1e47")
        );
    }

    #[test]
    fn inspect_of_nothing_and_zero_times() {
        assert!(parse_inspect(b"[]").expect("parses").is_none());
        assert!(parse_inspect(b"{not json").is_err());
        assert_eq!(parse_rfc3339("0001-01-01T00:00:00Z"), None);
        assert_eq!(
            parse_docker_time("2026-11-25 03:37:10.5 +0000 UTC"),
            Some(1_795_577_830)
        );
    }

    // Captured from podman 4.3.1 `ps -a --pod --no-trunc --format json`: a pod's infra
    // container and a member, a container with docker compose labels, one with
    // podman-compose's label (created, never started).
    const PODMAN_PS_GROUPS: &str =
        include_str!("../../../tests/fixtures/captured/podman-ps-groups.json");

    // Captured from docker 28.2.2 `ps -a --no-trunc --format json` against podman's Docker
    // API, of the same containers and one more with compose labels (docker has no pods).
    const DOCKER_PS_GROUPS: &str =
        include_str!("../../../tests/fixtures/captured/docker-ps-groups.json");

    fn groups(sessions: &[Session]) -> Vec<(String, Option<(GroupKind, String)>)> {
        sessions
            .iter()
            .map(|s| {
                let g = s.group.as_ref().map(|g| (g.kind, g.name.clone()));
                (s.id.name.clone(), g)
            })
            .collect()
    }

    #[test]
    fn podman_ps_reads_pods_and_compose_projects() {
        let s = parse_ps(PODMAN_PS_GROUPS, Runtime::Podman).expect("parses");
        let pod = Some((GroupKind::Pod, "mxg-cap8970-pod".to_string()));
        assert_eq!(
            groups(&s),
            vec![
                ("105927d9a00b-infra".into(), pod.clone()),
                ("mxg-cap8970-inpod".into(), pod),
                (
                    "mxg-cap8970-web".into(),
                    Some((GroupKind::Compose, "mxg-cap8970-shop".into()))
                ),
                (
                    "mxg-cap8970-pcdb".into(),
                    Some((GroupKind::Compose, "mxg-cap8970-pc".into()))
                ),
            ]
        );
        // Without `--pod` podman leaves the name empty: the pod's short id stands in.
        let no_name =
            PODMAN_PS_GROUPS.replace("\"PodName\": \"mxg-cap8970-pod\"", "\"PodName\": \"\"");
        let s = parse_ps(&no_name, Runtime::Podman).expect("parses");
        assert_eq!(
            s[1].group.as_ref().map(|g| g.name.as_str()),
            Some("105927d9a00b")
        );
    }

    #[test]
    fn docker_ps_reads_compose_projects_from_label_text() {
        let s = parse_ps(DOCKER_PS_GROUPS, Runtime::Docker).expect("parses");
        assert_eq!(
            groups(&s),
            vec![
                ("mxg-cap8970-inpod".into(), None),
                (
                    "mxg-cap8970-dkapi".into(),
                    Some((GroupKind::Compose, "mxg-cap8970-dk".into()))
                ),
                (
                    "mxg-cap8970-pcdb".into(),
                    Some((GroupKind::Compose, "mxg-cap8970-pc".into()))
                ),
                (
                    "mxg-cap8970-web".into(),
                    Some((GroupKind::Compose, "mxg-cap8970-shop".into()))
                ),
            ]
        );
        // The older fixtures carry no labels at all: no group.
        assert!(
            parse_ps(DOCKER_PS, Runtime::Docker)
                .expect("parses")
                .iter()
                .all(|s| s.group.is_none())
        );
    }

    #[test]
    fn empty_and_broken_output() {
        assert!(parse_ps("", Runtime::Podman).expect("empty").is_empty());
        assert!(parse_ps("[]", Runtime::Podman).expect("empty").is_empty());
        assert!(parse_ps("{not json", Runtime::Docker).is_err());
    }
}
