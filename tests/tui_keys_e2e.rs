//! End-to-end tests of the keys `tui_e2e.rs` does not cover: `X` (force-kill), `r`
//! (restart), `D` (remove a container), `e` (a shell in a container), Tab / `k` / PgUp /
//! `f` (scrolling the log pane) and `w` (wrap). The real binary runs in a pane of a
//! private tmux server (the "UI server", 120x35); keys go in with `send-keys`, the screen
//! comes back with `capture-pane`. The sessions muxdeck lists live in another private
//! `TMUX_TMPDIR` (a [`TmuxWorld`]); containers are podman's, from the local busybox image.
//!
//! Every wait polls with a deadline and fails with the last screen. Everything is torn
//! down by guards, also when a test fails.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use support::deck::{Deck, NO_RUNTIMES, WAIT};
use support::screen::{list_rows, log_rows, log_title, row, shows};

use std::time::{Duration, Instant};

use support::{Containers, TmuxWorld, podman, podman_state, process_alive, unique, wait_until};

/// Config lines for container tests: podman only, docker hidden.
const PODMAN_ONLY: &str = "defaults:\n  docker_binary: /nonexistent/docker\n  stop_timeout: 3\n";

#[test]
fn shift_x_then_y_force_kills_only_that_session() {
    let world = TmuxWorld::new();
    // `trap '' INT`: a graceful stop (Ctrl-C) would not end it; a kill must.
    let stubborn = "trap '' INT; while :; do sleep 1; done";
    world.new_session("alpha", "victim", stubborn);
    world.new_session("alpha", "victim-2", stubborn);
    let deck = Deck::start(&world, NO_RUNTIMES);
    deck.wait("both sessions, victim followed", |s| {
        shows(s, "victim", "tmux@alpha", "running")
            && shows(s, "victim-2", "tmux@alpha", "running")
            && log_title(s).contains("logs · tmux@alpha:victim ")
    });
    deck.keys(&["X"]);
    let ask = deck.wait("the question", |s| {
        s.contains("Force-kill tmux@alpha:victim?")
    });
    assert!(ask.contains("y yes   n no"), "{ask}");
    assert!(!ask.contains("victim-2?"), "{ask}");
    let started = Instant::now();
    deck.keys(&["y"]);
    let screen = deck.wait("victim gone from the list", |s| {
        row(&list_rows(s), "victim").is_none() && s.contains("killed tmux@alpha:victim")
    });
    // Forced: no grace period (stop_timeout is 3 s and the session ignores Ctrl-C).
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "the kill waited {:?}",
        started.elapsed()
    );
    assert!(
        shows(&screen, "victim-2", "tmux@alpha", "running"),
        "{screen}"
    );
    assert_eq!(world.session_names("alpha"), ["victim-2"]);
    let ls = world.tmux_ok("alpha", ["ls", "-F", "#{session_name}"]);
    assert_eq!(ls.lines().collect::<Vec<_>>(), ["victim-2"], "{ls}");
    // The selection moved to the row now in its place.
    deck.wait("victim-2 followed", |s| {
        log_title(s).contains("logs · tmux@alpha:victim-2 ")
    });
}

#[test]
fn r_restarts_a_running_config_session() {
    let world = TmuxWorld::new();
    let command = "echo svc-is-up; exec sleep 600";
    // Started by hand with the config's command: running, and known to the config.
    world.new_session("alpha", "svc", command);
    let before = world.pane_pid("alpha", "svc").expect("svc runs");
    let deck = Deck::start(
        &world,
        &format!(
            "{NO_RUNTIMES}sessions:\n  svc:\n    backend: tmux\n    socket: alpha\n    command: \"{command}\"\n"
        ),
    );
    let screen = deck.wait("svc running, followed", |s| {
        shows(s, "svc", "tmux@alpha", "running")
            && log_title(s).contains("logs · tmux@alpha:svc ")
            && log_rows(s).iter().any(|l| l == "svc-is-up")
    });
    assert!(
        row(&list_rows(&screen), "svc").is_some_and(|r| r[0] == "svc ◆"),
        "not marked as a config session:\n{screen}"
    );
    // It ends a running program: asked first, and `n` leaves it running.
    deck.keys(&["r"]);
    let ask = deck.wait("the question", |s| s.contains("Restart tmux@alpha:svc?"));
    assert!(ask.contains("y yes   n no"), "{ask}");
    deck.keys(&["n"]);
    deck.wait("cancelled", |s| {
        !s.contains("Restart tmux@") && s.contains("cancelled")
    });
    assert_eq!(world.pane_pid("alpha", "svc"), Some(before));
    deck.keys(&["r"]);
    deck.wait("the question again", |s| {
        s.contains("Restart tmux@alpha:svc?")
    });
    deck.keys(&["y"]);
    let screen = deck.wait("restarted", |s| s.contains("restarted tmux@alpha:svc"));
    assert!(!screen.contains("failed"), "{screen}");
    let mut after = None;
    assert!(
        wait_until(WAIT, || {
            after = world.pane_pid("alpha", "svc");
            after.is_some_and(|p| p != before)
        }),
        "pane pid of svc: {before} before, {after:?} after"
    );
    let after = after.unwrap();
    assert!(
        !process_alive(before),
        "the old pane process {before} lives"
    );
    assert!(process_alive(after), "the new pane process {after} is gone");
    assert_eq!(world.session_names("alpha"), ["svc"]);
    // Still running, on screen too, and its (new) output followed.
    deck.wait("svc running again, its new output", |s| {
        shows(s, "svc", "tmux@alpha", "running")
            && log_title(s).contains("logs · tmux@alpha:svc ")
            && log_rows(s).iter().any(|l| l == "svc-is-up")
    });
    assert_eq!(world.pane_pid("alpha", "svc"), Some(after));
}

#[test]
fn shift_d_then_y_removes_a_stopped_container() {
    let containers = Containers::new();
    let world = TmuxWorld::new();
    let name = containers.run_detached(&unique("rm-stopped"), "echo short-lived");
    assert!(
        wait_until(WAIT, || podman_state(&name).as_deref() == Some("exited")),
        "{name} did not exit: {:?}",
        podman_state(&name)
    );
    let deck = Deck::start(&world, PODMAN_ONLY);
    deck.select_in(&name, "exited");
    deck.keys(&["D"]);
    let ask = deck.wait("the question", |s| {
        s.contains(&format!("Remove podman:{name}?"))
    });
    assert!(ask.contains("y yes   n no"), "{ask}");
    deck.keys(&["y"]);
    let screen = deck.wait("the container removed", |s| {
        s.contains(&format!("removed podman:{name}")) && row(&list_rows(s), &name).is_none()
    });
    assert!(!screen.contains("failed"), "{screen}");
    let exists = podman(["container", "exists", &name]);
    assert!(
        !exists.status.success(),
        "{name} still exists after removal"
    );
}

#[test]
fn shift_d_on_a_running_container_offers_a_forced_removal_after_a_question_that_says_so() {
    let containers = Containers::new();
    let world = TmuxWorld::new();
    let name = containers.run_detached(
        &unique("rm-running"),
        "trap 'exit 0' TERM; while :; do echo box-tick; sleep 0.3; done",
    );
    let deck = Deck::start(&world, PODMAN_ONLY);
    deck.select(&name);
    // The question says what happens to a running container; `n` leaves it be.
    deck.keys(&["D"]);
    let ask = deck.wait("the question", |s| {
        s.contains(&format!("Force-remove podman:{name}?"))
    });
    assert!(ask.contains("It is running: it is killed at once"), "{ask}");
    deck.keys(&["n"]);
    deck.wait("cancelled", |s| {
        s.contains("cancelled") && !s.contains(" confirm ")
    });
    assert_eq!(podman_state(&name).as_deref(), Some("running"));
    // No CLI command is offered anywhere on the way.
    assert!(!deck.screen().contains("muxdeck rm"), "{}", deck.screen());
    deck.keys(&["D"]);
    deck.wait("the question again", |s| {
        s.contains(&format!("Force-remove podman:{name}?"))
    });
    deck.keys(&["y"]);
    let screen = deck.wait("the container removed", |s| {
        s.contains(&format!("removed podman:{name}")) && row(&list_rows(s), &name).is_none()
    });
    assert!(!screen.contains("failed"), "{screen}");
    assert!(!podman(["container", "exists", &name]).status.success());
}

#[test]
fn shift_d_on_a_tmux_session_says_it_is_for_containers_and_asks_nothing() {
    let world = TmuxWorld::new();
    world.new_session("alpha", "web", "sleep 600");
    let deck = Deck::start(&world, NO_RUNTIMES);
    deck.wait("web followed", |s| {
        shows(s, "web", "tmux@alpha", "running") && log_title(s).contains("logs · tmux@alpha:web ")
    });
    deck.keys(&["D"]);
    let screen = deck.wait("the refusal", |s| {
        s.contains(
            "D removes containers only; tmux@alpha:web is a tmux session: press x to stop it",
        )
    });
    assert!(!screen.contains(" confirm "), "{screen}");
    assert!(!screen.contains("Remove tmux"), "{screen}");
    // A `y` now answers nothing: the session runs on.
    deck.keys(&["y"]);
    std::thread::sleep(Duration::from_millis(300));
    assert!(shows(&deck.screen(), "web", "tmux@alpha", "running"));
    assert_eq!(world.session_names("alpha"), ["web"]);
}

#[test]
fn e_opens_a_shell_in_the_container_and_exit_comes_back() {
    let containers = Containers::new();
    let world = TmuxWorld::new();
    let name = containers.run_detached(
        &unique("exec"),
        "trap 'exit 0' TERM; while :; do echo box-tick; sleep 0.3; done",
    );
    let deck = Deck::start(&world, PODMAN_ONLY);
    deck.select(&name);
    deck.keys(&["e"]);
    deck.wait("a shell prompt instead of the list", |s| {
        !s.contains(" sessions ")
            && s.lines()
                .any(|l| l.trim_end().ends_with('#') || l.trim_end().ends_with('$'))
    });
    // The arithmetic is done by the shell in the container: the typed line itself does
    // not contain the answer.
    deck.type_text("echo hi-from-exec-$((40+2)) in $(cat /proc/1/cmdline | tr '\\0' ' ')");
    deck.keys(&["Enter"]);
    let screen = deck.wait("the command's output", |s| {
        s.lines().any(|l| l.starts_with("hi-from-exec-42 in "))
    });
    // /proc/1 of the shell is the container's main process, not the host's init.
    let out = screen
        .lines()
        .find(|l| l.starts_with("hi-from-exec-42 in "))
        .unwrap();
    assert!(
        out.contains("sh -c trap"),
        "not inside the container: {out}"
    );
    deck.type_text("exit");
    deck.keys(&["Enter"]);
    let screen = deck.wait("muxdeck again", |s| {
        s.contains(&format!("back from podman:{name}")) && shows(s, &name, "podman", "running")
    });
    assert!(!screen.contains("hi-from-exec-42"), "{screen}");
    assert!(!screen.contains("muxdeck exited"), "{screen}");
    // The log is followed again and keys work.
    deck.wait("the log followed again", |s| {
        log_title(s).contains(&format!("logs · podman:{name} · following"))
            && log_rows(s).iter().any(|l| l == "box-tick")
    });
    deck.keys(&["?"]);
    deck.wait("help", |s| s.contains(" muxdeck keys "));
    deck.keys(&["Escape"]);
    deck.wait("help closed", |s| !s.contains(" muxdeck keys "));
    assert_eq!(podman_state(&name).as_deref(), Some("running"));
}

/// The numbers `n` of the `line-<n>` rows of the log pane, in screen order.
fn line_numbers(screen: &str) -> Vec<u32> {
    log_rows(screen)
        .iter()
        .filter_map(|l| l.strip_prefix("line-")?.trim().parse().ok())
        .collect()
}

#[test]
fn tab_k_and_pgup_scroll_the_log_and_f_follows_again() {
    let world = TmuxWorld::new();
    world.new_session("alpha", "many", "seq -f 'line-%g' 1 300; exec sleep 600");
    world.new_session("alpha", "other", "sleep 600");
    let deck = Deck::start(&world, NO_RUNTIMES);
    let screen = deck.wait("the last line, followed", |s| {
        log_title(s).contains("logs · tmux@alpha:many · following")
            && line_numbers(s).last() == Some(&300)
    });
    let visible = line_numbers(&screen).len();
    assert!(visible >= 5, "{screen}");

    deck.keys(&["Tab"]);
    deck.keys(&["k"]);
    let screen = deck.wait("paused one line up", |s| {
        log_title(s).contains("· paused ↑1 (f follows)")
    });
    assert_eq!(line_numbers(&screen).last(), Some(&299), "{screen}");
    // With the focus on the log, `k` did not move the selection.
    assert!(log_title(&screen).contains("tmux@alpha:many"), "{screen}");

    deck.keys(&["PPage"]);
    let screen = deck.wait("paused a page further up", |s| {
        log_title(s).contains("· paused ↑") && line_numbers(s).last() < Some(&299)
    });
    let last = *line_numbers(&screen).last().unwrap();
    let up = 300 - last;
    assert!(
        log_title(&screen).contains(&format!("· paused ↑{up} (f follows)")),
        "scroll count and view disagree:\n{screen}"
    );
    assert!(up > 1, "{screen}");

    deck.keys(&["f"]);
    let screen = deck.wait("following again", |s| {
        log_title(s).contains("logs · tmux@alpha:many · following")
            && line_numbers(s).last() == Some(&300)
    });
    assert!(!screen.contains("paused"), "{screen}");

    // Tab gives the keys back to the list: `j` selects the next session.
    deck.keys(&["Tab"]);
    deck.keys(&["j"]);
    deck.wait("other followed", |s| {
        log_title(s).contains("logs · tmux@alpha:other ")
    });
}

#[test]
fn g_in_the_log_pane_shows_the_first_page_and_pgdn_the_next() {
    let world = TmuxWorld::new();
    world.new_session("alpha", "many", "seq -f 'line-%g' 1 300; exec sleep 600");
    let deck = Deck::start(&world, NO_RUNTIMES);
    let screen = deck.wait("the last line, followed", |s| {
        log_title(s).contains("logs · tmux@alpha:many · following")
            && line_numbers(s).last() == Some(&300)
    });
    let page = log_rows(&screen).len();
    assert!(page >= 5, "{screen}");
    deck.keys(&["Tab", "g"]);
    // Line 1 on the top row with its neighbours below, the pane full.
    let screen = deck.wait("the first page", |s| line_numbers(s).first() == Some(&1));
    let first: Vec<u32> = (1..=u32::try_from(page).unwrap()).collect();
    assert_eq!(line_numbers(&screen), first, "{screen}");
    deck.keys(&["NPage"]);
    let screen = deck.wait("the second page", |s| {
        line_numbers(s).first() == Some(&(u32::try_from(page).unwrap() + 1))
    });
    let second: Vec<u32> = (1..=u32::try_from(page).unwrap())
        .map(|i| i + u32::try_from(page).unwrap())
        .collect();
    assert_eq!(line_numbers(&screen), second, "{screen}");
    // Home does what g does.
    deck.keys(&["End", "Home"]);
    deck.wait("the first page again", |s| {
        line_numbers(s).first() == Some(&1)
    });
}

#[test]
fn w_toggles_wrapping() {
    let world = TmuxWorld::new();
    // One line of 182 columns: wider than the log pane, narrower than the session's pane
    // (200), so tmux itself does not break it.
    let line = format!("{}wrapped-tail", "x".repeat(170));
    world.new_session(
        "alpha",
        "long",
        &format!("echo {line}; echo after-long; exec sleep 600"),
    );
    let deck = Deck::start(&world, NO_RUNTIMES);
    let screen = deck.wait("the long line", |s| {
        log_title(s).contains("logs · tmux@alpha:long · following")
            && log_rows(s).iter().any(|l| l == "after-long")
    });
    assert!(!log_title(&screen).contains("wrap"), "{screen}");
    assert!(
        !screen.contains("wrapped-tail"),
        "cut, not wrapped:\n{screen}"
    );

    deck.keys(&["w"]);
    let screen = deck.wait("wrap on", |s| {
        log_title(s).contains("· wrap ") && s.contains("wrapped-tail")
    });
    assert!(
        log_rows(&screen).iter().any(|l| l == "after-long"),
        "{screen}"
    );

    deck.keys(&["w"]);
    let screen = deck.wait("wrap off", |s| {
        !log_title(s).contains("wrap") && !s.contains("wrapped-tail")
    });
    assert!(
        log_rows(&screen).iter().any(|l| l == "after-long"),
        "{screen}"
    );
}

#[test]
fn a_config_session_that_fails_keeps_its_exit_and_last_lines_and_x_clears_it_without_asking() {
    let world = TmuxWorld::new();
    let deck = Deck::start(
        &world,
        &format!(
            "{NO_RUNTIMES}sessions:\n  bad:\n    backend: tmux\n    socket: alpha\n    command: \"echo fatal: port 8080 in use; sleep 0.3; exit 1\"\n"
        ),
    );
    deck.wait("bad defined", |s| shows(s, "bad", "tmux@alpha", "defined"));
    deck.keys(&["s"]);
    // The row says it exited, in red, and its last lines stay in the log pane.
    let screen = deck.wait("bad exited, its output kept", |s| {
        shows(s, "bad", "tmux@alpha", "exited")
            && log_title(s).contains("logs · tmux@alpha:bad ")
            && log_rows(s).iter().any(|l| l == "fatal: port 8080 in use")
            && s.contains("log ended: the program exited")
    });
    assert!(!screen.contains("has not been started"), "{screen}");
    let ansi = deck.screen_ansi();
    let line = ansi.lines().find(|l| l.contains("bad")).unwrap_or("");
    let before_state = line.split("exited").next().unwrap_or("");
    assert!(
        before_state
            .rsplit('\x1b')
            .next()
            .is_some_and(|sgr| sgr == "[31m" || sgr == "[38;5;1m"),
        "exited is not red: {line:?}"
    );
    assert_eq!(world.session_names("alpha"), ["bad"]);

    // Nothing runs: `x` does not ask, it clears the session, which is defined again.
    deck.keys(&["x"]);
    let screen = deck.wait("cleared", |s| {
        s.contains("cleared tmux@alpha:bad") && shows(s, "bad", "tmux@alpha", "defined")
    });
    assert!(!screen.contains("Stop tmux@alpha:bad?"), "{screen}");
    assert!(world.session_names("alpha").is_empty());
}

#[test]
fn a_container_deaf_to_sigterm_is_reported_killed_and_listed_stopped_and_x_then_says_so() {
    let containers = Containers::new();
    let world = TmuxWorld::new();
    // PID 1 without a TERM handler ignores SIGTERM.
    let name = containers.run_detached(
        &unique("deaf"),
        "while :; do echo deaf-tick; sleep 0.3; done",
    );
    let deck = Deck::start(&world, PODMAN_ONLY);
    deck.select(&name);
    deck.keys(&["x"]);
    deck.wait("the question", |s| {
        s.contains(&format!("Stop podman:{name}?"))
    });
    deck.keys(&["y"]);
    // stop_timeout is 3 s.
    let screen = deck.wait("killed after the timeout, listed stopped", |s| {
        s.contains(&format!(
            "killed podman:{name} after 3 s (it did not stop on SIGTERM)"
        )) && shows(s, &name, "podman", "stopped")
    });
    assert!(!screen.contains("exited (137"), "{screen}");
    assert_eq!(podman_state(&name).as_deref(), Some("exited"));

    // Nothing runs now: `x` does not ask, and says so.
    deck.keys(&["x"]);
    let screen = deck.wait("nothing to stop", |s| {
        s.contains(&format!(
            "podman:{name} is not running (stopped); nothing to stop"
        ))
    });
    assert!(
        !screen.contains(&format!("Stop podman:{name}?")),
        "{screen}"
    );
    assert!(podman(["container", "exists", &name]).status.success());
}

#[test]
fn remapped_confirm_and_filter_keys_are_the_ones_that_answer() {
    let world = TmuxWorld::new();
    world.new_session("alpha", "victim", "while :; do sleep 1; done");
    world.new_session("alpha", "bystander", "while :; do sleep 1; done");
    let config = format!("{NO_RUNTIMES}keys:\n  confirm: [o]\n  cancel: [ctrl-g]\n  keep: [tab]\n");
    let deck = Deck::start(&world, &config);
    deck.wait("both sessions", |s| {
        shows(s, "victim", "tmux@alpha", "running")
            && shows(s, "bystander", "tmux@alpha", "running")
    });
    // The filter: Enter is no longer `keep` (nothing happens), Tab is.
    deck.keys(&["/"]);
    deck.type_text("victim");
    deck.keys(&["Enter"]);
    deck.wait("still typing the filter", |s| s.contains("Tab keep filter"));
    deck.keys(&["Tab"]);
    deck.wait("the filter kept, victim followed", |s| {
        row(&list_rows(s), "bystander").is_none()
            && log_title(s).contains("logs · tmux@alpha:victim ")
            && !s.contains("keep filter")
    });
    deck.keys(&["X"]);
    let ask = deck.wait("the question", |s| {
        s.contains("Force-kill tmux@alpha:victim?")
    });
    assert!(ask.contains("o yes   Ctrl-g no"), "{ask}");
    // The default answers no longer answer: the question stays, the session runs.
    deck.keys(&["y"]);
    deck.keys(&["Escape"]);
    std::thread::sleep(Duration::from_millis(300));
    let still = deck.wait("the question still open", |s| {
        s.contains("Force-kill tmux@alpha:victim?")
    });
    assert!(!still.contains("cancelled"), "{still}");
    assert_eq!(world.session_names("alpha").len(), 2);
    deck.keys(&["o"]);
    deck.wait("victim killed", |s| s.contains("killed tmux@alpha:victim"));
    assert_eq!(world.session_names("alpha"), ["bystander"]);
}
