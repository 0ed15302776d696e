//! End-to-end tests of `i` (the details pane), the CPU / MEM columns and `o` (sort by
//! memory) in the real binary, running in a pane of a private tmux server (see
//! `support::deck`); the sessions it lists live in another private tmux world. Also the
//! list's tree: `→`/`l` unfolds a session into its windows and panes, a pane row's log is
//! that pane's, and attach from a window or pane row lands there.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use support::deck::{Deck, NO_RUNTIMES, WAIT};
use support::screen::{list_rows, log_rows, log_title, tree_rows};
use support::{TmuxWorld, unique, wait_until};

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

#[test]
fn right_unfolds_a_session_and_a_pane_that_is_not_active_shows_its_own_log() {
    let world = TmuxWorld::new();
    let name = unique("tree");
    let marker = unique("only-in-the-split");
    let split = world.windows_and_split(
        "tt",
        &name,
        &format!("i=0; while [ $i -lt 600 ]; do echo {marker} $i; i=$((i+1)); sleep 0.5; done"),
    );
    let deck = Deck::start(&world, NO_RUNTIMES);
    let first = deck.wait("the session, its active pane followed", |s| {
        log_title(s).contains(&format!("tmux@tt:{name} "))
    });
    assert!(!first.contains(&marker), "{first}");
    deck.keys(&["Right"]);
    let screen = deck.wait("the windows and panes", |s| tree_rows(s).len() == 5);
    let rows = tree_rows(&screen);
    assert!(
        rows[0].starts_with("├─ 0: ") && rows[0].ends_with('*'),
        "{screen}"
    );
    assert!(
        rows[2].starts_with("└─ 1: second") && !rows[2].ends_with('*'),
        "{screen}"
    );
    assert!(rows[3].contains("├─ 0: sleep*"), "{screen}");
    assert!(
        rows[4].contains("└─ 1: ") && !rows[4].ends_with('*'),
        "{screen}"
    );
    // Down to the split pane: its log, with the marker only it prints.
    deck.keys(&["j", "j", "j", "j", "j"]);
    let screen = deck.wait("the split pane's own log", |s| {
        log_title(s).contains(&format!("pane {split} (window 1, 1: "))
            && log_rows(s).iter().any(|l| l.starts_with(&marker))
    });
    assert!(
        screen
            .lines()
            .any(|l| l.contains(&format!("{split}  ")) && l.contains("└─ 1: ")),
        "{screen}"
    );
    // Following it made it neither the active pane nor the current window.
    let active = world.tmux_ok(
        "tt",
        [
            "list-panes",
            "-s",
            "-t",
            &format!("={name}"),
            "-F",
            "#{window_active}#{pane_active} #{pane_id}",
        ],
    );
    assert!(active.contains(&format!("00 {split}")), "{active}");
    // The window row follows the window's active pane; `h` folds back onto the session.
    deck.keys(&["k", "k"]);
    deck.wait("window 1's active pane", |s| {
        log_title(s).contains("· window 1 (second)")
    });
    deck.keys(&["h"]);
    let screen = deck.wait("folded, the session's active pane followed", |s| {
        tree_rows(s).is_empty() && log_title(s).contains(&format!("tmux@tt:{name} · following"))
    });
    assert_eq!(list_rows(&screen).len(), 1, "{screen}");
    // `l` unfolds too, and `?` lists both keys.
    deck.keys(&["l"]);
    deck.wait("unfolded again", |s| tree_rows(s).len() == 5);
    deck.keys(&["?"]);
    deck.wait("expand and fold in the help", |s| {
        s.contains("→ l  unfold a tmux session") && s.contains("← h  fold it")
    });
}

#[test]
fn attach_from_a_pane_row_lands_on_that_window_and_pane_of_that_server_only() {
    let world = TmuxWorld::new();
    let name = unique("tree");
    let split = world.windows_and_split("ta", &name, "exec sleep 603");
    // The same name on another server, where nothing must change.
    world.new_session("tb", &name, "exec sleep 604");
    world.tmux_ok(
        "tb",
        [
            "new-window",
            "-d",
            "-t",
            &format!("={name}:1"),
            "exec sleep 605",
        ],
    );
    let where_on = |socket: &str| {
        world.tmux_ok(
            socket,
            [
                "display-message",
                "-p",
                "-t",
                &format!("={name}:"),
                "#{window_index} #{pane_id}",
            ],
        )
    };
    let tb_before = where_on("tb");
    let deck = Deck::start(&world, NO_RUNTIMES);
    deck.wait("both sessions", |s| list_rows(s).len() == 2);
    deck.keys(&["l"]);
    deck.wait("ta's tree", |s| tree_rows(s).len() == 5);
    deck.keys(&["j", "j", "j", "j", "j"]);
    deck.wait("the split pane selected", |s| {
        log_title(s).contains(&format!("pane {split} "))
    });
    deck.keys(&["Enter"]);
    let clients = |socket: &str| {
        world.tmux_ok(
            socket,
            [
                "list-clients",
                "-F",
                "#{client_session} #{window_index} #{pane_id}",
            ],
        )
    };
    let expected = format!("{name} 1 {split}");
    assert!(
        wait_until(WAIT, || clients("ta").trim() == expected),
        "the client is not on window 1, pane {split}: {:?}; screen:\n{}",
        clients("ta"),
        deck.screen()
    );
    assert!(clients("tb").trim().is_empty(), "{}", clients("tb"));
    assert_eq!(where_on("tb"), tb_before);
    deck.keys(&["C-b", "d"]);
    deck.wait("muxdeck again", |s| {
        s.contains(&format!("back from tmux@ta:{name}"))
    });
    assert!(
        wait_until(WAIT, || clients("ta").trim().is_empty()),
        "still attached: {:?}",
        clients("ta")
    );
}

#[test]
fn colon_on_a_pane_row_types_into_that_pane_and_not_the_active_one() {
    let world = TmuxWorld::new();
    let name = unique("tree");
    let split = world.windows_and_split("tk", &name, "exec cat");
    let deck = Deck::start(&world, NO_RUNTIMES);
    deck.wait("the session", |s| s.contains(&name));
    deck.keys(&["l"]);
    deck.wait("its tree", |s| tree_rows(s).len() == 5);
    deck.keys(&["j", "j", "j", "j", "j"]);
    deck.wait("the split pane selected", |s| {
        log_title(s).contains(&format!("pane {split} "))
    });
    let line = unique("typed-into-the-split");
    deck.keys(&[":"]);
    deck.wait("the prompt names the pane", |s| {
        s.contains(&format!(
            "type into tmux@tk:{name}, pane {split} (window 1, 1: cat)"
        ))
    });
    deck.type_text(&line);
    deck.keys(&["Enter"]);
    // `cat` echoes it: the terminal's echo, then cat's own line.
    deck.wait("the line in the split pane's log", |s| {
        log_rows(s).iter().filter(|l| *l == &line).count() == 2
    });
    let active = world.capture("tk", &format!("={name}:1.0"));
    assert!(!active.contains(&line), "the active pane got it:\n{active}");
    let first = world.capture("tk", &format!("={name}:0.0"));
    assert!(!first.contains(&line), "window 0 got it:\n{first}");
}
