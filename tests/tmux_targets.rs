//! Every tmux target muxdeck builds reaches only the session the user named, whatever the
//! name looks like to tmux's target grammar: ids (`$0`, `@0`, `%0`), a leading `=`, tmux's
//! special tokens, a client's tty. Each named session sits beside the victims its name
//! could be mistaken for; logs, follow, status, stop and kill must touch only it.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::process::Stdio;
use std::time::{Duration, Instant};

use support::{DEFAULT_TIMEOUT, TmuxWorld, muxdeck, run, run_fail, run_ok};

/// Names that tmux's target parser reads as something else than a plain name.
const TRICKY: [&str; 12] = [
    "$0", "$1", "@0", "%0", "=x", "==", "{last}", "{marked}", "!", "~", "^", "pts/0",
];

/// A world where sessions `$0`'s victims come first (so tmux ids `$0`, `$1`, ... belong to
/// victims), then one session per tricky name, each printing its own marker.
fn tricky_world() -> TmuxWorld {
    let world = TmuxWorld::new();
    for i in 0..3 {
        world.new_session("d", &format!("victim{i}"), "echo VICTIM; exec sleep 600");
    }
    for (i, name) in TRICKY.iter().enumerate() {
        world.new_session("d", name, &format!("echo MARK-{i}; exec sleep 600"));
    }
    world
}

fn names(world: &TmuxWorld) -> Vec<String> {
    let mut n = world.session_names("d");
    n.sort();
    n
}

#[test]
fn logs_and_status_of_id_like_names_read_only_that_session() {
    let world = tricky_world();
    for (i, name) in TRICKY.iter().enumerate() {
        let target = format!("tmux@d:{name}");
        let mark = format!("MARK-{i}");
        let mut last = String::new();
        let seen = support::wait_until(Duration::from_secs(10), || {
            last = run_ok(
                world.apply(&mut muxdeck(None)).args(["logs", &target]),
                DEFAULT_TIMEOUT,
            );
            last.contains(&mark)
        });
        assert!(seen, "logs {target} printed {last:?}, not {mark}");
        assert!(
            !last.contains("VICTIM"),
            "logs {target} read a victim: {last:?}"
        );
        for (j, _) in TRICKY.iter().enumerate() {
            if j != i {
                assert!(
                    !last.contains(&format!("MARK-{j}\n")) && !last.ends_with(&format!("MARK-{j}")),
                    "logs {target} read session {j}: {last:?}"
                );
            }
        }
        let status = run_ok(
            world
                .apply(&mut muxdeck(None))
                .args(["status", "--json", &target]),
            DEFAULT_TIMEOUT,
        );
        let v: serde_json::Value = serde_json::from_str(&status).expect("json");
        assert_eq!(v["name"].as_str(), Some(*name), "{status}");
    }
}

#[test]
fn follow_of_an_id_like_name_follows_only_that_session() {
    let world = tricky_world();
    let mut child = world
        .apply(&mut muxdeck(None))
        .args(["logs", "-f", "-n", "5", "tmux@d:$0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .stdin(Stdio::null())
        .spawn()
        .expect("spawn");
    let started = Instant::now();
    // Give the follow time to print its tail, then end it.
    while started.elapsed() < Duration::from_secs(3) {
        std::thread::sleep(Duration::from_millis(100));
    }
    let _ = child.kill();
    let out = child.wait_with_output().expect("output");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("MARK-0"), "follow printed {text:?}");
    assert!(!text.contains("VICTIM"), "follow read a victim: {text:?}");
}

#[test]
fn stop_and_kill_of_id_like_names_end_only_that_session() {
    let world = tricky_world();
    let before = names(&world);
    for (i, name) in TRICKY.iter().enumerate() {
        let target = format!("tmux@d:{name}");
        let verb = if i % 2 == 0 { "stop" } else { "kill" };
        let mut cmd = muxdeck(None);
        world.apply(&mut cmd).args([verb, &target]);
        if verb == "stop" {
            cmd.args(["--timeout", "1"]);
        }
        run_ok(&mut cmd, DEFAULT_TIMEOUT);
        let now = names(&world);
        let expected: Vec<String> = before
            .iter()
            .filter(|n| !TRICKY[..=i].contains(&n.as_str()))
            .cloned()
            .collect();
        assert_eq!(now, expected, "after `{verb} {target}`");
    }
    // A name that is gone is not found, and reaches no other session on the way.
    let out = run(
        world.apply(&mut muxdeck(None)).args(["stop", "tmux@d:$0"]),
        Duration::from_secs(20),
    );
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert_eq!(names(&world), vec!["victim0", "victim1", "victim2"]);
}

#[test]
fn a_name_that_is_gone_never_falls_back_to_another_session() {
    // `=NAME` of a session that does not exist must not be read as an id, a client or a
    // prefix: nothing else may stop.
    let world = tricky_world();
    for name in ["$0", "victim", "victim0x", "%0", "@0"] {
        let target = format!("tmux@d:{name}x");
        run_fail(
            world
                .apply(&mut muxdeck(None))
                .args(["stop", "--timeout", "1", &target]),
            1,
        );
    }
    assert_eq!(names(&world).len(), 3 + TRICKY.len());
}
