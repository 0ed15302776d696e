//! Render tests: the screen drawn from a fixed app state on ratatui's `TestBackend`, read
//! back cell by cell. No backend, no terminal, no clock: `NOW` is fixed.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::path::Path;

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::style::Color;

use muxdeck::config;
use muxdeck::engine::{Engine, Health, HealthStatus, Report, Source};
use muxdeck::model::{Runtime, Session, SessionId, State};

use muxdeck::tui::app::{App, Focus, Mode, Op};
use muxdeck::tui::keys::{ACTIONS, Action, Keymap};
use muxdeck::tui::ui;

/// The fixed "now" of every frame (2024-06-01 00:00:00 UTC).
const NOW: i64 = 1_717_200_000;

fn keymap() -> Keymap {
    Keymap::new(&BTreeMap::new()).expect("default keymap")
}

fn app(mono: bool) -> App {
    App::new(keymap(), 1000, mono)
}

/// Draws `app` on a `w`x`h` test terminal and returns what it shows.
fn draw(app: &App, w: u16, h: u16) -> Buffer {
    let mut terminal = Terminal::new(TestBackend::new(w, h)).expect("test terminal");
    terminal
        .draw(|f| ui::render(app, &Source::ALL, NOW, f))
        .expect("draw");
    terminal.backend().buffer().clone()
}

/// The screen as text, one string per row (trailing spaces kept).
fn lines(buf: &Buffer) -> Vec<String> {
    let area = buf.area;
    (0..area.height)
        .map(|y| (0..area.width).map(|x| buf[(x, y)].symbol()).collect())
        .collect()
}

/// The screen as one string, for failure messages.
fn screen(buf: &Buffer) -> String {
    lines(buf).join("\n")
}

/// Column and row of the first occurrence of `needle` (cells, not bytes: every glyph used
/// on these screens is one cell wide).
fn find(buf: &Buffer, needle: &str) -> Option<(u16, u16)> {
    lines(buf).iter().enumerate().find_map(|(y, l)| {
        l.find(needle).map(|byte| {
            let x = l[..byte].chars().count();
            (u16::try_from(x).unwrap(), u16::try_from(y).unwrap())
        })
    })
}

fn must_find(buf: &Buffer, needle: &str) -> (u16, u16) {
    find(buf, needle).unwrap_or_else(|| panic!("{needle:?} is not on screen:\n{}", screen(buf)))
}

/// The row holding `needle`.
fn row_of(buf: &Buffer, needle: &str) -> String {
    let (_, y) = must_find(buf, needle);
    lines(buf)[usize::from(y)].clone()
}

/// Asserts every cell of `text` (found on screen) has foreground `fg`.
fn assert_fg(buf: &Buffer, text: &str, fg: Color) {
    let (x, y) = must_find(buf, text);
    for i in 0..u16::try_from(text.chars().count()).unwrap() {
        let cell = &buf[(x + i, y)];
        assert_eq!(
            cell.fg,
            fg,
            "cell {} of {text:?} at ({}, {y}) is {:?}, expected {fg:?}\n{}",
            i,
            x + i,
            cell.fg,
            screen(buf)
        );
    }
}

/// Asserts `text` occurs on the row containing `anchor`, with foreground `fg`.
fn assert_fg_on_row(buf: &Buffer, anchor: &str, text: &str, fg: Color) {
    let (_, y) = must_find(buf, anchor);
    let row = &lines(buf)[usize::from(y)];
    let byte = row
        .find(text)
        .unwrap_or_else(|| panic!("{text:?} is not on the row of {anchor:?}: {row:?}"));
    let x = u16::try_from(row[..byte].chars().count()).unwrap();
    for i in 0..u16::try_from(text.chars().count()).unwrap() {
        assert_eq!(
            buf[(x + i, y)].fg,
            fg,
            "{text:?} on the row of {anchor:?} is not {fg:?}\n{}",
            screen(buf)
        );
    }
}

fn session(id: SessionId, state: State) -> Session {
    let mut s = Session::new(id, state);
    s.created = Some(NOW - 125);
    s
}

fn tmux(socket: &str, name: &str, pid: u32) -> Session {
    let mut s = session(SessionId::tmux(socket, name), State::Running);
    s.pid = Some(pid);
    s.windows = Some(1);
    s.panes = Some(1);
    s.attached = Some(0);
    s
}

fn podman(name: &str, state: State) -> Session {
    let mut s = session(SessionId::container(Runtime::Podman, name), state);
    s.image = Some("busybox:1.36".into());
    s
}

fn report(source: Source, sessions: Vec<Session>, servers: Option<usize>) -> Report {
    Report {
        source,
        health: Health {
            host: muxdeck::model::Host::Local,
            backend: source,
            status: HealthStatus::Ok {
                sessions: sessions.len(),
                servers,
            },
        },
        sessions,
    }
}

/// The mixed world: tmux on the default socket and on `work`, podman containers in four
/// states, and a config session that is not running, merged and sorted by the engine as
/// the TUI does it. The selection is `tmux@work:api`.
fn mixed(mono: bool) -> App {
    let cfg = config::parse(
        "sessions:\n  planned:\n    backend: tmux\n    socket: work\n    command: sleep 1000\n",
        Path::new("/test/config.yml"),
    )
    .expect("config");
    let engine = Engine::new(cfg);
    let reports = vec![
        // Deliberately not in display order: the merge sorts.
        report(
            Source::Tmux,
            vec![
                tmux("work", "api", 4242),
                tmux("default", "main", 4100),
                tmux("work", "worker", 4343),
            ],
            Some(2),
        ),
        report(
            Source::Runtime(Runtime::Podman),
            vec![
                podman("web", State::Running),
                podman("batch", State::Exited(Some(3))),
                podman("frozen", State::Paused),
                podman("idle", State::Stopped),
            ],
            None,
        ),
        Report {
            source: Source::Runtime(Runtime::Docker),
            sessions: Vec::new(),
            health: Health {
                host: muxdeck::model::Host::Local,
                backend: Source::Runtime(Runtime::Docker),
                status: HealthStatus::NotRunning {
                    message: "Cannot connect to the Docker daemon".into(),
                },
            },
        },
    ];
    let sources: Vec<Source> = reports.iter().map(|r| r.source).collect();
    let mut app = app(mono);
    let _ = app.set_listing(engine.merge(&reports), &sources);
    app.selected = Some(SessionId::tmux("work", "api"));
    app
}

#[test]
fn mixed_list_shows_every_session_in_order_with_state_colors() {
    let app = mixed(false);
    let buf = draw(&app, 100, 30);
    let text = lines(&buf);

    // Header, then one row per session in the engine's order: tmux (default socket
    // first, then by socket), then podman, each by name.
    let header = row_of(&buf, "NAME");
    for col in ["BACKEND", "STATE", "PID / IMAGE", "AGE"] {
        assert!(header.contains(col), "{col} missing from {header:?}");
    }
    let (_, header_y) = must_find(&buf, "NAME");
    let expected = [
        ("main", "tmux", "running", "pid 4100"),
        ("api", "tmux@work", "running", "pid 4242"),
        ("planned ◆", "tmux@work", "defined", "-"),
        ("worker", "tmux@work", "running", "pid 4343"),
        ("batch", "podman", "exited (3)", "busybox:1.36"),
        ("frozen", "podman", "paused", "busybox:1.36"),
        ("idle", "podman", "stopped", "busybox:1.36"),
        ("web", "podman", "running", "busybox:1.36"),
    ];
    for (i, (name, backend, state, info)) in expected.iter().enumerate() {
        let row = &text[usize::from(header_y) + 1 + i];
        let words: Vec<&str> = row
            .trim_matches(|c| c == '│' || c == ' ')
            .split("  ")
            .map(str::trim)
            .filter(|w| !w.is_empty())
            .collect();
        assert_eq!(words[0], *name, "row {i}: {row:?}\n{}", screen(&buf));
        assert_eq!(words[1], *backend, "row {i}: {row:?}");
        assert_eq!(words[2], *state, "row {i}: {row:?}");
        assert!(words[3].starts_with(info), "row {i}: {row:?}");
        let age = if *state == "defined" { "-" } else { "2m" };
        assert_eq!(words.last().copied(), Some(age), "row {i}: {row:?}");
    }
    // The list block is exactly as tall as its rows, then the log pane starts.
    assert!(
        text[usize::from(header_y) + 1 + expected.len()].starts_with('└'),
        "{}",
        screen(&buf)
    );
    assert!(text[0].contains(" sessions 8 "), "{:?}", text[0]);

    // State colors.
    assert_fg_on_row(&buf, "pid 4100", "running", Color::Green);
    assert_fg_on_row(&buf, "planned", "defined", Color::Cyan);
    assert_fg_on_row(&buf, "batch", "exited (3)", Color::Red);
    assert_fg_on_row(&buf, "frozen", "paused", Color::Blue);
    assert_fg_on_row(&buf, "idle", "stopped", Color::Yellow);
    assert_fg_on_row(&buf, "web ", "running", Color::Green);

    // The selected row is highlighted, and only that one.
    let (_, api_y) = must_find(&buf, "pid 4242");
    let (_, main_y) = must_find(&buf, "pid 4100");
    assert_eq!(buf[(1, api_y)].bg, Color::Indexed(237), "{}", screen(&buf));
    assert_ne!(buf[(1, main_y)].bg, Color::Indexed(237));
    // The highlight keeps the state's color.
    assert_fg_on_row(&buf, "pid 4242", "running", Color::Green);

    // Health line: tmux servers, podman count, docker without a daemon: quiet gray, no
    // alarm (nothing runs there).
    let health = row_of(&buf, "tmux: 3 on 2 servers");
    assert!(health.contains("podman: 4"), "{health:?}");
    assert!(health.contains("docker: not running"), "{health:?}");
    assert_fg(&buf, "docker: not running", Color::Indexed(245));
    // Key hints on the last row.
    let last = &text[29];
    assert!(
        last.contains("Enter attach") && last.contains("q quit"),
        "{last:?}"
    );
}

#[test]
fn log_lines_keep_their_colors() {
    let mut app = mixed(false);
    app.log.id = app.selected.clone();
    app.log.buffer.extend([
        "first plain line".to_string(),
        "\x1b[31mred\x1b[0m plain".to_string(),
        "\x1b[1;32mbold green\x1b[0m".to_string(),
        "\x1b[38;5;208morange256\x1b[0m and \x1b[44mon blue\x1b[0m".to_string(),
    ]);
    let buf = draw(&app, 100, 30);
    assert!(
        row_of(&buf, " logs · tmux@work:api ").contains("following"),
        "{}",
        screen(&buf)
    );
    // The text is there without any escape sequence leaking.
    assert!(!screen(&buf).contains('\x1b'));
    assert!(!screen(&buf).contains("[31m"));
    assert_fg(&buf, "red", Color::Red);
    let (x, y) = must_find(&buf, "red plain");
    // After the reset the rest of the line is uncolored.
    for i in 4..9 {
        assert!(
            matches!(buf[(x + i, y)].fg, Color::Reset),
            "{:?}",
            buf[(x + i, y)]
        );
    }
    assert_fg(&buf, "bold green", Color::Green);
    let (gx, gy) = must_find(&buf, "bold green");
    assert!(
        buf[(gx, gy)]
            .modifier
            .contains(ratatui::style::Modifier::BOLD)
    );
    assert_fg(&buf, "orange256", Color::Indexed(208));
    let (bx, by) = must_find(&buf, "on blue");
    assert_eq!(buf[(bx, by)].bg, Color::Blue);
    // Oldest first, newest at the bottom of what was written.
    let (_, first_y) = must_find(&buf, "first plain line");
    let (_, red_y) = must_find(&buf, "red plain");
    assert_eq!(red_y, first_y + 1);
}

#[test]
fn log_pane_follows_the_newest_lines() {
    let mut app = mixed(false);
    app.log.id = app.selected.clone();
    app.log
        .buffer
        .extend((1..=500).map(|i| format!("line number {i}")));
    let buf = draw(&app, 100, 30);
    let text = lines(&buf);
    // The last line of the log pane (just above its bottom border) is the newest.
    let (_, y) = must_find(&buf, "line number 500");
    assert!(
        text[usize::from(y) + 1].starts_with('└'),
        "{}",
        screen(&buf)
    );
    assert!(find(&buf, "line number 1 ").is_none());
    // Every line at most once.
    for i in 480..=500 {
        let needle = format!("line number {i} ");
        let n = text.iter().filter(|l| l.contains(&needle)).count();
        assert!(n <= 1, "{needle:?} appears {n} times\n{}", screen(&buf));
    }
}

#[test]
fn wrapped_log_still_shows_the_newest_line() {
    let mut app = mixed(false);
    app.log.id = app.selected.clone();
    app.log.wrap = true;
    // Words that do not fit the end of a row move to the next one, so word wrapping
    // needs more rows than the line's width divided by the pane's.
    for word in [7, 33, 60, 150] {
        app.log.buffer.clear();
        let long = format!("{} ", "w".repeat(word)).repeat(6);
        for i in 0..40 {
            app.log.buffer.push(format!("{i:02} {long}"));
        }
        app.log.buffer.push("the newest line".into());
        for (w, h) in [(100, 30), (61, 25), (43, 19), (80, 12)] {
            let buf = draw(&app, w, h);
            assert!(
                find(&buf, "the newest line").is_some(),
                "words of {word}, {w}x{h}: newest line not shown\n{}",
                screen(&buf)
            );
            assert!(row_of(&buf, " logs · ").contains("wrap"));
        }
    }
}

#[test]
fn help_overlay_lists_every_action_with_its_keys() {
    let mut app = mixed(false);
    app.mode = Mode::Help;
    // Every action fits a tall terminal; a short one says how many rows it leaves out.
    let buf = draw(&app, 100, 60);
    let text = screen(&buf);
    assert!(text.contains(" muxdeck keys "), "{text}");
    let km = keymap();
    for (action, name, help, _) in ACTIONS {
        let keys: Vec<String> = km
            .keys_of(*action)
            .iter()
            .map(ToString::to_string)
            .collect();
        assert!(!keys.is_empty(), "{name} has no key");
        // The keys, then the description, on one row (a long description may wrap; its
        // first word is on the row of the keys).
        // Movement keys share a row with their opposite (`↑ k / ↓ j  move up / down`) so
        // that the help fits 80x24; every other action has its own row.
        let movement = matches!(
            action,
            Action::Up
                | Action::Down
                | Action::Top
                | Action::Bottom
                | Action::PageUp
                | Action::PageDown
                | Action::HalfPageUp
                | Action::HalfPageDown
        );
        let first_word = help.split_whitespace().next().unwrap();
        let wanted = if movement {
            keys.join(" ")
        } else {
            format!("{}  {first_word}", keys.join(" "))
        };
        let row = lines(&buf)
            .into_iter()
            .find(|l| l.contains(&wanted))
            .unwrap_or_else(|| panic!("no help row for {name} ({keys:?} {help:?})\n{text}"));
        assert!(movement || row.contains(help) || help.len() > 60, "{row:?}");
    }
    // The whole overlay fits, footer included.
    assert!(text.contains("Esc or ? closes"), "{text}");
    // A custom key shows in the help as it does in the keymap.
    let mut over = BTreeMap::new();
    over.insert(
        "stop".to_string(),
        vec!["ctrl-s".to_string(), "F5".to_lowercase()],
    );
    app.keymap = Keymap::new(&over).unwrap();
    let buf = draw(&app, 100, 30);
    assert!(row_of(&buf, "stop gracefully").contains("Ctrl-s F5  stop"));
}

#[test]
fn stop_confirm_names_the_exact_session() {
    let mut app = mixed(false);
    app.mode = Mode::Confirm(Op::Stop, SessionId::tmux("work", "api"));
    let buf = draw(&app, 100, 30);
    let text = screen(&buf);
    assert!(text.contains("Stop tmux@work:api?"), "{text}");
    assert!(text.contains(" confirm "), "{text}");
    assert!(text.contains("y yes   n no"), "{text}");
    let (yx, yy) = must_find(&buf, "y yes   n no");
    assert_eq!(buf[(yx, yy)].fg, Color::Cyan);
    assert_eq!(buf[(yx + 8, yy)].fg, Color::Cyan);
    // Hints follow the mode.
    assert!(lines(&buf)[29].starts_with("y yes  n no"));

    app.mode = Mode::Confirm(Op::Kill, SessionId::container(Runtime::Podman, "web"));
    let text = screen(&draw(&app, 100, 30));
    assert!(text.contains("Force-kill podman:web?"), "{text}");

    app.mode = Mode::Confirm(Op::Remove, SessionId::container(Runtime::Podman, "idle"));
    let text = screen(&draw(&app, 100, 30));
    assert!(text.contains("Remove podman:idle?"), "{text}");
    assert!(text.contains("Deletes the container"), "{text}");

    // A name wider than the screen is split over rows, never cut, and the answer keys
    // stay on screen.
    let long = "n".repeat(150);
    app.mode = Mode::Confirm(Op::Stop, SessionId::tmux("work", long.clone()));
    for (w, h) in [(60, 12), (60, 7), (100, 30)] {
        let buf = draw(&app, w, h);
        let text = lines(&buf);
        let shown: usize = text.iter().map(|l| l.matches('n').count()).sum();
        assert!(shown >= 150, "{w}x{h}: the name is cut\n{}", screen(&buf));
        must_find(&buf, "y yes   n no");
        must_find(&buf, "Stop tmux@work:");
    }
}

#[test]
fn narrow_terminal_drops_columns() {
    let mut app = mixed(false);
    // Below the rows that fit: the list scrolls to keep it in view.
    app.selected = Some(SessionId::container(Runtime::Podman, "batch"));
    let buf = draw(&app, 60, 20);
    let header = row_of(&buf, "NAME");
    assert!(header.contains("STATE"), "{header:?}");
    assert!(header.contains("BACKEND"), "{header:?}");
    assert!(header.contains("PID / IMAGE"), "{header:?}");
    assert!(!header.contains(" AGE "), "{header:?}");
    assert!(row_of(&buf, "batch").contains("exited (3)"));
    assert_fg_on_row(&buf, "batch", "exited (3)", Color::Red);

    // Narrower: the info column goes, then the backend; name and state stay.
    let buf = draw(&app, 40, 20);
    let header = row_of(&buf, "NAME");
    assert!(!header.contains("PID"), "{header:?}");
    assert!(header.contains("BACKEND") && header.contains("STATE"));
    let buf = draw(&app, 30, 20);
    let header = row_of(&buf, "NAME");
    assert!(
        !header.contains("BACKEND") && header.contains("STATE"),
        "{header:?}"
    );
    assert!(row_of(&buf, "batch").contains("exited (3)"));
    // Under 8 rows for list + logs, the log pane goes and the list takes the space.
    let buf = draw(&app, 60, 8);
    assert!(find(&buf, " logs · ").is_none(), "{}", screen(&buf));
    assert!(find(&buf, "NAME").is_some());
}

#[test]
fn tiny_terminals_never_panic() {
    let mut base = mixed(false);
    base.log.id = base.selected.clone();
    base.log
        .buffer
        .extend((0..50).map(|i| format!("\x1b[3{}mline {i}\x1b[0m {}", i % 8, "wide ".repeat(i))));
    base.log.note = Some("log ended: the tmux session ended".into());
    base.message = Some((
        "a rather long status message for a tiny screen".into(),
        muxdeck::tui::app::Level::Error,
    ));
    base.busy.push("stop tmux@work:api…".into());
    let modes = [
        Mode::Normal,
        Mode::Help,
        Mode::Filter,
        Mode::Confirm(Op::Stop, SessionId::tmux("work", "api")),
    ];
    for mode in modes {
        for wrap in [false, true] {
            for focus in [Focus::List, Focus::Logs] {
                base.mode = mode.clone();
                base.log.wrap = wrap;
                base.focus = focus;
                base.filter = if mode == Mode::Filter {
                    "a".into()
                } else {
                    String::new()
                };
                for w in 1..=20 {
                    for h in 1..=5 {
                        let _ = draw(&base, w, h);
                    }
                }
                for (w, h) in [
                    (20, 1),
                    (1, 40),
                    (2, 2),
                    (3, 12),
                    (7, 9),
                    (20, 10),
                    (200, 3),
                ] {
                    let _ = draw(&base, w, h);
                }
            }
        }
    }
    // Nothing listed, nothing selected.
    let empty = app(false);
    for w in 1..=20 {
        for h in 1..=5 {
            let _ = draw(&empty, w, h);
        }
    }
}

#[test]
fn empty_screen_explains_itself() {
    let empty = app(false);
    let buf = draw(&empty, 100, 30);
    let text = screen(&buf);
    assert!(text.contains("no sessions yet"), "{text}");
    assert!(text.contains("select a session to see its log"), "{text}");
    assert!(text.contains("tmux: loading…"), "{text}");
    let mut app = mixed(false);
    app.filter = "zzz".into();
    let text = screen(&draw(&app, 100, 30));
    assert!(text.contains("no session matches the filter"), "{text}");
}

#[test]
fn no_color_means_no_color() {
    let mut app = mixed(true);
    app.log.id = app.selected.clone();
    app.log.buffer.extend([
        "\x1b[31mred\x1b[0m plain".to_string(),
        "\x1b[1;42;38;5;208mloud\x1b[0m".to_string(),
    ]);
    app.log.buffer.push_gap(12);
    app.message = Some(("stop failed: boom".into(), muxdeck::tui::app::Level::Error));
    let check = |app: &App, what: &str| {
        for (w, h) in [(100, 30), (60, 20)] {
            let buf = draw(app, w, h);
            for y in 0..h {
                for x in 0..w {
                    let c = &buf[(x, y)];
                    assert!(
                        c.fg == Color::Reset && c.bg == Color::Reset,
                        "{what} {w}x{h}: cell ({x}, {y}) {:?} has a color\n{}",
                        c,
                        screen(&buf)
                    );
                }
            }
        }
    };
    check(&app, "normal");
    // The text is still there, escapes stripped.
    let buf = draw(&app, 100, 30);
    must_find(&buf, "red plain");
    must_find(&buf, "loud");
    must_find(&buf, "12 lines skipped");
    // The selection is still visible: reversed instead of colored.
    let (_, y) = must_find(&buf, "pid 4242");
    assert!(
        buf[(1, y)]
            .modifier
            .contains(ratatui::style::Modifier::REVERSED)
    );
    app.mode = Mode::Help;
    check(&app, "help");
    app.mode = Mode::Confirm(Op::Stop, SessionId::tmux("work", "api"));
    check(&app, "confirm");
    app.mode = Mode::Filter;
    app.filter = "a".into();
    check(&app, "filter");
    app.mode = Mode::Normal;
    app.log.follow = false;
    app.log.scroll = 1;
    app.focus = Focus::Logs;
    check(&app, "paused");
}

#[test]
fn log_markers_are_styled_by_the_theme_dim_yellow_or_plain() {
    use ratatui::style::Modifier;
    let gap = "\u{22ef} 12 lines skipped (output too fast) \u{22ef}";
    let broke = "\u{22ef} log stream broke (exit status 125); following again, lines written meanwhile may be missing \u{22ef}";
    for mono in [false, true] {
        let mut app = mixed(mono);
        app.log.id = app.selected.clone();
        app.log.buffer.push("\x1b[32mbefore\x1b[0m".into());
        app.log.buffer.push_gap(12);
        app.log.buffer.push_stream_broke("exit status 125");
        app.log.buffer.push("after".into());
        let buf = draw(&app, 140, 30);
        for marker in [gap, broke] {
            let (x, y) = must_find(&buf, marker);
            for i in 0..u16::try_from(marker.chars().count()).unwrap() {
                let cell = &buf[(x + i, y)];
                let (fg, dim) = (cell.fg, cell.modifier.contains(Modifier::DIM));
                if mono {
                    assert!(fg == Color::Reset && !dim, "mono {marker:?}: {cell:?}");
                } else {
                    assert!(fg == Color::Yellow && dim, "color {marker:?}: {cell:?}");
                }
            }
        }
        // The session's own lines around the markers keep their own styles.
        let (x, y) = must_find(&buf, "before");
        let before = if mono { Color::Reset } else { Color::Green };
        assert_eq!(buf[(x, y)].fg, before, "mono {mono}");
        let (x, y) = must_find(&buf, "after");
        assert_eq!(buf[(x, y)].fg, Color::Reset, "mono {mono}");
        assert!(!buf[(x, y)].modifier.contains(Modifier::DIM));
    }
}

#[test]
fn long_filter_is_shown_without_breaking_the_screen() {
    let mut app = mixed(false);
    app.mode = Mode::Filter;
    app.filter = "podman:".into();
    let _ = app.refilter();
    let buf = draw(&app, 100, 30);
    let title = row_of(&buf, " sessions 4 ");
    assert!(title.contains("· filter: podman:▏"), "{title:?}");
    assert!(find(&buf, "pid 4242").is_none(), "{}", screen(&buf));
    assert!(find(&buf, "frozen").is_some());
    // Hints say how to leave the filter.
    assert!(lines(&buf)[29].contains("Esc clear"));

    // A filter longer than the screen: nothing matches, nothing panics, the border holds.
    app.filter = "x".repeat(300);
    let _ = app.refilter();
    for (w, h) in [(100, 30), (60, 20), (20, 5)] {
        let buf = draw(&app, w, h);
        let text = lines(&buf);
        assert!(text[0].starts_with('┌'), "{w}x{h}\n{}", screen(&buf));
        assert!(text[0].ends_with('┐'), "{w}x{h}\n{}", screen(&buf));
        assert!(text[0].contains("sessions 0"), "{w}x{h}\n{}", screen(&buf));
    }
    let text = screen(&draw(&app, 100, 30));
    assert!(text.contains("no session matches the filter"), "{text}");

    // Kept (Enter): no cursor, still shown.
    app.mode = Mode::Normal;
    app.filter = "work".into();
    let _ = app.refilter();
    let buf = draw(&app, 100, 30);
    let title = row_of(&buf, " sessions 3 ");
    assert!(
        title.contains("· filter: work ") && !title.contains('▏'),
        "{title:?}"
    );
}

#[test]
fn paused_log_title_says_how_far_up_and_how_to_follow() {
    let mut app = mixed(false);
    app.log.id = app.selected.clone();
    app.log
        .buffer
        .extend((1..=100).map(|i| format!("entry {i}")));
    app.log.follow = false;
    app.log.scroll = 30;
    app.focus = Focus::Logs;
    let buf = draw(&app, 100, 30);
    let title = row_of(&buf, " logs · tmux@work:api ");
    assert!(title.contains("· paused ↑30 (f follows) "), "{title:?}");
    assert!(!title.contains("following"), "{title:?}");
    assert_fg(&buf, "paused ↑30 (f follows)", Color::Yellow);
    // The view ends 30 lines above the newest.
    assert!(find(&buf, "entry 70 ").is_some(), "{}", screen(&buf));
    assert!(find(&buf, "entry 71 ").is_none(), "{}", screen(&buf));
    // Focus is on the logs: their border is highlighted, the list's is not.
    let (lx, ly) = must_find(&buf, " logs · ");
    assert_eq!(buf[(lx - 1, ly)].fg, Color::Cyan);
    assert_eq!(buf[(0, 0)].fg, Color::Indexed(245));

    // A note (stream ended) replaces the follow state.
    app.log.note = Some("log ended: the tmux session ended".into());
    app.log.follow = true;
    app.log.scroll = 0;
    let buf = draw(&app, 100, 30);
    let title = row_of(&buf, " logs · tmux@work:api ");
    assert!(
        !title.contains("paused") && !title.contains("following"),
        "{title:?}"
    );
    must_find(&buf, "── log ended: the tmux session ended ──");
    must_find(&buf, "entry 100");
}

#[test]
fn paused_log_stays_still_while_lines_and_gaps_arrive() {
    use muxdeck::engine::LogEvent;
    let mut app = mixed(false);
    app.log.id = app.selected.clone();
    app.on_log(LogEvent::Lines(
        (1..=100).map(|i| format!("entry {i}")).collect(),
    ));
    app.log.follow = false;
    app.log.scroll = 30;
    let before = lines(&draw(&app, 100, 30));
    app.on_log(LogEvent::Lines(vec![
        "entry 101".into(),
        "entry 102".into(),
    ]));
    app.on_log(LogEvent::Skipped(7));
    app.on_log(LogEvent::Lines(vec!["entry 103".into()]));
    let after = draw(&app, 100, 30);
    // Same rows shown; only the count in the title moved.
    let log_rows = |l: &[String]| -> Vec<String> {
        l.iter()
            .skip_while(|r| !r.starts_with("┌ logs"))
            .skip(1)
            .take_while(|r| !r.starts_with('└'))
            .cloned()
            .collect()
    };
    assert_eq!(
        log_rows(&before),
        log_rows(&lines(&after)),
        "{}",
        screen(&after)
    );
    assert!(row_of(&after, " logs · ").contains("paused ↑34"));
    // Following again shows the newest, gap marker included.
    app.log.follow = true;
    app.log.scroll = 0;
    let buf = draw(&app, 100, 30);
    must_find(&buf, "7 lines skipped");
    must_find(&buf, "entry 103");
}

#[test]
fn help_on_small_screens_scrolls_to_its_last_row_and_back() {
    let mut app = mixed(false);
    app.mode = Mode::Help;
    for h in [24, 30] {
        app.overlay_scroll.set(0);
        let top = screen(&draw(&app, 80, h));
        assert!(top.contains("top / bottom"), "{top}");
        assert!(top.contains("scroll: 0 rows above"), "{top}");
        // Scrolling past the end stops at the last row, and one step back moves at once.
        app.overlay_scroll.set(usize::MAX);
        let end = screen(&draw(&app, 80, h));
        let last = ACTIONS.last().map(|(_, name, ..)| *name).unwrap();
        assert!(end.contains(last), "{h}: {last} not at the end:\n{end}");
        assert!(end.contains(", 0 below"), "{end}");
        let bottom = app.overlay_scroll.get();
        assert!(bottom > 0 && bottom < 200, "clamped to {bottom}");
        app.overlay_scroll.set(bottom - 1);
        let back = screen(&draw(&app, 80, h));
        assert!(back.contains(", 1 below"), "{back}");
    }
}

#[test]
fn selected_row_keeps_its_secondary_text_visible() {
    let app = mixed(false);
    let buf = draw(&app, 100, 30);
    let y = (0..buf.area.height)
        .find(|y| buf[(1, *y)].bg == Color::Indexed(237))
        .expect("a selected row");
    let row: Vec<_> = (0..buf.area.width).map(|x| &buf[(x, y)]).collect();
    // Every cell with a glyph on the selected row has a color different from its
    // background, so nothing disappears into the selection bar.
    for cell in row.iter().filter(|c| !c.symbol().trim().is_empty()) {
        assert_ne!(
            cell.fg,
            cell.bg,
            "{:?} vanishes on the selection",
            cell.symbol()
        );
    }
}

/// The status rows above the hint row: the rows under the log pane's bottom border.
fn status_rows(buf: &Buffer) -> Vec<String> {
    let text = lines(buf);
    let last_border = text
        .iter()
        .rposition(|l| l.starts_with('└'))
        .expect("a bottom border");
    text[last_border + 1..text.len() - 1].to_vec()
}

/// The message on the status rows (what comes before two spaces), rows joined with a
/// space.
fn status_message(buf: &Buffer) -> String {
    status_rows(buf)
        .iter()
        .map(|r| r.split("  ").next().unwrap_or("").trim().to_string())
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn a_long_message_takes_a_second_row_and_the_health_shrinks_first() {
    use muxdeck::tui::app::Level;
    let mut app = mixed(false);
    // A backend with a real problem (an absent daemon is quiet, not one).
    app.health.insert(
        Source::Runtime(Runtime::Docker),
        Health {
            host: muxdeck::model::Host::Local,
            backend: Source::Runtime(Runtime::Docker),
            status: HealthStatus::Error {
                message: "`docker ps` did not answer within 5s".into(),
            },
        },
    );
    // Beside the full health 80 columns leave ~30 for a message: the health shrinks to
    // its problems (docker) first, and the message stays whole on one row.
    let medium = "stopped podman:web after 3 s; its logs are kept for later";
    app.say(medium, Level::Info);
    let buf = draw(&app, 80, 24);
    let rows = status_rows(&buf);
    assert_eq!(rows.len(), 1, "{}", screen(&buf));
    assert!(rows[0].starts_with(medium), "{rows:?}");
    assert!(rows[0].contains("docker: not answering"), "{rows:?}");
    assert_fg(&buf, "docker: not answering", Color::Red);
    // The whole health where the screen has room for it.
    let buf = draw(&app, 140, 24);
    assert!(status_rows(&buf)[0].contains("tmux: 3 on 2 servers"));

    // The message: longer than the row. It takes a second row, whole.
    let long = "start failed: `podman run` failed: Error: workdir \"/tmp\" does not exist on container e2f1c0ffee5e";
    app.say(long, Level::Error);
    let buf = draw(&app, 80, 24);
    let rows = status_rows(&buf);
    assert_eq!(rows.len(), 2, "{}", screen(&buf));
    assert_eq!(status_message(&buf), long, "{}", screen(&buf));
    assert_fg(&buf, "start failed", Color::Red);
    assert!(rows[1].contains("docker: not answering"), "{rows:?}");
    // The list and the log pane gave the row up; the hints are still on the last row.
    assert!(lines(&buf)[23].contains("q quit"), "{}", screen(&buf));

    // Longer than two rows: the second ends with the key that shows all of it...
    let huge = format!("restart failed: {}", "word ".repeat(60));
    app.say(huge.clone(), Level::Error);
    let buf = draw(&app, 80, 24);
    let rows = status_rows(&buf);
    assert_eq!(rows.len(), 2, "{}", screen(&buf));
    assert!(rows[1].contains("… m shows all"), "{rows:?}");
    // ...and the messages overlay shows it whole, newest first, with the earlier ones.
    app.mode = Mode::Messages;
    let buf = draw(&app, 80, 24);
    let text = screen(&buf);
    assert!(text.contains(" messages, newest first "), "{text}");
    let (x, huge_y) = must_find(&buf, "• restart failed");
    // The message's rows: from its bullet to the next one, inside the box.
    let rows: Vec<String> = lines(&buf)[usize::from(huge_y)..]
        .iter()
        .map(|l| {
            l.chars()
                .skip(usize::from(x))
                .take_while(|c| *c != '│')
                .collect::<String>()
        })
        .take_while(|r| !r.starts_with("• start"))
        .map(|r| r.trim_start_matches('•').trim().to_string())
        .collect();
    assert_eq!(rows.join(" "), huge.trim(), "{text}");
    let (_, long_y) = must_find(&buf, "• start failed");
    let (_, medium_y) = must_find(&buf, "• stopped podman:web");
    assert!(huge_y < long_y && long_y < medium_y, "{text}");
    assert!(lines(&buf)[23].contains("Esc close messages"), "{text}");

    // The history is short: the oldest go first.
    for i in 0..30 {
        app.say(format!("message {i}"), Level::Info);
    }
    assert_eq!(app.history.len(), muxdeck::tui::app::HISTORY);
    assert_eq!(
        app.history.front().map(|m| m.0.as_str()),
        Some("message 10")
    );
}

#[test]
fn help_names_each_action_for_the_config() {
    let mut app = mixed(false);
    app.mode = Mode::Help;
    for (w, h) in [(100, 60), (80, 24)] {
        app.overlay_scroll.set(0);
        let first = draw(&app, w, h);
        // The names column starts where `top / bottom` does.
        let (x, _) = must_find(&first, "top / bottom");
        let x = usize::from(x);
        // Page through the help (80x24 holds fewer rows than it has): every name shows on
        // some page, and the footer says what is out of view until the last page.
        let mut names: Vec<String> = Vec::new();
        let mut pages = 0;
        loop {
            let buf = draw(&app, w, h);
            names.extend(lines(&buf).iter().flat_map(|l| {
                let tail: String = l.chars().skip(x).take_while(|c| *c != '│').collect();
                tail.split(" / ")
                    .map(|n| {
                        n.trim_matches(|c| c == '│' || c == ' ' || c == '/')
                            .to_string()
                    })
                    .collect::<Vec<_>>()
            }));
            pages += 1;
            let text = screen(&buf);
            if !text.contains("rows above") {
                assert!(text.contains("Esc or ? closes"), "{text}");
                break;
            }
            assert!(text.contains("scroll:"), "{text}");
            if text.contains(", 0 below") {
                break;
            }
            assert!(
                pages < 10,
                "{w}x{h}: the help never reaches its end:\n{text}"
            );
            app.overlay_scroll
                .set(app.overlay_scroll.get() + usize::from(h) - 2);
        }
        assert!(
            (pages == 1) == ((w, h) == (100, 60)),
            "{w}x{h}: {pages} pages"
        );
        for (_, name, _, _) in ACTIONS {
            assert!(
                names.iter().any(|n| n == name),
                "{w}x{h}: no config name {name:?} in {names:?}"
            );
        }
        // On the row of its keys: `x  stop gracefully…  stop`.
        let row = row_of(&first, "  x  stop gracefully");
        let cell = row
            .split('│')
            .find(|c| c.contains("x  stop gracefully"))
            .unwrap();
        assert!(cell.trim_end().ends_with("  stop"), "{row:?}");
        assert!(
            row_of(&first, "┌ muxdeck keys").contains("name for config keys:"),
            "{}",
            screen(&first)
        );
    }
}

/// `n` sessions on the default socket, the first selected, and `extra` appended.
fn many(n: usize, extra: Vec<Session>) -> App {
    let mut sessions: Vec<Session> = (0..n)
        .map(|i| {
            tmux(
                "default",
                &format!("svc-{i:02}"),
                5000 + u32::try_from(i).unwrap(),
            )
        })
        .collect();
    sessions.extend(extra);
    let mut app = app(false);
    let _ = app.set_listing(
        muxdeck::engine::Listing {
            sessions,
            health: Vec::new(),
            hosts: Vec::new(),
        },
        &[],
    );
    app
}

#[test]
fn at_80x24_the_list_gets_its_rows_and_the_state_is_whole() {
    let mut killed = podman("killed", State::Exited(Some(137)));
    killed.image = Some("registry.example.com/team/a-rather-long-image-name:2024.06.01".into());
    let mut app = many(11, vec![killed]);
    let buf = draw(&app, 80, 24);
    // 12 sessions: every row on screen (it was 5 of them), a log pane below.
    for i in 0..11 {
        must_find(&buf, &format!("svc-{i:02} "));
    }
    assert!(
        row_of(&buf, "killed").contains("exited (137)"),
        "{}",
        screen(&buf)
    );
    must_find(&buf, " logs · ");
    let a = ui::layout(buf.area, &app, &Source::ALL);
    assert!(a.logs.height >= 7, "{a:?}");
    // The widest state stays whole at every width that shows the state at all.
    for w in [120, 80, 60, 40, 30] {
        let buf = draw(&app, w, 24);
        assert!(
            row_of(&buf, "killed").contains("exited (137)"),
            "{w} columns\n{}",
            screen(&buf)
        );
    }
    // With many sessions the log pane keeps a third of the room.
    app = many(40, Vec::new());
    let buf = draw(&app, 80, 24);
    let a = ui::layout(buf.area, &app, &Source::ALL);
    assert!(
        a.logs.height >= 7 && a.list.height >= 13,
        "{a:?}\n{}",
        screen(&buf)
    );
}

#[test]
fn ports_show_when_there_is_room() {
    let mut web = podman("web", State::Running);
    web.ports = vec!["0.0.0.0:8080->80/tcp".into()];
    let app = many(2, vec![web]);
    let buf = draw(&app, 120, 30);
    let header = row_of(&buf, "NAME");
    assert!(header.contains("PORTS"), "{header:?}");
    assert!(
        row_of(&buf, "web").contains("0.0.0.0:8080->80/tcp"),
        "{}",
        screen(&buf)
    );
    assert!(header.contains("AGE"), "{header:?}");
    // Narrow: the ports go first; the state stays.
    let buf = draw(&app, 50, 30);
    let header = row_of(&buf, "NAME");
    assert!(
        !header.contains("PORTS") && header.contains("STATE"),
        "{header:?}"
    );
}

/// The hint row (the last one).
fn hints(app: &App, w: u16, h: u16) -> String {
    let buf = draw(app, w, h);
    lines(&buf)[usize::from(h) - 1].clone()
}

#[test]
fn hints_follow_the_selection_and_the_focused_pane() {
    let mut app = mixed(false);
    // A running tmux session.
    let h = hints(&app, 100, 30);
    for want in [
        "Enter attach",
        "x stop",
        "X kill",
        "r restart",
        "Tab logs",
        "? help",
        "q quit",
    ] {
        assert!(h.contains(want), "{want:?} missing: {h:?}");
    }
    assert!(!h.contains("s start") && !h.contains("e shell"), "{h:?}");
    // An exited container: nothing to attach to; it can be started or removed.
    app.selected = Some(SessionId::container(Runtime::Podman, "batch"));
    let h = hints(&app, 100, 30);
    assert!(h.contains("s start") && h.contains("D remove"), "{h:?}");
    assert!(!h.contains("attach") && !h.contains("x stop"), "{h:?}");
    // A running container: a shell too.
    app.selected = Some(SessionId::container(Runtime::Podman, "web"));
    let h = hints(&app, 100, 30);
    assert!(h.contains("Enter attach") && h.contains("e shell"), "{h:?}");
    // A defined session: start only.
    app.selected = Some(SessionId::tmux("work", "planned"));
    let h = hints(&app, 100, 30);
    assert!(h.contains("s start") && !h.contains("attach"), "{h:?}");
    // The log pane: its own keys.
    app.focus = Focus::Logs;
    let h = hints(&app, 100, 30);
    for want in [
        "PgUp/PgDn scroll",
        "g/G top/end",
        "f follow",
        "w wrap",
        "Tab list",
    ] {
        assert!(h.contains(want), "{want:?} missing: {h:?}");
    }
    assert!(!h.contains("s start"), "{h:?}");
    // Narrow: what does not fit goes, help and quit stay.
    app.focus = Focus::List;
    app.selected = Some(SessionId::container(Runtime::Podman, "web"));
    let h = hints(&app, 40, 30);
    assert!(h.contains("? help  q quit"), "{h:?}");
}

#[test]
fn d_on_a_tmux_session_says_it_is_for_containers_and_asks_nothing() {
    let mut app = mixed(false);
    // tmux@work:api is selected.
    let effect = app.act(Action::Remove);
    assert_eq!(effect, muxdeck::tui::app::Effect::None);
    assert_eq!(
        app.mode,
        Mode::Normal,
        "no question for what cannot be done"
    );
    let buf = draw(&app, 100, 30);
    let text = screen(&buf);
    assert!(
        text.contains(
            "D removes containers only; tmux@work:api is a tmux session: press x to stop it"
        ),
        "{text}"
    );
    assert!(!text.contains(" confirm "), "{text}");
    // A defined container session has no container yet: no question either.
    let mut app = mixed(false);
    let def = Session::new(
        SessionId::container(Runtime::Podman, "planned-box"),
        State::Defined,
    );
    app.sessions.push(def.clone());
    app.selected = Some(def.id.clone());
    let _ = app.act(Action::Remove);
    assert_eq!(app.mode, Mode::Normal);
    // `e` on a tmux session names the key that does reach it.
    let mut app = mixed(false);
    let _ = app.act(Action::Exec);
    let (msg, _) = app.message.clone().unwrap();
    assert!(msg.contains("press Enter to attach"), "{msg}");
}

#[test]
fn d_on_a_running_container_offers_a_forced_removal_and_says_so() {
    let mut app = mixed(false);
    let web = SessionId::container(Runtime::Podman, "web");
    app.selected = Some(web.clone());
    let _ = app.act(Action::Remove);
    assert_eq!(app.mode, Mode::Confirm(Op::ForceRemove, web.clone()));
    let text = screen(&draw(&app, 100, 30));
    assert!(text.contains("Force-remove podman:web?"), "{text}");
    assert!(
        text.contains("It is running: it is killed at once"),
        "{text}"
    );
    let effect = app.answer(true);
    assert!(
        matches!(effect, muxdeck::tui::app::Effect::Run(muxdeck::tui::app::Op::ForceRemove, ref s) if s.id == web),
        "{effect:?}"
    );
    // A stopped one gets the plain question.
    let idle = SessionId::container(Runtime::Podman, "idle");
    app.selected = Some(idle.clone());
    let _ = app.act(Action::Remove);
    assert_eq!(app.mode, Mode::Confirm(Op::Remove, idle));
}

#[test]
fn top_of_the_log_shows_its_first_page_and_pgdn_the_next() {
    let mut app = mixed(false);
    app.log.id = app.selected.clone();
    app.log
        .buffer
        .extend((1..=500).map(|i| format!("line number {i}")));
    app.focus = Focus::Logs;
    for (w, h) in [(80, 24), (120, 35)] {
        let buf = draw(&app, w, h);
        let a = ui::layout(buf.area, &app, &Source::ALL);
        // What the event loop does after each draw.
        app.log_height = usize::from(a.logs.height - 2);
        let page = app.log_height;
        let _ = app.act(Action::Top);
        let buf = draw(&app, w, h);
        let rows = log_pane_rows(&buf);
        let expected: Vec<String> = (1..=page).map(|i| format!("line number {i}")).collect();
        assert_eq!(rows, expected, "{w}x{h}\n{}", screen(&buf));
        assert!(!app.log.follow);
        let _ = app.act(Action::PageDown);
        let rows = log_pane_rows(&draw(&app, w, h));
        let expected: Vec<String> = (page + 1..=2 * page)
            .map(|i| format!("line number {i}"))
            .collect();
        assert_eq!(rows, expected, "{w}x{h}");
        // Up from the first page stays on it.
        let _ = app.act(Action::Top);
        let _ = app.act(Action::Up);
        assert_eq!(log_pane_rows(&draw(&app, w, h))[0], "line number 1");
        let _ = app.act(Action::Bottom);
        assert!(app.log.follow);
    }
    // Wrapped, the top is line 1 too, on the top row.
    app.log.wrap = true;
    app.log.buffer.clear();
    app.log
        .buffer
        .extend((1..=50).map(|i| format!("line number {i} {}", "long ".repeat(30))));
    let a = ui::layout(ratatui::layout::Rect::new(0, 0, 80, 24), &app, &Source::ALL);
    app.log_height = usize::from(a.logs.height - 2);
    let _ = app.act(Action::Top);
    let rows = log_pane_rows(&draw(&app, 80, 24));
    assert!(rows[0].starts_with("line number 1 "), "{rows:?}");
}

/// The rows inside the log pane, borders and trailing blanks removed.
fn log_pane_rows(buf: &Buffer) -> Vec<String> {
    lines(buf)
        .iter()
        .skip_while(|l| !l.starts_with("┌ logs · "))
        .skip(1)
        .take_while(|l| !l.starts_with('└'))
        .map(|l| l.trim_matches('│').trim_end().to_string())
        .collect()
}

#[test]
fn config_example_lists_every_action_with_its_default_keys() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("config.example.yml");
    let text = std::fs::read_to_string(&path).unwrap();
    let cfg = config::parse(&text, &path).expect("the example parses");
    for (_, name, _, defaults) in ACTIONS {
        let keys = cfg
            .keys
            .get(*name)
            .unwrap_or_else(|| panic!("config.example.yml does not list the action {name:?}"));
        assert_eq!(keys, defaults, "keys.{name} in config.example.yml");
    }
    assert_eq!(cfg.keys.len(), ACTIONS.len(), "{:?}", cfg.keys.keys());
}

/// With hosts configured: a HOST column, each host's health in the status line, and the
/// rows of a host that does not answer kept, grey, with the time they were last seen.
#[test]
fn hosts_get_a_column_a_health_entry_and_stale_rows() {
    use muxdeck::engine::{HostHealth, HostStatus};
    use muxdeck::model::Host;
    use muxdeck::tui::hosts::HostLine;
    let web1 = Host::Remote("web1".into());
    let db = Host::Remote("db".into());
    let mut sessions = vec![
        tmux("default", "here", 10),
        Session::new(
            SessionId::tmux("default", "api").on(web1.clone()),
            State::Running,
        ),
        Session::new(
            SessionId::tmux("default", "pg").on(db.clone()),
            State::Running,
        ),
    ];
    sessions.sort_by(|a, b| a.id.cmp(&b.id));
    let mut app = app(false);
    let mut up = HostLine::new(web1.clone());
    let ok = HostHealth {
        host: web1,
        status: HostStatus::Ok,
        message: None,
        latency_ms: Some(12),
    };
    up.update(&ok, None);
    let mut down = HostLine::new(db.clone());
    down.update(
        &HostHealth {
            host: db.clone(),
            ..ok.clone()
        },
        None,
    );
    down.update(
        &HostHealth {
            host: db,
            status: HostStatus::Unreachable,
            message: Some("refused".into()),
            latency_ms: None,
        },
        Some(std::time::Instant::now() + std::time::Duration::from_secs(9)),
    );
    app.hosts = vec![down, up];
    let _ = app.set_listing(
        muxdeck::engine::Listing {
            sessions,
            health: Vec::new(),
            hosts: Vec::new(),
        },
        &[],
    );
    let buf = draw(&app, 110, 20);
    let text = screen(&buf);
    assert!(row_of(&buf, "NAME").contains("HOST"), "{text}");
    assert!(row_of(&buf, "api").contains("web1"), "{text}");
    let pg = row_of(&buf, "pg");
    assert!(pg.contains("db") && pg.contains("stale, seen "), "{text}");
    assert!(!row_of(&buf, "api").contains("stale"), "{text}");
    assert!(text.contains("db unreachable, retry in"), "{text}");
    assert!(text.contains("web1 ok"), "{text}");
    // The stale row is grey, the live one keeps its state color.
    let (x, y) = must_find(&buf, "stale, seen");
    assert_ne!(buf[(x, y)].fg, Color::Green, "{text}");
    // The filter matches host names.
    app.filter = "web1".into();
    let buf = draw(&app, 110, 20);
    assert!(
        find(&buf, "api").is_some() && find(&buf, " pg ").is_none(),
        "{}",
        screen(&buf)
    );
}

/// The key `c` (as the terminal reports it) pressed in `app`.
fn press(app: &mut App, c: char) -> muxdeck::tui::app::Effect {
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    let mods = if c.is_ascii_uppercase() {
        KeyModifiers::SHIFT
    } else {
        KeyModifiers::NONE
    };
    app.on_key(&KeyEvent::new(KeyCode::Char(c), mods))
}

/// `HH:MM:SS.mmm` of `at` in the system's zone, as the log pane's timestamps show it.
fn local_clock(at: jiff::Timestamp) -> String {
    at.to_zoned_datetime(jiff::tz::TimeZone::system())
        .strftime("%H:%M:%S%.3f")
        .to_string()
}

#[test]
fn merged_log_prefixes_each_line_with_its_session_in_its_own_color() {
    use muxdeck::engine::LogEvent;
    use muxdeck::engine::merged::{prefix, prefix_colors};
    use muxdeck::tui::app::Effect;
    let mut app = mixed(false);
    let api = app
        .sessions
        .iter()
        .find(|s| s.id == SessionId::tmux("work", "api"))
        .cloned()
        .unwrap();
    let web = app
        .sessions
        .iter()
        .find(|s| s.id == SessionId::container(Runtime::Podman, "web"))
        .cloned()
        .unwrap();
    app.marks.toggle(&api.id);
    app.marks.toggle(&web.id);
    let Effect::FollowMerged(chosen) = press(&mut app, 'L') else {
        panic!("L follows the marked sessions as one log");
    };
    let ids: Vec<_> = chosen.iter().map(|s| s.id.clone()).collect();
    assert!(ids.contains(&api.id) && ids.contains(&web.id) && ids.len() == 2);
    // The lines as the merged stream hands them in: prefixed, in arrival order.
    let colors = prefix_colors(&chosen);
    let color_of = |id: &SessionId| {
        let i = chosen.iter().position(|s| &s.id == id).unwrap();
        colors[i]
    };
    let (ca, cw) = (color_of(&api.id), color_of(&web.id));
    app.on_log(LogEvent::Lines(vec![
        format!("{}hello from api", prefix(&api, 3, ca)),
        format!("{}\x1b[31mred\x1b[0m from web", prefix(&web, 3, cw)),
        format!("{}api again", prefix(&api, 3, ca)),
    ]));
    let buf = draw(&app, 100, 30);
    let title = row_of(&buf, " logs · merged: 2 sessions");
    assert!(title.contains("(L back)"), "{title}");
    let (_, y1) = must_find(&buf, "api | hello from api");
    let (_, y2) = must_find(&buf, "web | red from web");
    let (_, y3) = must_find(&buf, "api | api again");
    assert_eq!((y2, y3), (y1 + 1, y1 + 2), "{}", screen(&buf));
    let api_color = Color::Indexed(ca);
    let web_color = Color::Indexed(cw);
    assert_ne!(api_color, web_color, "two sessions, two colors");
    assert_fg_on_row(&buf, "hello from api", "api |", api_color);
    assert_fg_on_row(&buf, "red from web", "web |", web_color);
    // The line's own colors stay after the prefix.
    assert_fg_on_row(&buf, "red from web", "red", Color::Red);
    // A search works on the merged lines as on one log, prefix included.
    app.focus = Focus::Logs;
    let _ = press(&mut app, '/');
    for c in "web".chars() {
        let _ = press(&mut app, c);
    }
    for _ in 0..100 {
        if !app.scan_logs() {
            break;
        }
    }
    assert_eq!(app.log.tools.search.position().1, 1, "one line of web");
    let buf = draw(&app, 100, 30);
    assert!(row_of(&buf, " logs · merged").contains("search: web"));
    // L again goes back to the selection's own log.
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    let esc = KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE);
    assert!(
        matches!(app.on_key(&esc), Effect::None),
        "Esc ends the search"
    );
    assert!(app.is_merged());
    app.focus = Focus::List;
    let back = press(&mut app, 'L');
    assert!(
        matches!(back, Effect::Follow(Some(ref s)) if s.id == SessionId::tmux("work", "api")),
        "{back:?}"
    );
    assert!(!app.is_merged());
    let buf = draw(&app, 100, 30);
    must_find(&buf, " logs · tmux@work:api ");
}

#[test]
fn the_merged_log_goes_on_when_the_row_it_was_opened_on_goes_away() {
    use muxdeck::engine::{Listing, LogEvent};
    use muxdeck::tui::app::Effect;
    let mut app = mixed(false);
    app.settle();
    let api = SessionId::tmux("work", "api");
    let web = SessionId::container(Runtime::Podman, "web");
    app.marks.toggle(&api);
    app.marks.toggle(&web);
    assert_eq!(app.selected.as_ref(), Some(&api));
    let Effect::FollowMerged(_) = press(&mut app, 'L') else {
        panic!("L follows the marked sessions as one log");
    };
    app.on_log(LogEvent::Lines(vec!["api | last words".into()]));
    // api ends: the next listing has no row for it, and the selection moves on.
    let sources = [
        Source::Tmux,
        Source::Runtime(Runtime::Podman),
        Source::Runtime(Runtime::Docker),
    ];
    let listing = Listing {
        sessions: app
            .sessions
            .iter()
            .filter(|s| s.id != api)
            .cloned()
            .collect(),
        health: Vec::new(),
        hosts: Vec::new(),
    };
    let effect = app.set_listing(listing, &sources);
    assert!(matches!(effect, Effect::None), "{effect:?}");
    assert!(app.is_merged(), "the merged log was closed");
    assert_ne!(app.selected.as_ref(), Some(&api));
    let buf = draw(&app, 100, 30);
    must_find(&buf, " logs · merged: 2 sessions");
    must_find(&buf, "api | last words");
    // Choosing another row still leaves it.
    let _ = press(&mut app, 'j');
    assert!(!app.is_merged());
}

#[test]
fn timestamps_show_dimmed_before_each_line_tmux_arrival_container_runtime() {
    use muxdeck::engine::LogEvent;
    let mut app = mixed(false);
    app.log.id = app.selected.clone();
    let before = jiff::Timestamp::now();
    app.on_log(LogEvent::Lines(vec!["tmux line".into()]));
    let after = jiff::Timestamp::now();
    let buf = draw(&app, 100, 30);
    assert!(!row_of(&buf, "tmux line").contains(':'), "off by default");
    let _ = press(&mut app, 't');
    let buf = draw(&app, 100, 30);
    assert!(row_of(&buf, " logs · ").contains("· time"));
    let row = row_of(&buf, "tmux line");
    let shown = [local_clock(before), local_clock(after)];
    assert!(
        shown
            .iter()
            .any(|c| row.contains(&format!("{c} tmux line"))),
        "{row:?} shows neither of {shown:?}"
    );
    let stamp = shown.iter().find(|c| row.contains(c.as_str())).unwrap();
    let (fx, fy) = must_find(&buf, "following");
    let dim = buf[(fx, fy)].fg;
    assert_ne!(dim, Color::Reset);
    assert_fg_on_row(&buf, "tmux line", stamp, dim);
    // A container's line carries the runtime's own time (`--timestamps`), taken off the text.
    app.selected = Some(SessionId::container(Runtime::Podman, "web"));
    app.log.id = app.selected.clone();
    app.log.buffer.clear();
    app.on_log(LogEvent::Lines(vec![
        "2024-06-01T10:20:30.456789012Z from the runtime".into(),
    ]));
    let buf = draw(&app, 100, 30);
    let expect = local_clock("2024-06-01T10:20:30.456Z".parse().unwrap());
    let row = row_of(&buf, "from the runtime");
    assert!(
        row.contains(&format!("{expect} from the runtime")),
        "{row:?} does not start with {expect}"
    );
    assert!(!row.contains("2024-06-01T"), "{row:?}");
    let _ = press(&mut app, 't');
    let row = row_of(&draw(&app, 100, 30), "from the runtime");
    assert!(!row.contains(&expect), "t hides them again: {row:?}");
}
