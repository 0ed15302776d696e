//! End-to-end tests of `i` (the details pane), the CPU / MEM columns and `o` (sort by
//! memory) in the real binary, running in a pane of a private tmux server (see
//! `support::deck`); the sessions it lists live in another private tmux world.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use support::deck::{Deck, NO_RUNTIMES};
use support::screen::list_rows;
use support::{TmuxWorld, unique};

/// A MEM cell such as `41M` in megabytes; 0 for any other cell.
fn megabytes(cell: &str) -> f64 {
    cell.strip_suffix('M')
        .and_then(|n| n.parse::<f64>().ok())
        .unwrap_or(0.0)
}

#[test]
fn i_shows_the_tmux_tree_of_the_selected_session_and_closes() {
    let world = TmuxWorld::new();
    let name = unique("tree");
    world.new_session("dt", &name, "exec sleep 600");
    world.tmux_ok(
        "dt",
        [
            "new-window",
            "-t",
            &format!("={name}:"),
            "-n",
            "second",
            "exec sleep 601",
        ],
    );
    world.tmux_ok(
        "dt",
        [
            "split-window",
            "-t",
            &format!("={name}:1"),
            "-c",
            "/tmp",
            "exec sleep 602",
        ],
    );
    let deck = Deck::start(&world, NO_RUNTIMES);
    deck.wait("the session", |s| s.contains(&name));
    deck.keys(&["i"]);
    let screen = deck.wait("the tree in the details pane", |s| {
        s.contains(&format!("details: tmux@dt:{name}"))
            && s.contains("1: second *")
            && s.contains("0: ")
    });
    // Two panes in the second window, the last one in /tmp, with their ids.
    let tree: Vec<&str> = screen.lines().filter(|l| l.contains(" %")).collect();
    assert_eq!(tree.len(), 3, "{screen}");
    assert!(
        tree.iter().any(|l| l.contains("/tmp") && l.contains('└')),
        "{screen}"
    );
    assert!(screen.contains("clients  0"), "{screen}");
    deck.keys(&["i"]);
    deck.wait("the pane closed", |s| !s.contains("details: tmux@dt"));
}

#[test]
fn o_sorts_by_memory_and_the_columns_show_figures() {
    let world = TmuxWorld::new();
    let (small, big) = (unique("aaa-small"), unique("zzz-big"));
    world.new_session("ds", &small, "exec sleep 600");
    // ~40 MB held by a child of the pane's shell.
    world.new_session(
        "ds",
        &big,
        "sh -c 'x=$(head -c 40000000 /dev/zero | tr \"\\0\" a); sleep 600' & wait",
    );
    let deck = Deck::start(&world, NO_RUNTIMES);
    let screen = deck.wait("both sessions measured", |s| {
        let rows = list_rows(s);
        rows.len() == 2 && rows.iter().any(|r| r.iter().any(|c| megabytes(c) >= 30.0))
    });
    let header = screen.lines().find(|l| l.contains("NAME")).unwrap();
    assert!(header.contains("CPU") && header.contains("MEM"), "{screen}");
    assert!(list_rows(&screen)[0][0].contains("aaa-small"), "{screen}");
    // name → backend → state → cpu → mem
    deck.keys(&["o", "o", "o", "o"]);
    let screen = deck.wait("sorted by memory, largest first", |s| {
        s.contains("MEM▼")
            && list_rows(s)
                .first()
                .is_some_and(|r| r[0].contains("zzz-big"))
    });
    // The selection stayed on the session it was on, now on the second row.
    let log_title = support::screen::log_title(&screen);
    assert!(log_title.contains(&small), "{screen}");
    deck.keys(&["O"]);
    deck.wait("reversed", |s| {
        s.contains("MEM▲")
            && list_rows(s)
                .first()
                .is_some_and(|r| r[0].contains("aaa-small"))
    });
    // `c` hides the columns.
    deck.keys(&["c"]);
    deck.wait("no CPU column", |s| {
        s.lines()
            .find(|l| l.contains("NAME"))
            .is_some_and(|h| !h.contains("CPU"))
    });
}
