//! End-to-end tests of the keys that act without attaching: `:` (a line typed into a tmux
//! pane, or run in a container), `p` (pause / unpause), and `E` (the history, and the flag
//! a failure raises while one looks elsewhere). The real binary runs in a pane of a private
//! tmux server; the sessions it lists are real tmux sessions and podman containers.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use support::deck::{Deck, NO_RUNTIMES};
use support::screen::{list_rows, log_rows, log_title, shows};

use std::time::Duration;

use support::{Containers, TmuxWorld, podman_state, unique, wait_for};

/// Config lines for container tests: podman only, docker hidden.
const PODMAN_ONLY: &str = "defaults:\n  docker_binary: /nonexistent/docker\n  stop_timeout: 3\n";

const WAIT: Duration = Duration::from_secs(20);

/// Narrows the list to the container `name` first and then waits for its row: the
/// machine's podman may hold many other containers, which would push its row off screen.
fn select_container(deck: &Deck, name: &str) {
    deck.keys(&["/"]);
    deck.type_text(&format!("podman:{name}"));
    deck.keys(&["Enter"]);
    deck.wait("the container alone, running, its log followed", |s| {
        list_rows(s).len() == 1
            && shows(s, name, "podman", "running")
            && !s.contains('▏')
            && log_title(s).contains(&format!("logs · podman:{name} "))
    });
}

#[test]
fn colon_types_a_line_into_the_pane_literally_and_runs_nothing_in_muxdeck() {
    let world = TmuxWorld::new();
    let dir = support::temp_dir("send");
    let (got, marker) = (dir.path().join("got"), dir.path().join("pwned"));
    world.new_session("alpha", "reader", &format!("cat > '{}'", got.display()));
    let deck = Deck::start(&world, NO_RUNTIMES);
    deck.wait("the session, followed", |s| {
        shows(s, "reader", "tmux@alpha", "running")
            && log_title(s).contains("logs · tmux@alpha:reader ")
    });
    deck.keys(&[":"]);
    deck.wait("the prompt", |s| {
        s.contains("type into tmux@alpha:reader's pane, then Enter")
    });
    let line = format!(
        "it's \"quoted\"; echo done; $(touch {m}) `touch {m}` \\; a|b && c > d",
        m = marker.display()
    );
    deck.type_text(&line);
    deck.keys(&["Enter"]);
    deck.wait("sent", |s| s.contains("sent to tmux@alpha:reader"));
    wait_for(WAIT, "the line in the pane's program", || {
        std::fs::read_to_string(&got).is_ok_and(|t| t.ends_with("> d\n"))
    });
    assert_eq!(std::fs::read_to_string(&got).unwrap(), format!("{line}\n"));
    assert!(!marker.exists(), "something ran the line");
    // Esc closes the prompt and sends nothing.
    deck.keys(&[":"]);
    deck.wait("the prompt again", |s| s.contains("then Enter"));
    deck.type_text("never sent");
    deck.keys(&["Escape"]);
    deck.wait("the prompt closed", |s| !s.contains("then Enter"));
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(std::fs::read_to_string(&got).unwrap(), format!("{line}\n"));
    // Tab switches the prompt to tmux key names: C-d ends `cat`, and the session with it.
    deck.keys(&[":"]);
    deck.wait("the prompt again", |s| s.contains("then Enter"));
    deck.keys(&["Tab"]);
    deck.wait("the keys prompt", |s| {
        s.contains("press keys in tmux@alpha:reader (tmux names")
    });
    deck.type_text("C-d");
    deck.keys(&["Enter"]);
    wait_for(WAIT, "reader to end on C-d", || {
        !world.session_names("alpha").contains(&"reader".to_string())
    });
    assert_eq!(std::fs::read_to_string(&got).unwrap(), format!("{line}\n"));
}

#[test]
fn colon_on_a_container_runs_the_line_there_and_shows_its_output_in_the_log_pane() {
    let containers = Containers::new();
    let world = TmuxWorld::new();
    let name = containers.run_detached(&unique("colon"), "exec sleep 600");
    let deck = Deck::start(&world, PODMAN_ONLY);
    select_container(&deck, &name);
    deck.keys(&[":"]);
    deck.wait("the prompt", |s| {
        s.contains(&format!("run in podman:{name}"))
    });
    // Worked out by the container's shell: the typed line does not hold the answer.
    deck.type_text("echo answer-$((40+2)); cat /proc/1/cmdline; exit 3");
    deck.keys(&["Enter"]);
    let screen = deck.wait(
        "its output in the log pane, the exit in the status line",
        |s| log_rows(s).iter().any(|l| l == "answer-42") && s.contains(": exit 3"),
    );
    let rows = log_rows(&screen);
    assert!(rows.iter().any(|l| l.starts_with("sleep")), "{rows:?}");
    assert!(
        rows.iter().any(|l| l.contains("── exit 3, 2 lines ──")),
        "{rows:?}"
    );
    assert_eq!(podman_state(&name).as_deref(), Some("running"));
}

#[test]
fn p_pauses_and_unpauses_a_container_and_refuses_a_tmux_session() {
    let containers = Containers::new();
    let world = TmuxWorld::new();
    world.new_session("alpha", "plain", "exec sleep 600");
    let name = containers.run_detached(&unique("pause"), "while :; do echo tick; sleep 0.2; done");
    let deck = Deck::start(&world, PODMAN_ONLY);
    select_container(&deck, &name);
    deck.keys(&["p"]);
    deck.wait("paused", |s| {
        shows(s, &name, "podman", "paused") && s.contains(&format!("paused podman:{name}"))
    });
    assert_eq!(podman_state(&name).as_deref(), Some("paused"));
    deck.keys(&["p"]);
    deck.wait("running again", |s| {
        shows(s, &name, "podman", "running") && s.contains(&format!("unpaused podman:{name}"))
    });
    assert_eq!(podman_state(&name).as_deref(), Some("running"));
    // A tmux session cannot be paused: said at once, nothing asked or called.
    deck.keys(&["Escape"]);
    deck.wait("the filter cleared", |s| !s.contains("filter: podman:"));
    deck.keys(&["/"]);
    deck.type_text("tmux@alpha:plain");
    deck.keys(&["Enter"]);
    deck.wait("the tmux session alone", |s| {
        list_rows(s).len() == 1 && log_title(s).contains("tmux@alpha:plain")
    });
    deck.keys(&["p"]);
    deck.wait("the refusal", |s| {
        s.contains("p pauses containers only; tmux@alpha:plain is a tmux session")
    });
    assert!(world.session_names("alpha").contains(&"plain".to_string()));
}

#[test]
fn a_container_that_exits_non_zero_while_elsewhere_raises_a_flag_until_the_history_is_opened() {
    let containers = Containers::new();
    let world = TmuxWorld::new();
    // One tag in both names: the filter shows these two rows only, the tmux one first.
    let tag = unique("flag");
    let watched = format!("{tag}-watched");
    world.new_session("alpha", &watched, "exec sleep 600");
    let name = containers.run_detached(&format!("{tag}-box"), "sleep 6; echo failing; exit 3");
    let deck = Deck::start(&world, PODMAN_ONLY);
    deck.keys(&["/"]);
    deck.type_text(&tag);
    deck.keys(&["Enter"]);
    // Looking at the tmux session: the container is out of sight.
    deck.wait("both rows, the tmux session selected", |s| {
        list_rows(s).len() == 2
            && shows(s, &name, "podman", "running")
            && log_title(s).contains(&format!("logs · tmux@alpha:{watched} "))
    });
    let flagged = deck.wait_for(Duration::from_secs(30), "the flag", |s| {
        s.contains(&format!("⚑ podman:{name} exited (3)"))
    });
    assert!(flagged.contains("E history"), "{flagged}");
    deck.keys(&["E"]);
    let history = deck.wait("the history", |s| {
        s.contains("what happened since muxdeck started")
    });
    assert!(
        history.contains(&format!("podman:{name} exited (3)")),
        "{history}"
    );
    deck.keys(&["Escape"]);
    let after = deck.wait("the history closed", |s| {
        !s.contains("what happened since muxdeck started")
    });
    assert!(!after.contains(&format!("⚑ podman:{name}")), "{after}");
}

#[test]
fn space_marks_and_x_stops_every_marked_session_after_one_question() {
    let containers = Containers::new();
    let world = TmuxWorld::new();
    for n in ["m1", "m2", "m3", "zkeep"] {
        world.new_session("alpha", n, "exec sleep 600");
    }
    let boxed = containers.run_detached(
        &unique("bulk"),
        "trap 'exit 0' TERM; while :; do sleep 0.2; done",
    );
    let deck = Deck::start(&world, PODMAN_ONLY);
    deck.wait("the sessions", |s| {
        shows(s, "m1", "tmux@alpha", "running") && shows(s, "zkeep", "tmux@alpha", "running")
    });
    // Only this test's sessions: the tmux ones and the container.
    deck.keys(&["/"]);
    deck.type_text("mxt-bulk");
    deck.keys(&["Enter"]);
    deck.wait("the container alone, the filter kept", |s| {
        list_rows(s).len() == 1 && !s.contains('▏')
    });
    deck.keys(&["Space"]);
    deck.wait("it is marked", |s| s.contains("· 1 marked"));
    deck.keys(&["Escape"]);
    deck.wait("the filter cleared", |s| !s.contains("filter: mxt-bulk"));
    deck.keys(&["/"]);
    deck.type_text("tmux@alpha:m");
    deck.keys(&["Enter"]);
    deck.wait("m1..m3, the filter kept", |s| {
        list_rows(s).len() == 3 && !s.contains('▏')
    });
    deck.keys(&["g"]);
    deck.keys(&["Space", "Space", "Space"]);
    deck.wait("four marked", |s| s.contains("· 4 marked"));
    deck.keys(&["x"]);
    let ask = deck.wait("one question for all four", |s| {
        s.contains("Stop these 4 sessions?")
    });
    for n in ["tmux@alpha:m1", "tmux@alpha:m2", "tmux@alpha:m3"] {
        assert!(ask.contains(&format!("• {n}")), "{ask}");
    }
    assert!(ask.contains(&format!("• podman:{boxed}")), "{ask}");
    assert!(!ask.contains("zkeep"), "{ask}");
    deck.keys(&["y"]);
    deck.wait_for(Duration::from_secs(30), "the summary", |s| {
        s.contains("4 stopped")
    });
    wait_for(WAIT, "m1..m3 gone", || {
        world.session_names("alpha") == ["zkeep"]
    });
    wait_for(WAIT, "the container stopped", || {
        podman_state(&boxed).as_deref() != Some("running")
    });
    assert!(support::container_exists(&boxed));
    // Each result is kept in the messages.
    deck.keys(&["m"]);
    let msgs = deck.wait("the messages", |s| s.contains("messages, newest first"));
    assert!(msgs.contains("stopped tmux@alpha:m2"), "{msgs}");
    assert!(msgs.contains(&format!("stopped podman:{boxed}")), "{msgs}");
}
