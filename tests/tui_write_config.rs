//! `W` on a session the config does not define: a question shows its definition, `y`
//! adds it to the config file as text (the file's comments and order stay), the config is
//! reloaded and the row is marked as the config's. `W` again is refused. The real binary
//! in a private tmux pane; a real tmux session.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use support::deck::{Deck, NO_RUNTIMES};
use support::screen::list_rows;
use support::{TmuxWorld, unique};

#[test]
fn w_adds_a_discovered_session_to_the_config_keeping_its_comments() {
    let world = TmuxWorld::new();
    let socket = unique("wsock");
    let name = unique("wcfg");
    world.new_session(&socket, &name, "echo up; sleep 600");
    let config = format!(
        "# my deck config: keep this line\n{NO_RUNTIMES}\nsessions:\n  # planned work, keep this too\n  planned:\n    command: \"sleep 600\"\n"
    );
    let deck = Deck::start(&world, &config);
    let before = std::fs::read_to_string(&deck.config).unwrap();
    deck.keys(&["/"]);
    deck.type_text(&name);
    deck.keys(&["Enter"]);
    deck.wait("its row alone", |s| {
        let rows = list_rows(s);
        rows.len() == 1 && rows[0].first() == Some(&name)
    });
    deck.keys(&["W"]);
    let ask = deck.wait("the question with the definition", |s| {
        s.contains(&format!(
            "Add tmux@{socket}:{name} to {}?",
            deck.config.display()
        ))
    });
    assert!(ask.contains(&format!("  {name}:")), "{ask}");
    assert!(ask.contains("backend: tmux"), "{ask}");
    assert!(ask.contains(&format!("socket: \"{socket}\"")), "{ask}");
    assert!(ask.contains("command: \"echo up; sleep 600\""), "{ask}");
    // Nothing is written before the answer.
    assert_eq!(std::fs::read_to_string(&deck.config).unwrap(), before);
    deck.keys(&["y"]);
    deck.wait("the row marked as the config's", |s| {
        let rows = list_rows(s);
        rows.len() == 1 && rows[0].first() == Some(&format!("{name} ◆"))
    });
    let after = std::fs::read_to_string(&deck.config).unwrap();
    assert!(after.starts_with(&before), "{after}");
    assert!(
        after.contains(&format!(
            "\n  # from \"tmux@{socket}:{name}\"\n  {name}:\n    backend: tmux\n"
        )),
        "{after}"
    );
    // Already defined now: refused, the file left as it is.
    deck.keys(&["W"]);
    deck.wait("the refusal", |s| {
        s.contains("is already in the config; nothing written")
    });
    assert_eq!(std::fs::read_to_string(&deck.config).unwrap(), after);
}

#[test]
fn w_without_a_config_file_says_how_to_make_one_and_asks_nothing() {
    let world = TmuxWorld::new();
    let socket = unique("wsock");
    let name = unique("wnone");
    world.new_session(&socket, &name, "sleep 600");
    let deck = Deck::start(&world, NO_RUNTIMES);
    deck.wait("the session", |s| s.contains(&name));
    // The file goes away (as a new user has none): W says so before any question, with
    // the line that makes one, and writes nothing.
    std::fs::remove_file(&deck.config).unwrap();
    deck.keys(&["/"]);
    deck.type_text(&name);
    deck.keys(&["Enter"]);
    deck.wait("its row alone", |s| list_rows(s).len() == 1);
    deck.keys(&["W"]);
    let screen = deck.wait("the refusal", |s| s.contains("no config file at"));
    assert!(!screen.contains("Add tmux@"), "asked anyway:\n{screen}");
    deck.keys(&["m"]);
    let messages = deck.wait("the message in full", |s| s.contains("mkdir -p"));
    assert!(messages.contains("muxdeck config init >"), "{messages}");
    assert!(!deck.config.exists(), "a file was written");
}
