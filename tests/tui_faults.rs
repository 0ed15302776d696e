//! Reliability tests of the interactive screen: the real binary, in a pane of a private tmux
//! server (the "UI server", 120x35), meets signals (TERM, HUP, INT), panics (in the event
//! loop and in a background task), resizes, a key storm, a hung container runtime,
//! sessions and servers that vanish under it, a config edited while it runs, hostile output
//! in a followed log, a container that exits while attached and a Ctrl-C meant for an
//! attached program. Each test proves either that the user's terminal comes back intact
//! (main screen, cursor shown, mouse reporting off, cooked mode) or that the app stays
//! interactive.
//!
//! As in `tui_e2e.rs`, the sessions muxdeck lists live in a separate private
//! `TMUX_TMPDIR` (a [`TmuxWorld`]), so the UI server is never listed; every wait polls with
//! a deadline and fails with the last screen; everything is torn down by guards. The panic
//! tests use the debug-build hook `MUXDECK_TEST_PANIC` of `src/tui/mod.rs`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use support::screen::{list_rows, log_rows, log_title, row, shows};

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use support::deck::{Deck, HEIGHT, NO_RUNTIMES, Shell, WAIT, WIDTH};
use support::{
    Containers, TmuxWorld, children, comm, container_state, podman_ok, process_alive, temp_dir,
    unique, wait_until,
};

/// A shell loop printing `<tag>-<n>` lines every `every` seconds.
fn ticker(tag: &str, every: &str) -> String {
    format!("i=0; while :; do i=$((i+1)); echo {tag}-$i; sleep {every}; done")
}

/// Whether the screen is the whole UI at full size: the list's frame spans the width, the
/// log pane and the key hints are there, and `rows` list rows are shown.
fn whole_frame(screen: &str, rows: usize) -> bool {
    let lines: Vec<&str> = screen.lines().collect();
    let width = usize::from(WIDTH);
    lines.len() == usize::from(HEIGHT)
        && lines[0].starts_with("┌ sessions ")
        && lines[0].ends_with('┐')
        && lines[0].chars().count() == width
        && lines.iter().filter(|l| l.starts_with("┌ logs · ")).count() == 1
        && lines.iter().filter(|l| l.starts_with('┌')).count() == 2
        && screen.contains("quit")
        && list_rows(screen).len() == rows
}

/// Signals that end muxdeck, with the exit statuses each may end it with: 0 (it caught the
/// signal and quit) or 128 + the signal's number. SIGINT comes not from the keyboard
/// (Ctrl-C is a key press in raw mode) but from another process, as `timeout -s INT` or a
/// supervisor sends it.
const ENDING_SIGNALS: [(&str, [i32; 2]); 3] =
    [("TERM", [0, 143]), ("HUP", [0, 129]), ("INT", [0, 130])];

#[test]
fn sigterm_sighup_and_sigint_exit_and_restore_the_terminal() {
    for (signal, codes) in ENDING_SIGNALS {
        eprintln!("SIG{signal}");
        let world = TmuxWorld::new();
        world.new_session("alpha", "api", &ticker("api", "0.2"));
        let deck = Deck::start(&world, NO_RUNTIMES);
        deck.wait("api followed", |s| log_title(s).contains("tmux@alpha:api"));
        assert_eq!(deck.format("#{alternate_on}"), "1", "SIG{signal}");
        assert_eq!(deck.format("#{mouse_any_flag}"), "1", "SIG{signal}");
        deck.signal(signal);
        deck.assert_exited_and_restored(&codes);
        assert_eq!(world.session_names("alpha"), ["api"], "SIG{signal}");
    }
}

#[test]
fn a_panic_restores_the_terminal_and_leaves_its_message_readable() {
    let world = TmuxWorld::new();
    world.new_session("alpha", "api", &ticker("api", "0.2"));
    // A debug build panics on the first key press when MUXDECK_TEST_PANIC is set.
    let deck = Deck::start_with(
        &world,
        NO_RUNTIMES,
        &[("MUXDECK_TEST_PANIC", "1"), ("RUST_BACKTRACE", "0")],
        Shell::Plain,
    );
    deck.wait("api followed", |s| log_title(s).contains("tmux@alpha:api"));
    assert_eq!(deck.format("#{alternate_on}"), "1");
    deck.keys(&["j"]);
    let screen = deck.assert_exited_and_restored(&[101]);
    // The message is on the main screen, above the shell's lines, not overwritten by them.
    let lines: Vec<&str> = screen.lines().collect();
    let at = |needle: &str| {
        lines
            .iter()
            .position(|l| l.contains(needle))
            .unwrap_or_else(|| panic!("{needle:?} is not on the screen:\n{screen}"))
    };
    let panicked = at("panicked at");
    let message = at("MUXDECK_TEST_PANIC is set: panicking on purpose");
    let exited = at("muxdeck exited with 101");
    assert!(
        panicked < message && message < exited,
        "the panic message is out of place:\n{screen}"
    );
}

#[test]
fn a_panic_in_a_background_task_ends_the_app_and_restores_the_terminal() {
    let world = TmuxWorld::new();
    world.new_session("alpha", "api", &ticker("api", "0.2"));
    // `task`: the panic happens in a task of the async runtime, not in the event loop.
    let deck = Deck::start_with(
        &world,
        NO_RUNTIMES,
        &[("MUXDECK_TEST_PANIC", "task"), ("RUST_BACKTRACE", "0")],
        Shell::Plain,
    );
    deck.wait("api followed", |s| log_title(s).contains("tmux@alpha:api"));
    deck.keys(&["j"]);
    let screen = deck.assert_exited_and_restored(&[1]);
    let lines: Vec<&str> = screen.lines().collect();
    let at = |needle: &str| {
        lines
            .iter()
            .position(|l| l.contains(needle))
            .unwrap_or_else(|| panic!("{needle:?} is not on the screen:\n{screen}"))
    };
    let panicked = at("panicked at");
    let message = at("panicking on purpose in a background task");
    let said = at("muxdeck: a background task panicked");
    let exited = at("muxdeck exited with 1");
    assert!(
        panicked < message && message < said && said < exited,
        "the panic message is out of place:\n{screen}"
    );
}

#[test]
fn shrinking_to_20x5_and_back_redraws_the_whole_screen() {
    let world = TmuxWorld::new();
    world.new_session("alpha", "api", &ticker("api", "0.2"));
    world.new_session("beta", "web", &ticker("web", "0.2"));
    let deck = Deck::start(&world, NO_RUNTIMES);
    deck.wait("the whole frame", |s| whole_frame(s, 2));
    let size = || deck.format("#{pane_width}x#{pane_height}");
    for round in 0..4 {
        deck.resize(20, 5);
        assert_eq!(size(), "20x5");
        // Redrawn for 20x5: the list's frame closes at column 20.
        deck.wait(&format!("the 20x5 frame (round {round})"), |s| {
            s.lines()
                .next()
                .is_some_and(|l| l.starts_with("┌ ") && l.ends_with('┐'))
                && s.lines().count() == 5
        });
        deck.resize(WIDTH, HEIGHT);
        assert_eq!(size(), format!("{WIDTH}x{HEIGHT}"));
        deck.wait(&format!("the whole frame again (round {round})"), |s| {
            whole_frame(s, 2)
        });
    }
    // Sizes in quick succession, without waiting for a frame, down to a single cell.
    for (w, h) in [
        (20, 5),
        (1, 1),
        (120, 35),
        (2, 2),
        (20, 5),
        (3, 40),
        (200, 3),
    ] {
        deck.resize(w, h);
    }
    deck.resize(WIDTH, HEIGHT);
    let screen = deck.wait("the whole frame after the storm", |s| {
        whole_frame(s, 2)
            && shows(s, "api", "tmux@alpha", "running")
            && shows(s, "web", "tmux@beta", "running")
            && log_rows(s).iter().any(|l| l.starts_with("api-"))
    });
    assert!(log_title(&screen).contains("tmux@alpha:api"), "{screen}");
    deck.assert_responsive();
    deck.keys(&["j"]);
    deck.wait("web followed", |s| {
        log_title(s).contains("tmux@beta:web") && log_rows(s).iter().any(|l| l.starts_with("web-"))
    });
}

#[test]
fn a_storm_of_3000_keys_leaves_the_app_responsive_and_stops_nothing() {
    let world = TmuxWorld::new();
    for tag in ["s1", "s2", "s3"] {
        world.new_session("alpha", tag, &ticker(tag, "0.1"));
    }
    world.new_session("beta", "s4", &ticker("s4", "0.1"));
    let servers = [
        world.server_pid("alpha").unwrap(),
        world.server_pid("beta").unwrap(),
    ];
    let deck = Deck::start(&world, NO_RUNTIMES);
    deck.wait("four rows", |s| list_rows(s).len() == 4);
    // Only keys that move, filter, open or close the help: in every mode none of them
    // quits, attaches, starts or stops anything. An `Escape` immediately followed by a
    // key may reach muxdeck as Alt+key (as in any terminal), which none of them is bound
    // to either.
    let pattern = [
        "j", "j", "k", "/", "j", "k", "?", "Escape", "?", "j", "G", "?", "g", "k", "/", "k",
        "BSpace", "Escape", "j",
    ];
    let keys: Vec<&str> = pattern.iter().copied().cycle().take(3000).collect();
    let started = Instant::now();
    for chunk in keys.chunks(500) {
        deck.keys(chunk);
    }
    // The end of the storm: a filter of digits, typed in filter mode only if every key
    // before it was handled (digits are bound to nothing in the list). Two Escapes close
    // the help or the filter, whichever the storm ended in.
    let sentinel = "4242";
    let consumed = wait_until(WAIT, || {
        deck.keys(&["Escape", "Escape"]);
        deck.keys(&["/"]);
        deck.type_text(sentinel);
        deck.try_wait(Duration::from_secs(2), |s| {
            s.contains(&format!("filter: {sentinel}▏"))
        })
        .is_ok()
    });
    assert!(
        consumed,
        "the storm was not worked through within {WAIT:?}; the screen shows:\n{}",
        deck.screen()
    );
    eprintln!("3000 keys handled in {:?}", started.elapsed());
    deck.keys(&["Escape"]);
    deck.wait("the filter cleared", |s| {
        !s.contains("filter:") && list_rows(s).len() == 4
    });
    deck.assert_responsive();
    assert_eq!(world.session_names("alpha"), ["s1", "s2", "s3"]);
    assert_eq!(world.session_names("beta"), ["s4"]);
    for pid in servers {
        assert!(process_alive(pid), "tmux server {pid} died");
    }
    let screen = deck.screen();
    for (name, socket) in [
        ("s1", "alpha"),
        ("s2", "alpha"),
        ("s3", "alpha"),
        ("s4", "beta"),
    ] {
        assert!(
            shows(&screen, name, &format!("tmux@{socket}"), "running"),
            "{screen}"
        );
    }
    // Still following logs: move and see the new session's lines.
    deck.keys(&["g"]);
    deck.keys(&["j"]);
    deck.wait("s2 followed", |s| {
        log_title(s).contains("tmux@alpha:s2") && log_rows(s).iter().any(|l| l.starts_with("s2-"))
    });
}

/// Processes running `sleep <arg>` (the fake hung runtime).
fn sleepers(arg: &str) -> Vec<u32> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            std::fs::read(format!("/proc/{pid}/cmdline"))
                .is_ok_and(|c| c == format!("sleep\0{arg}\0").as_bytes())
        })
        .filter(|&pid| process_alive(pid))
        .collect()
}

/// Kills what is left of the fake hung runtime's processes on drop.
struct Sleepers(String);

impl Drop for Sleepers {
    fn drop(&mut self) {
        for pid in sleepers(&self.0) {
            let _ = std::process::Command::new("kill")
                .args(["-KILL", &pid.to_string()])
                .status();
        }
    }
}

/// An executable shell script `name` in `dir`.
fn script(dir: &Path, name: &str, body: &str) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let path = dir.join(name);
    std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path
}

#[test]
fn a_hung_container_runtime_does_not_hold_up_the_screen() {
    let world = TmuxWorld::new();
    world.new_session("alpha", "api", &ticker("api", "0.2"));
    world.new_session("beta", "web", &ticker("web", "0.2"));
    // A podman that never answers anything: every call sleeps (an argument no other
    // process uses, so its leftovers can be found).
    let bin = temp_dir("hung-podman");
    let arg = format!("86{:05}", std::process::id() % 100_000);
    let _sleepers = Sleepers(arg.clone());
    let podman = script(bin.path(), "podman", &format!("exec sleep {arg}"));
    let deck = Deck::start(
        &world,
        &format!(
            "defaults:\n  podman_binary: {}\n  docker_binary: /nonexistent/docker\n  command_timeout: 1\n",
            podman.display()
        ),
    );
    let screen = deck.wait("tmux listed, podman not answering", |s| {
        shows(s, "api", "tmux@alpha", "running")
            && shows(s, "web", "tmux@beta", "running")
            && s.contains("podman: not answering")
    });
    assert!(log_title(&screen).contains("tmux@alpha:api"), "{screen}");
    // Keys work while podman hangs (it is asked again every few seconds).
    for round in 0..3 {
        deck.keys(&["/"]);
        deck.type_text("web");
        deck.wait_for(
            Duration::from_secs(2),
            &format!("only web, within 2 s (round {round})"),
            |s| s.contains("filter: web▏") && list_rows(s).len() == 1,
        );
        deck.keys(&["Escape"]);
        deck.wait_for(
            Duration::from_secs(2),
            &format!("both rows, within 2 s (round {round})"),
            |s| !s.contains("filter:") && list_rows(s).len() == 2,
        );
    }
    deck.keys(&["j"]);
    deck.wait("web followed", |s| {
        log_title(s).contains("tmux@beta:web") && log_rows(s).iter().any(|l| l.starts_with("web-"))
    });
    deck.assert_responsive();
    assert!(deck.screen().contains("podman: not answering"));
    // Hung calls are killed at their deadline: at most the call in flight remains.
    let left = sleepers(&arg);
    assert!(left.len() <= 1, "hung podman calls pile up: {left:?}");
    drop(deck);
    assert!(
        wait_until(Duration::from_secs(5), || sleepers(&arg).is_empty()),
        "hung podman calls outlived muxdeck: {:?}",
        sleepers(&arg)
    );
}

#[test]
fn a_killed_tmux_server_leaves_the_list_within_3_s() {
    let world = TmuxWorld::new();
    world.new_session("alpha", "doomed", &ticker("doomed", "0.1"));
    world.new_session("beta", "keep", &ticker("keep", "0.1"));
    let deck = Deck::start(&world, NO_RUNTIMES);
    deck.wait("doomed selected and followed", |s| {
        log_title(s).contains("tmux@alpha:doomed")
            && log_rows(s).iter().any(|l| l.starts_with("doomed-"))
            && shows(s, "keep", "tmux@beta", "running")
    });
    let server = world.server_pid("alpha").unwrap();
    let status = std::process::Command::new("kill")
        .args(["-KILL", &server.to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let killed = Instant::now();
    let screen = deck.wait_for(Duration::from_millis(3500), "doomed gone", |s| {
        row(&list_rows(s), "doomed").is_none() && shows(s, "keep", "tmux@beta", "running")
    });
    eprintln!(
        "the list dropped the session {:?} after the kill",
        killed.elapsed()
    );
    assert_eq!(list_rows(&screen).len(), 1, "{screen}");
    // The selection moved to the row left, and its log is followed.
    deck.wait("keep followed", |s| {
        log_title(s).contains("tmux@beta:keep")
            && log_rows(s).iter().any(|l| l.starts_with("keep-"))
    });
    deck.assert_responsive();
    assert_eq!(world.session_names("beta"), ["keep"]);
}

#[test]
fn a_session_gone_between_x_and_y_touches_no_other() {
    let world = TmuxWorld::new();
    world.new_session("alpha", "victim", &ticker("victim", "0.2"));
    // A session whose name starts with the victim's must not be taken for it.
    world.new_session("alpha", "victim-twin", &ticker("twin", "0.2"));
    world.new_session("alpha", "zz-late", &ticker("late", "0.2"));
    world.new_session("beta", "victim", &ticker("other", "0.2"));
    let servers = [
        world.server_pid("alpha").unwrap(),
        world.server_pid("beta").unwrap(),
    ];
    let deck = Deck::start(&world, NO_RUNTIMES);
    deck.wait("four rows, alpha:victim followed", |s| {
        list_rows(s).len() == 4 && log_title(s).contains("tmux@alpha:victim ")
    });

    // Gone just before the `y`, most likely before muxdeck lists again: the stop runs and
    // must find nothing to stop.
    deck.keys(&["x"]);
    deck.wait("the question", |s| s.contains("Stop tmux@alpha:victim?"));
    world.tmux_ok("alpha", ["kill-session", "-t", "=victim"]);
    deck.keys(&["y"]);
    let screen = deck.wait("the outcome in the status bar", |s| {
        !s.contains("Stop tmux@")
            && (s.contains("tmux@alpha:victim is gone")
                || s.contains("tmux@alpha:victim is already stopped")
                || s.contains("stop failed")
                || s.contains("stopped tmux@alpha:victim"))
    });
    // tmux resolves a window target `=victim` (no colon) to another session when none is
    // named exactly that: `victim-twin`, whose programs a stop would interrupt.
    assert_eq!(
        world.session_names("alpha"),
        ["victim-twin", "zz-late"],
        "stopping alpha:victim, gone, stopped another session; the screen shows:\n{screen}"
    );
    assert!(
        !screen.contains("stopped tmux@alpha:victim"),
        "muxdeck says it stopped what was gone:\n{screen}"
    );
    deck.wait("the list without alpha:victim", |s| {
        list_rows(s).len() == 3
            && shows(s, "victim-twin", "tmux@alpha", "running")
            && shows(s, "victim", "tmux@beta", "running")
    });

    // Gone while the question is open, and the list already says so: `y` does nothing.
    deck.keys(&["/"]);
    deck.type_text("alpha:zz");
    deck.keys(&["Enter"]);
    deck.wait("zz-late alone, followed", |s| {
        list_rows(s).len() == 1 && log_title(s).contains("tmux@alpha:zz-late ")
    });
    deck.keys(&["x"]);
    deck.wait("the question", |s| s.contains("Stop tmux@alpha:zz-late?"));
    world.tmux_ok("alpha", ["kill-session", "-t", "=zz-late"]);
    deck.wait("zz-late gone from the list, the question still open", |s| {
        s.contains("no session matches the filter") && s.contains("Stop tmux@alpha:zz-late?")
    });
    deck.keys(&["y"]);
    deck.wait("the answer", |s| {
        !s.contains("Stop tmux@") && s.contains("tmux@alpha:zz-late is gone")
    });
    deck.keys(&["Escape"]);
    deck.wait("the rest of the list", |s| {
        list_rows(s).len() == 2
            && shows(s, "victim-twin", "tmux@alpha", "running")
            && shows(s, "victim", "tmux@beta", "running")
    });
    assert_eq!(world.session_names("alpha"), ["victim-twin"]);
    assert_eq!(world.session_names("beta"), ["victim"]);
    for pid in servers {
        assert!(process_alive(pid), "tmux server {pid} died");
    }
    deck.assert_responsive();
}

#[test]
fn config_edits_are_picked_up_and_a_broken_config_keeps_the_last_good_one() {
    let world = TmuxWorld::new();
    world.new_session("alpha", "api", "sleep 600");
    let session = |name: &str| {
        format!("  {name}:\n    backend: tmux\n    socket: alpha\n    command: sleep 600\n")
    };
    let first = format!("{NO_RUNTIMES}sessions:\n{}", session("planned"));
    let deck = Deck::start(&world, &first);
    deck.wait("the defined session", |s| {
        shows(s, "planned", "tmux@alpha", "defined")
    });

    let second = format!("{first}{}", session("added"));
    std::fs::write(&deck.config, &second).unwrap();
    let written = Instant::now();
    let screen = deck.wait_for(Duration::from_secs(4), "added, within ~3 s", |s| {
        shows(s, "added", "tmux@alpha", "defined")
    });
    eprintln!("the edit showed after {:?}", written.elapsed());
    assert!(
        shows(&screen, "planned", "tmux@alpha", "defined"),
        "{screen}"
    );
    assert!(shows(&screen, "api", "tmux@alpha", "running"), "{screen}");
    deck.wait("the reload said", |s| s.contains("config reloaded"));

    std::fs::write(&deck.config, format!("{second}  broken: [unclosed\n")).unwrap();
    let screen = deck.wait_for(Duration::from_secs(4), "the refusal, within ~3 s", |s| {
        s.contains("config not reloaded")
    });
    for name in ["planned", "added"] {
        assert!(shows(&screen, name, "tmux@alpha", "defined"), "{screen}");
    }
    assert!(shows(&screen, "api", "tmux@alpha", "running"), "{screen}");
    // Still the last good config a few refreshes later. `R` reloads off the loop: its
    // "refreshing…" may already have given way to the reload's own refusal.
    deck.keys(&["R"]);
    deck.wait("the refresh", |s| {
        s.contains("refreshing") || s.contains("config not reloaded")
    });
    // Keys are handled in order: once the help answers, `R` and its reload have run.
    deck.assert_responsive();
    let screen = deck.wait("the refusal after the refresh", |s| {
        s.contains("config not reloaded") || s.contains("refreshing")
    });
    for name in ["planned", "added"] {
        assert!(shows(&screen, name, "tmux@alpha", "defined"), "{screen}");
    }

    // Fixed again: taken.
    std::fs::write(&deck.config, &first).unwrap();
    deck.wait_for(Duration::from_secs(4), "added gone again", |s| {
        row(&list_rows(s), "added").is_none() && shows(s, "planned", "tmux@alpha", "defined")
    });

    // An edit that leaves the modification time as it was, as two writes within one tick
    // of the file system's clock do (an editor truncating, then writing): taken too.
    let before = std::fs::metadata(&deck.config).unwrap().modified().unwrap();
    std::fs::write(&deck.config, format!("{first}{}", session("same-tick"))).unwrap();
    std::fs::File::options()
        .write(true)
        .open(&deck.config)
        .unwrap()
        .set_modified(before)
        .unwrap();
    assert_eq!(
        std::fs::metadata(&deck.config).unwrap().modified().unwrap(),
        before
    );
    deck.wait_for(Duration::from_secs(4), "same-tick, within ~3 s", |s| {
        shows(s, "same-tick", "tmux@alpha", "defined")
    });
}

/// Output that would take over a terminal it reached, as `printf` format text: a window
/// title (OSC 2), a clipboard write (OSC 52), a title through tmux's passthrough (DCS),
/// cursor moves (there and back: rows rewritten in place are no log), both
/// alternate-screen switches and mouse reporting, between words that must show in the log
/// pane.
const HOSTILE: &str = "hostile-start\\n\
    before-title\\033]2;HACKED\\007after-title\\n\
    before-clip\\033]52;c;SEFDS0VE\\007after-clip\\n\
    before-dcs\\033Ptmux;\\033\\033]2;HACKED\\007\\033\\\\after-dcs\\n\
    before-move\\0337\\033[1;1H\\0338\\033[3A\\033[3B\\033[50Cafter-move\\n\
    before-alt\\033[?1049hafter-alt\\033[?1049l\\033[?1000hback-on-main\\n\
    hostile-end\\n";

/// The words around the sequences of [`HOSTILE`] that must reach the log pane, whether
/// the source is a terminal (tmux, where cursor moves overwrite rows and the alternate
/// screen's text is not kept) or a plain stream (a container's log).
const HOSTILE_WORDS: &[&str] = &[
    "hostile-start",
    "before-title",
    "after-title",
    "before-clip",
    "after-clip",
    "before-dcs",
    "after-dcs",
    "before-move",
    "after-move",
    "before-alt",
    "back-on-main",
    "hostile-end",
];

/// Asserts the screen shows every word of [`HOSTILE_WORDS`] in the log pane and nothing
/// of the sequences, and that the UI pane kept its title, alternate screen and mouse
/// modes (`modes`, as read before) and got no paste buffer.
fn assert_hostile_contained(deck: &Deck, screen: &str, title: &str, modes: &str, rows: usize) {
    let log = log_rows(screen).join("\n");
    for word in HOSTILE_WORDS {
        assert!(
            log.contains(word),
            "{word:?} missing from the log pane:\n{screen}"
        );
    }
    for shown in ["HACKED", "]52;", "SEFDS0VE", "tmux;", "[?10", "skipped"] {
        assert!(
            !screen.contains(shown),
            "{shown:?} on the screen:\n{screen}"
        );
    }
    assert!(whole_frame(screen, rows), "the frame is damaged:\n{screen}");
    assert_eq!(deck.format("#{pane_title}"), title);
    assert_eq!(deck.format(UI_MODES), modes);
    let buffers = deck.ui_tmux(&["list-buffers", "-F", "#{buffer_name}"]);
    assert!(buffers.trim().is_empty(), "clipboard written: {buffers}");
}

/// The modes of the UI pane hostile output could change.
const UI_MODES: &str = "#{alternate_on} #{cursor_flag} #{mouse_any_flag}#{mouse_button_flag}#{mouse_standard_flag}#{mouse_sgr_flag}";

#[test]
fn hostile_output_in_a_followed_tmux_session_stays_in_the_log_pane() {
    let world = TmuxWorld::new();
    let dir = temp_dir("hostile");
    let go = dir.path().join("go");
    // Written once muxdeck follows the session.
    world.new_session(
        "alpha",
        "evil",
        &format!(
            "echo hostile-ready; while [ ! -e {} ]; do sleep 0.05; done; printf '{HOSTILE}'; exec sleep 600",
            go.display()
        ),
    );
    let deck = Deck::start(&world, NO_RUNTIMES);
    deck.wait("the session followed", |s| {
        log_rows(s).iter().any(|l| l == "hostile-ready")
    });
    // The UI server would take an OSC 52 write as a paste buffer.
    deck.ui_tmux(&["set-option", "-g", "set-clipboard", "on"]);
    deck.ui_tmux(&["set-option", "-g", "allow-passthrough", "on"]);
    let title = deck.format("#{pane_title}");
    let modes = deck.format(UI_MODES);
    assert!(modes.starts_with("1 0 1"), "muxdeck's own modes: {modes}");
    std::fs::write(&go, "").unwrap();
    let screen = deck.wait("the hostile lines in the log pane", |s| {
        let log = log_rows(s).join("\n");
        log.contains("hostile-start") && log.contains("hostile-end")
    });
    assert_hostile_contained(&deck, &screen, &title, &modes, 1);
    assert!(shows(&screen, "evil", "tmux@alpha", "running"), "{screen}");
    deck.assert_responsive();
    assert_eq!(deck.format("#{pane_title}"), title);
}

#[test]
fn hostile_output_in_a_container_log_stays_in_the_log_pane() {
    let containers = Containers::new();
    let world = TmuxWorld::new();
    world.new_session("alpha", "api", "sleep 600");
    // A container log is a raw byte stream: the sequences reach muxdeck as they are.
    let name = containers.run_detached(
        &unique("faults-hostile"),
        &format!("printf '{HOSTILE}'; exec sleep 600"),
    );
    let deck = Deck::start(&world, "defaults:\n  stop_timeout: 3\n");
    deck.ui_tmux(&["set-option", "-g", "set-clipboard", "on"]);
    deck.ui_tmux(&["set-option", "-g", "allow-passthrough", "on"]);
    let title = deck.format("#{pane_title}");
    let modes = deck.format(UI_MODES);
    deck.select(&name);
    let screen = deck.wait("the hostile lines", |s| {
        let log = log_rows(s).join("\n");
        log.contains("hostile-start") && log.contains("hostile-end")
    });
    assert_hostile_contained(&deck, &screen, &title, &modes, 1);
    deck.assert_responsive();
    assert_eq!(deck.format("#{pane_title}"), title);
}

#[test]
fn a_container_that_exits_while_attached_returns_to_the_screen() {
    let containers = Containers::new();
    let world = TmuxWorld::new();
    world.new_session("alpha", "api", "sleep 600");
    // Runs until the test says so, then exits by itself with 0.
    let name = containers.run_detached_with(
        &unique("faults-exit"),
        &["-it"],
        &[
            "sh",
            "-c",
            "while [ ! -e /tmp/go ]; do echo waiting-for-go; sleep 0.3; done; exit 0",
        ],
    );
    let deck = Deck::start(&world, "defaults:\n  stop_timeout: 3\n");
    deck.select(&name);
    deck.wait("its log", |s| {
        log_rows(s).iter().any(|l| l.contains("waiting-for-go"))
    });
    deck.keys(&["Enter"]);
    // Attached: muxdeck has left the screen to `podman attach`.
    let attached = wait_until(WAIT, || {
        children(deck.pid())
            .into_iter()
            .any(|p| comm(p).as_deref() == Some("podman"))
            && deck.format("#{alternate_on}") == "0"
    });
    assert!(
        attached,
        "not attached; the screen shows:\n{}",
        deck.screen()
    );
    let screen = deck.wait("the container's output", |s| {
        !s.contains(" sessions ") && s.contains("waiting-for-go")
    });
    // Said on the main screen before the hand-over, and not cleared by podman.
    assert!(
        screen.contains(&format!(
            "muxdeck: attached to podman:{name}; Ctrl-p Ctrl-q comes back to muxdeck"
        )),
        "{screen}"
    );
    podman_ok(["exec", &name, "touch", "/tmp/go"]);
    let screen = deck.wait("muxdeck again, saying the container ended", |s| {
        s.contains(" sessions ") && s.contains(&format!("podman:{name} has ended"))
    });
    assert_eq!(deck.format("#{alternate_on}"), "1");
    // podman says "stopped" for a moment after the process ends, while conmon cleans up.
    assert!(
        wait_until(WAIT, || container_state(&name).trim() == "exited"),
        "{}",
        container_state(&name)
    );
    deck.wait("the container shown as exited", |s| {
        shows(s, &name, "podman", "exited")
    });
    assert!(process_alive(deck.pid()), "{screen}");
    deck.assert_responsive();
}

#[test]
fn enter_on_a_container_without_a_terminal_shows_its_log_and_attaches_nothing() {
    let containers = Containers::new();
    let world = TmuxWorld::new();
    world.new_session("alpha", "api", "sleep 600");
    // No -i -t: `podman attach` would read no detach keys and pass a Ctrl-C on to the
    // container, which would end with 3.
    let name = containers.run_detached(
        &unique("faults-int"),
        // More lines than the pane holds from the start, so that `k` has a page to scroll.
        "trap 'echo got-int; exit 3' INT; seq 1 100; while :; do echo int-tick; sleep 0.2; done",
    );
    let deck = Deck::start_with(
        &world,
        "defaults:\n  stop_timeout: 3\n",
        &[],
        Shell::JobControl,
    );
    deck.select(&name);
    deck.wait("its log", |s| log_rows(s).iter().any(|l| l == "int-tick"));
    deck.keys(&["Enter"]);
    let screen = deck.wait("the status line saying there is no terminal", |s| {
        s.contains(&format!("podman:{name} has no terminal"))
    });
    // Still muxdeck's screen, its log live; no `podman attach` ever ran.
    assert!(screen.contains(" sessions "), "{screen}");
    assert_eq!(deck.format("#{alternate_on}"), "1");
    assert!(
        !children(deck.pid())
            .into_iter()
            .any(|p| std::fs::read_to_string(format!("/proc/{p}/cmdline"))
                .is_ok_and(|c| c.contains("attach"))),
        "an attach runs"
    );
    // The log pane has the focus: `k` scrolls the log (pausing it), not the list.
    deck.keys(&["k"]);
    deck.wait("the log paused by k", |s| log_title(s).contains("paused"));
    assert!(process_alive(deck.pid()));
    let state = container_state(&name);
    assert_eq!(state.trim(), "running");
    deck.assert_responsive();
}

#[test]
fn a_broken_container_log_stream_is_resumed_and_the_break_is_marked() {
    let containers = Containers::new();
    let world = TmuxWorld::new();
    world.new_session("alpha", "aaa-first", "sleep 600");
    let name = containers.run_detached(
        &unique("faults-resume"),
        "i=0; while true; do i=$((i+1)); echo resume-line-$i; sleep 0.2; done",
    );
    // A podman whose first `logs --follow` dies the way podman 4.3's does under a flood
    // (exit 125); every other call is the real podman.
    let bin = temp_dir("flaky-podman");
    let marker = bin.path().join("failed-once");
    let real = which_podman();
    let podman = script(
        bin.path(),
        "podman",
        &format!(
            "case \" $* \" in *\" --follow \"*) if [ ! -e {m} ]; then touch {m}; echo 'Error: simulated break' >&2; exit 125; fi;; esac\nexec {real} \"$@\"",
            m = marker.display(),
            real = real
        ),
    );
    let deck = Deck::start(
        &world,
        &format!(
            "defaults:\n  podman_binary: {}\n  docker_binary: /nonexistent/docker\n",
            podman.display()
        ),
    );
    deck.select(&name);
    let screen = deck.wait("the break marked, then new lines", |s| {
        let rows = log_rows(s);
        let brk = rows.iter().position(|l| l.contains("log stream broke"));
        brk.is_some_and(|b| rows[b + 1..].iter().any(|l| l.contains("resume-line-")))
    });
    assert!(marker.exists(), "the wrapper never failed: {screen}");
    assert!(
        !log_title(&screen).contains("failed"),
        "the pane gave up instead of resuming: {screen}"
    );
    deck.assert_responsive();
}

/// The real podman's path, for wrappers that hand calls on to it.
fn which_podman() -> String {
    let out = std::process::Command::new("sh")
        .args(["-c", "command -v podman"])
        .output()
        .expect("sh");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}
