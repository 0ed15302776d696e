//! Every kind of bad input and failing backend, through the binary: config errors (exit 2,
//! one line naming the file and line, nothing started), unknown and ambiguous names,
//! missing or hung backends, and operations refused for the state a session is in.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use support::World;

use std::os::unix::fs::PermissionsExt;
use std::time::{Duration, Instant};

use serde_json::Value;
use support::{DEFAULT_TIMEOUT, container_exists, run_fail, run_ok, test_image, unique, wait_for};

const WAIT: Duration = Duration::from_secs(20);

/// Asserts `stderr` is exactly one line; returns it.
fn one_line(stderr: &str) -> &str {
    let lines: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "expected one line on stderr:\n{stderr}");
    lines[0]
}

#[test]
fn malformed_yaml_names_file_line_and_column() {
    let w = World::new();
    let cases = [
        // An unclosed quote: libyaml notices at the end of the stream, and says where the
        // quote began.
        (
            "sessions:\n  a:\n    command: \"unclosed\n  b:\n    command: x\n",
            "line 6 column 1",
            "line 3 column 14",
        ),
        // Bad indentation.
        (
            "sessions:\n  a:\n    command: x\n   b: y\n",
            "line 4 column 4",
            "did not find expected key",
        ),
        // A tab where YAML wants spaces.
        (
            "sessions:\n  a:\n\tcommand: x\n",
            "line 3 column 1",
            "cannot start any token",
        ),
    ];
    for (yaml, at, detail) in cases {
        let cfg = w.config(yaml);
        for args in [&["list"][..], &["config", "check"], &["start", "a"]] {
            let err = w.fail(Some(&cfg), args, 2);
            let line = one_line(&err);
            assert!(
                line.starts_with(&format!("muxdeck: config {}", cfg.display())),
                "{line}"
            );
            assert!(line.contains(at), "{yaml:?}: {line}");
            assert!(line.contains(detail), "{yaml:?}: {line}");
        }
    }
}

#[test]
fn unknown_keys_are_refused_with_their_line() {
    let w = World::new();
    let cases = [
        (
            "sessions:\n  a:\n    command: x\n    enviroment: {}\n",
            "line 4",
            "did you mean `env`",
        ),
        (
            "defaults:\n  stop_timout: 3\n",
            "line 2",
            "did you mean `stop_timeout`",
        ),
        (
            "log_lines: 10\nwidgets: 3\n",
            "line 2",
            "unknown field `widgets`",
        ),
    ];
    for (yaml, at, detail) in cases {
        let cfg = w.config(yaml);
        let line = w.fail(Some(&cfg), &["list"], 2);
        let line = one_line(&line);
        assert!(line.contains(&cfg.display().to_string()), "{line}");
        assert!(line.contains(at), "{yaml:?}: {line}");
        assert!(line.contains(detail), "{yaml:?}: {line}");
    }
}

#[test]
fn invalid_values_are_refused_and_nothing_starts() {
    let w = World::new();
    let image = test_image();
    let (t, sock, c) = (unique("never"), unique("sock"), unique("neverc"));
    w.containers.track(&c);
    // Valid sessions first, then one bad value on a known line.
    let head = format!(
        "sessions:\n  {t}:\n    socket: {sock}\n    command: sleep 600\n  {c}:\n    backend: container\n    image: {image}\n    command: sleep 600\n"
    );
    // (the bad part, its line in the file, what the message says)
    let cases = [
        ("  9lives:\n    command: x\n", 9, "invalid session name"),
        ("  bad name:\n    command: x\n", 9, "invalid session name"),
        (
            "  z:\n    backend: container\n    image: Not/An/Image\n",
            11,
            "invalid image reference",
        ),
        (
            "  z:\n    backend: container\n    image: x\n    ports:\n      - '8080:8080'\n      - '8080:0'\n",
            14,
            "invalid port",
        ),
        (
            "  z:\n    backend: container\n    image: x\n    volumes: ['/data:relative']\n",
            12,
            "invalid volume",
        ),
        (
            "  z:\n    env:\n      GOOD: 1\n      BAD-KEY: 2\n",
            12,
            "invalid environment variable name",
        ),
        ("  z:\n    socket: a/b\n", 10, "invalid tmux socket name"),
        ("  z:\n    backend: container\n", 9, "needs `image`"),
        ("  z:\n    image: x\n", 9, "only for container sessions"),
        (&format!("  {t}:\n    command: again\n"), 9, "defined twice"),
    ];
    for (bad, line_no, detail) in cases {
        let cfg = w.config(&format!("{head}{bad}"));
        for target in [&t, &c] {
            let err = w.fail(Some(&cfg), &["start", target], 2);
            let line = one_line(&err);
            assert!(line.contains(&cfg.display().to_string()), "{line}");
            assert!(
                line.contains(&format!("line {line_no}")),
                "{bad:?}: expected line {line_no}: {line}"
            );
            assert!(line.contains(detail), "{bad:?}: {line}");
        }
    }
    // Nothing was started: no tmux server, no container.
    assert!(!w.tmux.socket_path(&sock).exists());
    assert!(!container_exists(&c));
    // The same file without the bad part works.
    let cfg = w.config(&head);
    w.ok(Some(&cfg), &["config", "check"]);
}

/// Everything the program would refuse later is refused when the file loads: `config
/// check` fails with the file, line, column and field, and nothing is started.
#[test]
fn config_check_refuses_what_would_fail_later_with_its_position() {
    let w = World::new();
    let (t, sock) = (unique("nul"), unique("sock"));
    // (YAML, line, column, field, what the message says); `\0` is a YAML escape.
    let cases = [
        (
            "keys:\n  quit: [q, ctrl-c]\n  atach: [a]\n".to_string(),
            3,
            3,
            "keys",
            "unknown action \"atach\" (did you mean `attach`?)",
        ),
        (
            "keys:\n  quit: [q, foo]\n".to_string(),
            2,
            13,
            "keys.quit[1]",
            "unknown key \"foo\"",
        ),
        (
            "keys:\n  quit: hyper-q\n".to_string(),
            2,
            9,
            "keys.quit",
            "unknown key",
        ),
        (
            format!("sessions:\n  {t}:\n    socket: {sock}\n    command: \"sleep 60\\0\"\n"),
            4,
            14,
            &format!("sessions.{t}.command"),
            "NUL byte",
        ),
        (
            format!("sessions:\n  {t}:\n    socket: {sock}\n    env:\n      A: \"x\\0\"\n"),
            5,
            10,
            &format!("sessions.{t}.env.A"),
            "NUL byte",
        ),
        (
            format!("sessions:\n  {t}:\n    socket: {sock}\n    working_dir: \"/tmp\\0\"\n"),
            4,
            18,
            &format!("sessions.{t}.working_dir"),
            "NUL byte",
        ),
        (
            format!(
                "sessions:\n  {t}:\n    backend: container\n    image: busybox\n    volumes: [\"/a\\0:/b\"]\n"
            ),
            5,
            15,
            &format!("sessions.{t}.volumes[0]"),
            "NUL byte",
        ),
        (
            "defaults:\n  shell: \"sh\\0\"\n".to_string(),
            2,
            10,
            "defaults.shell",
            "NUL byte",
        ),
        (
            "defaults:\n  tmux_binary: \"tmux\\0\"\n".to_string(),
            2,
            16,
            "defaults.tmux_binary",
            "NUL byte",
        ),
    ];
    for (yaml, line_no, column, field, detail) in &cases {
        let cfg = w.config(yaml);
        for args in [&["config", "check"][..], &["start", &t]] {
            let err = w.fail(Some(&cfg), args, 2);
            let line = one_line(&err);
            let at = format!(
                "muxdeck: config {} line {line_no} column {column}: {field}: ",
                cfg.display()
            );
            assert!(line.starts_with(&at), "{yaml:?}: expected {at:?}:\n{line}");
            assert!(line.contains(detail), "{yaml:?}: {line}");
        }
    }
    assert!(!w.tmux.socket_path(&sock).exists(), "nothing was started");
    // The forms `keys:` takes are accepted: one key, a list, a digit.
    let cfg = w.config("keys:\n  quit: Q\n  stop: [x, ctrl-x]\n  help: 5\n");
    w.ok(Some(&cfg), &["config", "check"]);
}

#[test]
fn a_config_file_that_does_not_exist_is_an_error() {
    let w = World::new();
    let missing = w.dir.path().join("nope.yml");
    let err = w.fail(Some(&missing), &["list"], 2);
    let line = one_line(&err);
    assert!(line.contains("does not exist"), "{line}");
    assert!(line.contains("--config"), "{line}");
    let err = run_fail(w.mx(None).env("MUXDECK_CONFIG", &missing).args(["list"]), 2);
    assert!(err.contains("$MUXDECK_CONFIG"), "{err}");
    // A working_dir that is not a folder fails the start, and starts nothing.
    let (t, sock) = (unique("nodir"), unique("sock"));
    let cfg = w.config(&format!(
        "sessions:\n  {t}:\n    socket: {sock}\n    working_dir: {}\n",
        missing.display()
    ));
    let err = w.fail(Some(&cfg), &["start", &t], 2);
    assert!(err.contains("not a folder"), "{err}");
    assert!(!w.has_tmux(&sock, &t));
}

#[test]
fn unknown_names_exit_1() {
    let w = World::new();
    let name = unique("ghost");
    for args in [
        vec!["status", name.as_str()],
        vec!["logs", name.as_str()],
        vec!["stop", name.as_str()],
        vec!["start", name.as_str()],
        vec!["rm", name.as_str()],
        vec!["attach", name.as_str()],
    ] {
        let err = w.fail(None, &args, 1);
        let line = one_line(&err);
        assert!(line.contains(&format!("{name:?}")), "{line}");
        assert!(line.contains("no session named"), "{line}");
    }
    let err = w.fail(None, &["status", &format!("podman:{name}")], 1);
    assert!(err.contains("no session named"), "{err}");
    let err = w.fail(None, &["status", "tmux:"], 2);
    assert!(err.contains("names no session"), "{err}");
}

#[test]
fn an_ambiguous_bare_name_exits_2_and_lists_every_match() {
    let w = World::new();
    let name = unique("twin");
    let (s1, s2) = (unique("sock"), unique("sock"));
    w.tmux.new_session(&s1, &name, "sleep 600");
    w.tmux.new_session(&s2, &name, "sleep 600");
    let q1 = format!("tmux@{s1}:{name}");
    let q2 = format!("tmux@{s2}:{name}");
    for args in [
        vec!["status", name.as_str()],
        vec!["stop", name.as_str()],
        vec!["logs", name.as_str()],
    ] {
        let err = w.fail(None, &args, 2);
        let line = one_line(&err);
        assert!(line.contains(&q1) && line.contains(&q2), "{line}");
    }
    // `tmux:NAME` does not pick one of two non-default sockets either.
    let err = w.fail(None, &["status", &format!("tmux:{name}")], 2);
    assert!(err.contains(&q1) && err.contains(&q2), "{err}");
    // Nothing was stopped by the refused command.
    assert!(w.has_tmux(&s1, &name) && w.has_tmux(&s2, &name));

    // With a default-socket twin, every name the error lists is usable as given.
    w.tmux.new_session("default", &name, "sleep 600");
    let err = w.fail(None, &["status", &name], 2);
    let listed: Vec<String> = err
        .split(": ")
        .nth(2)
        .expect("choices after the second colon")
        .split("; ")
        .next()
        .unwrap()
        .split(", ")
        .map(str::to_string)
        .collect();
    assert_eq!(listed.len(), 3, "{err}");
    for q in &listed {
        let out = w.ok(None, &["status", "--json", q]);
        let st: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(&st["id"], q.as_str());
    }
}

#[test]
fn a_missing_backend_binary_leaves_the_others_working() {
    let w = World::new();
    let (t, sock, c) = (unique("keep"), unique("sock"), unique("keepc"));
    w.tmux.new_session(&sock, &t, "sleep 600");
    w.containers.run_detached(&c, "sleep 600");

    let no_tmux = w.config("defaults:\n  tmux_binary: /nonexistent/tmux\n");
    let out = w.exec(Some(&no_tmux), &["list", "--json"]);
    assert!(out.status.success());
    let list: Value = serde_json::from_slice(&out.stdout).unwrap();
    let ids: Vec<&str> = list["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s["id"].as_str())
        .collect();
    assert!(ids.contains(&format!("podman:{c}").as_str()), "{ids:?}");
    assert!(!ids.iter().any(|i| i.starts_with("tmux")), "{ids:?}");
    let health = |list: &Value, b: &str| {
        list["backends"]
            .as_array()
            .unwrap()
            .iter()
            .find(|h| h["backend"] == b)
            .unwrap()["status"]
            .clone()
    };
    assert_eq!(health(&list, "tmux"), "not_installed");
    assert_eq!(health(&list, "podman"), "ok");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr
            .lines()
            .any(|l| l.contains("warning") && l.contains("/nonexistent/tmux")),
        "{stderr}"
    );
    // Operations on tmux say what is wrong.
    let err = w.fail(Some(&no_tmux), &["status", &format!("tmux@{sock}:{t}")], 1);
    assert!(err.contains("no session named"), "{err}");

    let no_podman = w.config("defaults:\n  podman_binary: /nonexistent/podman\n");
    let out = w.exec(Some(&no_podman), &["list"]);
    assert!(out.status.success());
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(table.lines().any(|l| l.starts_with(&t)), "{table}");
    assert!(!table.contains(&c), "{table}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("/nonexistent/podman"), "{stderr}");
    // A config container session has no runtime to start it with.
    let cfg = w.config(&format!(
        "defaults:\n  podman_binary: /nonexistent/podman\n  container_runtime: podman\nsessions:\n  {c}x:\n    backend: container\n    image: x\n"
    ));
    let err = w.fail(Some(&cfg), &["start", &format!("{c}x")], 1);
    assert!(err.contains("not installed"), "{err}");
}

#[test]
fn a_hung_docker_daemon_costs_one_timeout() {
    let w = World::new();
    let (t, sock) = (unique("alive"), unique("sock"));
    w.tmux.new_session(&sock, &t, "sleep 600");
    let fake = w.dir.path().join("docker");
    // `exec` so the timeout's kill reaches the sleeping process itself.
    std::fs::write(&fake, "#!/bin/sh\nexec sleep 600\n").unwrap();
    std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();
    let cfg = w.config(&format!(
        "defaults:\n  docker_binary: {}\n  command_timeout: 1\n",
        fake.display()
    ));

    let start = Instant::now();
    let out = w.exec(Some(&cfg), &["list"]);
    let took = start.elapsed();
    assert!(out.status.success(), "{out:?}");
    assert!(took < Duration::from_secs(4), "list took {took:?}");
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(table.lines().any(|l| l.starts_with(&t)), "{table}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("docker") && stderr.contains("did not answer within 1s"),
        "{stderr}"
    );

    let start = Instant::now();
    let err = w.fail(Some(&cfg), &["status", "docker:x"], 1);
    assert!(start.elapsed() < Duration::from_secs(4));
    let line = one_line(&err);
    assert!(line.contains("did not answer"), "{line}");
    // tmux names still resolve while docker hangs.
    w.ok(Some(&cfg), &["status", &t]);
}

#[test]
fn starting_a_running_session_is_refused() {
    let w = World::new();
    let image = test_image();
    let (t, sock, c) = (unique("busy"), unique("sock"), unique("busyc"));
    w.containers.track(&c);
    let cfg = w.config(&format!(
        "sessions:\n  {t}:\n    socket: {sock}\n    command: sleep 600\n  {c}:\n    backend: container\n    image: {image}\n    command: sleep 600\n"
    ));
    w.ok(Some(&cfg), &["start", &t]);
    w.ok(Some(&cfg), &["start", &c]);
    let pid_before = w.tmux.pane_pid(&sock, &t).expect("the session runs");
    for name in [&t, &c] {
        let err = w.fail(Some(&cfg), &["start", name], 1);
        assert!(one_line(&err).contains("already running"), "{err}");
    }
    // Untouched.
    assert_eq!(w.tmux.pane_pid(&sock, &t), Some(pid_before));
    // A stopped container starts again (and then is running).
    run_ok(w.mx(Some(&cfg)).args(["kill", &c]), DEFAULT_TIMEOUT);
    let out = w.ok(Some(&cfg), &["start", &c]);
    assert_eq!(out.trim(), format!("started podman:{c}"));
    let err = w.fail(Some(&cfg), &["start", &c], 1);
    assert!(err.contains("already running"), "{err}");
}

#[test]
fn attach_and_exec_need_a_running_container() {
    let w = World::new();
    let image = test_image();
    let c = unique("cold");
    w.containers.create(&c);
    let err = w.fail(None, &["attach", &c], 1);
    assert!(one_line(&err).contains("not running"), "{err}");
    let err = w.fail(None, &["exec", &c, "--", "true"], 1);
    assert!(one_line(&err).contains("not running"), "{err}");
    let exited = unique("exited");
    w.containers.run_detached(&exited, "exit 2");
    wait_for(WAIT, "the container to exit", || {
        support::container_state(&exited) == "exited"
    });
    let err = w.fail(None, &["attach", &exited], 1);
    assert!(err.contains("not running (exited (2))"), "{err}");

    // A defined config session: nothing to attach to, no log yet; stop is a no-op.
    let d = unique("defined");
    let cfg = w.config(&format!(
        "sessions:\n  {d}:\n    backend: container\n    image: {image}\n"
    ));
    let err = w.fail(Some(&cfg), &["attach", &d], 1);
    assert!(err.contains("not running (defined)"), "{err}");
    let err = w.fail(Some(&cfg), &["logs", &d], 1);
    assert!(err.contains("has not been started"), "{err}");
    let out = w.ok(Some(&cfg), &["stop", &d]);
    assert!(out.contains("already stopped"), "{out}");
    let err = w.fail(Some(&cfg), &["rm", &d], 1);
    assert!(err.contains("not running"), "{err}");
    assert!(!container_exists(&d));
    // exec is for containers.
    let (t, sock) = (unique("texec"), unique("sock"));
    w.tmux.new_session(&sock, &t, "sleep 600");
    let err = w.fail(None, &["exec", &t], 1);
    assert!(err.contains("exec is for containers"), "{err}");
}

#[test]
fn a_failed_container_start_leaves_nothing_behind() {
    let w = World::new();
    let image = test_image();
    let (c, adhoc) = (unique("broken"), unique("brokenadhoc"));
    w.containers.track(&c);
    w.containers.track(&adhoc);
    let cfg = w.config(&format!(
        "sessions:\n  {c}:\n    backend: container\n    image: {image}\n    command: /nonexistent\n"
    ));
    let err = w.fail(Some(&cfg), &["start", &c], 1);
    let line = one_line(&err);
    assert!(line.contains("/nonexistent"), "{line}");
    assert!(!line.contains("level=warning"), "podman's noise: {line}");
    assert!(!container_exists(&c), "a broken container was left behind");
    // It is still `defined`: a fixed config can start it.
    let out = w.ok(Some(&cfg), &["status", "--json", &c]);
    let st: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(st["state"], "defined");

    let err = w.fail(
        None,
        &[
            "start",
            &adhoc,
            "--image",
            image,
            "--command",
            "/nonexistent",
        ],
        1,
    );
    assert!(err.contains("/nonexistent"), "{err}");
    assert!(!container_exists(&adhoc));

    // An image that is not there (and no registry to pull from) fails the same way.
    let missing = unique("noimage");
    w.containers.track(&missing);
    let start = Instant::now();
    let out = w.exec(
        None,
        &[
            "start",
            &missing,
            "--image",
            "localhost/muxdeck-test/does-not-exist:1",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(start.elapsed() < Duration::from_secs(40));
    assert!(!container_exists(&missing));
}

#[test]
fn usage_errors_are_one_line_and_exit_2() {
    let w = World::new();
    let cases: &[(&[&str], &str)] = &[
        (&["list", "--foo"], "unexpected argument '--foo' found"),
        (&["status"], "<NAME>"),
        (
            &["list", "--backend", "vm"],
            "possible values: tmux, container",
        ),
        (&["config"], "check"),
        (&["frob"], "unrecognized subcommand 'frob'"),
        (&["stop", "x", "--timeout", "99999"], "not in 0..=3600"),
    ];
    for (args, needle) in cases {
        let err = run_fail(w.mx(None).args(*args), 2);
        let line = one_line(&err);
        assert!(line.starts_with("muxdeck: "), "{args:?}: {line}");
        assert!(line.contains(needle), "{args:?}: {line}");
        assert!(
            line.contains("--help"),
            "{args:?}: no way to more help: {line}"
        );
    }
    // Asking for help or the version is not an error: it prints in full, on stdout.
    let help = run_ok(w.mx(None).args(["list", "--help"]), DEFAULT_TIMEOUT);
    assert!(help.lines().count() > 3, "{help}");
    assert!(run_ok(w.mx(None).arg("--version"), DEFAULT_TIMEOUT).starts_with("muxdeck "));
}
