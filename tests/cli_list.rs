//! `muxdeck list`: discovery of tmux sessions on every socket and of containers in every
//! state (podman, and docker through podman's Docker API), the backend filter, the text
//! table, and config sessions merged in as `defined` until started. Real tmux servers, real
//! containers, the real binary.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use support::World;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::Value;
use support::{
    DEFAULT_TIMEOUT, TEST_IMAGE, container_state, podman, podman_ok, run_ok,
    skip_without_docker_cli, test_image, unique, wait_for_value,
};

const WAIT: Duration = Duration::from_secs(20);

/// The session with qualified id `id` in a `list --json` document.
fn session<'a>(list: &'a Value, id: &str) -> Option<&'a Value> {
    list["sessions"]
        .as_array()
        .expect("sessions is an array")
        .iter()
        .find(|s| s["id"] == id)
}

/// Like [`session`], but the session must be there.
fn must<'a>(list: &'a Value, id: &str) -> &'a Value {
    session(list, id).unwrap_or_else(|| panic!("{id} is not listed:\n{list:#}"))
}

/// The health entry of a backend.
fn backend<'a>(list: &'a Value, name: &str) -> &'a Value {
    list["backends"]
        .as_array()
        .expect("backends is an array")
        .iter()
        .find(|b| b["backend"] == name)
        .unwrap_or_else(|| panic!("no health for {name}:\n{list:#}"))
}

fn now() -> i64 {
    i64::try_from(
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .expect("clock after 1970")
            .as_secs(),
    )
    .expect("fits")
}

/// Polls `list --json` until `id` has state `state`; returns that session.
fn wait_state(w: &World, config: Option<&Path>, id: &str, state: &str) -> Value {
    let mut last = Value::Null;
    wait_for_value(WAIT, || {
        last = w.list(config, &[]);
        session(&last, id).filter(|s| s["state"] == state).cloned()
    })
    .unwrap_or_else(|| panic!("{id} never became {state}:\n{last:#}"))
}

#[test]
fn tmux_sessions_are_found_on_the_default_and_custom_sockets() {
    let w = World::new();
    let (a, b, c) = (unique("dflt"), unique("one"), unique("two"));
    let (s1, s2) = (unique("sock"), unique("sock"));
    w.tmux.new_session("default", &a, "sleep 600");
    w.tmux.new_session(&s1, &b, "sleep 600");
    w.tmux
        .tmux_ok(&s1, ["new-window", "-t", &format!("={b}:"), "sleep 600"]);
    w.tmux
        .tmux_ok(&s1, ["split-window", "-t", &format!("={b}:"), "sleep 600"]);
    w.tmux.new_session(&s2, &c, "sleep 600");

    let list = w.list(None, &[]);
    let sa = must(&list, &format!("tmux:{a}"));
    assert_eq!(sa["name"], a.as_str());
    assert_eq!(sa["backend"], "tmux");
    assert_eq!(sa["location"], "default");
    assert_eq!(sa["state"], "running");
    assert_eq!(sa["exit_code"], Value::Null);
    assert_eq!(sa["from_config"], false);
    assert_eq!(sa["image"], Value::Null);
    assert_eq!(sa["ports"], serde_json::json!([]));
    assert_eq!(sa["windows"], 1);
    assert_eq!(sa["panes"], 1);
    let pid = sa["pid"].as_u64().expect("a running session has a pid");
    assert!(
        Path::new(&format!("/proc/{pid}")).exists(),
        "pid {pid} is not a live process"
    );
    let created = sa["created"].as_i64().expect("created is a number");
    assert!((now() - 600..=now() + 5).contains(&created), "{created}");

    let sb = must(&list, &format!("tmux@{s1}:{b}"));
    assert_eq!(sb["location"], s1.as_str());
    assert_eq!(sb["windows"], 2);
    assert_eq!(sb["panes"], 3);
    let sc = must(&list, &format!("tmux@{s2}:{c}"));
    assert_eq!(sc["location"], s2.as_str());
    // Each session is listed once, under its own socket only.
    for name in [&a, &b, &c] {
        let n = list["sessions"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| s["name"] == name.as_str())
            .count();
        assert_eq!(n, 1, "{name} listed {n} times:\n{list:#}");
    }
    let health = backend(&list, "tmux");
    assert_eq!(health["status"], "ok");
    assert_eq!(health["sessions"], 3);
    assert_eq!(health["servers"], 3);
}

#[test]
fn a_socket_whose_server_died_is_skipped() {
    let w = World::new();
    let (live, dead) = (unique("live"), unique("dead"));
    w.tmux.new_session(&live, "kept", "sleep 600");
    w.tmux.new_session(&dead, "gone", "sleep 600");
    let pid = w.tmux.server_pid(&dead).expect("server pid");
    // SIGKILL leaves the socket file behind, with nothing listening.
    assert!(
        Command::new("kill")
            .args(["-KILL", &pid.to_string()])
            .status()
            .unwrap()
            .success()
    );
    support::wait_for(WAIT, "the killed server to go", || {
        !support::process_alive(pid)
    });
    assert!(w.tmux.socket_path(&dead).exists(), "stale socket expected");
    let list = w.list(None, &[]);
    must(&list, &format!("tmux@{live}:kept"));
    assert!(session(&list, &format!("tmux@{dead}:gone")).is_none());
    assert_eq!(backend(&list, "tmux")["status"], "ok", "{list:#}");
}

#[test]
fn backend_filter_limits_sessions_and_health() {
    let w = World::new();
    let (t, c, sock) = (unique("ft"), unique("fc"), unique("fs"));
    w.tmux.new_session(&sock, &t, "sleep 600");
    w.containers.run_detached(&c, "sleep 600");

    let all = w.list(None, &[]);
    must(&all, &format!("tmux@{sock}:{t}"));
    must(&all, &format!("podman:{c}"));
    // The runtimes' listings start first, but the health lines keep their order.
    let order: Vec<&str> = all["backends"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["backend"].as_str().unwrap())
        .collect();
    let usual = ["tmux", "podman", "docker"];
    let mut expected = order.clone();
    expected.sort_by_key(|b| usual.iter().position(|u| u == b));
    assert_eq!(order, expected);
    assert_eq!(order.first(), Some(&"tmux"), "{order:?}");

    let only_tmux = w.list(None, &["--backend", "tmux"]);
    must(&only_tmux, &format!("tmux@{sock}:{t}"));
    for s in only_tmux["sessions"].as_array().unwrap() {
        assert_eq!(s["backend"], "tmux", "{s}");
    }
    let names: Vec<&Value> = only_tmux["backends"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| &b["backend"])
        .collect();
    assert_eq!(names, ["tmux"]);

    let only_containers = w.list(None, &["--backend", "container"]);
    must(&only_containers, &format!("podman:{c}"));
    for s in only_containers["sessions"].as_array().unwrap() {
        assert_eq!(s["backend"], "container", "{s}");
    }
    assert!(
        only_containers["backends"]
            .as_array()
            .unwrap()
            .iter()
            .all(|b| b["backend"] != "tmux")
    );

    // A filter value that does not exist is a usage error.
    let out = support::run(
        w.mx(None).args(["list", "--backend", "vm"]),
        support::DEFAULT_TIMEOUT,
    );
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn text_table_has_a_row_per_session() {
    let w = World::new();
    let (t, c, sock) = (unique("tt"), unique("tc"), unique("ts"));
    w.tmux.new_session(&sock, &t, "sleep 600");
    w.containers.run_detached(&c, "exit 3");
    wait_state(&w, None, &format!("podman:{c}"), "exited");

    let out = run_ok(w.mx(None).arg("list"), DEFAULT_TIMEOUT);
    let mut lines = out.lines();
    let header = lines.next().expect("a header");
    for col in ["NAME", "BACKEND", "STATE", "PID", "AGE", "CONFIG", "DETAIL"] {
        assert!(header.contains(col), "{header}");
    }
    let row = |name: &str| {
        out.lines()
            .find(|l| l.split_whitespace().next() == Some(name))
            .unwrap_or_else(|| panic!("no row for {name}:\n{out}"))
            .to_string()
    };
    let tr = row(&t);
    assert!(tr.contains(&format!("tmux@{sock}")), "{tr}");
    assert!(tr.contains("running"), "{tr}");
    assert!(tr.contains("1 window, 1 pane"), "{tr}");
    let cr = row(&c);
    assert!(cr.contains("podman"), "{cr}");
    assert!(cr.contains("exited (3)"), "{cr}");
    assert!(cr.contains(TEST_IMAGE), "{cr}");
    // Columns line up: every row has its state where the header has STATE.
    let col = header.find("STATE").unwrap();
    assert_eq!(tr.get(col..col + 7), Some("running"), "{out}");
    // Warnings (docker has no daemon here) go to stderr, never into the table.
    assert!(!out.contains("warning"), "{out}");
}

#[test]
fn container_states_via_podman() {
    let w = World::new();
    test_image();
    let (run, exited, created, paused) = (
        unique("run"),
        unique("exit"),
        unique("created"),
        unique("paused"),
    );
    w.containers.run_detached(&run, "sleep 600");
    w.containers.run_detached(&exited, "exit 3");
    w.containers.create(&created);
    w.containers.run_detached(&paused, "sleep 600");
    let pause = podman(["pause", paused.as_str()]);

    let s = wait_state(&w, None, &format!("podman:{exited}"), "exited");
    assert_eq!(s["exit_code"], 3);
    assert_eq!(s["pid"], Value::Null);

    let list = w.list(None, &[]);
    let r = must(&list, &format!("podman:{run}"));
    assert_eq!(r["state"], "running");
    assert_eq!(r["backend"], "container");
    assert_eq!(r["location"], "podman");
    assert_eq!(r["image"], TEST_IMAGE);
    assert_eq!(r["exit_code"], Value::Null);
    assert_eq!(r["windows"], Value::Null);
    assert_eq!(r["from_config"], false);
    let pid = r["pid"].as_u64().expect("running container has a pid");
    let inspected: u64 = podman_ok(["inspect", "--format", "{{.State.Pid}}", run.as_str()])
        .trim()
        .parse()
        .unwrap();
    assert_eq!(pid, inspected);
    let created_at = r["created"].as_i64().expect("created");
    assert!((now() - 600..=now() + 5).contains(&created_at));

    let c = must(&list, &format!("podman:{created}"));
    assert_eq!(
        c["state"], "stopped",
        "a created container is shown stopped"
    );
    assert_eq!(c["exit_code"], Value::Null);

    let p = must(&list, &format!("podman:{paused}"));
    if pause.status.success() {
        assert_eq!(p["state"], "paused");
        // A paused container can still be stopped (podman itself refuses; muxdeck thaws it).
        // `sleep` as PID 1 ignores SIGTERM: killed when the second is up, and said so.
        let out = run_ok(
            w.mx(None).args(["stop", "--timeout", "1", &paused]),
            DEFAULT_TIMEOUT,
        );
        assert_eq!(
            out.trim(),
            format!("killed podman:{paused} after 1 s (it did not stop on SIGTERM)")
        );
        let st = container_state(&paused);
        assert_eq!(st.trim(), "exited");
    } else {
        // Pausing needs the freezer cgroup; without it the container just keeps running.
        eprintln!(
            "note: podman pause failed here: {}",
            String::from_utf8_lossy(&pause.stderr)
        );
        assert_eq!(p["state"], "running");
    }
    assert_eq!(backend(&list, "podman")["status"], "ok");
}

#[test]
fn container_states_via_docker_api() {
    if skip_without_docker_cli() {
        return;
    }
    let w = World::with_docker();
    let api = w.docker.as_ref().unwrap();
    let image = test_image();
    let (run, exited, created, paused) = (
        unique("drun"),
        unique("dexit"),
        unique("dcreated"),
        unique("dpaused"),
    );
    for n in [&run, &exited, &created, &paused] {
        w.containers.track(n);
    }
    api.docker_ok(["run", "-d", "--name", &run, image, "sleep", "600"]);
    api.docker_ok(["run", "-d", "--name", &exited, image, "sh", "-c", "exit 3"]);
    api.docker_ok(["create", "--name", &created, image]);
    api.docker_ok(["run", "-d", "--name", &paused, image, "sleep", "600"]);
    let pause = api.docker(["pause", paused.as_str()]);

    let s = wait_state(&w, None, &format!("docker:{exited}"), "exited");
    assert_eq!(s["exit_code"], 3);
    assert_eq!(s["location"], "docker");
    let list = w.list(None, &[]);
    let r = must(&list, &format!("docker:{run}"));
    assert_eq!(r["state"], "running");
    assert_eq!(r["backend"], "container");
    assert_eq!(r["image"], image);
    let created_at = r["created"].as_i64().expect("docker CreatedAt parsed");
    assert!(
        (now() - 600..=now() + 5).contains(&created_at),
        "{created_at}"
    );
    assert_eq!(
        must(&list, &format!("docker:{created}"))["state"],
        "stopped"
    );
    let p = must(&list, &format!("docker:{paused}"));
    if pause.status.success() {
        assert_eq!(p["state"], "paused");
    } else {
        eprintln!(
            "note: docker pause failed here: {}",
            String::from_utf8_lossy(&pause.stderr)
        );
        assert_eq!(p["state"], "running");
    }
    // podman sees the same containers on its side.
    assert_eq!(must(&list, &format!("podman:{run}"))["state"], "running");
    assert_eq!(must(&list, &format!("podman:{exited}"))["exit_code"], 3);
    assert_eq!(backend(&list, "docker")["status"], "ok", "{list:#}");
}

#[test]
fn config_sessions_are_defined_until_started() {
    let w = World::new();
    let image = test_image();
    let (t, c, sock) = (unique("cfgt"), unique("cfgc"), unique("cfgs"));
    w.containers.track(&c);
    // A host port nothing listens on right now.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let cfg = w.config(&format!(
        "defaults:\n  stop_timeout: 2\nsessions:\n  {t}:\n    command: sleep 600\n    socket: {sock}\n  {c}:\n    backend: container\n    image: {image}\n    command: sleep 600\n    ports: [\"{port}:80\"]\n"
    ));
    let tid = format!("tmux@{sock}:{t}");
    let cid = format!("podman:{c}");

    let list = w.list(Some(&cfg), &[]);
    let st = must(&list, &tid);
    assert_eq!(st["state"], "defined");
    assert_eq!(st["from_config"], true);
    assert_eq!(st["pid"], Value::Null);
    assert_eq!(st["location"], sock.as_str());
    let sc = must(&list, &cid);
    assert_eq!(sc["state"], "defined");
    assert_eq!(sc["from_config"], true);
    assert_eq!(sc["image"], image);
    assert_eq!(sc["ports"], serde_json::json!([format!("{port}:80")]));
    // Defined only: nothing runs yet.
    assert!(w.tmux.session_names(&sock).is_empty());
    assert!(!podman(["container", "exists", c.as_str()]).status.success());
    // The table marks them too.
    let table = run_ok(w.mx(Some(&cfg)).arg("list"), DEFAULT_TIMEOUT);
    let row = table
        .lines()
        .find(|l| l.starts_with(&t))
        .unwrap_or_else(|| panic!("{table}"));
    assert!(row.contains("defined") && row.contains("yes"), "{row}");

    let out = run_ok(w.mx(Some(&cfg)).args(["start", &t]), DEFAULT_TIMEOUT);
    assert!(out.contains(&format!("started {tid}")), "{out}");
    let out = run_ok(w.mx(Some(&cfg)).args(["start", &c]), DEFAULT_TIMEOUT);
    assert!(out.contains(&format!("started {cid}")), "{out}");

    let list = w.list(Some(&cfg), &[]);
    let st = must(&list, &tid);
    assert_eq!(st["state"], "running");
    assert_eq!(st["from_config"], true);
    assert!(st["pid"].as_u64().is_some());
    let sc = must(&list, &cid);
    assert_eq!(sc["state"], "running");
    assert_eq!(sc["from_config"], true);
    assert_eq!(sc["ports"], serde_json::json!([format!("{port}:80/tcp")]));
    // Listed once each: the running session replaces its `defined` row.
    let n = list["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["name"] == t.as_str() || s["name"] == c.as_str())
        .count();
    assert_eq!(n, 2, "{list:#}");
    // Without the config, the same sessions are plain discoveries.
    let bare = w.list(None, &[]);
    assert_eq!(must(&bare, &tid)["from_config"], false);
    assert_eq!(must(&bare, &cid)["from_config"], false);
}

#[test]
fn a_reader_that_stops_early_is_not_an_error() {
    use std::io::Read;
    use std::process::Stdio;
    let w = World::new();
    // Enough defined sessions that the JSON is far larger than a pipe's buffer.
    let mut yaml = String::from("sessions:\n");
    for i in 0..1000 {
        yaml.push_str(&format!("  s{i}:\n    command: sleep 1\n"));
    }
    let cfg = w.config(&yaml);
    for args in [&["list", "--json"][..], &["list"]] {
        let mut child = w
            .mx(Some(&cfg))
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdout = child.stdout.take().unwrap();
        let mut first = [0u8; 16];
        stdout.read_exact(&mut first).unwrap();
        // Like `muxdeck list --json | head -c 16`.
        drop(stdout);
        let mut status = None;
        support::wait_for(WAIT, "muxdeck to exit after its reader left", || {
            status = child.try_wait().unwrap();
            status.is_some()
        });
        let mut stderr = String::new();
        child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut stderr)
            .unwrap();
        assert_eq!(status.unwrap().code(), Some(0), "{args:?}: {stderr}");
        assert!(!stderr.contains("Broken pipe"), "{args:?}: {stderr}");
    }
}
