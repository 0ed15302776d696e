//! Limits on what muxdeck takes from its config and command line (issue 15, items 5 and
//! 8), through the real binary: durations too large to add to a clock are refused with a
//! located one-line error (exit 2) before anything is touched; a config that is not a
//! regular file, is too large or nests too deep is refused at once; and the screen keeps
//! answering keys while such a config is reloaded under it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use support::deck::{Deck, NO_RUNTIMES};
use support::{TmuxWorld, World, muxdeck, run, temp_dir, unique};

/// Longest a refusal may take: the old loader hung on a FIFO, read /dev/zero until memory
/// ran out and spent tens of seconds on nested brackets.
const QUICK: Duration = Duration::from_secs(5);

/// The largest u64: `Duration::from_secs` takes it, but adding it to any clock overflows.
const HUGE: &str = "18446744073709551615";

/// 200 KB of brackets nested 100 000 deep under a key.
fn deeply_nested() -> String {
    format!("keys: {}{}\n", "[".repeat(100_000), "]".repeat(100_000))
}

/// Runs `cmd` for at most [`QUICK`] (the run is killed and the test fails beyond that),
/// asserts it exits 2, and returns stderr, which must be one line with no panic.
fn refused_quickly(cmd: &mut Command) -> String {
    let started = Instant::now();
    let out = run(cmd, QUICK);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(started.elapsed() < QUICK, "took {:?}", started.elapsed());
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "not one line:\n{stderr}");
    stderr
}

#[test]
fn huge_timeouts_in_the_config_are_refused_with_file_line_and_field() {
    let w = World::new();
    for (field, max) in [("stop_timeout", 3600), ("command_timeout", 600)] {
        let cfg = w.config(&format!("defaults:\n  backend: tmux\n  {field}: {HUGE}\n"));
        for args in [
            &["config", "check"][..],
            &["logs", "x"],
            &["start", "x", "--image", "busybox"],
            &["list"],
        ] {
            let err = refused_quickly(w.mx(Some(&cfg)).args(args));
            assert!(
                err.starts_with(&format!("muxdeck: config {} line 3 column ", cfg.display())),
                "{args:?}: {err}"
            );
            assert!(err.contains(&format!("defaults.{field}: {HUGE}")), "{err}");
            assert!(err.contains(&format!("from 0 to {max}")), "{err}");
        }
    }
    // log_lines, the sibling: bounded the same way.
    let cfg = w.config(&format!("log_lines: {HUGE}\n"));
    let err = refused_quickly(w.mx(Some(&cfg)).args(["config", "check"]));
    assert!(err.contains("line 1 column 12: log_lines"), "{err}");
    assert!(err.contains("from 1 to 1000000"), "{err}");
}

#[test]
fn stop_with_a_huge_timeout_is_refused_and_the_session_is_untouched() {
    let w = World::new();
    let sock = unique("lim");
    let name = unique("stop");
    w.tmux.new_session(&sock, &name, "sleep 600");
    let target = format!("tmux@{sock}:{name}");
    let out = run(w.mx(None).args(["stop", &target, "--timeout", HUGE]), QUICK);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(stderr.contains("--timeout"), "{stderr}");
    assert!(stderr.contains("0..=3600"), "{stderr}");
    // Nothing was sent to it: the old build sent Ctrl-C first, then panicked.
    assert!(w.has_tmux(&sock, &name), "the session was stopped");
    let panes = w.tmux.tmux_ok(
        &sock,
        [
            "list-panes",
            "-t",
            &format!("={name}"),
            "-F",
            "#{pane_dead}",
        ],
    );
    assert_eq!(panes.trim(), "0");
    // The largest allowed value is taken (and does not overflow a deadline).
    let stopped = support::run_ok(
        w.mx(None).args(["stop", &target, "--timeout", "3600"]),
        support::DEFAULT_TIMEOUT,
    );
    assert!(stopped.contains(&name), "{stopped}");
    // The sibling on the command line: `logs -n`.
    let out = run(w.mx(None).args(["logs", &target, "-n", HUGE]), QUICK);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("--lines"), "{stderr}");
}

#[test]
fn a_config_that_is_not_a_regular_file_is_refused_at_once() {
    let dir = temp_dir("limits");
    let fifo = dir.path().join("config.yml");
    let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    for (path, kind) in [
        (fifo.as_path(), "named pipe (FIFO)"),
        (Path::new("/dev/zero"), "character device"),
        (dir.path(), "folder"),
    ] {
        let err = refused_quickly(muxdeck(Some(path)).args(["config", "check"]));
        assert!(
            err.contains(&format!("config {} is a {kind}", path.display())),
            "{err}"
        );
        assert!(err.contains("not a regular file"), "{err}");
    }
    // Through $MUXDECK_CONFIG too.
    let err = refused_quickly(muxdeck(None).env("MUXDECK_CONFIG", &fifo).arg("list"));
    assert!(err.contains("named pipe (FIFO)"), "{err}");
}

#[test]
fn a_huge_or_deeply_nested_config_is_refused_quickly() {
    let w = World::new();
    let cfg = w.config(&deeply_nested());
    let err = refused_quickly(w.mx(Some(&cfg)).args(["config", "check"]));
    assert!(
        err.starts_with(&format!("muxdeck: config {} line 1 column ", cfg.display())),
        "{err}"
    );
    assert!(err.contains("nested deeper than 32 levels"), "{err}");
    let block: String = (0..200)
        .map(|i| format!("{}k{i}:\n", " ".repeat(i)))
        .collect();
    let err = refused_quickly(w.mx(Some(&w.config(&block))).args(["config", "check"]));
    assert!(err.contains("nested deeper than 32 levels"), "{err}");
    let big = w.config(&format!("# {}\n", "x".repeat(2 << 20)));
    let err = refused_quickly(w.mx(Some(&big)).args(["config", "check"]));
    assert!(err.contains("larger than 1 MiB"), "{err}");
}

/// Polls the screen until `cond` holds, for at most `timeout`.
fn wait_for(deck: &Deck, timeout: Duration, what: &str, cond: impl Fn(&str) -> bool) -> String {
    let deadline = Instant::now() + timeout;
    loop {
        let screen = deck.screen();
        if cond(&screen) {
            return screen;
        }
        assert!(
            Instant::now() < deadline,
            "timed out after {timeout:?} waiting for {what}; the screen shows:\n{screen}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn the_screen_answers_keys_while_a_pathological_config_is_reloaded() {
    let world = TmuxWorld::new();
    world.new_session("alpha", "api", "sleep 600");
    let good = format!(
        "{NO_RUNTIMES}sessions:\n  planned:\n    backend: tmux\n    socket: alpha\n    command: sleep 600\n"
    );
    let deck = Deck::start(&world, &good);
    deck.wait("the defined session", |s| s.contains("planned"));

    std::fs::write(&deck.config, deeply_nested()).unwrap();
    // The file is polled every second: by now the reload has begun (the old build spent
    // over a minute in it, deaf to keys). A key is answered at once all the same.
    std::thread::sleep(Duration::from_millis(1500));
    deck.keys(&["?"]);
    wait_for(&deck, Duration::from_secs(2), "the help, within 2 s", |s| {
        s.contains(" muxdeck keys ")
    });
    deck.keys(&["Escape"]);
    let screen = wait_for(&deck, Duration::from_secs(4), "the refusal", |s| {
        s.contains("config not reloaded") && !s.contains(" muxdeck keys ")
    });
    // The last good config stays.
    assert!(screen.contains("planned"), "{screen}");
    // Still answering after the refusal, and a fixed config is taken again.
    let fixed = good.replace("planned", "replanned");
    std::fs::write(&deck.config, fixed).unwrap();
    wait_for(&deck, Duration::from_secs(4), "the fixed config", |s| {
        s.contains("replanned")
    });
    deck.keys(&["?"]);
    wait_for(&deck, Duration::from_secs(2), "the help again", |s| {
        s.contains(" muxdeck keys ")
    });
}
