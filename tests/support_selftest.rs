//! Proves the shared fixtures in `tests/support/` work against the real
//! backends: the busybox image, the container guard, private tmux servers and
//! the Docker API served by podman.

mod support;

use std::collections::HashSet;
use std::os::unix::net::UnixStream;
use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use support::{
    Containers, DockerApi, TEST_IMAGE, TmuxWorld, container_exists, container_state, podman_ok,
    process_alive, test_image, unique, wait_for, wait_for_logs, wait_until,
};

const WAIT: Duration = Duration::from_secs(20);

#[test]
fn unique_names_are_distinct_and_well_formed() {
    let names: Vec<String> = (0..200).map(|_| unique("Self Test.x")).collect();
    let distinct: HashSet<&String> = names.iter().collect();
    assert_eq!(distinct.len(), names.len(), "duplicates in {names:?}");
    let pid = std::process::id().to_string();
    for name in &names {
        assert!(name.starts_with("mxt-self-test-x-"), "{name}");
        assert!(name.contains(&format!("-{pid}-")), "{name}");
        assert!(
            name.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
            "{name}"
        );
    }
}

#[test]
fn wait_until_polls_and_times_out() {
    let start = Instant::now();
    let mut calls = 0;
    assert!(wait_until(WAIT, || {
        calls += 1;
        calls == 3
    }));
    assert_eq!(calls, 3);
    assert!(start.elapsed() < Duration::from_secs(2));

    let start = Instant::now();
    assert!(!wait_until(Duration::from_millis(300), || false));
    let waited = start.elapsed();
    assert!(
        waited >= Duration::from_millis(300) && waited < Duration::from_secs(2),
        "{waited:?}"
    );
}

#[test]
fn image_runs_and_its_output_reaches_podman_logs() {
    assert_eq!(test_image(), TEST_IMAGE);
    // Built once per process: a second call is instant.
    let start = Instant::now();
    test_image();
    assert!(start.elapsed() < Duration::from_millis(50));

    let containers = Containers::new();
    let name = containers.run_detached(
        &unique("logs"),
        "echo hello from busybox; printf '%s-%s\\n' a b; cat /etc/passwd; \
         test -d /tmp && echo tmp-ok",
    );
    let logs = wait_for_logs(&name, "tmp-ok", WAIT);
    assert!(logs.contains("hello from busybox"), "{logs}");
    assert!(logs.contains("a-b"), "{logs}");
    assert!(logs.contains("root:x:0:0:"), "{logs}");
    wait_for(WAIT, "the container to exit", || {
        container_state(&name) == "exited"
    });
    let code = podman_ok(["inspect", "--format", "{{.State.ExitCode}}", &name]);
    assert_eq!(code.trim(), "0");
}

#[test]
fn container_guard_removes_only_its_containers() {
    let outsider = Containers::new();
    let other = outsider.create(&unique("outsider"));
    let (running, created) = {
        let containers = Containers::new();
        let running = containers.run_detached(&unique("guard"), "while true; do sleep 1; done");
        let created = containers.create(&unique("guard"));
        assert!(container_exists(&running));
        assert!(container_exists(&created));
        wait_for(WAIT, "the container to run", || {
            container_state(&running) == "running"
        });
        assert_eq!(containers.names(), vec![running.clone(), created.clone()]);
        (running, created)
    };
    assert!(!container_exists(&running), "{running} survived its guard");
    assert!(!container_exists(&created), "{created} survived its guard");
    assert!(container_exists(&other), "the guard removed {other}");
}

#[test]
fn container_guard_cleans_up_when_the_test_panics() {
    let name = unique("panic");
    let result = std::panic::catch_unwind(|| {
        let containers = Containers::new();
        containers.run_detached(&name, "sleep 1000");
        panic!("the test fails here");
    });
    assert!(result.is_err());
    assert!(!container_exists(&name), "{name} survived a panic");
}

#[test]
fn podman_stop_delivers_term_to_a_trapping_shell() {
    let containers = Containers::new();
    let name = containers.run_detached(
        &unique("stop"),
        "trap 'echo bye; exit 0' TERM; echo ready; while true; do sleep 0.2; done",
    );
    wait_for_logs(&name, "ready", WAIT);
    let start = Instant::now();
    podman_ok(["stop", "--time", "10", &name]);
    let took = start.elapsed();
    // Had TERM been ignored, podman would have waited the full 10 s to KILL.
    assert!(took < Duration::from_secs(8), "stop took {took:?}");
    let logs = wait_for_logs(&name, "bye", WAIT);
    assert!(logs.contains("ready"), "{logs}");
    assert_eq!(container_state(&name), "exited");
    let code = podman_ok(["inspect", "--format", "{{.State.ExitCode}}", &name]);
    assert_eq!(
        code.trim(),
        "0",
        "the trap's `exit 0` should be the exit code"
    );
}

/// The socket directory the user's default tmux server uses.
fn default_tmux_dir() -> PathBuf {
    let base = std::env::var_os("TMUX_TMPDIR").map_or_else(|| PathBuf::from("/tmp"), PathBuf::from);
    base.join(format!("tmux-{}", support_uid()))
}

fn support_uid() -> u32 {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata("/proc/self").map_or(0, |m| m.uid())
}

#[test]
fn tmux_world_is_private_and_cleaned_up() {
    let socket = unique("sock");
    let session = unique("sess");
    let default_socket = default_tmux_dir().join("default");
    let default_server_before = UnixStream::connect(&default_socket).is_ok();
    let world = TmuxWorld::new();
    let tmpdir = world.tmpdir().to_path_buf();

    world.new_session(&socket, &session, "echo tmux-says-hi; exec sleep 1000");
    world.new_session(&socket, "second", "exec sleep 1000");
    let mut sessions = world.session_names(&socket);
    sessions.sort();
    let mut expected = vec![session.clone(), "second".to_string()];
    expected.sort();
    assert_eq!(sessions, expected);
    world.wait_for_text(&socket, &format!("={session}:"), "tmux-says-hi", WAIT);
    let size = world.tmux_ok(
        &socket,
        [
            "display-message",
            "-p",
            "-t",
            &format!("={session}:"),
            "#{window_width}x#{window_height}",
        ],
    );
    assert_eq!(size.trim(), "200x50");

    // A second socket in the same world is a separate server.
    let other = unique("sock");
    world.new_session(&other, "elsewhere", "exec sleep 1000");
    assert_eq!(world.session_names(&other), vec!["elsewhere".to_string()]);

    // The socket lives in the private dir, not in the user's.
    assert!(world.socket_path(&socket).exists());
    assert!(world.socket_path(&socket).starts_with(&tmpdir));
    assert!(!default_tmux_dir().join(&socket).exists());
    // The binary's env helper points at the same world.
    let mut cmd = Command::new("tmux");
    world.apply(&mut cmd);
    let seen = support::run_ok(
        cmd.args(["-L", &socket, "list-sessions", "-F", "#{session_name}"]),
        support::DEFAULT_TIMEOUT,
    );
    assert!(seen.lines().any(|l| l == session), "{seen}");

    let servers: Vec<u32> = [&socket, &other]
        .iter()
        .map(|s| {
            world
                .server_pid(s)
                .unwrap_or_else(|| panic!("no server pid on {s}"))
        })
        .collect();
    assert_ne!(servers[0], servers[1]);
    assert!(servers.iter().all(|&pid| process_alive(pid)));
    drop(world);
    for pid in servers {
        assert!(!process_alive(pid), "tmux server {pid} outlived its world");
    }
    assert!(!tmpdir.exists(), "{} was not removed", tmpdir.display());
    assert!(!default_tmux_dir().join(&socket).exists());
    assert_eq!(
        UnixStream::connect(&default_socket).is_ok(),
        default_server_before,
        "the user's default tmux server changed state"
    );
}

#[test]
fn tmux_world_kills_servers_it_did_not_start_itself() {
    // A server started by someone else (e.g. the binary) in the world's dir.
    let world = TmuxWorld::new();
    let socket = unique("foreign");
    let mut cmd = Command::new("tmux");
    world.apply(&mut cmd);
    support::run_ok(
        cmd.args(["-L", &socket, "new-session", "-d", "-s", "x", "sleep 1000"]),
        support::DEFAULT_TIMEOUT,
    );
    let pid = world
        .server_pid(&socket)
        .unwrap_or_else(|| panic!("no server on {socket}"));
    assert!(process_alive(pid));
    drop(world);
    assert!(!process_alive(pid), "tmux server {pid} outlived its world");
}

#[test]
fn docker_api_sees_podman_containers() {
    if support::skip_without_docker_cli() {
        return;
    }
    let api = DockerApi::start();
    assert!(api.docker_host().starts_with("unix:///"));
    assert!(api.ping());

    let containers = Containers::new();
    let created = containers.create(&unique("docker"));
    let running = containers.run_detached(&unique("docker"), "echo via-podman; sleep 1000");
    wait_for_logs(&running, "via-podman", WAIT);

    let listed = api.docker_ok(["ps", "-a", "--format", "{{.Names}}\t{{.Image}}\t{{.State}}"]);
    let row = |name: &str| {
        listed
            .lines()
            .find(|l| l.split('\t').next() == Some(name))
            .unwrap_or_else(|| panic!("docker ps -a does not list {name}:\n{listed}"))
            .to_string()
    };
    assert!(row(&created).contains(TEST_IMAGE), "{}", row(&created));
    assert!(row(&created).ends_with("\tcreated"), "{}", row(&created));
    assert!(row(&running).ends_with("\trunning"), "{}", row(&running));

    // And the other way round: the Docker API drives podman's containers.
    let logs = api.docker_ok(["logs", &running]);
    assert!(logs.contains("via-podman"), "{logs}");
    api.docker_ok(["rm", "-f", &created]);
    assert!(!container_exists(&created));

    let socket = api.socket_path().to_path_buf();
    let service = api.pid();
    assert!(process_alive(service));
    drop(api);
    assert!(
        !process_alive(service),
        "the API service outlived its guard"
    );
    assert!(!socket.exists(), "{} survived the guard", socket.display());
}

#[test]
fn muxdeck_command_has_a_controlled_environment() {
    let world = TmuxWorld::new();
    let api_host = "unix:///nonexistent.sock";
    let mut cmd = support::muxdeck(Some(std::path::Path::new("/x/config.yml")));
    world.apply(&mut cmd).env("DOCKER_HOST", api_host);
    let envs: Vec<(String, Option<String>)> = cmd
        .get_envs()
        .map(|(k, v)| {
            (
                k.to_string_lossy().into_owned(),
                v.map(|v| v.to_string_lossy().into_owned()),
            )
        })
        .collect();
    let get = |key: &str| {
        envs.iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
    };
    assert_eq!(get("TMUX"), Some(None), "TMUX must be removed");
    assert_eq!(
        get("MUXDECK_CONFIG"),
        Some(None),
        "MUXDECK_CONFIG must be removed"
    );
    assert_eq!(
        get("TMUX_TMPDIR"),
        Some(Some(world.tmpdir().display().to_string()))
    );
    assert_eq!(get("DOCKER_HOST"), Some(Some(api_host.to_string())));
    let conf = get("CONTAINERS_CONF").flatten().unwrap_or_default();
    assert!(PathBuf::from(&conf).is_file(), "CONTAINERS_CONF={conf}");
    let args: Vec<_> = cmd.get_args().collect();
    assert_eq!(args, ["--config", "/x/config.yml"]);
    assert!(PathBuf::from(cmd.get_program()).ends_with("muxdeck"));

    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let path = support::write_config(dir.path(), "sessions: []\n");
    assert_eq!(
        std::fs::read_to_string(&path).unwrap_or_default(),
        "sessions: []\n"
    );
}

#[test]
fn run_helpers_report_status_and_output() {
    let out = support::run_ok(
        Command::new("sh").args(["-c", "echo out; echo err >&2"]),
        support::DEFAULT_TIMEOUT,
    );
    assert_eq!(out, "out\n");
    let err = support::run_fail(Command::new("sh").args(["-c", "echo oops >&2; exit 3"]), 3);
    assert_eq!(err, "oops\n");
    let failed = std::panic::catch_unwind(|| {
        support::run_ok(
            Command::new("sh").args(["-c", "echo why >&2; exit 1"]),
            support::DEFAULT_TIMEOUT,
        )
    });
    let message = failed
        .err()
        .and_then(|p| p.downcast_ref::<String>().cloned())
        .unwrap_or_default();
    assert!(message.contains("why"), "stderr missing from: {message}");

    let start = Instant::now();
    let timed_out = std::panic::catch_unwind(|| {
        support::run(
            Command::new("sh").args(["-c", "echo started; exec sleep 30"]),
            Duration::from_millis(500),
        )
    });
    let message = timed_out
        .err()
        .and_then(|p| p.downcast_ref::<String>().cloned())
        .unwrap_or_default();
    assert!(message.contains("timed out"), "{message}");
    assert!(message.contains("started"), "{message}");
    assert!(start.elapsed() < Duration::from_secs(10));
}

#[test]
fn muxdeck_binary_runs() {
    let out = support::run_ok(
        support::muxdeck(None).arg("--version"),
        support::DEFAULT_TIMEOUT,
    );
    assert!(out.starts_with("muxdeck "), "{out}");
}

#[test]
fn shell_line_carries_the_environment_into_a_tmux_pane() {
    let world = TmuxWorld::new();
    let socket = unique("pane");
    let mut inner = Command::new("sh");
    inner
        .env_remove("HOME")
        .env("MXT_VALUE", "it's a value")
        .args([
            "-c",
            "echo \"home=${HOME-unset} v=$MXT_VALUE\"; exec sleep 1000",
        ]);
    let line = support::shell_line(&inner);
    assert!(line.starts_with("env -u HOME "), "{line}");
    world.new_session(&socket, "ui", &line);
    world.wait_for_text(&socket, "=ui:", "home=unset v=it's a value", WAIT);
}
