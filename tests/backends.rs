//! Which backends muxdeck asks, and how loudly: `backends:` leaves a backend unasked (no
//! call, no health entry, no watcher), `container_runtime: podman` alone keeps docker
//! unasked, a runtime whose daemon is simply absent is a quiet `not running`, and commands
//! warn only about the backends they needed. Real tmux and podman, the real `docker` CLI
//! against no daemon and against podman's Docker API; stand-in executables only record that
//! they were asked.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::Value;
use support::deck::Deck;
use support::{World, skip_without_docker_cli, unique, wait_until};

/// A Docker socket path nothing listens on.
const NO_DAEMON: &str = "unix:///nonexistent/muxdeck/docker.sock";

/// The health entry of `backend` in `list --json`, if it is there.
fn health<'a>(list: &'a Value, backend: &str) -> Option<&'a Value> {
    list["backends"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["backend"] == backend)
}

fn ids(list: &Value) -> Vec<String> {
    list["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s["id"].as_str().map(str::to_string))
        .collect()
}

/// An executable `name` in `dir` that appends its arguments to `dir/name.calls`, then runs
/// `then` (a shell line, given the arguments as "$@"). Returns its path.
fn recorder(dir: &Path, name: &str, then: &str) -> PathBuf {
    let path = dir.join(name);
    let calls = dir.join(format!("{name}.calls"));
    std::fs::write(
        &path,
        format!("#!/bin/sh\necho \"$*\" >> '{}'\n{then}\n", calls.display()),
    )
    .unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path
}

/// What the recorder `name` in `dir` was asked, one call a line.
fn calls(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(format!("{name}.calls"))).unwrap_or_default()
}

#[test]
fn docker_is_not_started_while_its_socket_is_absent_and_is_asked_once_there_is_one() {
    if skip_without_docker_cli() {
        return;
    }
    let w = World::new();
    // `docker` first on PATH: the real CLI, writing down each start.
    let bin = w.path("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let log = w.path("docker.calls");
    let real = which_docker();
    std::fs::write(
        bin.join("docker"),
        format!(
            "#!/bin/sh\necho \"$*\" >> '{}'\nexec '{}' \"$@\"\n",
            log.display(),
            real.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(bin.join("docker"), std::fs::Permissions::from_mode(0o755)).unwrap();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let socket = w.path("docker.sock");
    let list = || {
        let mut cmd = w.mx(None);
        cmd.env("PATH", &path)
            .env("DOCKER_HOST", format!("unix://{}", socket.display()))
            .env("DOCKER_CONFIG", w.path("docker-config"))
            .args(["list", "--json"]);
        let out = support::run(&mut cmd, support::DEFAULT_TIMEOUT);
        assert!(out.status.success(), "{out:?}");
        serde_json::from_slice::<Value>(&out.stdout).unwrap()
    };
    let v = list();
    let docker = health(&v, "docker").expect("docker health");
    assert_eq!(docker["status"], "not_running", "{docker}");
    assert!(
        docker["message"]
            .as_str()
            .unwrap()
            .contains(&*socket.to_string_lossy()),
        "the message names the socket: {docker}"
    );
    assert_eq!(
        std::fs::read_to_string(&log).unwrap_or_default(),
        "",
        "docker was started though nothing could answer it"
    );
    // Something at the path (here a stale file): only docker can tell, and is asked.
    std::fs::write(&socket, "").unwrap();
    let v = list();
    let docker = health(&v, "docker").expect("docker health");
    assert_eq!(docker["status"], "not_running", "{docker}");
    assert!(
        std::fs::read_to_string(&log)
            .unwrap_or_default()
            .contains("ps"),
        "docker was not asked"
    );
}

/// The docker CLI on PATH.
fn which_docker() -> PathBuf {
    std::env::var("PATH")
        .unwrap_or_default()
        .split(':')
        .map(|d| Path::new(d).join("docker"))
        .find(|p| p.is_file())
        .expect("docker on PATH")
}

#[test]
fn a_docker_cli_without_a_daemon_is_a_quiet_not_running() {
    if skip_without_docker_cli() {
        return;
    }
    let w = World::new();
    let (t, sock) = (unique("quiet"), unique("sock"));
    w.tmux.new_session(&sock, &t, "sleep 600");
    let run = |config: Option<&Path>, args: &[&str]| {
        let mut cmd = w.mx(config);
        cmd.env("DOCKER_HOST", NO_DAEMON).args(args);
        support::run(&mut cmd, support::DEFAULT_TIMEOUT)
    };
    let stderr = |out: &std::process::Output| String::from_utf8_lossy(&out.stderr).into_owned();

    let out = run(None, &["list", "--json"]);
    assert!(out.status.success(), "{out:?}");
    assert_eq!(
        stderr(&out),
        "",
        "no warning for a runtime without a daemon"
    );
    let list: Value = serde_json::from_slice(&out.stdout).unwrap();
    let docker = health(&list, "docker").expect("docker health");
    assert_eq!(docker["status"], "not_running", "{docker}");
    assert!(
        docker["message"]
            .as_str()
            .unwrap()
            .contains("/nonexistent/muxdeck/docker.sock"),
        "the message says which socket: {docker}"
    );
    let out = run(None, &["list"]);
    assert!(out.status.success());
    assert_eq!(stderr(&out), "");

    // Not found is not found: nothing about docker's daemon.
    let ghost = unique("ghost");
    let out = run(None, &["status", &ghost]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert_eq!(
        stderr(&out).trim(),
        format!("muxdeck: no session named {ghost:?}; `muxdeck list` shows what exists")
    );
    // Commands on one session say nothing about other backends.
    let qualified = format!("tmux@{sock}:{t}");
    for args in [&["status", &qualified][..], &["stop", &qualified]] {
        let out = run(None, args);
        assert!(out.status.success(), "{args:?}: {out:?}");
        assert_eq!(stderr(&out), "", "{args:?}");
    }
    assert!(!w.has_tmux(&sock, &t), "stopped");
    // A name that asks for docker is told why docker has nothing.
    let out = run(None, &["status", &format!("docker:{ghost}")]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(err.contains("docker has no daemon running"), "{err}");
    // Named in `backends:`, docker is expected to be there: its absence is a warning.
    let cfg = w.config("backends: [tmux, docker]\n");
    let out = run(Some(&cfg), &["list"]);
    assert!(out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("warning: docker: no daemon is running, though `backends:` lists it"),
        "{err}"
    );
}

#[test]
fn a_backend_left_out_is_never_asked() {
    let w = World::new();
    let (t, sock) = (unique("kept"), unique("sock"));
    w.tmux.new_session(&sock, &t, "sleep 600");
    let bin = w.path("bin");
    std::fs::create_dir_all(&bin).unwrap();
    // A docker that fails loudly, were it asked.
    let docker = recorder(&bin, "docker", "echo 'docker: boom' >&2; exit 1");
    let head = format!("defaults:\n  docker_binary: {}\n", docker.display());

    // Control: by default the stand-in is asked, and its failure is a warning.
    let out = w.exec(Some(&w.config(&head)), &["list"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("boom"));
    assert!(calls(&bin, "docker").contains("ps"));
    std::fs::remove_file(bin.join("docker.calls")).unwrap();

    let ghost = unique("ghost");
    let podman_def = unique("defd");
    for yaml in [
        format!("{head}backends: [tmux, podman]\n"),
        format!(
            "{head}  container_runtime: podman\nsessions:\n  {podman_def}:\n    backend: container\n    image: busybox\n"
        ),
    ] {
        let cfg = w.config(&yaml);
        let out = w.exec(Some(&cfg), &["list", "--json"]);
        assert!(out.status.success(), "{out:?}");
        assert_eq!(String::from_utf8_lossy(&out.stderr), "", "{yaml}");
        let list: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert!(health(&list, "docker").is_none(), "{yaml}: {list}");
        assert_eq!(health(&list, "podman").unwrap()["status"], "ok");
        assert!(ids(&list).contains(&format!("tmux@{sock}:{t}")));
        let err = w.fail(Some(&cfg), &["status", &ghost], 1);
        assert!(!err.contains("docker"), "{err}");
        w.ok(Some(&cfg), &["status", &format!("tmux@{sock}:{t}")]);
        assert_eq!(calls(&bin, "docker"), "", "{yaml}: docker was asked");
    }
    // The config session runs on podman; docker is not asked for it.
    let cfg = w.config(&format!(
        "{head}  container_runtime: podman\nsessions:\n  {podman_def}:\n    backend: container\n    image: busybox\n"
    ));
    let st = w.status(Some(&cfg), &podman_def);
    assert_eq!(st["id"], format!("podman:{podman_def}"));
    assert_eq!(st["state"], "defined");
    // A name that asks for a backend left out says so, and asks nothing.
    let cfg = w.config(&format!("{head}backends: [tmux, podman]\n"));
    let err = w.fail(Some(&cfg), &["status", &format!("docker:{ghost}")], 2);
    assert!(
        err.contains("`backends:` in the config leaves out"),
        "{err}"
    );
    let err = w.fail(
        Some(&cfg),
        &["start", &format!("docker:{ghost}"), "--image", "busybox"],
        2,
    );
    assert!(err.contains("`backends:` leaves out"), "{err}");
    assert_eq!(calls(&bin, "docker"), "");
}

#[test]
fn through_the_docker_api_only_the_backends_listed_are_asked() {
    if skip_without_docker_cli() {
        return;
    }
    let w = World::with_docker();
    let c = unique("api");
    w.containers.run_detached(&c, "sleep 600");
    let bin = w.path("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let podman = recorder(&bin, "podman", "echo 'podman: boom' >&2; exit 1");
    let cfg = w.config(&format!(
        "defaults:\n  podman_binary: {}\nbackends: [tmux, docker]\n",
        podman.display()
    ));

    let out = w.exec(Some(&cfg), &["list", "--json"]);
    assert!(out.status.success(), "{out:?}");
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
    let list: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(health(&list, "docker").unwrap()["status"], "ok", "{list}");
    assert!(health(&list, "podman").is_none(), "{list}");
    let ids = ids(&list);
    assert!(ids.contains(&format!("docker:{c}")), "{ids:?}");
    assert!(!ids.contains(&format!("podman:{c}")), "{ids:?}");
    // The bare name means the docker container alone, and acting on it warns of nothing.
    let st = w.status(Some(&cfg), &c);
    assert_eq!(st["id"], format!("docker:{c}"));
    let out = w.exec(Some(&cfg), &["stop", &c, "--timeout", "1"]);
    assert!(out.status.success(), "{out:?}");
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
    assert_eq!(calls(&bin, "podman"), "", "podman was asked");
    let err = w.fail(Some(&cfg), &["status", &format!("podman:{c}")], 2);
    assert!(err.contains("leaves out"), "{err}");
    // Control: without `backends:`, the stand-in is asked, and its failure is a warning.
    let cfg = w.config(&format!(
        "defaults:\n  podman_binary: {}\n",
        podman.display()
    ));
    let out = w.exec(Some(&cfg), &["list"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("podman: boom"));
    assert!(calls(&bin, "podman").contains("ps"));
}

#[test]
fn the_screen_watches_only_the_backends_in_use_and_says_not_running_quietly() {
    if skip_without_docker_cli() {
        return;
    }
    let world = support::TmuxWorld::new();
    world.new_session("default", "alone", "sleep 600");
    let dir = support::temp_dir("bin");
    let podman = recorder(dir.path(), "podman", "exec podman \"$@\"");
    // The real docker CLI, pointed at a socket nothing listens on.
    let docker = recorder(
        dir.path(),
        "docker",
        &format!("DOCKER_HOST={NO_DAEMON} exec docker \"$@\""),
    );
    let deck = Deck::start(
        &world,
        &format!(
            "defaults:\n  podman_binary: {}\n  docker_binary: {}\nbackends: [tmux, docker]\n",
            podman.display(),
            docker.display()
        ),
    );
    let screen = deck.wait("tmux and docker in the health line", |s| {
        s.contains("tmux: 1 on 1 server") && s.contains("docker: not running")
    });
    assert!(!screen.contains("podman"), "{screen}");
    // A refresh asks every watcher: still none for podman.
    deck.keys(&["R"]);
    assert!(
        !wait_until(Duration::from_secs(2), || !calls(dir.path(), "podman")
            .is_empty()),
        "podman was asked: {}",
        calls(dir.path(), "podman")
    );
    assert!(calls(dir.path(), "docker").contains("ps"));
    let screen = deck.screen();
    assert!(screen.contains("docker: not running"), "{screen}");
}
