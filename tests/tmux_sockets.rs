//! muxdeck finds tmux servers where tmux puts them, and every session it lists has a
//! qualified name that resolves back to it: a `TMUX_TMPDIR` that does not exist (tmux then
//! uses `/tmp`), socket names with colons, socket names that are not UTF-8.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use support::{DEFAULT_TIMEOUT, TmuxWorld, muxdeck, run_fail, run_ok, unique};

/// Kills the tmux server behind a socket path when dropped, also when the test fails.
struct ServerAt(PathBuf);

impl ServerAt {
    fn tmux(&self) -> Command {
        let mut cmd = Command::new("tmux");
        cmd.env_remove("TMUX")
            .arg("-f")
            .arg("/dev/null")
            .arg("-S")
            .arg(&self.0);
        cmd
    }
}

impl Drop for ServerAt {
    fn drop(&mut self) {
        let _ = self.tmux().arg("kill-server").output();
        let _ = std::fs::remove_file(&self.0);
    }
}

fn uid() -> u32 {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata("/proc/self").map_or(0, |m| m.uid())
}

#[test]
fn a_tmux_tmpdir_that_does_not_exist_sends_muxdeck_where_tmux_goes() {
    let missing = support::temp_dir("gone").path().join("not-there");
    let socket = unique("fallback");
    let name = unique("s");
    // tmux falls back to /tmp: that is where this server lives; a unique -L name keeps it
    // apart from everything else there.
    let _server = ServerAt(PathBuf::from(format!("/tmp/tmux-{}/{socket}", uid())));
    let mx = || {
        let mut cmd = muxdeck(None);
        cmd.env("TMUX_TMPDIR", &missing);
        cmd
    };
    let target = format!("tmux@{socket}:{name}");
    let start = [
        "start",
        name.as_str(),
        "--socket",
        socket.as_str(),
        "--command",
        "sleep 600",
    ];
    let out = run_ok(mx().args(start), DEFAULT_TIMEOUT);
    assert!(out.contains(&target), "{out}");
    let status = run_ok(mx().args(["status", "--json", &target]), DEFAULT_TIMEOUT);
    assert!(status.contains("\"running\""), "{status}");
    let err = run_fail(mx().args(start), 1);
    assert!(err.contains("already running"), "{err}");
    run_ok(
        mx().args(["stop", "--timeout", "1", &target]),
        DEFAULT_TIMEOUT,
    );
    run_fail(mx().args(["status", &target]), 1);
}

#[test]
fn a_socket_name_with_colons_has_qualified_names_that_resolve() {
    let world = TmuxWorld::new();
    let s1 = unique("s1");
    world.new_session("a:b", &s1, "exec sleep 600");
    world.new_session("default", &s1, "exec sleep 600");
    let mx = || {
        let mut cmd = muxdeck(None);
        world.apply(&mut cmd);
        cmd
    };
    let err = run_fail(mx().args(["stop", &s1]), 2);
    let offered = format!("tmux@a:b:{s1}");
    assert!(err.contains(&offered), "{err}");
    let status = run_ok(mx().args(["status", "--json", &offered]), DEFAULT_TIMEOUT);
    let v: serde_json::Value = serde_json::from_str(&status).expect("json");
    assert_eq!(v["location"], "a:b");
    assert_eq!(v["id"], offered.as_str());
    run_ok(
        mx().args(["stop", "--timeout", "1", &offered]),
        DEFAULT_TIMEOUT,
    );
    assert!(world.session_names("a:b").is_empty());
    assert_eq!(world.session_names("default"), vec![s1.clone()]);
    // The config may name such a socket too.
    let dir = support::temp_dir("cfg");
    let config = support::write_config(
        dir.path(),
        "sessions:\n  worker:\n    socket: \"a:b\"\n    command: sleep 600\n",
    );
    let mut start = muxdeck(Some(&config));
    world.apply(&mut start).args(["start", "worker"]);
    run_ok(&mut start, DEFAULT_TIMEOUT);
    assert_eq!(world.session_names("a:b"), vec!["worker".to_string()]);
}

#[test]
fn a_socket_name_that_is_not_utf8_is_reported_not_skipped_silently() {
    let world = TmuxWorld::new();
    let ok = unique("ok");
    world.new_session("default", &ok, "exec sleep 600");
    let dir = world.socket_dir();
    let odd = ServerAt(dir.join(OsStr::from_bytes(b"bad\xffname")));
    let out = odd
        .tmux()
        .args(["new-session", "-d", "sleep 600"])
        .output()
        .expect("tmux");
    assert!(out.status.success(), "{out:?}");
    let mut cmd = muxdeck(None);
    world.apply(&mut cmd).args(["list", "--json"]);
    let listed = run_ok(&mut cmd, DEFAULT_TIMEOUT);
    let v: serde_json::Value = serde_json::from_str(&listed).expect("json");
    let names: Vec<&str> = v["sessions"]
        .as_array()
        .expect("sessions")
        .iter()
        .filter_map(|s| s["name"].as_str())
        .collect();
    assert!(names.contains(&ok.as_str()), "{listed}");
    let tmux = v["backends"]
        .as_array()
        .expect("backends")
        .iter()
        .find(|b| b["backend"] == "tmux")
        .expect("tmux health");
    let message = tmux["message"].as_str().unwrap_or_default();
    assert!(message.contains("not UTF-8"), "{tmux}");
    assert!(Path::new(&odd.0).exists());
}
