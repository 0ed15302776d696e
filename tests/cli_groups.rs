//! Groups through the binary: `list --json` names each container's podman pod or compose
//! project, and `stop` / `start` / `kill` with `--group NAME` act on exactly its members.
//! Real podman containers, a real pod.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use serde_json::{Value, json};
use support::{World, container_exists, container_state, unique};

const CONFIG: &str = "defaults:\n  docker_binary: /nonexistent/docker\n  stop_timeout: 1\n";

#[test]
fn list_json_names_groups_and_group_flags_act_on_exactly_the_members() {
    let w = World::new();
    let cfg = w.config(CONFIG);
    let tag = unique("cgrp");
    let project = format!("{tag}-shop");
    let label = format!("io.podman.compose.project={project}");
    // Ends on SIGTERM (a shell as the first process ignores it otherwise): a clean stop.
    let sleep = [
        "sh",
        "-c",
        "trap 'exit 0' TERM; while :; do sleep 0.2; done",
    ];
    let c = &w.containers;
    let web = c.run_detached_with(&format!("{tag}-web"), &["--label", &label], &sleep);
    let db = c.run_detached_with(&format!("{tag}-db"), &["--label", &label], &sleep);
    let other = c.run_detached_with(&format!("{tag}-other"), &[], &sleep);
    let pod = c.pod(&format!("{tag}-pod"));
    let inpod = c.run_detached_with(&format!("{tag}-inpod"), &["--pod", &pod], &sleep);
    let infra = format!("{pod}-infra");

    let listed = w.list(Some(&cfg), &[]);
    let group_of = |name: &str| -> Value {
        listed["sessions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["name"] == name)
            .unwrap_or_else(|| panic!("{name} is not listed: {listed}"))["group"]
            .clone()
    };
    let shop = json!({ "kind": "compose", "name": project });
    let the_pod = json!({ "kind": "pod", "name": pod });
    assert_eq!(group_of(&web), shop);
    assert_eq!(group_of(&db), shop);
    assert_eq!(group_of(&inpod), the_pod);
    assert_eq!(group_of(&infra), the_pod);
    assert_eq!(group_of(&other), Value::Null);

    let out = w.ok(Some(&cfg), &["stop", "--group", &project]);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines,
        [
            format!("stopped podman:{db}"),
            format!("stopped podman:{web}"),
            "2 stopped".to_string()
        ],
        "{out}"
    );
    for name in [&db, &web] {
        assert_ne!(container_state(name), "running");
        assert!(container_exists(name), "{name} was removed");
    }
    for name in [&other, &inpod, &infra] {
        assert_eq!(container_state(name), "running", "{name} was touched");
    }

    let out = w.ok(Some(&cfg), &["start", "--group", &project]);
    assert!(out.ends_with("2 started\n"), "{out}");
    assert_eq!(container_state(&db), "running");
    assert_eq!(container_state(&web), "running");

    // The pod and a NAME together: one listing, one summary.
    let out = w.ok(
        Some(&cfg),
        &["kill", &format!("podman:{other}"), "--group", &pod],
    );
    assert!(out.ends_with("3 killed\n"), "{out}");
    for name in [&other, &inpod, &infra] {
        assert_ne!(container_state(name), "running", "{name} still runs");
        assert!(container_exists(name), "{name} was removed");
    }
    assert_eq!(container_state(&web), "running");

    // A group nobody has: one line, exit 1, nothing touched.
    let err = w.fail(
        Some(&cfg),
        &["stop", "--group", &format!("{tag}-nosuch")],
        1,
    );
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("no pod or compose project named") && err.contains("list --json"),
        "{err}"
    );
    assert_eq!(container_state(&web), "running");
}
