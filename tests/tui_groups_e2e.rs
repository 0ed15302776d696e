//! End-to-end test of the grouped list (`G`) in the real binary, running in a pane of a
//! private tmux server: real podman containers with a compose project label, a real podman
//! pod, and a container of no group. Stopping a group from its header asks once, stops its
//! members and nothing else, and removes nothing.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use support::deck::Deck;
use support::screen::{list_rows, shows};
use support::{Containers, TmuxWorld, container_exists, container_state, unique};

/// Config lines for container tests: podman only, docker hidden; `exec sleep` as a
/// container's first process ignores SIGTERM, so stops are bounded by a short timeout.
const PODMAN_ONLY: &str = "defaults:\n  docker_binary: /nonexistent/docker\n  stop_timeout: 1\n";

/// The list row whose first cell is `first`, as text.
fn row_of(screen: &str, first: &str) -> Option<Vec<String>> {
    list_rows(screen)
        .into_iter()
        .find(|r| r.first().is_some_and(|c| c == first))
}

#[test]
fn g_groups_a_compose_project_and_a_pod_and_x_on_a_header_stops_only_its_members() {
    let containers = Containers::new();
    let world = TmuxWorld::new();
    let tag = unique("grp");
    let project = format!("{tag}-shop");
    let label = format!("com.docker.compose.project={project}");
    let sleep = ["sh", "-c", "exec sleep 600"];
    let web = containers.run_detached_with(&format!("{tag}-web"), &["--label", &label], &sleep);
    let db = containers.run_detached_with(&format!("{tag}-db"), &["--label", &label], &sleep);
    let other = containers.run_detached_with(&format!("{tag}-other"), &[], &sleep);
    let pod = containers.pod(&format!("{tag}-pod"));
    let inpod = containers.run_detached_with(&format!("{tag}-inpod"), &["--pod", &pod], &sleep);
    let infra = format!("{pod}-infra");

    let deck = Deck::start(&world, PODMAN_ONLY);
    // Only this test's containers: the machine's podman lists every other test's too.
    deck.keys(&["/"]);
    deck.type_text(&tag);
    deck.keys(&["Enter"]);
    deck.wait("the five containers, flat", |s| {
        list_rows(s).len() == 5 && shows(s, &inpod, "podman", "running") && !s.contains('▏')
    });
    deck.keys(&["G"]);
    let shop_header = format!("{project} (compose)");
    let pod_header = format!("{pod} (pod)");
    // A group where its first member (by name) would be, its members under it.
    let expected = [
        shop_header.clone(),
        db.clone(),
        web.clone(),
        pod_header.clone(),
        inpod.clone(),
        infra.clone(),
        other.clone(),
    ];
    let firsts = |s: &str| -> Vec<String> {
        list_rows(s)
            .into_iter()
            .filter_map(|r| r.into_iter().next())
            .collect()
    };
    let screen = deck.wait("grouped under two headers, members under them", |s| {
        row_of(s, &shop_header).is_some_and(|r| r.iter().any(|c| c == "2 running of 2"))
            && row_of(s, &pod_header).is_some_and(|r| r.iter().any(|c| c == "2 running of 2"))
            && firsts(s) == expected
    });
    let member_line = screen
        .lines()
        .find(|l| l.contains(&format!(" {db} ")))
        .unwrap();
    assert!(
        member_line.starts_with(&format!("│  {db}")),
        "members are indented: {screen}"
    );

    // The compose header is the first row: `x` asks once, naming both members.
    deck.keys(&["g", "x"]);
    let question = deck.wait("one question for the project", |s| {
        s.contains(&format!("Stop the 2 members of compose project {project}?"))
    });
    assert!(
        question.contains(&format!("• podman:{db}"))
            && question.contains(&format!("• podman:{web}")),
        "{question}"
    );
    assert!(
        !question.contains(&format!("• podman:{other}")),
        "{question}"
    );
    deck.keys(&["y"]);
    deck.wait_for(
        std::time::Duration::from_secs(40),
        "both stopped, the header says so",
        |s| {
            s.contains("2 stopped")
                && row_of(s, &shop_header).is_some_and(|r| r.iter().any(|c| c == "0 running of 2"))
        },
    );
    for name in [&db, &web] {
        assert_ne!(container_state(name), "running", "{name} still runs");
        assert!(container_exists(name), "{name} was removed");
    }
    for name in [&other, &inpod, &infra] {
        assert_eq!(container_state(name), "running", "{name} was touched");
    }

    // The pod's header (fourth row): its members, the infra container included, stop
    // together; the project's containers and the lone one are left as they are.
    deck.keys(&["Down", "Down", "Down", "x"]);
    let question = deck.wait("one question for the pod", |s| {
        s.contains(&format!("Stop the 2 members of pod {pod}?"))
            && s.contains(&format!("• podman:{inpod}"))
    });
    assert!(
        question.contains(&format!("• podman:{infra}")),
        "{question}"
    );
    deck.keys(&["y"]);
    deck.wait_for(std::time::Duration::from_secs(40), "the pod stopped", |s| {
        row_of(s, &pod_header).is_some_and(|r| r.iter().any(|c| c == "0 running of 2"))
    });
    for name in [&inpod, &infra] {
        assert_ne!(container_state(name), "running", "{name} still runs");
        assert!(container_exists(name), "{name} was removed");
    }
    assert_eq!(container_state(&other), "running");
    // `G` again: the flat list, the selection on the pod's first member.
    deck.keys(&["G"]);
    deck.wait("flat again", |s| {
        list_rows(s).len() == 5
            && !s.contains("(pod)")
            && s.contains(&format!("logs · podman:{inpod} "))
    });
}
