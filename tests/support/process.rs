//! Running commands with a deadline, and the muxdeck binary under test.

use std::ffi::OsStr;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use super::{podman_env, wait_until};

/// How long [`run_fail`] lets a command run before killing it, and what most
/// tests pass to [`run_ok`].
pub const DEFAULT_TIMEOUT: Duration = Duration::from_mins(1);

/// Variables removed from every child's environment so that tests never reach
/// the developer's own tmux server, Docker daemon or podman connection.
const SCRUBBED_VARS: &[&str] = &[
    "TMUX",
    "TMUX_PANE",
    "DOCKER_HOST",
    "DOCKER_CONTEXT",
    "DOCKER_TLS_VERIFY",
    "DOCKER_CERT_PATH",
    "CONTAINER_HOST",
    "CONTAINER_CONNECTION",
];

/// The built `muxdeck` binary in a controlled environment:
///
/// - `MUXDECK_CONFIG`, `TMUX`, `TMUX_PANE`, `DOCKER_HOST`, `DOCKER_CONTEXT`
///   and podman's remote connection variables are removed;
/// - [`podman_env`] is set (`CONTAINERS_CONF`);
/// - `TMUX_TMPDIR` and `XDG_CONFIG_HOME` point at empty directories under
///   cargo's target tmp dir, so no user tmux server or user config is seen, and
///   `XDG_STATE_HOME` at one there too, so what muxdeck remembers (the containers it
///   stopped) never goes to the user's state folder.
///   Use [`TmuxWorld::apply`](super::TmuxWorld::apply) and
///   [`DockerApi::apply`](super::DockerApi::apply) to give it a world to see;
/// - with `Some(config)`, `--config <config>` is passed first.
///
/// stdin is `/dev/null` unless the test sets it.
pub fn muxdeck(config: Option<&Path>) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_muxdeck"));
    scrub_env(&mut cmd);
    cmd.env_remove("MUXDECK_CONFIG");
    cmd.envs(podman_env());
    let hermetic = hermetic_dir();
    cmd.env("TMUX_TMPDIR", hermetic.join("tmux"));
    cmd.env("XDG_CONFIG_HOME", hermetic.join("config"));
    cmd.env("XDG_STATE_HOME", hermetic.join("state"));
    cmd.stdin(Stdio::null());
    if let Some(config) = config {
        cmd.arg("--config").arg(config);
    }
    cmd
}

/// Removes the variables that would point a child at the user's own servers.
pub(crate) fn scrub_env(cmd: &mut Command) {
    for var in SCRUBBED_VARS {
        cmd.env_remove(var);
    }
}

/// `<CARGO_TARGET_TMPDIR>/muxdeck-hermetic` with empty `tmux/`, `config/` and `state/`.
fn hermetic_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("muxdeck-hermetic");
    for sub in ["tmux", "config", "state"] {
        let path = dir.join(sub);
        std::fs::create_dir_all(&path)
            .unwrap_or_else(|e| panic!("cannot create {}: {e}", path.display()));
    }
    dir
}

/// Runs `cmd` to completion (stdin `/dev/null`, stdout and stderr captured),
/// killing it after `timeout`. Panics if it cannot start or times out, with
/// whatever it printed.
pub fn run(cmd: &mut Command, timeout: Duration) -> Output {
    let desc = describe(cmd);
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start `{desc}`: {e}"));
    let stdout = drain(child.stdout.take());
    let stderr = drain(child.stderr.take());
    let started = Instant::now();
    let mut status: Option<ExitStatus> = None;
    wait_until(timeout, || {
        status = child.try_wait().ok().flatten();
        status.is_some()
    });
    let timed_out = status.is_none();
    if timed_out {
        let _ = child.kill();
        status = child.wait().ok();
    }
    // A grandchild that inherited the pipes may keep them open: give up on
    // them after a grace period rather than hanging the test.
    let grace = Duration::from_secs(5);
    let stdout = stdout.recv_timeout(grace);
    let stderr = stderr.recv_timeout(grace);
    let (status, stdout, stderr) = match (status, stdout, stderr) {
        (Some(status), Ok(stdout), Ok(stderr)) if !timed_out => (status, stdout, stderr),
        (_, stdout, stderr) => {
            let text = |r: Result<Vec<u8>, _>| {
                r.map_or_else(
                    |_| "<still open: a child process kept the pipe>".to_string(),
                    |b| String::from_utf8_lossy(&b).into_owned(),
                )
            };
            panic!(
                "`{desc}` {} after {:?}\n--- stdout ---\n{}\n--- stderr ---\n{}",
                if timed_out {
                    "timed out and was killed"
                } else {
                    "exited but left its output pipes open"
                },
                started.elapsed(),
                text(stdout),
                text(stderr),
            )
        }
    };
    Output {
        status,
        stdout,
        stderr,
    }
}

fn drain(pipe: Option<impl Read + Send + 'static>) -> mpsc::Receiver<Vec<u8>> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut buf = Vec::new();
        if let Some(mut pipe) = pipe {
            let _ = pipe.read_to_end(&mut buf);
        }
        let _ = tx.send(buf);
    });
    rx
}

/// Runs `cmd` (see [`run`], killed after `timeout`; most tests pass
/// [`DEFAULT_TIMEOUT`]), asserts it exits 0 and returns its stdout. On failure
/// the panic shows the command, its status, stdout and stderr. The one place
/// every `*_ok` helper (podman, docker, tmux) asserts success.
pub fn run_ok(cmd: &mut Command, timeout: Duration) -> String {
    let out = run(cmd, timeout);
    assert!(
        out.status.success(),
        "`{}` failed\n{}",
        describe(cmd),
        show_output(&out)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Runs `cmd` (see [`run`], with [`DEFAULT_TIMEOUT`]), asserts it exits with
/// `code` and returns its stderr.
pub fn run_fail(cmd: &mut Command, code: i32) -> String {
    let out = run(cmd, DEFAULT_TIMEOUT);
    assert_eq!(
        out.status.code(),
        Some(code),
        "`{}` was expected to exit with {code}\n{}",
        describe(cmd),
        show_output(&out)
    );
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A command line for messages: program and arguments, shell-like.
pub fn describe(cmd: &Command) -> String {
    std::iter::once(cmd.get_program())
        .chain(cmd.get_args())
        .map(quote)
        .collect::<Vec<_>>()
        .join(" ")
}

/// `cmd` as one `sh` command line, environment changes included:
/// `env -u TMUX K=V ... PROGRAM ARGS...`. For running a command (typically
/// [`muxdeck`]) inside a tmux pane, e.g. with
/// [`TmuxWorld::new_session`](super::TmuxWorld::new_session). The working
/// directory and stdio settings of `cmd` are not carried over.
pub fn shell_line(cmd: &Command) -> String {
    let mut words = vec!["env".to_string()];
    let mut set = Vec::new();
    for (key, value) in cmd.get_envs() {
        match value {
            None => words.extend(["-u".to_string(), quote(key)]),
            Some(value) => {
                let mut pair = key.to_os_string();
                pair.push("=");
                pair.push(value);
                set.push(quote(&pair));
            }
        }
    }
    words.extend(set);
    words.push(quote(cmd.get_program()));
    words.extend(cmd.get_args().map(quote));
    words.join(" ")
}

fn quote(word: &OsStr) -> String {
    let word = word.to_string_lossy();
    let plain = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:@%+,".contains(c));
    if plain {
        word.into_owned()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

/// Exit status, stdout and stderr of `out`, for failure messages.
pub fn show_output(out: &Output) -> String {
    format!(
        "status: {}\n--- stdout ---\n{}\n--- stderr ---\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Writes `yaml` to `<dir>/config.yml` (replacing it) and returns the path;
/// pass it to [`muxdeck`].
pub fn write_config(dir: &Path, yaml: &str) -> PathBuf {
    write_config_named(dir, "config.yml", yaml)
}

/// Writes `yaml` to `<dir>/<file_name>` (replacing it) and returns the path.
pub fn write_config_named(dir: &Path, file_name: &str, yaml: &str) -> PathBuf {
    let path = dir.join(file_name);
    std::fs::write(&path, yaml).unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
    path
}
