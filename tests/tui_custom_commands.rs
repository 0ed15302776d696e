//! The config's own commands from the screen: their keys run them on the selected session
//! (a hostile name stays one argument), `output: pane` puts their output in the log pane
//! with escape sequences normalized, `confirm: true` asks first naming the session, a
//! command for another kind of session is refused, `output: handover` gets the terminal
//! and muxdeck comes back; `?` and the hints list them. The real binary in a private tmux
//! pane; real tmux sessions and podman containers.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use support::deck::{Deck, NO_RUNTIMES};
use support::screen::log_title;
use support::{Containers, TmuxWorld, unique};

/// Config lines for container tests: podman only, docker hidden.
const PODMAN_ONLY: &str = "defaults:\n  docker_binary: /nonexistent/docker\n  stop_timeout: 3\n";

#[test]
fn a_command_key_runs_on_the_selected_tmux_session_and_its_output_fills_the_log_pane() {
    let world = TmuxWorld::new();
    // No dot in the path: tmux turns one in a session name into `_`.
    let dir = tempfile::Builder::new()
        .prefix("mxt-cmd-")
        .tempdir()
        .unwrap();
    let pwned = dir.path().join("pwned");
    let name = format!("$(touch {})x", pwned.display());
    world.new_session("cmds", &name, "echo session-output; sleep 600");
    let config = format!(
        "{NO_RUNTIMES}commands:\n  show:\n    key: T\n    for: tmux\n    description: print the name\n    argv: [sh, -c, \"printf 'name=[%s]\\\\n' \\\"$1\\\"; printf '\\\\033]0;title\\\\007\\\\033[31mred\\\\033[0m done\\\\n'\", sh, \"{{name}}\"]\n  box:\n    key: C\n    for: container\n    argv: [\"true\"]\n  tidy:\n    description: tidy\n    argv: [\"true\"]\n"
    );
    let deck = Deck::start(&world, &config);
    deck.wait("the session, followed, with the command's hint", |s| {
        log_title(s).contains("logs · tmux@cmds:") && s.contains("T show")
    });
    deck.keys(&["T"]);
    let screen = deck.wait("the command's output in the log pane", |s| {
        s.contains("── show ended: exit 0 ──")
    });
    assert!(screen.contains(&format!("name=[{name}]")), "{screen}");
    assert!(screen.contains("red done"), "{screen}");
    assert!(
        screen.contains(&format!("── show on tmux@cmds:{name} ──")),
        "{screen}"
    );
    assert!(screen.contains("its output is in the log"), "{screen}");
    assert!(
        !screen.contains("title"),
        "an OSC title reached the screen: {screen}"
    );
    let colored = deck.screen_ansi();
    // tmux writes the red of the 16 colors as `38;5;1`.
    assert!(
        colored.contains("\u{1b}[31mred") || colored.contains("\u{1b}[38;5;1mred"),
        "{colored}"
    );
    assert!(!pwned.exists(), "a name was run by a shell");
    // A command for containers on a tmux session: refused, nothing run.
    deck.keys(&["C"]);
    deck.wait("the refusal", |s| s.contains("box is for containers;"));
    // `?` lists the commands with their keys and config names, last (End scrolls there).
    deck.keys(&["?"]);
    deck.wait("the help", |s| s.contains(" muxdeck keys "));
    deck.keys(&["End"]);
    let help = deck.wait("the help's last rows", |s| s.contains("commands.show"));
    assert!(help.contains("print the name (tmux sessions)"), "{help}");
    assert!(help.contains("commands.box"), "{help}");
    // One without a key is there too, saying where it runs from.
    assert!(help.contains("commands.tidy"), "{help}");
    assert!(help.contains("tidy (no key: muxdeck cmd)"), "{help}");
}

#[test]
fn a_confirmed_container_command_names_the_session_and_runs_only_after_yes() {
    let world = TmuxWorld::new();
    let containers = Containers::new();
    let name = unique("tuicmd");
    containers.run_detached(&name, "echo up; exec sleep 600");
    let config = format!(
        "{PODMAN_ONLY}commands:\n  ident:\n    key: P\n    for: [container]\n    confirm: true\n    argv: [sh, -c, \"echo id=$1 runtime=$2\", sh, \"{{id}}\", \"{{runtime}}\"]\n"
    );
    let deck = Deck::start(&world, &config);
    deck.select(&name);
    deck.keys(&["P"]);
    let ask = deck.wait("the question", |s| {
        s.contains(&format!("Run ident on podman:{name}?"))
    });
    assert!(ask.contains("y yes   n no"), "{ask}");
    deck.keys(&["n"]);
    deck.wait("cancelled", |s| s.contains("cancelled"));
    deck.keys(&["P"]);
    deck.wait("the question again", |s| s.contains("Run ident on"));
    deck.keys(&["y"]);
    let screen = deck.wait("the output", |s| s.contains("── ident ended: exit 0 ──"));
    let id = support::podman_ok(["container", "inspect", "--format", "{{.Id}}", "--", &name]);
    // The log pane may cut the long id: its start is enough to tell it is the full id.
    assert!(
        screen.contains(&format!("id={}", &id.trim()[..40])),
        "{screen}"
    );
}

#[test]
fn a_handover_command_gets_the_terminal_and_muxdeck_comes_back() {
    let world = TmuxWorld::new();
    world.new_session("cmds", "target", "sleep 600");
    let config = format!(
        "{NO_RUNTIMES}  command_timeout: 1\ncommands:\n  hand:\n    key: H\n    output: handover\n    argv: [sh, -c, \"echo handed-over-to-{{name}}; sleep 2; exit 3\"]\n"
    );
    let deck = Deck::start(&world, &config);
    deck.wait("the session", |s| {
        log_title(s).contains("logs · tmux@cmds:target")
    });
    deck.keys(&["H"]);
    deck.wait("the command on the terminal", |s| {
        s.contains("handed-over-to-target")
            && s.contains("muxdeck: running hand on tmux@cmds:target")
    });
    let back = deck.wait("muxdeck back", |s| {
        s.contains("hand on tmux@cmds:target ended with exit status: 3")
    });
    assert!(back.contains(" sessions "), "{back}");
    deck.assert_responsive();
}
