//! End-to-end tests of the log pane's tools: the real binary in a pane of a private tmux
//! server (120x35), keys in with `send-keys`, the screen back with `capture-pane`; the
//! logged session is a real tmux pane on another private server. Search with `n` / `N`,
//! the filter inverted, and `ctrl-s` (the file it writes is read back; an unwritable
//! folder is a clear error and the pane keeps its lines), `logs.save: ansi`, and the merged
//! log (`L`) of fifty marked sessions and of one that ends while the other flows on.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use support::deck::{Deck, NO_RUNTIMES, Shell};
use support::screen::{last_count, log_rows, log_title};
use support::{TmuxWorld, temp_dir};

/// Twelve lines, two of them a red `ERROR`, then the shell waits.
const SCRIPT: &str = "for i in 1 2 3 4 5 6 7 8 9 10 11 12; do if [ $i = 4 ] || [ $i = 10 ]; then printf '\\033[31mERROR\\033[0m number %s\\n' $i; else echo info number $i; fi; done; exec sleep 600";

fn deck_on_a_log(state_home: &std::path::Path) -> (TmuxWorld, Deck) {
    deck_on_a_log_with(state_home, "")
}

/// As [`deck_on_a_log`], with `config` after the lines that keep the runtimes out.
fn deck_on_a_log_with(state_home: &std::path::Path, config: &str) -> (TmuxWorld, Deck) {
    let world = TmuxWorld::new();
    world.new_session("logs", "app", SCRIPT);
    let deck = Deck::start_with(
        &world,
        &format!("{NO_RUNTIMES}{config}"),
        &[("XDG_STATE_HOME", state_home.to_str().unwrap())],
        Shell::Plain,
    );
    deck.wait("the log of app", |s| {
        log_title(s).contains("tmux@logs:app") && s.contains("info number 12")
    });
    (world, deck)
}

#[test]
fn search_jumps_between_matches_and_the_filter_inverts_and_saves() {
    let state = temp_dir("state");
    let (_world, deck) = deck_on_a_log(state.path());
    deck.keys(&["Tab"]);
    deck.keys(&["/"]);
    deck.type_text("error");
    deck.keys(&["Enter"]);
    let s = deck.wait("the search's count", |s| {
        log_title(s).contains("search: error 2/2")
    });
    // Matches are highlighted on the screen: yellow behind them, the current one light
    // red (tmux writes them as colors 3 and 9 of 256).
    let ansi = deck.screen_ansi();
    assert!(
        ansi.contains("[48;5;3mERROR"),
        "no highlighted match in:\n{ansi}"
    );
    assert!(
        ansi.contains("[48;5;9mERROR"),
        "no current match in:\n{ansi}"
    );
    assert!(log_rows(&s).iter().any(|r| r.contains("ERROR number 10")));
    deck.keys(&["N"]);
    let s = deck.wait("the previous match", |s| {
        log_title(s).contains("search: error 1/2")
    });
    assert!(log_title(&s).contains("paused"), "{s}");
    deck.keys(&["n"]);
    deck.wait("the next match", |s| log_title(s).contains("2/2"));
    deck.keys(&["f"]);
    deck.wait("following again", |s| log_title(s).contains("following"));
    // Esc drops the search; `&` with `!` keeps what does not match.
    deck.keys(&["Escape"]);
    deck.wait("no search", |s| !log_title(s).contains("search:"));
    deck.keys(&["&"]);
    deck.type_text("!info");
    deck.keys(&["Enter"]);
    let s = deck.wait("the inverted filter", |s| {
        log_title(s).contains("filter: !info 2 of 12 lines")
    });
    let rows: Vec<String> = log_rows(&s).into_iter().filter(|r| !r.is_empty()).collect();
    assert_eq!(rows, ["ERROR number 4", "ERROR number 10"], "{s}");
    // Save: what the filter shows, as plain text, and the path on the status line.
    deck.keys(&["C-s"]);
    let s = deck.wait("the saved file", |s| s.contains("saved 2 lines to "));
    let dir = state.path().join("muxdeck/logs");
    let files: Vec<_> = std::fs::read_dir(&dir).unwrap().flatten().collect();
    assert_eq!(files.len(), 1, "{s}");
    let name = files[0].file_name().to_string_lossy().to_string();
    assert!(
        name.starts_with("tmux_logs_app-") && name.ends_with(".log"),
        "{name}"
    );
    assert_eq!(
        std::fs::read_to_string(files[0].path()).unwrap(),
        "ERROR number 4\nERROR number 10\n"
    );
    deck.keys(&["q"]);
    deck.assert_exited_and_restored(&[0]);
}

#[test]
fn with_logs_save_ansi_the_saved_file_keeps_each_lines_colors() {
    let state = temp_dir("state");
    let (_world, deck) = deck_on_a_log_with(state.path(), "logs:\n  save: ansi\n");
    deck.keys(&["Tab", "C-s"]);
    deck.wait("the saved file", |s| s.contains("saved 12 lines to "));
    let dir = state.path().join("muxdeck/logs");
    let files: Vec<_> = std::fs::read_dir(&dir).unwrap().flatten().collect();
    assert_eq!(files.len(), 1);
    let text = std::fs::read_to_string(files[0].path()).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 12, "{text:?}");
    // The red lines keep their red (as tmux gives it back), ended with the line; the
    // others are plain.
    for (i, line) in lines.iter().enumerate() {
        if i == 3 || i == 9 {
            assert!(
                line.starts_with("\x1b[31mERROR\x1b[") && line.ends_with("\x1b[0m"),
                "{line:?}"
            );
            assert!(line.contains(&format!(" number {}", i + 1)), "{line:?}");
        } else {
            assert_eq!(*line, format!("info number {}", i + 1));
        }
    }
}

#[test]
fn saving_to_a_folder_that_cannot_be_written_says_so_and_loses_nothing() {
    let state = temp_dir("state");
    // A file where the state folder should be.
    let blocked = state.path().join("not-a-dir");
    std::fs::write(&blocked, b"").unwrap();
    let (_world, deck) = deck_on_a_log(&blocked);
    deck.keys(&["Tab", "C-s"]);
    let s = deck.wait("the error", |s| s.contains("cannot save the log to"));
    assert!(s.contains("info number 12"), "{s}");
    assert!(s.contains("ERROR number 10"), "{s}");
    deck.assert_responsive();
}

#[test]
fn y_copies_the_current_match_with_osc_52() {
    let state = temp_dir("state");
    let (_world, deck) = deck_on_a_log(state.path());
    // The UI server takes the sequence into a paste buffer, as a terminal takes it into
    // its clipboard (muxdeck runs without $TMUX there, so it writes the sequence as is).
    deck.ui_tmux(&["set-option", "-g", "set-clipboard", "on"]);
    deck.keys(&["Tab", "/"]);
    deck.type_text("number 4");
    deck.keys(&["Enter"]);
    deck.wait("the match", |s| {
        log_title(s).contains("search: number 4 1/1")
    });
    deck.keys(&["y"]);
    deck.wait("the copy", |s| s.contains("copied 1 line to the clipboard"));
    let buffer = deck.ui_tmux(&["show-buffer"]);
    assert_eq!(buffer, "ERROR number 4\n");
}

#[test]
fn l_merges_the_logs_of_a_marked_tmux_session_and_container_with_their_names() {
    use support::Containers;
    use support::unique;
    let containers = Containers::new();
    let world = TmuxWorld::new();
    world.new_session(
        "merge",
        "api",
        "i=0; while :; do i=$((i+1)); echo api-tick-$i; sleep 0.3; done",
    );
    let name = containers.run_detached(
        &unique("merged"),
        "trap 'exit 0' TERM; i=0; while :; do i=$((i+1)); echo box-tick-$i; sleep 0.3; done",
    );
    let deck = Deck::start(&world, "defaults:\n  docker_binary: /nonexistent/docker\n");
    deck.wait("the tmux session", |s| s.contains("tmux@merge"));
    // The tmux session is the first row: mark it; then the container, found by the filter
    // (marks stay on their sessions while the filter hides them; other tests' containers
    // may fill the list).
    deck.keys(&["g", "Space"]);
    deck.keys(&["/"]);
    deck.type_text(&name);
    deck.keys(&["Enter"]);
    deck.wait("the container selected", |s| {
        log_title(s).contains(&format!("podman:{name}"))
    });
    deck.keys(&["Space"]);
    deck.wait("two marked", |s| s.contains("2 marked"));
    deck.keys(&["L"]);
    let s = deck.wait("lines of both, each after its name", |s| {
        let rows = log_rows(s);
        log_title(s).contains("merged: 2 sessions")
            && rows
                .iter()
                .any(|r| r.starts_with("api ") && r.contains(" | api-tick-"))
            && rows
                .iter()
                .any(|r| r.starts_with(&format!("{name} | box-tick-")))
    });
    // Each name in its own color.
    let ansi = deck.screen_ansi();
    // The last SGR before `word` on the line that holds `line`.
    let color_of = |line: &str, word: &str| -> Option<String> {
        let line = ansi.lines().find(|l| l.contains(line))?;
        let at = line.find(word)?;
        let before = &line[..at];
        let start = before.rfind("\x1b[")?;
        Some(before[start..].to_string())
    };
    let api = color_of("api-tick-", "api").unwrap_or_default();
    let boxed = color_of("box-tick-", &name).unwrap_or_default();
    assert!(
        api.contains("38;5;") && boxed.contains("38;5;") && api != boxed,
        "{api:?} {boxed:?}\n{s}"
    );
    // L again: back to the selection's own log.
    deck.keys(&["L"]);
    deck.wait("the container's own log", |s| {
        log_title(s).contains(&format!("podman:{name}"))
            && log_rows(s).iter().any(|r| r.starts_with("box-tick-"))
    });
}

#[test]
fn fifty_marked_sessions_merge_into_one_log_each_line_after_its_name() {
    let state = temp_dir("state");
    let world = TmuxWorld::new();
    let names: Vec<String> = (0..50).map(|i| format!("s{i:02}")).collect();
    for n in &names {
        world.new_session("fifty", n, &format!("echo only-from-{n}; exec sleep 600"));
    }
    let deck = Deck::start_with(
        &world,
        NO_RUNTIMES,
        &[("XDG_STATE_HOME", state.path().to_str().unwrap())],
        Shell::Plain,
    );
    deck.wait("fifty rows", |s| s.contains("/50 ") && s.contains("s00"));
    deck.keys(&["g"]);
    deck.keys(&["Space"; 50]);
    deck.wait("fifty marked", |s| s.contains("50 marked"));
    deck.keys(&["L"]);
    deck.wait("the merged log", |s| {
        log_title(s).contains("merged: 50 sessions")
    });
    // Far more lines than the pane has rows: the filter keeps the fifty unique ones, and
    // the save writes them all, each after its session's name.
    deck.keys(&["Tab", "&"]);
    deck.type_text("only-from");
    deck.keys(&["Enter"]);
    deck.wait("a line of every session", |s| {
        log_title(s).contains("filter: only-from 50 of")
    });
    // In the order they arrived: each row is its session's line after that name.
    let s = deck.screen();
    let rows: Vec<String> = log_rows(&s).into_iter().filter(|r| !r.is_empty()).collect();
    assert!(rows.len() >= 5, "{s}");
    for r in &rows {
        let name = r.get(..3).unwrap_or_default();
        assert_eq!(*r, format!("{name} | only-from-{name}"), "{s}");
    }
    deck.keys(&["C-s"]);
    deck.wait("the saved file", |s| s.contains("saved 50 lines to "));
    let dir = state.path().join("muxdeck/logs");
    let files: Vec<_> = std::fs::read_dir(&dir).unwrap().flatten().collect();
    assert_eq!(files.len(), 1, "{s}");
    assert!(
        files[0]
            .file_name()
            .to_string_lossy()
            .starts_with("merged-50-")
    );
    let text = std::fs::read_to_string(files[0].path()).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    lines.sort_unstable();
    let want: Vec<String> = names
        .iter()
        .map(|n| format!("{n} | only-from-{n}"))
        .collect();
    assert_eq!(lines, want, "{text}");
    deck.assert_responsive();
}

#[test]
fn a_merged_session_that_ends_is_marked_with_its_name_and_the_rest_flows_on() {
    let world = TmuxWorld::new();
    let go = temp_dir("go");
    let flag = go.path().join("go");
    world.new_session(
        "ends",
        "leaves",
        &format!(
            "echo leaves-hello; n=0; while [ ! -e {} ] && [ $n -lt 1200 ]; do n=$((n+1)); sleep 0.05; done; echo leaves-bye; sleep 0.5",
            flag.display()
        ),
    );
    world.new_session(
        "ends",
        "stays",
        "i=0; while [ $i -lt 3000 ]; do i=$((i+1)); echo stays-tick-$i; sleep 0.2; done; exec sleep 600",
    );
    let deck = Deck::start(&world, NO_RUNTIMES);
    deck.wait("both rows", |s| s.contains("leaves") && s.contains("stays"));
    // Both marked, and the cursor back on the one that will end: the merged log is opened
    // on its row, which goes away with it.
    deck.keys(&["g", "Space", "Space", "g"]);
    deck.wait("two marked", |s| s.contains("2 marked"));
    deck.keys(&["L"]);
    deck.wait("lines of both", |s| {
        let rows = log_rows(s);
        log_title(s).contains("merged: 2 sessions")
            && rows.iter().any(|r| r.starts_with("leaves | leaves-hello"))
            && rows.iter().any(|r| r.starts_with("stays  | stays-tick-"))
    });
    std::fs::write(&flag, b"").unwrap();
    let s = deck.wait("its end, after its name", |s| {
        log_rows(s)
            .iter()
            .any(|r| r.starts_with("leaves | ── ended: "))
    });
    let rows = log_rows(&s);
    assert!(
        rows.iter().any(|r| r.starts_with("leaves | leaves-bye")),
        "{s}"
    );
    let before = last_count(log_rows(&s).iter().map(String::as_str), "stays-tick-");
    let s = deck.wait("the other still followed", |s| {
        last_count(log_rows(s).iter().map(String::as_str), "stays-tick-") > before + 3
    });
    assert!(log_title(&s).contains("merged: 2 sessions"), "{s}");
    deck.assert_responsive();
}
