//! The mouse, end to end: the real binary in a pane of a private tmux server (120x35), mouse
//! events written to it as the raw SGR sequences a terminal sends (`ESC [ < b ; x ; y M`
//! for a press, `m` for a release, 1-based cells; 64 / 65 the wheel). A click selects a
//! row, the wheel scrolls the log pane under the pointer, a double click attaches; mouse
//! reporting is off while attached and after muxdeck ends, and `mouse: false` never turns
//! it on.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use support::deck::{Deck, NO_RUNTIMES, WAIT};
use support::screen::{log_rows, log_title};
use support::{TmuxWorld, wait_until};

/// A session that prints `<tag>-1` … `<tag>-300`, then waits.
fn numbered(tag: &str) -> String {
    format!("seq 1 300 | sed 's/^/{tag}-/'; exec sleep 600")
}

/// The 0-based row of the screen whose text contains `needle`.
fn row_of(screen: &str, needle: &str) -> usize {
    screen
        .lines()
        .position(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("{needle:?} not on screen:\n{screen}"))
}

/// Writes a mouse event as a terminal in SGR mode does: button `b` at 0-based cell
/// (`x`, `y`), pressed (or a wheel notch) or released.
fn sgr(deck: &Deck, b: u8, x: usize, y: usize, press: bool) {
    let end = if press { 'M' } else { 'm' };
    deck.type_text(&format!("\x1b[<{b};{};{}{end}", x + 1, y + 1));
}

fn click(deck: &Deck, x: usize, y: usize) {
    sgr(deck, 0, x, y, true);
    sgr(deck, 0, x, y, false);
}

const WHEEL_UP: u8 = 64;
const WHEEL_DOWN: u8 = 65;

/// The last log row shown, trimmed.
fn last_log_row(screen: &str) -> String {
    log_rows(screen)
        .into_iter()
        .rfind(|l| !l.trim().is_empty())
        .unwrap_or_default()
}

#[test]
fn a_click_selects_a_row_and_the_wheel_scrolls_the_log_pane() {
    let world = TmuxWorld::new();
    for tag in ["s1", "s2", "s3"] {
        world.new_session("alpha", tag, &numbered(tag));
    }
    let deck = Deck::start(&world, NO_RUNTIMES);
    assert_eq!(deck.format("#{mouse_any_flag}"), "1", "mouse reporting on");
    assert_eq!(deck.format("#{mouse_sgr_flag}"), "1", "in SGR mode");
    deck.wait("s1 followed to its end", |s| {
        log_title(s).contains("tmux@alpha:s1") && last_log_row(s) == "s1-300"
    });

    // A click on the row of s3 selects it and its log follows.
    let screen = deck.screen();
    click(&deck, 4, row_of(&screen, "│s3 "));
    let screen = deck.wait("s3 followed after the click", |s| {
        log_title(s).contains("tmux@alpha:s3 · following") && last_log_row(s) == "s3-300"
    });

    // Two wheel notches up over the log pane: six lines back, following paused.
    let log_y = row_of(&screen, "s3-295");
    sgr(&deck, WHEEL_UP, 30, log_y, true);
    sgr(&deck, WHEEL_UP, 30, log_y, true);
    let screen = deck.wait("the log scrolled up by 6", |s| {
        log_title(s).contains("paused ↑6") && last_log_row(s) == "s3-294"
    });
    assert!(log_title(&screen).contains("tmux@alpha:s3"), "{screen}");
    // The selection did not move: the wheel acts on the pane under the pointer.
    assert!(screen.contains("│s3 "), "{screen}");
    // Over the list, the wheel moves the selection instead.
    sgr(&deck, WHEEL_UP, 4, row_of(&screen, "│s1 "), true);
    deck.wait("s2 followed after a wheel notch over the list", |s| {
        log_title(s).contains("tmux@alpha:s2 · following") && last_log_row(s) == "s2-300"
    });
    // A wheel notch down on the log of s2 at its end changes nothing: following goes on.
    let screen = deck.screen();
    sgr(&deck, WHEEL_DOWN, 30, row_of(&screen, "s2-299"), true);
    deck.keys(&["?"]);
    deck.wait("help", |s| s.contains(" muxdeck keys "));
    // A click closes the help, as a key does.
    click(&deck, 60, 10);
    let screen = deck.wait("help closed", |s| !s.contains(" muxdeck keys "));
    assert!(log_title(&screen).contains("s2 · following"), "{screen}");

    deck.keys(&["q"]);
    deck.assert_exited_and_restored(&[0]);
    assert_eq!(
        deck.format("#{mouse_any_flag}"),
        "0",
        "mouse reporting off at exit"
    );
}

#[test]
fn a_double_click_attaches_with_the_mouse_off_until_muxdeck_is_back() {
    let world = TmuxWorld::new();
    world.new_session("alpha", "api", &numbered("api"));
    world.new_session("alpha", "other", &numbered("other"));
    let deck = Deck::start(&world, NO_RUNTIMES);
    let screen = deck.wait("api followed", |s| last_log_row(s) == "api-300");
    let y = row_of(&screen, "│other ");
    click(&deck, 4, y);
    click(&deck, 4, y);
    let clients = || world.tmux_ok("alpha", ["list-clients", "-F", "#{client_session}"]);
    assert!(
        wait_until(WAIT, || clients().trim() == "other"),
        "no client attached to other; clients: {:?}; screen:\n{}",
        clients(),
        deck.screen()
    );
    deck.wait("the attached session", |s| {
        s.lines().last().is_some_and(|l| l.starts_with("[other]")) && !s.contains(" sessions ")
    });
    // The attached tmux client owns the terminal: muxdeck's mouse reporting is off.
    assert_eq!(
        deck.format("#{mouse_any_flag}"),
        "0",
        "mouse off while attached"
    );
    deck.keys(&["C-b", "d"]);
    deck.wait("muxdeck again", |s| {
        s.contains("back from tmux@alpha:other")
    });
    assert!(
        wait_until(WAIT, || deck.format("#{mouse_any_flag}") == "1"),
        "mouse reporting back on after the hand-over"
    );
}

#[test]
fn mouse_false_leaves_the_mouse_to_the_terminal() {
    let world = TmuxWorld::new();
    world.new_session("alpha", "s1", &numbered("s1"));
    world.new_session("alpha", "s2", &numbered("s2"));
    let deck = Deck::start(&world, &format!("{NO_RUNTIMES}mouse: false\n"));
    deck.wait("s1 followed", |s| last_log_row(s) == "s1-300");
    // The terminal never sends mouse events, and keeps its own selection.
    assert_eq!(deck.format("#{mouse_any_flag}"), "0", "no mouse reporting");
    assert_eq!(deck.format("#{mouse_sgr_flag}"), "0");
    deck.keys(&["j"]);
    deck.wait("s2 followed by the key", |s| {
        log_title(s).contains("tmux@alpha:s2") && last_log_row(s) == "s2-300"
    });
    assert_eq!(deck.format("#{mouse_any_flag}"), "0");
}
