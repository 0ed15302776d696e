//! End-to-end tests of the interactive screen: the real binary runs in a pane of a private
//! tmux server (the "UI server", 120x35), keys go in with `send-keys` and the screen comes
//! back with `capture-pane`. The sessions muxdeck lists live in a *different* private
//! `TMUX_TMPDIR` (a [`TmuxWorld`]); the UI server's socket is not in it, so muxdeck never
//! lists its own session. Containers are podman's, made from the local busybox image.
//!
//! Every wait polls the screen with a deadline and fails with the last screen. Everything
//! is torn down by guards, also when a test fails.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use support::deck::{Deck, HEIGHT, NO_RUNTIMES, WAIT, WIDTH};
use support::screen::{list_rows, log_rows, log_title, row, shows};

use std::path::PathBuf;
use std::time::Duration;

use support::{
    Containers, TmuxWorld, container_state, podman, podman_ok, process_alive, temp_dir, unique,
    wait_until,
};

/// The foreground color in effect where `needle` starts on a line of a `capture-pane -e`
/// screen, as an SGR parameter list normalised to 256-color form (`38;5;1` for red), or
/// None when no color is set there.
fn fg_at(ansi_line: &str, needle: &str) -> Option<String> {
    let end = ansi_line.find(needle)?;
    let mut fg: Option<String> = None;
    let mut rest = &ansi_line[..end];
    while let Some(i) = rest.find("\x1b[") {
        rest = &rest[i + 2..];
        let Some(m) = rest.find(|c: char| !(c.is_ascii_digit() || c == ';')) else {
            break;
        };
        if !rest[m..].starts_with('m') {
            continue;
        }
        let params: Vec<u16> = rest[..m]
            .split(';')
            .map(|p| p.parse().unwrap_or(0))
            .collect();
        let mut k = 0;
        while k < params.len() {
            match params[k] {
                0 | 39 => fg = None,
                n @ 30..=37 => fg = Some(format!("38;5;{}", n - 30)),
                n @ 90..=97 => fg = Some(format!("38;5;{}", n - 90 + 8)),
                38 if params.get(k + 1) == Some(&5) => {
                    fg = params.get(k + 2).map(|c| format!("38;5;{c}"));
                    k += 2;
                }
                38 if params.get(k + 1) == Some(&2) => {
                    fg = Some(format!("38;2;{:?}", params.get(k + 2..k + 5)));
                    k += 4;
                }
                48 => k += if params.get(k + 1) == Some(&5) { 2 } else { 4 },
                _ => {}
            }
            k += 1;
        }
        rest = &rest[m + 1..];
    }
    fg
}

/// The line of a `capture-pane -e` screen that contains `needle`.
fn ansi_line<'a>(screen: &'a str, needle: &str) -> Option<&'a str> {
    screen.lines().find(|l| l.contains(needle))
}

/// A shell loop printing `<tag>-<n>` lines every `every` seconds, the tag in `color`
/// (an SGR number).
fn ticker(tag: &str, color: u8, every: &str) -> String {
    format!(
        "i=0; while :; do i=$((i+1)); printf '\\033[{color}m{tag}\\033[0m-%d\\n' $i; sleep {every}; done"
    )
}

#[test]
fn lists_tmux_on_two_sockets_a_container_and_a_config_session() {
    let containers = Containers::new();
    let world = TmuxWorld::new();
    world.new_session("alpha", "api", &ticker("api", 31, "0.5"));
    world.new_session("beta", "web", &ticker("web", 32, "0.5"));
    let name = containers.run_detached(
        &unique("e2e-list"),
        "trap 'exit 0' TERM; while :; do echo box-tick; sleep 0.3; done",
    );
    let deck = Deck::start(
        &world,
        "sessions:\n  planned:\n    backend: tmux\n    socket: alpha\n    command: sleep 600\n",
    );
    let screen = deck.wait(
        "both tmux servers, the container and the config session",
        |s| {
            shows(s, "api", "tmux@alpha", "running")
                && shows(s, "web", "tmux@beta", "running")
                && shows(s, "planned", "tmux@alpha", "defined")
                && shows(s, &name, "podman", "running")
        },
    );
    let rows = list_rows(&screen);
    let names: Vec<&str> = rows.iter().map(|r| r[0].as_str()).collect();
    // tmux first (by socket, then name), then containers.
    assert_eq!(
        &names[..3],
        ["api", "planned ◆", "web"],
        "unexpected order:\n{screen}"
    );
    assert!(
        names[3..].contains(&name.as_str()),
        "container row missing:\n{screen}"
    );
    assert!(row(&rows, "api").unwrap()[3].starts_with("pid "));
    assert!(row(&rows, &name).unwrap()[3].contains("muxdeck-test/busybox"));
    // Health line: two servers; podman answered.
    let screen = deck.wait("the health line", |s| {
        s.contains("tmux: 2 on 2 servers") && s.contains("podman: ")
    });
    assert!(!screen.contains("podman: loading"), "{screen}");
    // State colors survive the trip through a real terminal.
    let ansi = deck.screen_ansi();
    let planned = ansi_line(&ansi, "planned").unwrap();
    assert_eq!(
        fg_at(planned, "defined").as_deref(),
        Some("38;5;6"),
        "{planned:?}"
    );
    let web = ansi
        .lines()
        .find(|l| l.contains("web") && l.contains("tmux@beta"))
        .unwrap();
    assert_eq!(fg_at(web, "running").as_deref(), Some("38;5;2"), "{web:?}");
    // The first row is selected and its log is followed.
    assert!(log_title(&screen).contains("tmux@alpha:api"), "{screen}");
}

#[test]
fn log_pane_shows_new_colored_lines_as_they_are_written() {
    let world = TmuxWorld::new();
    let dir = temp_dir("e2e-log");
    let file: PathBuf = dir.path().join("out.log");
    std::fs::write(&file, "\x1b[33mold-line\x1b[0m from before\n").unwrap();
    world.new_session("alpha", "api", &format!("tail -n +1 -f {}", file.display()));
    let deck = Deck::start(&world, NO_RUNTIMES);
    let screen = deck.wait("the history of api", |s| {
        log_rows(s)
            .iter()
            .any(|l| l.contains("old-line from before"))
    });
    assert!(
        log_title(&screen).contains("tmux@alpha:api · following"),
        "{screen}"
    );

    let append = |text: &str| {
        use std::io::Write;
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(&file)
            .unwrap();
        f.write_all(text.as_bytes()).unwrap();
    };
    append("\x1b[31mfresh-red\x1b[0m then plain\n");
    let ansi = deck.wait_ansi("the new red line, in red", |s| {
        ansi_line(s, "fresh-red")
            .is_some_and(|l| fg_at(l, "fresh-red").as_deref() == Some("38;5;1"))
    });
    let line = ansi_line(&ansi, "fresh-red").unwrap();
    assert_eq!(fg_at(line, "then plain"), None, "color not reset: {line:?}");
    // Escape sequences are rendered, not printed.
    assert!(!deck.screen().contains("[31m"));

    append("\x1b[1;32mfresh-green\x1b[0m\n\x1b[38;5;208mfresh-orange\x1b[0m\n");
    let ansi = deck.wait_ansi("the green and orange lines", |s| {
        ansi_line(s, "fresh-green")
            .is_some_and(|l| fg_at(l, "fresh-green").as_deref() == Some("38;5;2"))
            && ansi_line(s, "fresh-orange")
                .is_some_and(|l| fg_at(l, "fresh-orange").as_deref() == Some("38;5;208"))
    });
    assert!(ansi_line(&ansi, "fresh-green").unwrap().contains("\x1b[1m"));
    // In order, each once.
    let rows = log_rows(&deck.screen());
    let pos = |t: &str| {
        let hits: Vec<usize> = rows
            .iter()
            .enumerate()
            .filter(|(_, l)| l.contains(t))
            .map(|(i, _)| i)
            .collect();
        assert_eq!(hits.len(), 1, "{t:?} shown {} times: {rows:#?}", hits.len());
        hits[0]
    };
    assert!(pos("old-line") < pos("fresh-red"));
    assert!(pos("fresh-red") < pos("fresh-green"));
    assert!(pos("fresh-green") < pos("fresh-orange"));
}

/// The numbers `n` of the `<tag>-<n>` lines in the log pane, in screen order.
fn tick_numbers(screen: &str, tag: &str) -> Vec<u32> {
    let prefix = format!("{tag}-");
    log_rows(screen)
        .iter()
        .filter_map(|l| l.strip_prefix(&prefix)?.trim().parse().ok())
        .collect()
}

/// Asserts the log pane shows only `tag`'s lines, strictly increasing (so none twice and
/// none from another session), and at least `min` of them.
fn assert_clean_log(screen: &str, tag: &str, min: usize) {
    let rows: Vec<String> = log_rows(screen)
        .into_iter()
        .filter(|l| !l.is_empty())
        .collect();
    let numbers = tick_numbers(screen, tag);
    assert_eq!(
        numbers.len(),
        rows.len(),
        "lines of another session in the log of {tag}:\n{screen}"
    );
    assert!(numbers.len() >= min, "too few lines of {tag}:\n{screen}");
    assert!(
        numbers.windows(2).all(|w| w[0] < w[1]),
        "lines repeated or out of order in the log of {tag}: {numbers:?}\n{screen}"
    );
}

#[test]
fn a_session_renamed_elsewhere_is_shown_under_its_new_name() {
    let world = TmuxWorld::new();
    world.new_session("alpha", "before", "exec sleep 600");
    world.new_session("alpha", "other", "exec sleep 600");
    let deck = Deck::start(&world, NO_RUNTIMES);
    deck.wait("the sessions listed", |s| {
        s.contains("before") && s.contains("other")
    });
    // Quiet for a while first: the tmux round that finds renames runs only once the
    // server was woken, and a rename is what wakes it.
    std::thread::sleep(std::time::Duration::from_secs(16));
    world.tmux_ok("alpha", ["rename-session", "-t", "=before", "after"]);
    deck.wait_for(
        std::time::Duration::from_secs(40),
        "the new name listed",
        |s| s.contains("after") && !s.contains("before"),
    );
}

#[test]
fn j_and_k_switch_the_log_and_no_line_appears_twice() {
    let world = TmuxWorld::new();
    for tag in ["s1", "s2", "s3", "s4"] {
        world.new_session("alpha", tag, &ticker(tag, 36, "0.05"));
    }
    let deck = Deck::start(&world, NO_RUNTIMES);
    let screen = deck.wait("s1 followed with lines", |s| {
        log_title(s).contains("tmux@alpha:s1") && tick_numbers(s, "s1").len() >= 5
    });
    assert_clean_log(&screen, "s1", 5);

    // Three presses in one burst: the log must end up on s4, with s4's lines only.
    deck.keys(&["j", "j", "j"]);
    let screen = deck.wait("s4 followed with lines", |s| {
        log_title(s).contains("tmux@alpha:s4") && tick_numbers(s, "s4").len() >= 20
    });
    assert_clean_log(&screen, "s4", 20);
    // Still clean a while later, while the session keeps writing.
    let later = deck.wait("more s4 lines", |s| {
        tick_numbers(s, "s4").last() > tick_numbers(&screen, "s4").last()
    });
    assert_clean_log(&later, "s4", 20);

    deck.keys(&["k"]);
    let screen = deck.wait("s3 followed", |s| {
        log_title(s).contains("tmux@alpha:s3") && tick_numbers(s, "s3").len() >= 20
    });
    assert_clean_log(&screen, "s3", 20);

    // Back and forth faster than a stream can start.
    deck.keys(&["k", "j", "k", "k", "j", "j", "j", "k"]);
    let screen = deck.wait("s3 followed again", |s| {
        log_title(s).contains("tmux@alpha:s3") && tick_numbers(s, "s3").len() >= 20
    });
    assert_clean_log(&screen, "s3", 20);
    let later = deck.wait("more s3 lines", |s| {
        tick_numbers(s, "s3").last() > tick_numbers(&screen, "s3").last()
    });
    assert_clean_log(&later, "s3", 20);
}

#[test]
fn running_through_the_list_never_takes_the_tmux_server_down() {
    // Each row passed over may start a log follower that is dropped moments later. When
    // followers were `tmux -C` clients, bursts like these took the tmux 3.3a server (and
    // every session on it) down in one run out of three to five: it crashes when control
    // clients come and go in quick succession. A crash is a matter of timing, so this is a
    // net, not a proof.
    let world = TmuxWorld::new();
    for tag in ["r1", "r2", "r3", "r4"] {
        world.new_session("alpha", tag, &ticker(tag, 33, "0.05"));
    }
    let server = world.server_pid("alpha").expect("alpha runs");
    let deck = Deck::start(&world, NO_RUNTIMES);
    deck.wait("r1 followed", |s| tick_numbers(s, "r1").len() >= 3);
    let alive = |what: &str| {
        assert!(
            process_alive(server),
            "the tmux server died after {what}; screen:\n{}",
            deck.screen()
        );
    };
    for round in 0..8 {
        deck.keys(&["j", "j", "j"]);
        std::thread::sleep(Duration::from_millis(300));
        deck.keys(&["k", "k", "k", "k", "k", "j"]);
        std::thread::sleep(Duration::from_millis(200));
        alive(&format!("burst {}", round + 1));
    }
    // Single moves at every pace from 0 to 180 ms, in steps of 6 ms: the follow delay, the
    // time to set a follower up and the moment its client identifies itself are in there.
    for (i, pace) in (0..=180).step_by(6).enumerate() {
        deck.keys(&[if i % 2 == 0 { "j" } else { "k" }]);
        std::thread::sleep(Duration::from_millis(pace));
        alive(&format!("{} single moves", i + 1));
    }
    // 31 single moves from r2 (where the bursts end), one more j than k: on r3.
    let screen = deck.wait("r3 followed", |s| {
        log_title(s).contains("tmux@alpha:r3") && tick_numbers(s, "r3").len() >= 20
    });
    assert_clean_log(&screen, "r3", 20);
    alive("all the moves");
    assert_eq!(world.session_names("alpha"), ["r1", "r2", "r3", "r4"]);
    // Following attaches no client to the server at all.
    let clients = world.tmux_ok("alpha", ["list-clients", "-F", "#{client_name}"]);
    assert!(clients.trim().is_empty(), "clients on alpha: {clients}");
}

#[test]
fn attach_then_detach_returns_to_an_intact_screen() {
    let world = TmuxWorld::new();
    world.new_session("alpha", "api", &ticker("api", 35, "0.3"));
    world.new_session("alpha", "other", &ticker("other", 34, "0.3"));
    let deck = Deck::start(&world, NO_RUNTIMES);
    let before = deck.wait("api followed", |s| tick_numbers(s, "api").len() >= 3);
    assert!(log_title(&before).contains("tmux@alpha:api"), "{before}");

    deck.keys(&["Enter"]);
    // The pane now shows tmux attached to api: its status line names the session.
    let clients = || world.tmux_ok("alpha", ["list-clients", "-F", "#{client_session}"]);
    assert!(
        wait_until(WAIT, || clients().trim() == "api"),
        "no client attached to api; clients: {:?}; screen:\n{}",
        clients(),
        deck.screen()
    );
    let attached = deck.wait("the attached session", |s| {
        s.lines().last().is_some_and(|l| l.starts_with("[api]")) && !s.contains(" sessions ")
    });
    assert!(attached.contains("api-"), "{attached}");

    // `C-b d` typed into the UI pane reaches the program in it, the inner tmux client,
    // not the UI server (send-keys writes to the pane, it does not go through the UI
    // server's prefix), so it detaches from api.
    deck.keys(&["C-b", "d"]);
    let back = deck.wait("muxdeck again", |s| {
        s.contains("back from tmux@alpha:api") && tick_numbers(s, "api").len() >= 3
    });
    assert!(
        wait_until(WAIT, || clients().trim().is_empty()),
        "still attached: {:?}",
        clients()
    );
    // Intact: same rows, borders, the log followed again, nothing left of tmux's screen.
    let rows = list_rows(&back);
    assert!(shows(&back, "api", "tmux@alpha", "running"), "{back}");
    assert!(shows(&back, "other", "tmux@alpha", "running"), "{back}");
    assert_eq!(rows.len(), 2, "{back}");
    assert!(
        !back.contains("[api]"),
        "tmux status line left over:\n{back}"
    );
    let lines: Vec<&str> = back.lines().collect();
    assert!(
        lines[0].starts_with("┌ sessions 2 ") && lines[0].ends_with('┐'),
        "{back}"
    );
    assert!(
        log_title(&back).contains("tmux@alpha:api · following"),
        "{back}"
    );
    assert_clean_log(&back, "api", 3);
    assert_eq!(deck.format("#{alternate_on}"), "1");
    // Keys work again.
    deck.keys(&["j"]);
    deck.wait("the log of other", |s| {
        log_title(s).contains("tmux@alpha:other") && tick_numbers(s, "other").len() >= 3
    });
    deck.keys(&["?"]);
    deck.wait("help", |s| s.contains(" muxdeck keys "));
    deck.keys(&["Escape"]);
    deck.wait("help closed", |s| !s.contains(" muxdeck keys "));
}

#[test]
fn x_then_y_stops_the_session() {
    let world = TmuxWorld::new();
    world.new_session("alpha", "keep", &ticker("keep", 32, "0.5"));
    world.new_session("alpha", "victim", &ticker("victim", 31, "0.5"));
    let deck = Deck::start(&world, NO_RUNTIMES);
    deck.wait("both sessions", |s| {
        shows(s, "keep", "tmux@alpha", "running") && shows(s, "victim", "tmux@alpha", "running")
    });
    deck.keys(&["j"]);
    deck.wait("victim selected", |s| {
        log_title(s).contains("tmux@alpha:victim")
    });
    deck.keys(&["x"]);
    let ask = deck.wait("the question", |s| s.contains("Stop tmux@alpha:victim?"));
    assert!(ask.contains("y yes   n no"), "{ask}");
    // `n` keeps it.
    deck.keys(&["n"]);
    deck.wait("cancelled", |s| {
        !s.contains("Stop tmux@") && s.contains("cancelled")
    });
    assert!(world.session_names("alpha").contains(&"victim".to_string()));

    deck.keys(&["x"]);
    deck.wait("the question again", |s| {
        s.contains("Stop tmux@alpha:victim?")
    });
    deck.keys(&["y"]);
    let screen = deck.wait("victim gone from the list", |s| {
        row(&list_rows(s), "victim").is_none() && s.contains("stopped tmux@alpha:victim")
    });
    assert!(shows(&screen, "keep", "tmux@alpha", "running"), "{screen}");
    assert_eq!(world.session_names("alpha"), ["keep"]);
    // The selection moved to the row now in its place.
    let screen = deck.wait("keep followed", |s| {
        log_title(s).contains("tmux@alpha:keep")
    });
    assert!(!screen.contains("Stop tmux@"), "{screen}");
}

#[test]
fn s_starts_a_defined_session() {
    let world = TmuxWorld::new();
    world.new_session("alpha", "keep", &ticker("keep", 32, "0.5"));
    let deck = Deck::start(
        &world,
        &format!(
            "{NO_RUNTIMES}sessions:\n  planned:\n    backend: tmux\n    socket: alpha\n    command: \"echo planned-is-up; exec sleep 600\"\n"
        ),
    );
    deck.wait("the defined session", |s| {
        shows(s, "planned", "tmux@alpha", "defined")
    });
    deck.keys(&["j"]);
    let screen = deck.wait("planned selected", |s| {
        log_title(s).contains("tmux@alpha:planned")
    });
    assert!(
        screen.contains("has not been started. Press s to start it."),
        "{screen}"
    );
    deck.keys(&["s"]);
    let screen = deck.wait("planned running, its output shown", |s| {
        shows(s, "planned", "tmux@alpha", "running")
            && log_rows(s).iter().any(|l| l == "planned-is-up")
    });
    assert!(screen.contains("started tmux@alpha:planned"), "{screen}");
    assert!(
        world
            .session_names("alpha")
            .contains(&"planned".to_string())
    );
    // Starting it again is refused, in the status bar.
    deck.keys(&["s"]);
    deck.wait("the refusal", |s| {
        s.contains("tmux@alpha:planned is already running")
    });
}

#[test]
fn slash_filters_and_escape_clears() {
    let world = TmuxWorld::new();
    world.new_session("alpha", "api", "sleep 600");
    world.new_session("alpha", "db", "sleep 600");
    world.new_session("beta", "web", "sleep 600");
    let deck = Deck::start(&world, NO_RUNTIMES);
    deck.wait("three rows", |s| list_rows(s).len() == 3);

    deck.keys(&["/"]);
    deck.type_text("we");
    // Both letters typed (`w` alone already leaves only web).
    let screen = deck.wait("only web", |s| {
        s.contains("sessions 1 · filter: we▏") && list_rows(s).len() == 1
    });
    assert!(shows(&screen, "web", "tmux@beta", "running"), "{screen}");
    // The selection follows the filter.
    deck.wait("web followed", |s| log_title(s).contains("tmux@beta:web"));
    deck.keys(&["Escape"]);
    let screen = deck.wait("all rows back", |s| list_rows(s).len() == 3);
    assert!(!screen.contains("filter:"), "{screen}");

    // Enter keeps the filter and leaves typing; Esc in the list clears it.
    deck.keys(&["/"]);
    deck.type_text("alpha:d");
    deck.keys(&["Enter"]);
    let screen = deck.wait("only db, filter kept", |s| {
        list_rows(s).len() == 1 && s.contains("filter: alpha:d ") && !s.contains('▏')
    });
    assert!(shows(&screen, "db", "tmux@alpha", "running"), "{screen}");
    // Keys are actions again: `?` helps.
    deck.keys(&["?"]);
    deck.wait("help over the filtered list", |s| {
        s.contains(" muxdeck keys ")
    });
    deck.keys(&["Escape"]);
    deck.keys(&["Escape"]);
    deck.wait("all rows back again", |s| {
        list_rows(s).len() == 3 && !s.contains("filter:")
    });

    // A filter nothing matches says so.
    deck.keys(&["/"]);
    deck.type_text("zzz");
    deck.wait("the no-match note", |s| {
        s.contains("no session matches the filter")
    });
    deck.keys(&["Escape"]);
    deck.wait("rows back", |s| list_rows(s).len() == 3);
}

#[test]
fn question_mark_shows_help() {
    let world = TmuxWorld::new();
    world.new_session("alpha", "api", "sleep 600");
    let deck = Deck::start(&world, NO_RUNTIMES);
    deck.keys(&["?"]);
    // Every row, and the hint row under them, drawn last: a whole frame.
    let rows = [
        " muxdeck keys ",
        "↑ k / ↓ j  move up / down",
        "x  stop gracefully (asks if running)",
        "/  filter sessions   t  timestamps",
        "q Ctrl-c  quit",
        "Esc close help",
    ];
    // Its footer says how it closes, or (when the screen is too short) how it scrolls.
    let footer = |s: &str| s.contains("Esc or ? closes") || s.contains("other keys close");
    deck.wait("the whole help", |s| {
        rows.iter().all(|r| s.contains(r)) && footer(s)
    });
    // The movement keys scroll it (the last action's row shows at its end) and keep it.
    let last = muxdeck::tui::keys::ACTIONS
        .last()
        .map(|(_, name, ..)| *name)
        .unwrap_or_default();
    deck.keys(&["G"]);
    deck.wait("the help's last row", |s| {
        s.contains(" muxdeck keys ") && s.contains(last)
    });
    // Any other key closes it and does nothing else: `q` does not quit here.
    deck.keys(&["q"]);
    let screen = deck.wait("help closed", |s| !s.contains(" muxdeck keys "));
    assert!(screen.contains(" sessions 1 "), "{screen}");
    // Still running: the help opens again.
    deck.keys(&["?"]);
    deck.wait("help again", |s| s.contains(" muxdeck keys "));
    assert!(!deck.screen().contains("muxdeck exited"));
}

#[test]
fn q_quits_and_restores_the_terminal() {
    let world = TmuxWorld::new();
    world.new_session("alpha", "api", &ticker("api", 31, "0.2"));
    let deck = Deck::start(&world, NO_RUNTIMES);
    deck.wait("api followed", |s| tick_numbers(s, "api").len() >= 2);
    assert_eq!(deck.format("#{alternate_on}"), "1");
    deck.keys(&["q"]);
    // The main screen is back, without a trace of the UI, and the terminal is cooked.
    deck.assert_exited_and_restored(&[0]);
    // Nothing of muxdeck lingers on the server.
    assert!(
        wait_until(WAIT, || world
            .tmux_ok("alpha", ["list-clients"])
            .trim()
            .is_empty()),
        "a client of muxdeck outlived it"
    );
}

#[test]
fn x_then_y_stops_a_container_without_removing_it() {
    let containers = Containers::new();
    let world = TmuxWorld::new();
    world.new_session("alpha", "api", "sleep 600");
    let name = containers.run_detached(
        &unique("e2e-stop"),
        "trap 'exit 0' TERM; while :; do echo box-tick; sleep 0.3; done",
    );
    let deck = Deck::start(&world, "defaults:\n  stop_timeout: 3\n");
    // Select it by name, whatever else podman lists.
    deck.select(&name);
    deck.wait("its log", |s| log_rows(s).iter().any(|l| l == "box-tick"));
    deck.keys(&["x"]);
    deck.wait("the question", |s| {
        s.contains(&format!("Stop podman:{name}?"))
    });
    deck.keys(&["y"]);
    let screen = deck.wait("the container stopped", |s| {
        shows(s, &name, "podman", "stopped") && s.contains(&format!("stopped podman:{name}"))
    });
    assert!(
        !screen.contains("failed"),
        "the stop reported a failure:\n{screen}"
    );
    let state = container_state(&name);
    assert_eq!(state.trim(), "exited");
    let all = podman_ok(["ps", "-a", "--format", "{{.Names}}"]);
    assert!(all.lines().any(|l| l == name), "{name} was removed: {all}");
    assert!(podman(["container", "exists", &name]).status.success());
}

#[test]
fn inside_tmux_attach_opens_a_popup_that_prefix_d_closes() {
    // muxdeck runs in a tmux session ("deck") of the very server whose session it
    // attaches to ("web"), with a real client on it: the user's terminal is a pane of
    // another private server, running `tmux attach -t deck`.
    let world = TmuxWorld::new();
    world.new_session("work", "web", &ticker("web", 32, "0.3"));
    let dir = temp_dir("popup-cfg");
    let config = support::write_config(dir.path(), NO_RUNTIMES);
    let mut cmd = support::muxdeck(Some(&config));
    world.apply(&mut cmd);
    // Inside tmux, muxdeck sees the TMUX its pane has.
    let line = support::shell_line(&cmd).replace(" -u TMUX ", " ");
    world.new_session_sized("work", "deck", (WIDTH, HEIGHT), &line);
    let term = TmuxWorld::new();
    let attach = format!(
        "env -u TMUX tmux -S {} attach-session -t =deck",
        world.socket_path("work").display()
    );
    term.new_session_sized("term", "term", (WIDTH, HEIGHT), &attach);
    let screen = || term.capture("term", "=term:");
    let wait = |what: &str, cond: &dyn Fn(&str) -> bool| {
        assert!(
            wait_until(WAIT, || cond(&screen())),
            "timed out waiting for {what}; the terminal shows:\n{}",
            screen()
        );
    };
    wait("muxdeck", &|s| {
        s.contains(" sessions ") && s.contains("quit")
    });
    term.tmux_ok("term", ["send-keys", "-t", "=term:", "/"]);
    term.tmux_ok("term", ["send-keys", "-t", "=term:", "-l", "work:web"]);
    term.tmux_ok("term", ["send-keys", "-t", "=term:", "Enter"]);
    wait("web's log", &|s| log_title(s).contains("tmux@work:web"));
    term.tmux_ok("term", ["send-keys", "-t", "=term:", "Enter"]);
    // A second client shows web; the user's own stays on deck.
    let clients = || {
        let mut c: Vec<String> = world
            .tmux_ok("work", ["list-clients", "-F", "#{client_session}"])
            .lines()
            .map(str::to_string)
            .collect();
        c.sort();
        c
    };
    assert!(
        wait_until(WAIT, || clients() == ["deck", "web"]),
        "clients: {:?}; the terminal shows:\n{}",
        clients(),
        screen()
    );
    wait("the popup naming the key", &|s| {
        s.contains("tmux@work:web · Ctrl-b d comes back") && s.contains("web-")
    });
    term.tmux_ok("term", ["send-keys", "-t", "=term:", "C-b"]);
    term.tmux_ok("term", ["send-keys", "-t", "=term:", "d"]);
    wait("muxdeck again", &|s| {
        s.contains("back from tmux@work:web") && s.contains(" sessions ")
    });
    assert_eq!(clients(), ["deck"], "{}", screen());
}

#[test]
fn a_session_that_wrote_nothing_says_so_instead_of_loading_for_ever() {
    let containers = Containers::new();
    let world = TmuxWorld::new();
    world.new_session("alpha", "blank", "sleep 600");
    let name = containers.run_detached_with(&unique("e2e-quiet"), &[], &["sleep", "600"]);
    let deck = Deck::start(&world, "defaults:\n  stop_timeout: 3\n");
    let empty = |who: &str| {
        let who = who.to_string();
        move |s: &str| {
            log_title(s).contains(&format!(":{who} "))
                && log_rows(s).first().map(String::as_str) == Some("(no output yet)")
        }
    };
    deck.select(&name);
    deck.wait("the container's empty log", empty(&name));
    // Esc apart from `/`: together they read as Alt-/.
    deck.keys(&["Escape"]);
    deck.wait("the filter cleared", |s| !s.contains("filter:"));
    deck.keys(&["/"]);
    deck.type_text("tmux:blank");
    deck.keys(&["Enter"]);
    deck.wait("the tmux session's empty log", empty("blank"));
}
