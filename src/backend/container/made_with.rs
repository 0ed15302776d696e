//! How a container was made, from `container inspect` (and its image's `image inspect`):
//! what `muxdeck config init --from` needs to write a definition that makes it again.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::{BackendError, ContainerCli};
use crate::backend::process;

/// The parts of a container's creation a config session can say.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MadeWith {
    /// Image reference as created (podman's `ImageName`, else `Config.Image`).
    pub image: Option<String>,
    /// Command words (`Config.Cmd`; the image's default when none was given).
    pub command: Vec<String>,
    /// Environment as `KEY=VALUE`, the image's and the runtime's own included.
    pub env: Vec<String>,
    /// Working directory inside.
    pub working_dir: Option<String>,
    /// Mounts, in the order inspect lists them.
    pub mounts: Vec<Mount>,
    /// Published ports: container port with protocol (`80/tcp`) → host bindings.
    pub ports: BTreeMap<String, Vec<PortBinding>>,
}

/// What an image gives a container that does not say otherwise.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImageDefaults {
    /// Environment as `KEY=VALUE`.
    pub env: Vec<String>,
    /// Default command words.
    pub command: Vec<String>,
}

/// One mount of `Mounts`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Mount {
    /// `bind`, `volume`, `tmpfs`...
    #[serde(default, rename = "Type")]
    pub kind: String,
    /// Named volume's name.
    pub name: Option<String>,
    /// Host path (bind) or the volume's folder.
    #[serde(default)]
    pub source: String,
    /// Path inside the container.
    #[serde(default)]
    pub destination: String,
    /// Writable.
    #[serde(default, rename = "RW")]
    pub rw: bool,
}

/// One host binding of a published port.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PortBinding {
    /// Host address; empty for every address.
    #[serde(default)]
    pub host_ip: String,
    /// Host port; empty when the runtime picks one.
    #[serde(default)]
    pub host_port: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Inspect {
    image_name: Option<String>,
    #[serde(default)]
    config: Config,
    #[serde(default)]
    mounts: Vec<Mount>,
    #[serde(default)]
    host_config: HostConfig,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Config {
    image: Option<String>,
    cmd: Option<Vec<String>>,
    env: Option<Vec<String>>,
    working_dir: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct HostConfig {
    port_bindings: Option<BTreeMap<String, Option<Vec<PortBinding>>>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ImageInspect {
    #[serde(default)]
    config: Config,
}

/// Parses `container inspect --format json` (an array; its first record).
pub fn parse_made_with(bytes: &[u8]) -> Result<Option<MadeWith>, serde_json::Error> {
    let all: Vec<Inspect> = serde_json::from_slice(bytes)?;
    Ok(all.into_iter().next().map(|c| MadeWith {
        image: c.image_name.or(c.config.image),
        command: c.config.cmd.unwrap_or_default(),
        env: c.config.env.unwrap_or_default(),
        working_dir: c.config.working_dir.filter(|w| !w.is_empty()),
        mounts: c.mounts,
        ports: c
            .host_config
            .port_bindings
            .unwrap_or_default()
            .into_iter()
            .map(|(port, b)| (port, b.unwrap_or_default()))
            .collect(),
    }))
}

impl ContainerCli {
    /// How the container of full id `id` was made; None when it no longer exists.
    pub async fn made_with(&self, id: &str) -> Result<Option<MadeWith>, BackendError> {
        let inv = self
            .inv()
            .args(["container", "inspect", "--format", "json", "--", id]);
        self.inspect_as(&inv, "inspect", parse_made_with).await
    }

    /// What an image gives every container made from it; empty when the image is gone.
    pub async fn image_defaults(&self, image: &str) -> Result<ImageDefaults, BackendError> {
        let inv = self
            .inv()
            .args(["image", "inspect", "--format", "json", "--", image]);
        let parse = |b: &[u8]| {
            let all: Vec<ImageInspect> = serde_json::from_slice(b)?;
            Ok(all.into_iter().next().map(|i| ImageDefaults {
                env: i.config.env.unwrap_or_default(),
                command: i.config.cmd.unwrap_or_default(),
            }))
        };
        Ok(self
            .inspect_as(&inv, "image inspect", parse)
            .await?
            .unwrap_or_default())
    }

    /// Runs an inspect call and parses its output; "no such ..." is None.
    async fn inspect_as<T>(
        &self,
        inv: &process::Invocation,
        action: &str,
        parse: impl Fn(&[u8]) -> Result<Option<T>, serde_json::Error>,
    ) -> Result<Option<T>, BackendError> {
        let (status, out) = process::run_raw(inv, self.timeout).await?;
        if !status.success() {
            let err = String::from_utf8_lossy(&out.stderr).to_lowercase();
            if err.contains("no such") {
                return Ok(None);
            }
            return Err(process::failed(inv, &out, status.code()).daemon_absent());
        }
        parse(&out.stdout).map_err(|e| BackendError::Parse {
            program: self.binary.clone(),
            action: action.into(),
            detail: e.to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn podman_inspect_gives_what_made_the_container() {
        let json = br#"[{"ImageName":"localhost/x:1","Config":{"Cmd":["sh","-c","sleep 300"],
            "Env":["PATH=/bin","FOO=bar"],"WorkingDir":"/tmp","Image":"localhost/x:1"},
            "Mounts":[{"Type":"bind","Source":"/h","Destination":"/data","RW":false}],
            "HostConfig":{"PortBindings":{"80/tcp":[{"HostIp":"","HostPort":"18080"}]}}}]"#;
        let m = parse_made_with(json).ok().flatten().unwrap_or_default();
        assert_eq!(m.image.as_deref(), Some("localhost/x:1"));
        assert_eq!(m.command, ["sh", "-c", "sleep 300"]);
        assert_eq!(m.env, ["PATH=/bin", "FOO=bar"]);
        assert_eq!(m.working_dir.as_deref(), Some("/tmp"));
        assert_eq!(m.mounts.len(), 1);
        assert!(!m.mounts[0].rw);
        assert_eq!(m.ports["80/tcp"][0].host_port, "18080");
    }

    #[test]
    fn docker_nulls_are_empty() {
        let json = br#"[{"Config":{"Cmd":null,"Env":null,"WorkingDir":"","Image":"busybox"},
            "Mounts":[],"HostConfig":{"PortBindings":{"80/tcp":null}}}]"#;
        let m = parse_made_with(json).ok().flatten().unwrap_or_default();
        assert_eq!(m.image.as_deref(), Some("busybox"));
        assert!(m.command.is_empty() && m.env.is_empty() && m.working_dir.is_none());
        assert!(m.ports["80/tcp"].is_empty());
    }
}
