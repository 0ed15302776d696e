//! podman with the project's settings, the local busybox test image, and the
//! [`Containers`] guard that removes the containers a test made.

use std::ffi::OsStr;
use std::path::PathBuf;
use std::process::{Command, Output};
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use super::process::{describe, run, run_ok, scrub_env, show_output};
use super::{repo_root, wait_until};

/// The image [`test_image`] builds: Debian's busybox-static, imported locally.
pub const TEST_IMAGE: &str = "localhost/muxdeck-test/busybox:latest";

/// How long one podman command may take before the test fails.
const PODMAN_TIMEOUT: Duration = Duration::from_mins(2);

/// `<repo>/tests/fixtures/containers.conf`, the project's podman settings
/// (runc, cgroupfs, ulimits this sandbox can set).
pub fn containers_conf() -> PathBuf {
    repo_root().join("tests/fixtures/containers.conf")
}

/// The environment every podman invocation needs:
/// `CONTAINERS_CONF=<repo>/tests/fixtures/containers.conf`.
pub fn podman_env() -> Vec<(String, String)> {
    vec![(
        "CONTAINERS_CONF".to_string(),
        containers_conf().display().to_string(),
    )]
}

/// `podman` with [`podman_env`] set and remote-connection variables removed.
pub fn podman_cmd() -> Command {
    let mut cmd = Command::new("podman");
    scrub_env(&mut cmd);
    cmd.envs(podman_env());
    cmd
}

/// Runs `podman ARGS` with [`podman_env`] (120 s deadline) and returns its
/// output, whatever the exit status.
pub fn podman<I, S>(args: I) -> Output
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    run(podman_cmd().args(args), PODMAN_TIMEOUT)
}

/// Runs `podman ARGS`, asserts it exits 0 and returns its stdout.
pub fn podman_ok<I, S>(args: I) -> String
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    run_ok(podman_cmd().args(args), PODMAN_TIMEOUT)
}

/// Whether podman knows container `name` (`podman container exists`), in any state.
pub fn container_exists(name: &str) -> bool {
    podman(["container", "exists", name]).status.success()
}

/// `podman container inspect`'s state of container `name` (`running`, `exited`,
/// `created`...); `None` when podman knows no such container.
pub fn podman_state(name: &str) -> Option<String> {
    let out = podman(STATE_OF.iter().copied().chain([name]));
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// Like [`podman_state`], for a container that must exist: a missing one fails the test
/// with podman's output.
pub fn container_state(name: &str) -> String {
    run_ok(podman_cmd().args(STATE_OF).arg(name), PODMAN_TIMEOUT)
        .trim()
        .to_string()
}

/// `podman` arguments that print a container's state; the name follows `--`, so that no
/// name is taken for an option.
const STATE_OF: [&str; 5] = [
    "container",
    "inspect",
    "--format",
    "{{.State.Status}}",
    "--",
];

/// `podman logs NAME`: the container's stdout and stderr, concatenated.
pub fn podman_logs(name: &str) -> String {
    let out = podman(["logs", name]);
    let mut text = String::from_utf8_lossy(&out.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&out.stderr));
    text
}

/// Waits until `podman logs NAME` contains `needle`; returns the logs, or
/// panics with them after `timeout`.
pub fn wait_for_logs(name: &str, needle: &str, timeout: Duration) -> String {
    let mut logs = String::new();
    let found = wait_until(timeout, || {
        logs = podman_logs(name);
        logs.contains(needle)
    });
    assert!(
        found,
        "timed out after {timeout:?} waiting for {needle:?} in the logs of {name}:\n{logs}"
    );
    logs
}

/// Makes sure [`TEST_IMAGE`] exists, building it with
/// `tests/fixtures/build-test-image.sh` at most once per test process; the
/// script itself is idempotent and serialises concurrent test processes with
/// `flock`. Returns the image name.
pub fn test_image() -> &'static str {
    static BUILT: OnceLock<()> = OnceLock::new();
    BUILT.get_or_init(|| build_test_image(&podman_env(), None));
    TEST_IMAGE
}

/// Runs `tests/fixtures/build-test-image.sh` with podman's settings `env` (and, for a
/// store of its own, its own `lock` file); the test fails when it does.
fn build_test_image(env: &[(String, String)], lock: Option<&std::path::Path>) {
    let mut cmd = Command::new("bash");
    scrub_env(&mut cmd);
    cmd.arg(repo_root().join("tests/fixtures/build-test-image.sh"))
        .envs(env.iter().cloned())
        .env("MUXDECK_TEST_IMAGE", TEST_IMAGE);
    if let Some(lock) = lock {
        cmd.env("MUXDECK_IMAGE_LOCK", lock);
    }
    let out = run(&mut cmd, PODMAN_TIMEOUT);
    assert!(
        out.status.success(),
        "building the test image failed: `{}`\n{}",
        describe(&cmd),
        show_output(&out)
    );
}

/// Records the containers (and pods) a test creates and removes them, and only them,
/// with `podman rm -f -t 0` (then `podman pod rm -f -t 0`) when dropped (also when the
/// test panics).
///
/// Names are recorded *before* podman is asked to create anything, so a
/// half-made container is removed too. Use [`unique`](super::unique) names.
#[derive(Debug, Default)]
pub struct Containers {
    names: Mutex<Vec<String>>,
    pods: Mutex<Vec<String>>,
}

impl Containers {
    /// An empty guard.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records `name` for removal on drop (for containers made another way,
    /// e.g. through the Docker API or by muxdeck itself). Returns it.
    pub fn track(&self, name: &str) -> String {
        let mut names = self
            .names
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if !names.iter().any(|n| n == name) {
            names.push(name.to_string());
        }
        name.to_string()
    }

    /// The names recorded so far.
    pub fn names(&self) -> Vec<String> {
        self.names
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// `podman run -d --name NAME <test image> sh -c SCRIPT`; asserts it
    /// started and returns `name`.
    pub fn run_detached(&self, name: &str, script: &str) -> String {
        self.run_detached_with(name, &[], &["sh", "-c", script])
    }

    /// `podman run -d --name NAME PODMAN_ARGS... <test image> CMD...`.
    pub fn run_detached_with(&self, name: &str, podman_args: &[&str], cmd: &[&str]) -> String {
        self.make("run", &["-d"], name, podman_args, cmd)
    }

    /// `podman pod create --name NAME --infra-name NAME-infra`: a pod whose infra
    /// container carries the test's prefix too. Returns `name`; containers join it with
    /// `--pod NAME`.
    pub fn pod(&self, name: &str) -> String {
        {
            let mut pods = self
                .pods
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            pods.push(name.to_string());
        }
        // Not tracked as a container: podman removes an infra container only with its pod.
        let infra = format!("{name}-infra");
        podman_ok(["pod", "create", "--name", name, "--infra-name", &infra]);
        name.to_string()
    }

    /// `podman create --name NAME <test image>` (the image's command, `sh`).
    pub fn create(&self, name: &str) -> String {
        self.create_with(name, &[], &[])
    }

    /// `podman create --name NAME PODMAN_ARGS... <test image> CMD...`.
    pub fn create_with(&self, name: &str, podman_args: &[&str], cmd: &[&str]) -> String {
        self.make("create", &[], name, podman_args, cmd)
    }

    fn make(
        &self,
        verb: &str,
        flags: &[&str],
        name: &str,
        podman_args: &[&str],
        cmd: &[&str],
    ) -> String {
        let image = test_image();
        self.track(name);
        let mut args = vec![verb];
        args.extend_from_slice(flags);
        args.extend_from_slice(&["--name", name]);
        args.extend_from_slice(podman_args);
        args.push(image);
        args.extend_from_slice(cmd);
        podman_ok(&args);
        name.to_string()
    }
}

impl Drop for Containers {
    fn drop(&mut self) {
        let names = self.names();
        if !names.is_empty() {
            let mut cmd = podman_cmd();
            cmd.args(["rm", "--force", "--ignore", "--volumes", "--time", "0"])
                .args(&names);
            remove(&mut cmd);
        }
        let pods = self
            .pods
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone();
        if !pods.is_empty() {
            let mut cmd = podman_cmd();
            cmd.args(["pod", "rm", "--force", "--ignore", "--time", "0"])
                .args(&pods);
            remove(&mut cmd);
        }
    }
}

/// Runs a cleanup command; a failure is a warning (the test's own result stands).
fn remove(cmd: &mut Command) {
    match cmd.output() {
        Ok(out) if out.status.success() => {}
        Ok(out) => eprintln!(
            "warning: cleanup `{}` failed\n{}",
            describe(cmd),
            show_output(&out)
        ),
        Err(e) => eprintln!("warning: cannot run `{}`: {e}", describe(cmd)),
    }
}

/// A podman store of its own (graph, run and tmp folders in a temp dir), as another
/// machine has: its own locks, its own events file in a place podman's defaults do not
/// name. Holds the test image; removes its containers, the image and every folder when
/// dropped (also when the test panics).
pub struct PrivateStore {
    dir: tempfile::TempDir,
}

impl PrivateStore {
    /// Makes the store and imports the test image into it.
    pub fn new() -> PrivateStore {
        let dir = super::temp_dir("store");
        let d = dir.path().display().to_string();
        super::write_config_named(
            dir.path(),
            "storage.conf",
            &format!(
                "[storage]\ndriver = \"overlay\"\ngraphroot = \"{d}/graph\"\nrunroot = \"{d}/run\"\n"
            ),
        );
        let base = std::fs::read_to_string(containers_conf())
            .unwrap_or_else(|e| panic!("{}: {e}", containers_conf().display()));
        let tmp = format!("tmp_dir = \"{d}/libpod\"");
        let conf = if base.contains("[engine]") {
            base.replacen("[engine]", &format!("[engine]\n{tmp}"), 1)
        } else {
            format!("{base}\n[engine]\n{tmp}\n")
        };
        super::write_config_named(dir.path(), "containers.conf", &conf);
        let store = PrivateStore { dir };
        build_test_image(&store.env(), Some(&store.dir.path().join("image.lock")));
        store
    }

    /// The variables that point podman at this store.
    pub fn env(&self) -> Vec<(String, String)> {
        let d = self.dir.path();
        vec![
            (
                "CONTAINERS_CONF".to_string(),
                d.join("containers.conf").display().to_string(),
            ),
            (
                "CONTAINERS_STORAGE_CONF".to_string(),
                d.join("storage.conf").display().to_string(),
            ),
        ]
    }

    /// `podman ARGS` on this store; its output, whatever the exit status.
    pub fn podman(&self, args: &[&str]) -> Output {
        // The store's settings replace the project's that `podman_cmd` sets.
        run(podman_cmd().envs(self.env()).args(args), PODMAN_TIMEOUT)
    }

    /// `podman run -d --network none --name NAME <test image> sh -c SCRIPT` on this store.
    pub fn run_detached(&self, name: &str, script: &str) {
        let out = self.podman(&[
            "run",
            "-d",
            "--network",
            "none",
            "--name",
            name,
            TEST_IMAGE,
            "sh",
            "-c",
            script,
        ]);
        assert!(out.status.success(), "{}", show_output(&out));
    }
}

impl Drop for PrivateStore {
    fn drop(&mut self) {
        let _ = self.podman(&["rm", "-af", "-t", "0"]);
        let _ = self.podman(&["rmi", "-af"]);
        // Whatever podman left mounted under the store, innermost first.
        let prefix = self.dir.path().display().to_string();
        let mounts = std::fs::read_to_string("/proc/mounts").unwrap_or_default();
        let mut inside: Vec<&str> = mounts
            .lines()
            .filter_map(|l| l.split(' ').nth(1))
            .filter(|m| m.starts_with(&prefix))
            .collect();
        inside.sort_unstable_by(|a, b| b.cmp(a));
        for m in inside {
            let _ = Command::new("umount").args(["-l", m]).output();
        }
    }
}
