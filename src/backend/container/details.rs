//! `container inspect --format json` read in full, as the details pane shows it. Podman and
//! docker print one shape with a few differences (which field names the image, where the
//! digest is, whether a pod exists); the records below take both.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::json::parse_rfc3339;
use crate::details::{ContainerDetails, HealthCheck, MountInfo, NetworkInfo, env_vars};

/// Labels that name a compose project, in the order they are looked at.
pub const PROJECT_LABELS: [&str; 2] = ["com.docker.compose.project", "io.podman.compose.project"];

/// The whole `inspect` record.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Record {
    #[serde(default)]
    id: String,
    created: Option<String>,
    /// The entrypoint's program.
    #[serde(default)]
    path: String,
    #[serde(default)]
    args: Option<Vec<String>>,
    #[serde(default)]
    state: RecordState,
    /// Podman: the image id (hex); docker: `sha256:` and the id.
    image: Option<String>,
    /// Podman only: the image's repository digest.
    image_digest: Option<String>,
    /// Podman only: the image reference (docker has it in `Config.Image`).
    image_name: Option<String>,
    #[serde(default)]
    restart_count: u64,
    /// Podman only: the pod's id, empty outside a pod.
    pod: Option<String>,
    #[serde(default)]
    mounts: Option<Vec<RecordMount>>,
    #[serde(default)]
    network_settings: Option<RecordNetworks>,
    #[serde(default)]
    config: RecordConfig,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RecordState {
    #[serde(default)]
    status: String,
    exit_code: Option<i64>,
    started_at: Option<String>,
    finished_at: Option<String>,
    /// Podman before 4 called it `Healthcheck`.
    #[serde(alias = "Healthcheck")]
    health: Option<RecordHealth>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RecordHealth {
    #[serde(default)]
    status: String,
    #[serde(default)]
    failing_streak: u64,
    /// Oldest first; docker gives `null` before the first run.
    #[serde(default)]
    log: Option<Vec<RecordHealthRun>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RecordHealthRun {
    exit_code: Option<i64>,
    #[serde(default)]
    output: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RecordMount {
    #[serde(rename = "Type", default)]
    kind: String,
    /// A named volume's name; the host path is in `Source`.
    name: Option<String>,
    #[serde(default)]
    source: String,
    #[serde(default)]
    destination: String,
    #[serde(rename = "RW", default)]
    rw: bool,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RecordNetworks {
    /// `8080/tcp` → the host addresses it is published on (`null` when it is not).
    #[serde(default)]
    ports: Option<BTreeMap<String, Option<Vec<RecordBinding>>>>,
    #[serde(default)]
    networks: Option<BTreeMap<String, RecordNetwork>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RecordBinding {
    #[serde(default)]
    host_ip: String,
    #[serde(default)]
    host_port: String,
}

#[derive(Debug, Deserialize)]
struct RecordNetwork {
    #[serde(rename = "IPAddress", default)]
    ip: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RecordConfig {
    #[serde(default)]
    env: Option<Vec<String>>,
    #[serde(default)]
    labels: Option<BTreeMap<String, String>>,
    image: Option<String>,
}

/// Parses `inspect`'s array into the first container's details; None for an empty array.
/// Environment values whose names look secret are masked unless `show_secrets`.
pub fn parse_details(
    bytes: &[u8],
    show_secrets: bool,
) -> Result<Option<ContainerDetails>, serde_json::Error> {
    let all: Vec<Record> = serde_json::from_slice(bytes)?;
    Ok(all.into_iter().next().map(|r| r.into_details(show_secrets)))
}

impl Record {
    fn into_details(self, show_secrets: bool) -> ContainerDetails {
        let time = |t: &Option<String>| t.as_deref().and_then(parse_rfc3339);
        let mut command = Vec::new();
        if !self.path.is_empty() {
            command.push(self.path);
        }
        command.extend(self.args.unwrap_or_default());
        let labels = self.config.labels.unwrap_or_default();
        let project = PROJECT_LABELS
            .iter()
            .find_map(|l| labels.get(*l).filter(|v| !v.is_empty()).cloned());
        let digest = self
            .image_digest
            .filter(|d| !d.is_empty())
            .or_else(|| self.image.filter(|i| i.starts_with("sha256:")));
        let net = self.network_settings.unwrap_or_default();
        let st = self.state;
        ContainerDetails {
            id: self.id,
            image: self.image_name.or(self.config.image),
            image_digest: digest,
            command,
            created: time(&self.created),
            started: time(&st.started_at),
            finished: time(&st.finished_at),
            state: st.status,
            exit_code: st.exit_code,
            restart_count: self.restart_count,
            health: st.health.map(RecordHealth::into_check),
            ports: ports(net.ports.unwrap_or_default()),
            mounts: self
                .mounts
                .unwrap_or_default()
                .into_iter()
                .map(|m| MountInfo {
                    source: m.name.filter(|n| !n.is_empty()).unwrap_or(m.source),
                    kind: m.kind,
                    destination: m.destination,
                    rw: m.rw,
                })
                .collect(),
            networks: net
                .networks
                .unwrap_or_default()
                .into_iter()
                .map(|(name, n)| NetworkInfo { name, ip: n.ip })
                .collect(),
            labels,
            pod: self.pod.filter(|p| !p.is_empty()),
            project,
            env: env_vars(&self.config.env.unwrap_or_default(), show_secrets),
        }
    }
}

impl RecordHealth {
    fn into_check(self) -> HealthCheck {
        let last = self.log.and_then(|l| l.into_iter().last());
        HealthCheck {
            status: self.status,
            failing_streak: self.failing_streak,
            last_exit_code: last.as_ref().and_then(|r| r.exit_code),
            last_output: last
                .map(|r| r.output.trim().to_string())
                .filter(|o| !o.is_empty()),
        }
    }
}

/// `8080/tcp` with its bindings as `host:container/proto` strings (`ip:host:…` when bound to
/// one address), and `container/proto` for a port exposed but not published.
fn ports(map: BTreeMap<String, Option<Vec<RecordBinding>>>) -> Vec<String> {
    let mut out = Vec::new();
    for (port, bindings) in map {
        let bindings = bindings.unwrap_or_default();
        if bindings.is_empty() {
            out.push(port);
            continue;
        }
        for b in bindings {
            match b.host_ip.as_str() {
                "" | "0.0.0.0" => out.push(format!("{}:{port}", b.host_port)),
                ip => out.push(format!("{ip}:{}:{port}", b.host_port)),
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::details::MASK;

    fn fixture(name: &str) -> Vec<u8> {
        let path = format!(
            "{}/tests/fixtures/captured/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    #[test]
    fn podman_inspect_in_full() {
        let d = parse_details(&fixture("podman-inspect.json"), false)
            .expect("parses")
            .expect("one container");
        assert_eq!(
            d.id,
            "b6ec8a433f28f350bfa60ff3344aac782ef7b9d36a588e83e161ed7e52abc2ec"
        );
        assert_eq!(
            d.image.as_deref(),
            Some("localhost/muxdeck-test/busybox:latest")
        );
        assert_eq!(
            d.image_digest.as_deref(),
            Some("sha256:d0e475df4fc544c770f99471c4d8df9123b179c4f05cf0773929d3bfe19d79c2")
        );
        assert_eq!(
            d.command,
            ["sh", "-c", "while :; do echo hi; sleep 1; done"]
        );
        assert_eq!(d.state, "running");
        assert!(d.created.is_some_and(|c| c > 1_700_000_000));
        assert!(d.started >= d.created);
        assert_eq!(d.finished, None, "the zero time is no time");
        let h = d.health.as_ref().expect("a health check");
        assert_eq!((h.status.as_str(), h.last_exit_code), ("healthy", Some(0)));
        assert_eq!(d.ports, ["18089:8080/tcp"]);
        assert_eq!(d.mounts.len(), 1);
        assert_eq!(
            (
                d.mounts[0].source.as_str(),
                d.mounts[0].destination.as_str()
            ),
            ("/tmp", "/data")
        );
        assert!(!d.mounts[0].rw);
        assert_eq!(d.networks[0].name, "podman");
        assert!(!d.networks[0].ip.is_empty());
        assert_eq!(d.project.as_deref(), Some("shop"));
        assert_eq!(d.pod, None);
        let env: BTreeMap<&str, &str> = d
            .env
            .iter()
            .map(|e| (e.key.as_str(), e.value.as_str()))
            .collect();
        assert_eq!(env["API_TOKEN"], MASK);
        assert_eq!(env["DB_PASSWORD"], MASK);
        assert_eq!(env["aws_secret_key"], MASK);
        assert_eq!(env["PLAIN"], "visible");
        // Nothing of the secrets is anywhere in what muxdeck prints.
        let json = serde_json::to_string(&d).expect("serializes");
        assert!(
            !json.contains("s3cret") && !json.contains("hunter2"),
            "{json}"
        );
    }

    #[test]
    fn docker_inspect_in_full() {
        let d = parse_details(&fixture("docker-inspect.json"), false)
            .expect("parses")
            .expect("one container");
        assert_eq!(
            d.image.as_deref(),
            Some("localhost/muxdeck-test/busybox:latest")
        );
        assert!(
            d.image_digest
                .as_deref()
                .is_some_and(|i| i.starts_with("sha256:34fe9b"))
        );
        assert_eq!(
            d.command,
            ["sh", "-c", "while :; do echo hi; sleep 1; done"]
        );
        let h = d.health.as_ref().expect("a health check");
        assert_eq!(h.status, "starting");
        assert_eq!(h.last_output, None, "no run yet: docker says null");
        assert_eq!(d.ports, ["18090:80/tcp"]);
        assert!(d.mounts[0].rw);
        assert_eq!(d.project.as_deref(), Some("shop2"));
        let token = d.env.iter().find(|e| e.key == "GITHUB_TOKEN").expect("env");
        assert_eq!(token.value, MASK);
        let shown = parse_details(&fixture("docker-inspect.json"), true)
            .expect("parses")
            .expect("one container");
        let token = shown
            .env
            .iter()
            .find(|e| e.key == "GITHUB_TOKEN")
            .expect("env");
        assert_eq!(token.value, "abc");
    }

    #[test]
    fn sparse_and_broken_records() {
        let d = parse_details(br#"[{"Id":"x","Config":{"Labels":null,"Env":null},"Mounts":null,"NetworkSettings":{"Ports":{"80/tcp":null}}}]"#, false)
            .expect("parses")
            .expect("one");
        assert_eq!(d.ports, ["80/tcp"]);
        assert!(d.env.is_empty() && d.labels.is_empty() && d.mounts.is_empty());
        assert!(parse_details(b"[]", false).expect("parses").is_none());
        assert!(parse_details(b"{", false).is_err());
    }
}
