//! Starting and stopping containers acts on exactly the container meant: a start that loses
//! a race removes nothing of the winner's, an ad hoc start never reuses or shadows another
//! session's name, and a name the runtime would read as an id prefix reaches no other
//! container. Real podman containers from the local test image.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::os::unix::fs::PermissionsExt;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use support::{World, podman_ok, podman_state, test_image, unique};

fn command_of(name: &str) -> String {
    podman_ok([
        "container",
        "inspect",
        "--format",
        "{{join .Config.Cmd \" \"}}",
        "--",
        name,
    ])
    .trim()
    .to_string()
}

fn wait_all(children: Vec<Child>) -> Vec<(i32, String)> {
    let started = Instant::now();
    children
        .into_iter()
        .map(|mut c| {
            while c.try_wait().expect("wait").is_none() {
                assert!(started.elapsed() < Duration::from_secs(60), "start hung");
                std::thread::sleep(Duration::from_millis(50));
            }
            let out = c.wait_with_output().expect("output");
            (
                out.status.code().unwrap_or(-1),
                String::from_utf8_lossy(&out.stderr).into_owned(),
            )
        })
        .collect()
}

#[test]
fn racing_starts_of_one_defined_container_leave_the_winner_running() {
    let w = World::new();
    let name = w.containers.track(&unique("race"));
    // A program that ignores SIGTERM: a cleanup that removed it without `-t 0` would hang
    // in "stopping" past the command timeout.
    let config = w.config(&format!(
        "sessions:\n  {name}:\n    backend: container\n    image: {}\n    command: \"sh -c 'trap \\\"\\\" TERM; exec sleep 600'\"\n",
        test_image()
    ));
    let children: Vec<Child> = (0..4)
        .map(|_| {
            w.mx(Some(&config))
                .args(["start", &name])
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("spawn")
        })
        .collect();
    let results = wait_all(children);
    let won = results.iter().filter(|(code, _)| *code == 0).count();
    assert!(won >= 1, "no start succeeded: {results:?}");
    for (code, err) in &results {
        assert!(
            *code == 0 || err.contains("already running"),
            "a losing start said something else: {results:?}"
        );
    }
    assert_eq!(
        podman_state(&name).as_deref(),
        Some("running"),
        "{results:?}"
    );
    let status = w.status(Some(&config), &name);
    assert_eq!(status["state"], "running");
}

#[test]
fn ad_hoc_start_beside_a_stopped_container_is_refused_and_changes_nothing() {
    let w = World::new();
    let old = unique("old");
    w.containers
        .create_with(&old, &[], &["sh", "-c", "echo OLD; sleep 600"]);
    let err = w.fail(
        None,
        &[
            "start",
            &old,
            "--image",
            test_image(),
            "--command",
            "echo NEW",
            "-e",
            "V=1",
        ],
        1,
    );
    assert!(err.contains("already exists"), "{err}");
    assert!(err.contains("rm"), "says how to remove it: {err}");
    assert_eq!(podman_state(&old).as_deref(), Some("created"));
    assert_eq!(command_of(&old), "sh -c echo OLD; sleep 600");
}

#[test]
fn ad_hoc_start_under_a_name_another_backend_has_is_refused() {
    let w = World::new();
    let api = unique("api");
    w.containers.run_detached(&api, "exec sleep 600");
    let err = w.fail(None, &["start", &api, "--command", "sleep 600"], 2);
    assert!(err.contains(&format!("podman:{api}")), "{err}");
    assert!(
        err.contains(&format!("tmux:{api}")),
        "offers the qualified form: {err}"
    );
    assert!(!w.has_tmux("default", &api), "a tmux session was made");
    // Qualified, the user asks for a second session of that name on purpose.
    let out = w.ok(
        None,
        &["start", &format!("tmux:{api}"), "--command", "sleep 600"],
    );
    assert!(out.contains(&format!("started tmux:{api}")), "{out}");
    assert!(w.has_tmux("default", &api));
    // A qualified name must agree with the options.
    let err = w.fail(
        None,
        &["start", &format!("tmux:{api}x"), "--image", test_image()],
        2,
    );
    assert!(err.contains("tmux"), "{err}");
}

#[test]
fn ad_hoc_start_with_an_empty_command_is_refused() {
    let w = World::new();
    for cmd in ["", "   "] {
        let name = unique("empty");
        let err = w.fail(None, &["start", &name, "--command", cmd], 2);
        assert!(err.contains("--command is empty"), "{err}");
        assert!(!w.has_tmux("default", &name));
    }
}

/// A podman that removes `gone` the first time it is asked about it, standing in for a
/// container removed between the listing and the operation.
fn racing_podman(dir: &std::path::Path, gone: &str) -> std::path::PathBuf {
    let flag = dir.join("removed");
    let script = dir.join("podman");
    let real = which("podman");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\nif [ \"$1\" != ps ] && [ ! -e '{flag}' ]; then\n  touch '{flag}'\n  '{real}' rm -f -t 0 -- '{gone}' >/dev/null 2>&1\nfi\nexec '{real}' \"$@\"\n",
            flag = flag.display(),
        ),
    )
    .expect("write");
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    script
}

fn which(program: &str) -> String {
    let out = std::process::Command::new("sh")
        .args(["-c", &format!("command -v {program}")])
        .output()
        .expect("sh");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

#[test]
fn a_container_removed_after_listing_is_not_mistaken_for_an_id_prefix() {
    let w = World::new();
    let victim = unique("victim");
    w.containers.run_detached(&victim, "exec sleep 600");
    let id = podman_ok(["container", "inspect", "--format", "{{.Id}}", "--", &victim]);
    // A container whose name is the start of the victim's id: podman reads that name as
    // the victim's id once no container has it. Tracked, so it is removed on failure too.
    let prefix = w.containers.track(&id.trim()[..10]);
    w.containers.run_detached(&prefix, "exec sleep 600");
    let podman = racing_podman(w.dir.path(), &prefix);
    let config = w.config(&format!(
        "defaults:\n  podman_binary: {}\n  docker_binary: /nonexistent/docker\n",
        podman.display()
    ));
    for verb in [
        ["stop", "--timeout", "1"].as_slice(),
        &["kill"],
        &["rm", "--force"],
    ] {
        let mut args = verb.to_vec();
        let target = format!("podman:{prefix}");
        args.push(&target);
        let out = w.exec(Some(&config), &args);
        assert_eq!(
            podman_state(&victim).as_deref(),
            Some("running"),
            "`muxdeck {args:?}` reached the victim: {out:?}"
        );
        // The next verb needs the stand-in again.
        let _ = std::fs::remove_file(w.dir.path().join("removed"));
        w.containers.run_detached(&prefix, "exec sleep 600");
    }
}

#[test]
fn s_s_s_on_a_defined_container_in_the_tui_starts_it_once() {
    use support::deck::Deck;
    use support::screen::shows;
    let world = support::TmuxWorld::new();
    let containers = support::Containers::new();
    let name = containers.track(&unique("sss"));
    let deck = Deck::start(
        &world,
        &format!(
            "sessions:\n  {name}:\n    backend: container\n    image: {}\n    command: \"sh -c 'trap \\\"\\\" TERM; while :; do echo tick; sleep 1; done'\"\n",
            test_image()
        ),
    );
    deck.select_in(&name, "defined");
    deck.keys(&["s", "s", "s"]);
    let screen = deck.wait("the container running", |s| {
        shows(s, &name, "podman", "running")
    });
    assert!(!screen.contains("start failed"), "{screen}");
    assert_eq!(podman_state(&name).as_deref(), Some("running"));
}
