//! Containers through the podman or docker CLI: listing (`ps -a`), lifecycle calls, logs and
//! the attach/exec commands. Names go after `--`, so a name can never be read as an option.

use std::time::Duration;

use super::BackendError;
use super::process::{self, Invocation};
use crate::details::ContainerDetails;
use crate::logs::window::{LogWindow, since_arg};
use crate::model::{Runtime, Session};

mod details;
mod endpoint;
mod json;
mod made_with;
mod stats;

pub use details::{PROJECT_LABELS, parse_details};
pub use json::{container_state, parse_ps};
pub use made_with::{ImageDefaults, MadeWith, Mount, PortBinding, parse_made_with};
pub use stats::{ContainerStat, parse_stats};

/// The keys that detach from `attach`, as the runtime reads them.
const DETACH_KEYS: &str = "ctrl-p,ctrl-q";
/// [`DETACH_KEYS`] as the user types them.
pub const DETACH_HINT: &str = "Ctrl-p Ctrl-q";

/// One container runtime's CLI.
#[derive(Debug, Clone)]
pub struct ContainerCli {
    /// Which runtime.
    pub runtime: Runtime,
    /// The executable.
    pub binary: String,
    /// Limit for each call.
    pub timeout: Duration,
    /// The host it runs on, through ssh; None for this machine.
    pub route: Option<std::sync::Arc<crate::remote::Route>>,
}

/// Why a container could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RunError {
    /// Another container has the name: this call made nothing, and must touch nothing.
    #[error("a container named {0:?} already exists")]
    NameInUse(String),
    /// The runtime failed otherwise; nothing this call made is left.
    #[error(transparent)]
    Backend(#[from] BackendError),
}

/// What `run` needs to create a container.
#[derive(Debug, Clone, Default)]
pub struct RunSpec {
    /// Container name.
    pub name: String,
    /// Image reference.
    pub image: String,
    /// Command words (empty: the image's default).
    pub command: Vec<String>,
    /// Working directory inside.
    pub working_dir: Option<String>,
    /// Environment.
    pub env: Vec<(String, String)>,
    /// `host:container[:mode]`.
    pub volumes: Vec<String>,
    /// `[host:]container[/proto]`.
    pub ports: Vec<String>,
}

impl ContainerCli {
    /// The CLI of `runtime` at `binary`.
    pub fn new(runtime: Runtime, binary: impl Into<String>, timeout: Duration) -> Self {
        ContainerCli {
            runtime,
            binary: binary.into(),
            timeout,
            route: None,
        }
    }

    /// The same CLI on another host.
    pub fn on(mut self, route: Option<std::sync::Arc<crate::remote::Route>>) -> Self {
        self.route = route;
        self
    }

    /// A call of this CLI.
    pub fn inv(&self) -> Invocation {
        Invocation::new(&self.binary).on(self.route.clone())
    }

    /// All containers, stopped ones included, each with its pod or compose project.
    pub async fn list(&self) -> Result<Vec<Session>, BackendError> {
        if let Some(message) = self.absent_daemon() {
            return Err(BackendError::NotRunning {
                program: self.binary.clone(),
                message,
            });
        }
        let mut inv = self.inv().args(["ps", "-a"]);
        if self.runtime == Runtime::Podman {
            // Only with `--pod` does podman name a container's pod (else just its id).
            inv = inv.arg("--pod");
        }
        let inv = inv.args(["--no-trunc", "--format", "json"]);
        let out = process::run(&inv, self.timeout)
            .await
            .map_err(BackendError::daemon_absent)?;
        parse_ps(&out.text(), self.runtime).map_err(|detail| BackendError::Parse {
            program: self.binary.clone(),
            action: "ps".into(),
            detail,
        })
    }

    /// Why docker on this machine cannot answer, told without starting it: the socket it
    /// would connect to is not there (see [`endpoint`]). None when that cannot be told (a
    /// configured binary, which may choose its own daemon; another host; a daemon chosen
    /// by address or context) or the socket is there: then the CLI is asked.
    fn absent_daemon(&self) -> Option<String> {
        if self.runtime != Runtime::Docker || self.route.is_some() || self.binary != "docker" {
            return None;
        }
        // Whether it is installed at all is told by starting it.
        which::which(&self.binary).ok()?;
        let config = endpoint::docker_config_dir();
        let socket = endpoint::docker_socket(|k| std::env::var(k).ok(), config.as_deref())?;
        match std::fs::symlink_metadata(&socket) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Some(format!(
                "Cannot connect to the Docker daemon at unix://{}: no such socket. Is the docker daemon running?",
                socket.display()
            )),
            _ => None,
        }
    }

    /// Details of one container (name, full id, state, exit code, pid), or None if none
    /// answers to `name`. The runtime also matches ids and id prefixes: a caller that means
    /// a name compares the name of what came back.
    pub async fn inspect(&self, name: &str) -> Result<Option<Session>, BackendError> {
        Ok(self
            .inspect_json(name)
            .await?
            .and_then(|c| c.into_session(self.runtime)))
    }

    /// Whether `podman attach` can give the user the container's terminal and take it back:
    /// only with a TTY (`-t`) and an open stdin (`-i`). Without them the detach keys are
    /// never read, so the only way out is a signal, which ends the view or the container.
    pub async fn has_terminal(&self, id: &str) -> Result<bool, BackendError> {
        Ok(self
            .inspect_json(id)
            .await?
            .is_some_and(|c| c.has_terminal()))
    }

    /// The runtime's `inspect --format json` output for one container; None when none
    /// answers to `name`.
    async fn inspect_output(&self, name: &str) -> Result<Option<Vec<u8>>, BackendError> {
        let inv = self
            .inv()
            .args(["container", "inspect", "--format", "json", "--", name]);
        let (status, out) = process::run_raw(&inv, self.timeout).await?;
        if !status.success() {
            let err = String::from_utf8_lossy(&out.stderr).to_lowercase();
            if err.contains("no such") {
                return Ok(None);
            }
            return Err(process::failed(&inv, &out, status.code()).daemon_absent());
        }
        Ok(Some(out.stdout))
    }

    /// The runtime's `inspect` record of one container; None when none answers to `name`.
    async fn inspect_json(&self, name: &str) -> Result<Option<json::Inspect>, BackendError> {
        let Some(stdout) = self.inspect_output(name).await? else {
            return Ok(None);
        };
        json::parse_inspect(&stdout).map_err(|e| BackendError::Parse {
            program: self.binary.clone(),
            action: "inspect".into(),
            detail: e.to_string(),
        })
    }

    /// Everything `inspect` tells about the container of full id `id`, secret-looking
    /// environment values masked unless `show_secrets`; None when it is gone.
    pub async fn details(
        &self,
        id: &str,
        show_secrets: bool,
    ) -> Result<Option<ContainerDetails>, BackendError> {
        let Some(stdout) = self.inspect_output(id).await? else {
            return Ok(None);
        };
        parse_details(&stdout, show_secrets).map_err(|e| BackendError::Parse {
            program: self.binary.clone(),
            action: "inspect".into(),
            detail: e.to_string(),
        })
    }

    /// CPU and memory of every running container, in one call bounded by `limit`: a
    /// runtime whose `stats` hangs costs its own figures only.
    pub async fn stats(&self, limit: Duration) -> Result<Vec<ContainerStat>, BackendError> {
        let inv = self
            .inv()
            .args(["stats", "--no-stream", "--format", "json"]);
        let out = process::run(&inv, limit).await?;
        parse_stats(&out.text()).map_err(|e| BackendError::Parse {
            program: self.binary.clone(),
            action: "stats".into(),
            detail: e.to_string(),
        })
    }

    /// Creates and starts a new container. Created first and started by the id `create`
    /// printed, so that a failed start removes exactly what this call made: never a
    /// container of the same name that someone else started meanwhile.
    pub async fn run(&self, spec: &RunSpec) -> Result<(), RunError> {
        let id = self.create(spec).await?;
        if let Err(e) = self.start(&id).await {
            let rm = self.inv().args(["rm", "-f"]);
            // Podman would first wait out the stop timeout of a program that ignores SIGTERM.
            let rm = match self.runtime {
                Runtime::Podman => rm.args(["-t", "0"]),
                Runtime::Docker => rm,
            };
            let rm = rm.arg("--").arg(&id);
            // Removing the half-made container is cleanup: report the start's own error.
            let _ = process::run(&rm, self.timeout.saturating_mul(4)).await;
            return Err(RunError::Backend(e));
        }
        Ok(())
    }

    /// `create`s the container and returns the full id the runtime printed.
    async fn create(&self, spec: &RunSpec) -> Result<String, RunError> {
        let mut inv = self.inv().args([
            "create",
            "-i",
            "-t",
            "--label",
            "io.muxdeck.managed=true",
            "--name",
            &spec.name,
        ]);
        if let Some(w) = &spec.working_dir {
            inv = inv.arg("--workdir").arg(w);
        }
        for (k, v) in &spec.env {
            inv = inv.arg("--env").arg(format!("{k}={v}"));
        }
        for v in &spec.volumes {
            inv = inv.arg("--volume").arg(v);
        }
        for p in &spec.ports {
            inv = inv.arg("--publish").arg(p);
        }
        inv = inv.arg("--").arg(&spec.image).args(&spec.command);
        // A pull may be part of create: allow for it beyond one command's limit.
        let limit = self.timeout.saturating_mul(6);
        let (status, out) = process::run_raw(&inv, limit).await?;
        if !status.success() {
            let err = String::from_utf8_lossy(&out.stderr);
            if err.contains("already in use") {
                return Err(RunError::NameInUse(spec.name.clone()));
            }
            return Err(process::failed(&inv, &out, status.code()).into());
        }
        // The id is the last line: a pull prints its progress before it.
        let text = out.text();
        let id = text
            .lines()
            .map(str::trim)
            .rfind(|l| !l.is_empty())
            .unwrap_or("");
        if id.len() >= 12 && id.bytes().all(|b| b.is_ascii_hexdigit()) {
            Ok(id.to_string())
        } else {
            Err(BackendError::Parse {
                program: self.binary.clone(),
                action: "create".into(),
                detail: format!("expected the new container's id, got {id:?}"),
            }
            .into())
        }
    }

    /// Starts an existing container.
    pub async fn start(&self, name: &str) -> Result<(), BackendError> {
        self.simple(&["start"], name, self.timeout.saturating_mul(2))
            .await
    }

    /// Graceful stop: SIGTERM, then SIGKILL after `grace`. Never removes the container.
    pub async fn stop(&self, name: &str, grace: Duration) -> Result<(), BackendError> {
        let secs = grace.as_secs().to_string();
        self.simple(
            &["stop", "-t", &secs],
            name,
            grace.saturating_add(self.timeout),
        )
        .await
    }

    /// Forced stop (SIGKILL). Never removes the container.
    pub async fn kill(&self, name: &str) -> Result<(), BackendError> {
        self.simple(&["kill"], name, self.timeout).await
    }

    /// Freezes every process of a running container (the cgroup freezer); it keeps its
    /// memory and resumes where it was on `unpause`.
    pub async fn pause(&self, name: &str) -> Result<(), BackendError> {
        self.simple(&["pause"], name, self.timeout).await
    }

    /// Thaws a paused container (podman refuses to stop or restart a paused one).
    pub async fn unpause(&self, name: &str) -> Result<(), BackendError> {
        self.simple(&["unpause"], name, self.timeout).await
    }

    /// Restart with a graceful stop first.
    pub async fn restart(&self, name: &str, grace: Duration) -> Result<(), BackendError> {
        let secs = grace.as_secs().to_string();
        let limit = grace.saturating_add(self.timeout.saturating_mul(2));
        self.simple(&["restart", "-t", &secs], name, limit).await
    }

    /// Removes the container (`force` also removes a running one, killing it at once as
    /// docker does; podman would first wait out the container's stop timeout).
    pub async fn rm(&self, name: &str, force: bool) -> Result<(), BackendError> {
        let args: &[&str] = match (force, self.runtime) {
            (false, _) => &["rm"],
            (true, Runtime::Podman) => &["rm", "-f", "-t", "0"],
            (true, Runtime::Docker) => &["rm", "-f"],
        };
        self.simple(args, name, self.timeout.saturating_mul(2))
            .await
    }

    async fn simple(&self, args: &[&str], name: &str, limit: Duration) -> Result<(), BackendError> {
        let inv = self.inv().args(args).arg("--").arg(name);
        process::run(&inv, limit).await.map(drop)
    }

    /// The `logs` call for the last `tail` lines, optionally following.
    pub fn logs_inv(&self, name: &str, tail: usize, follow: bool) -> Invocation {
        self.logs_inv_in(name, tail, follow, LogWindow::default())
    }

    /// [`logs_inv`](Self::logs_inv) limited to `window` (`--since`, `--timestamps`).
    pub fn logs_inv_in(
        &self,
        name: &str,
        tail: usize,
        follow: bool,
        window: LogWindow,
    ) -> Invocation {
        let mut inv = self
            .inv()
            .limits(process::Limits::LOGS)
            .arg("logs")
            .arg("--tail")
            .arg(tail.to_string());
        if follow {
            inv = inv.arg("--follow");
        }
        if let Some(since) = window.since {
            inv = inv.arg("--since").arg(since_arg(since));
        }
        if window.timestamps {
            inv = inv.arg("--timestamps");
        }
        inv.arg("--").arg(name)
    }

    /// The command that hands the terminal to the container's main process. Signals muxdeck
    /// gets are never passed on (`--sig-proxy=false`): a Ctrl-C meant to end the view must
    /// not end the container.
    pub fn attach(&self, name: &str) -> Invocation {
        self.inv().args([
            "attach",
            "--detach-keys",
            DETACH_KEYS,
            "--sig-proxy=false",
            "--",
            name,
        ])
    }

    /// The command that opens an interactive `command` inside the container.
    pub fn exec(&self, name: &str, command: &[String]) -> Invocation {
        self.inv()
            .args(["exec", "-i", "-t", "--", name])
            .args(command)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn names_come_after_double_dash() {
        let c = ContainerCli::new(Runtime::Podman, "podman", Duration::from_secs(1));
        assert_eq!(
            c.logs_inv("-rf", 5, true).display(),
            "podman logs --tail 5 --follow -- -rf"
        );
        let window = LogWindow {
            since: Some(std::time::Duration::from_secs(86_400)),
            timestamps: true,
        };
        assert_eq!(
            c.logs_inv_in("-rf", 5, false, window).display(),
            "podman logs --tail 5 --since 86400s --timestamps -- -rf"
        );
        assert_eq!(
            c.logs_inv("-rf", 5, true).display(),
            "podman logs --tail 5 --follow -- -rf"
        );
        assert_eq!(
            c.exec("a", &["sh".into()]).display(),
            "podman exec -i -t -- a sh"
        );
        assert_eq!(
            c.attach("-a").display(),
            "podman attach --detach-keys ctrl-p,ctrl-q --sig-proxy=false -- -a"
        );
    }
}
