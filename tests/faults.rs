//! Faults muxdeck must survive: a Docker socket that accepts and never answers, a socket
//! that is gone, a tmux server or session killed while its log is followed, a container
//! that exits while followed. Real tmux and podman.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::io::Read;
use std::os::unix::net::UnixListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use support::{Containers, TmuxWorld, muxdeck, temp_dir, unique, write_config};

/// A unix socket that accepts connections and never replies: a hung Docker daemon.
struct SilentDaemon {
    _dir: tempfile::TempDir,
    path: std::path::PathBuf,
}

impl SilentDaemon {
    fn start() -> Self {
        let dir = temp_dir("silent");
        let path = dir.path().join("docker.sock");
        let listener = UnixListener::bind(&path).expect("bind");
        std::thread::spawn(move || {
            let mut held = Vec::new();
            for conn in listener.incoming().flatten() {
                // Keep every connection open and unanswered.
                held.push(conn);
            }
        });
        SilentDaemon { _dir: dir, path }
    }

    fn host(&self) -> String {
        format!("unix://{}", self.path.display())
    }
}

/// A running `muxdeck logs -f`, killed on drop if it is still running.
struct Follower(Child);

impl Follower {
    fn start(mut cmd: Command) -> Self {
        let child = cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn muxdeck logs -f");
        Follower(child)
    }

    /// Waits for the process to end by itself; its exit code and all it printed.
    fn wait_end(&mut self, limit: Duration) -> (Option<i32>, String) {
        let deadline = Instant::now() + limit;
        loop {
            if let Some(status) = self.0.try_wait().expect("try_wait") {
                let mut out = String::new();
                if let Some(mut o) = self.0.stdout.take() {
                    let _ = o.read_to_string(&mut out);
                }
                if let Some(mut e) = self.0.stderr.take() {
                    let _ = e.read_to_string(&mut out);
                }
                return (status.code(), out);
            }
            assert!(
                Instant::now() < deadline,
                "muxdeck logs -f did not end within {limit:?} after its session ended"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Follower {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn hung_docker_daemon_times_out_and_the_rest_still_lists() {
    let world = TmuxWorld::new();
    world.new_session("default", "alive", "exec sleep 600");
    let daemon = SilentDaemon::start();
    let dir = temp_dir("cfg");
    let cfg = write_config(dir.path(), "defaults:\n  command_timeout: 1\n");

    let started = Instant::now();
    let out = world
        .apply(&mut muxdeck(Some(&cfg)))
        .env("DOCKER_HOST", daemon.host())
        .args(["list", "--json"])
        .output()
        .expect("run");
    let took = started.elapsed();
    assert!(out.status.success(), "{out:?}");
    assert!(
        took < Duration::from_secs(4),
        "list took {took:?} with a hung daemon"
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let names: Vec<&str> = v["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s["name"].as_str())
        .collect();
    assert!(names.contains(&"alive"), "{names:?}");
    let docker = v["backends"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["backend"] == "docker")
        .expect("docker health");
    assert_eq!(docker["status"], "error", "{docker}");
    assert!(
        docker["message"]
            .as_str()
            .unwrap_or("")
            .contains("did not answer"),
        "{docker}"
    );

    let started = Instant::now();
    let out = world
        .apply(&mut muxdeck(Some(&cfg)))
        .env("DOCKER_HOST", daemon.host())
        .args(["status", "docker:anything"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("did not answer"), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(started.elapsed() < Duration::from_secs(4));
}

#[test]
fn docker_socket_gone_is_a_quiet_not_running() {
    let world = TmuxWorld::new();
    world.new_session("default", "alive", "exec sleep 600");
    let out = world
        .apply(&mut muxdeck(None))
        .env("DOCKER_HOST", "unix:///nonexistent/muxdeck/docker.sock")
        .args(["list", "--json"])
        .output()
        .expect("run");
    assert!(out.status.success(), "{out:?}");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let docker = v["backends"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["backend"] == "docker")
        .expect("docker health");
    assert_eq!(docker["status"], "not_running", "{docker}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr, "", "a runtime without a daemon is no fault");
    assert!(
        v["sessions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["name"] == "alive"),
        "{v}"
    );
}

#[test]
fn follow_ends_when_the_tmux_server_is_killed() {
    let world = TmuxWorld::new();
    world.new_session("srv", "tail", "while true; do echo tick; sleep 0.2; done");
    let mut cmd = muxdeck(None);
    world.apply(&mut cmd).args(["logs", "-f", "tmux@srv:tail"]);
    let mut f = Follower::start(cmd);
    std::thread::sleep(Duration::from_millis(700));
    world.tmux_ok("srv", ["kill-server"]);
    let (code, out) = f.wait_end(Duration::from_secs(10));
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("tick"), "{out}");
}

#[test]
fn follow_ends_when_the_session_is_killed_and_others_stay() {
    let world = TmuxWorld::new();
    world.new_session(
        "default",
        "victim",
        "while true; do echo tick; sleep 0.2; done",
    );
    world.new_session("default", "victim-2", "exec sleep 600");
    let mut cmd = muxdeck(None);
    world.apply(&mut cmd).args(["logs", "-f", "tmux:victim"]);
    let mut f = Follower::start(cmd);
    std::thread::sleep(Duration::from_millis(700));
    world.tmux_ok("default", ["kill-session", "-t", "=victim"]);
    let (code, _) = f.wait_end(Duration::from_secs(10));
    assert_eq!(code, Some(0));
    assert!(
        world
            .session_names("default")
            .contains(&"victim-2".to_string())
    );
}

#[test]
fn follow_ends_when_the_container_exits() {
    let containers = Containers::new();
    let name = containers.run_detached(
        &unique("exits"),
        "i=0; while [ $i -lt 15 ]; do echo line $i; i=$((i+1)); sleep 0.2; done; exit 4",
    );
    let mut cmd = muxdeck(None);
    cmd.args(["logs", "-f", &format!("podman:{name}")]);
    let mut f = Follower::start(cmd);
    let (code, out) = f.wait_end(Duration::from_secs(30));
    assert_eq!(code, Some(0), "{out}");
    assert!(
        out.contains("line 14"),
        "the last line before the exit is there: {out}"
    );
}
