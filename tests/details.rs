//! `muxdeck status NAME --json` and its `"details"` object, against real backends: a tmux
//! session with two windows and a split pane, a podman container with env, labels, a port
//! and a mount, and the same through docker (podman's Docker API). Secrets stay masked
//! unless the config asks.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use support::{World, skip_without_docker_cli, test_image, unique};

#[test]
fn tmux_details_list_windows_and_panes_by_session_id() {
    let w = World::new();
    let (sock, name) = (unique("dsock"), unique("dt"));
    w.tmux.new_session(&sock, &name, "exec sleep 600");
    // A second window with two panes, the second one in /tmp.
    w.tmux.tmux_ok(
        &sock,
        [
            "new-window",
            "-t",
            &format!("{name}:"),
            "-n",
            "logs win",
            "exec sleep 601",
        ],
    );
    w.tmux.tmux_ok(
        &sock,
        [
            "split-window",
            "-t",
            &format!("{name}:1"),
            "-c",
            "/tmp",
            "exec sleep 602",
        ],
    );
    let st = w.status(None, &format!("tmux@{sock}:{name}"));
    let d = &st["details"];
    assert_eq!(d["kind"], "tmux", "{st}");
    assert_eq!(
        d["socket_path"],
        w.tmux.socket_path(&sock).display().to_string()
    );
    assert!(d["session_id"].as_str().unwrap().starts_with('$'));
    assert_eq!(d["attached_clients"], 0);
    assert!(d["created"].as_i64().unwrap() > 1_700_000_000);
    let windows = d["windows"].as_array().unwrap();
    assert_eq!(windows.len(), 2, "{d}");
    assert_eq!(windows[1]["name"], "logs win");
    assert_eq!(windows[1]["active"], true);
    let panes = windows[1]["panes"].as_array().unwrap();
    assert_eq!(panes.len(), 2);
    assert_eq!(panes[1]["cwd"], "/tmp");
    assert_eq!(panes[1]["active"], true);
    assert_eq!(panes[1]["command"], "sleep");
    assert!(panes[1]["id"].as_str().unwrap().starts_with('%'));
    assert!(panes[1]["pid"].as_u64().unwrap() > 1);
    assert!(panes[0]["width"].as_u64().unwrap() > 0);
    // The list's fields are still there beside it.
    assert_eq!(st["panes"], 3);
}

#[test]
fn container_details_mask_secrets_unless_asked() {
    let w = World::new();
    let name = w.containers.track(&unique("dc"));
    let image = test_image();
    w.containers.run_detached_with(
        &name,
        &[
            "-e",
            "API_TOKEN=tok-s3cret",
            "-e",
            "db_password=hunter2",
            "-e",
            "PLAIN=visible",
            "--label",
            "com.docker.compose.project=shop",
            "-v",
            "/tmp:/data:ro",
        ],
        &["sh", "-c", "exec sleep 600"],
    );
    let out = w.ok(None, &["status", "--json", &format!("podman:{name}")]);
    assert!(
        !out.contains("tok-s3cret") && !out.contains("hunter2"),
        "a secret was printed: {out}"
    );
    let st: serde_json::Value = serde_json::from_str(&out).unwrap();
    let d = &st["details"];
    assert_eq!(d["kind"], "container");
    assert_eq!(d["image"], image);
    assert_eq!(d["state"], "running");
    assert_eq!(d["project"], "shop");
    assert_eq!(d["labels"]["com.docker.compose.project"], "shop");
    assert_eq!(
        d["command"],
        serde_json::json!(["sh", "-c", "exec sleep 600"])
    );
    assert_eq!(d["mounts"][0]["destination"], "/data");
    assert_eq!(d["mounts"][0]["rw"], false);
    let env = d["env"].as_array().unwrap();
    let get = |k: &str| env.iter().find(|e| e["key"] == k).unwrap().clone();
    assert_eq!(get("API_TOKEN")["value"], "••••");
    assert_eq!(get("API_TOKEN")["masked"], true);
    assert_eq!(get("db_password")["value"], "••••");
    assert_eq!(get("PLAIN")["value"], "visible");

    let cfg = w.config("details:\n  show_secrets: true\n");
    let st = w.status(Some(&cfg), &format!("podman:{name}"));
    let env = st["details"]["env"].as_array().unwrap();
    let token = env.iter().find(|e| e["key"] == "API_TOKEN").unwrap();
    assert_eq!(token["value"], "tok-s3cret");
}

#[test]
fn docker_details_through_the_docker_api() {
    if skip_without_docker_cli() {
        return;
    }
    let w = World::with_docker();
    let name = w.containers.track(&unique("dd"));
    w.containers.run_detached_with(
        &name,
        &["-e", "GITHUB_TOKEN=ghp-secret", "-p", "127.0.0.1::80"],
        &["sh", "-c", "exec sleep 600"],
    );
    let cfg = w.config("backends: [docker]\n");
    let out = w.ok(Some(&cfg), &["status", "--json", &format!("docker:{name}")]);
    assert!(!out.contains("ghp-secret"), "{out}");
    let st: serde_json::Value = serde_json::from_str(&out).unwrap();
    let d = &st["details"];
    assert_eq!(d["kind"], "container", "{st}");
    assert!(d["image_digest"].as_str().unwrap().starts_with("sha256:"));
    let port = d["ports"][0].as_str().unwrap();
    assert!(
        port.starts_with("127.0.0.1:") && port.ends_with(":80/tcp"),
        "{port}"
    );
}

#[test]
fn defined_sessions_have_no_details() {
    let w = World::new();
    let name = unique("dn");
    let cfg = w.config(&format!("sessions:\n  {name}:\n    command: sleep 1\n"));
    let st = w.status(Some(&cfg), &name);
    assert_eq!(st["state"], "defined");
    assert!(st["details"].is_null());
}
