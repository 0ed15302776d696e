//! [`DockerApi`]: a private Docker-compatible API served by
//! `podman system service`, and the real `docker` CLI pointed at it.

use std::ffi::OsStr;
use std::fs::File;
use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

use super::process::{describe, run, run_ok, scrub_env, show_output};
use super::{podman_cmd, temp_dir, wait_until};

const DOCKER_TIMEOUT: Duration = Duration::from_mins(2);
const START_TIMEOUT: Duration = Duration::from_secs(30);

/// Whether the `docker` CLI is installed (`docker --version` works).
pub fn docker_cli_available() -> bool {
    Command::new("docker")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// For tests that need the `docker` CLI: returns `true` (after printing why)
/// when the test should return early because the CLI is missing. Under CI
/// (`CI` set) a missing CLI is an error instead, so CI never skips silently.
pub fn skip_without_docker_cli() -> bool {
    if docker_cli_available() {
        return false;
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "the docker CLI is missing, and CI must run the Docker API tests (apt-get install docker.io)"
    );
    eprintln!("skipped: the docker CLI is not installed");
    true
}

/// A `podman system service --time=0 unix://<tempdir>/podman.sock` of its
/// own, running with the project's podman settings and so seeing the same
/// containers as `podman`. Started by [`DockerApi::start`], which returns
/// once the API answers `GET /_ping`; dropping it stops the service and
/// removes the directory.
#[derive(Debug)]
pub struct DockerApi {
    child: Child,
    socket: PathBuf,
    // Declared last: removed after the service is stopped.
    dir: tempfile::TempDir,
}

impl DockerApi {
    /// Starts the service and waits (30 s at most) until it answers.
    pub fn start() -> Self {
        let dir = temp_dir("docker");
        let socket = dir.path().join("podman.sock");
        let log_path = dir.path().join("service.log");
        let log = File::create(&log_path)
            .unwrap_or_else(|e| panic!("cannot create {}: {e}", log_path.display()));
        let log_err = log
            .try_clone()
            .unwrap_or_else(|e| panic!("cannot clone a file handle: {e}"));
        let mut cmd = podman_cmd();
        cmd.args(["system", "service", "--time=0"])
            .arg(format!("unix://{}", socket.display()))
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(log_err);
        let child = cmd
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start `{}`: {e}", describe(&cmd)));
        // From here on, a panic drops `api`, which stops the service.
        let mut api = Self { child, socket, dir };
        let mut exited = None;
        let ready = wait_until(START_TIMEOUT, || {
            exited = api.child.try_wait().ok().flatten();
            exited.is_some() || ping(&api.socket)
        });
        let log_text = || std::fs::read_to_string(&log_path).unwrap_or_default();
        if let Some(status) = exited {
            panic!(
                "`{}` exited with {status} before answering\n--- its log ---\n{}",
                describe(&cmd),
                log_text()
            );
        }
        assert!(
            ready,
            "`{}` did not answer GET /_ping within {START_TIMEOUT:?}\n--- its log ---\n{}",
            describe(&cmd),
            log_text()
        );
        api
    }

    /// `unix:///.../podman.sock`, the value for `DOCKER_HOST`.
    pub fn docker_host(&self) -> String {
        format!("unix://{}", self.socket.display())
    }

    /// The socket path itself.
    pub fn socket_path(&self) -> &Path {
        &self.socket
    }

    /// The environment a Docker client needs to use this service:
    /// `DOCKER_HOST`, and a private `DOCKER_CONFIG` so the user's
    /// `~/.docker` (contexts, credentials) plays no part.
    pub fn env(&self) -> Vec<(String, String)> {
        vec![
            ("DOCKER_HOST".to_string(), self.docker_host()),
            (
                "DOCKER_CONFIG".to_string(),
                self.dir.path().join("docker-config").display().to_string(),
            ),
        ]
    }

    /// Points `cmd` at this service: sets [`env`](Self::env) and removes
    /// `DOCKER_CONTEXT` and the TLS variables.
    pub fn apply<'a>(&self, cmd: &'a mut Command) -> &'a mut Command {
        cmd.env_remove("DOCKER_CONTEXT")
            .env_remove("DOCKER_TLS_VERIFY")
            .env_remove("DOCKER_CERT_PATH")
            .envs(self.env())
    }

    /// The real `docker` CLI talking to this service.
    pub fn docker_cmd(&self) -> Command {
        let mut cmd = Command::new("docker");
        scrub_env(&mut cmd);
        self.apply(&mut cmd);
        cmd
    }

    /// Runs `docker ARGS...` against this service and returns its output,
    /// whatever the exit status.
    pub fn docker<I, S>(&self, args: I) -> Output
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        run(self.docker_cmd().args(args), DOCKER_TIMEOUT)
    }

    /// Runs `docker ARGS...`, asserts it exits 0 and returns its stdout.
    pub fn docker_ok<I, S>(&self, args: I) -> String
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        run_ok(self.docker_cmd().args(args), DOCKER_TIMEOUT)
    }

    /// The process id of the `podman system service` process.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Whether the service answers `GET /_ping` now.
    pub fn ping(&self) -> bool {
        ping(&self.socket)
    }
}

impl Drop for DockerApi {
    fn drop(&mut self) {
        // SIGTERM first so podman shuts down cleanly, SIGKILL if it lingers.
        let pid = self.child.id().to_string();
        let _ = Command::new("kill")
            .args(["-TERM", &pid])
            .stderr(Stdio::null())
            .status();
        let stopped = wait_until(Duration::from_secs(5), || {
            matches!(self.child.try_wait(), Ok(Some(_)))
        });
        if !stopped {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// One `GET /_ping` over the Unix socket; true on `200 OK`.
fn ping(socket: &Path) -> bool {
    let Ok(mut stream) = UnixStream::connect(socket) else {
        return false;
    };
    let timeout = Some(Duration::from_secs(2));
    if stream.set_read_timeout(timeout).is_err() || stream.set_write_timeout(timeout).is_err() {
        return false;
    }
    if stream
        .write_all(b"GET /_ping HTTP/1.0\r\nHost: podman\r\n\r\n")
        .is_err()
    {
        return false;
    }
    let mut reply = String::new();
    let _ = stream.read_to_string(&mut reply);
    reply.starts_with("HTTP/1.") && reply.lines().next().is_some_and(|l| l.contains(" 200"))
}
