//! Discovered sessions whose names the config would reject — spaces, unicode, a leading
//! `-`, 200 characters, shell metacharacters — are listed and operable, exactly, with no
//! shell or option injection. Real tmux servers on a private TMUX_TMPDIR.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::Duration;

use support::{DEFAULT_TIMEOUT, TmuxWorld, muxdeck, run_ok, temp_dir};

fn names_on(world: &TmuxWorld, socket: &str) -> Vec<String> {
    world.session_names(socket)
}

fn listed(world: &TmuxWorld) -> Vec<(String, String)> {
    let out = run_ok(
        world
            .apply(&mut muxdeck(None))
            .args(["list", "--json", "--backend", "tmux"]),
        DEFAULT_TIMEOUT,
    );
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    v["sessions"]
        .as_array()
        .expect("sessions")
        .iter()
        .map(|s| {
            (
                s["name"].as_str().unwrap_or_default().to_string(),
                s["id"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

#[test]
fn odd_names_are_listed_logged_and_stopped_exactly() {
    let world = TmuxWorld::new();
    let marker_dir = temp_dir("inject");
    let marker = marker_dir.path().join("pwned");
    let long = "n".repeat(200);
    let injection = format!(
        "x; touch {} $(touch {})",
        marker.display(),
        marker.display()
    );
    let odd = [
        "has space",
        "ünïcödé-名前",
        "-dash-start",
        long.as_str(),
        injection.as_str(),
        "--help",
    ];
    for name in odd {
        world.new_session(
            "default",
            name,
            "printf 'hello from odd\\n'; exec sleep 600",
        );
    }
    // Look-alikes that must survive every stop below.
    world.new_session("default", "has", "exec sleep 600");
    world.new_session("default", "space", "exec sleep 600");

    let all = listed(&world);
    for name in odd {
        assert!(
            all.iter().any(|(n, _)| n == name),
            "{name:?} not listed: {all:?}"
        );
    }

    for name in odd {
        let qualified = format!("tmux:{name}");
        // logs and status act on exactly that session.
        support::wait_for(Duration::from_secs(10), "odd session output", || {
            let out = world
                .apply(&mut muxdeck(None))
                .args(["logs", &qualified])
                .output()
                .expect("run");
            String::from_utf8_lossy(&out.stdout).contains("hello from odd")
        });
        let status = run_ok(
            world
                .apply(&mut muxdeck(None))
                .args(["status", "--json", &qualified]),
            DEFAULT_TIMEOUT,
        );
        let v: serde_json::Value = serde_json::from_str(&status).expect("json");
        assert_eq!(v["name"].as_str(), Some(name));
        // A bare name after `--` works too, even when it looks like an option.
        let status = run_ok(
            world.apply(&mut muxdeck(None)).args(["status", "--", name]),
            DEFAULT_TIMEOUT,
        );
        assert!(status.contains("running"), "{status}");
    }

    for name in odd {
        let qualified = format!("tmux:{name}");
        let out = run_ok(
            world
                .apply(&mut muxdeck(None))
                .args(["stop", "--timeout", "1", &qualified]),
            DEFAULT_TIMEOUT,
        );
        assert!(out.contains("stopped") || out.contains("killed"), "{out}");
        assert!(
            !names_on(&world, "default").iter().any(|n| n == name),
            "{name:?} still runs"
        );
    }
    let left = names_on(&world, "default");
    assert!(left.contains(&"has".to_string()), "{left:?}");
    assert!(left.contains(&"space".to_string()), "{left:?}");
    assert!(!marker.exists(), "a session name was run by a shell");
}

#[test]
fn tmux_replaces_dots_and_colons_and_muxdeck_shows_what_tmux_has() {
    let world = TmuxWorld::new();
    world.new_session("default", "a.b:c", "exec sleep 600");
    let names = names_on(&world, "default");
    let all = listed(&world);
    for n in &names {
        assert!(
            all.iter().any(|(name, _)| name == n),
            "{n:?} missing from {all:?}"
        );
    }
}
