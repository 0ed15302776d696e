//! Themes on ratatui's `TestBackend`: single cells' colors read back, and the contrast
//! ratio (WCAG 2) of every character on screen computed from them, for the light and the
//! high-contrast theme: the selected row, the states (on the background and on the
//! selection bar), the hints, an error, the overlays.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::path::Path;

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::style::{Color, Modifier};

use muxdeck::config::{self, theme::ThemeBase};
use muxdeck::engine::{Engine, Health, HealthStatus, Report, Source};
use muxdeck::model::{Runtime, Session, SessionId, State};
use muxdeck::tui::app::{App, Level, Mode, Op};
use muxdeck::tui::keys::Keymap;
use muxdeck::tui::ui;

const NOW: i64 = 1_717_200_000;

/// The 16 colors as xterm defines them; a theme that wants a known contrast avoids them
/// (terminals let users redefine them), but an override may use them.
const XTERM16: [(u8, u8, u8); 16] = [
    (0, 0, 0),
    (205, 0, 0),
    (0, 205, 0),
    (205, 205, 0),
    (0, 0, 238),
    (205, 0, 205),
    (0, 205, 205),
    (229, 229, 229),
    (127, 127, 127),
    (255, 0, 0),
    (0, 255, 0),
    (255, 255, 0),
    (92, 92, 255),
    (255, 0, 255),
    (0, 255, 255),
    (255, 255, 255),
];

/// The RGB a terminal shows for `c`; `default` is what `Reset` stands for (the terminal's
/// own foreground or background, which a light theme assumes dark on white).
fn rgb(c: Color, default: (u8, u8, u8)) -> (u8, u8, u8) {
    let named = |i: usize| XTERM16[i];
    match c {
        Color::Reset => default,
        Color::Black => named(0),
        Color::Red => named(1),
        Color::Green => named(2),
        Color::Yellow => named(3),
        Color::Blue => named(4),
        Color::Magenta => named(5),
        Color::Cyan => named(6),
        Color::Gray => named(7),
        Color::DarkGray => named(8),
        Color::LightRed => named(9),
        Color::LightGreen => named(10),
        Color::LightYellow => named(11),
        Color::LightBlue => named(12),
        Color::LightMagenta => named(13),
        Color::LightCyan => named(14),
        Color::White => named(15),
        Color::Rgb(r, g, b) => (r, g, b),
        Color::Indexed(i) if i < 16 => named(usize::from(i)),
        Color::Indexed(i) if i < 232 => {
            let level = |n: u8| if n == 0 { 0 } else { 55 + 40 * n };
            let n = i - 16;
            (level(n / 36), level(n / 6 % 6), level(n % 6))
        }
        Color::Indexed(i) => {
            let v = 8 + 10 * (i - 232);
            (v, v, v)
        }
    }
}

fn luminance((r, g, b): (u8, u8, u8)) -> f64 {
    let lin = |v: u8| {
        let v = f64::from(v) / 255.0;
        if v <= 0.039_28 {
            v / 12.92
        } else {
            ((v + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b)
}

/// WCAG 2 contrast ratio, 1 to 21.
fn contrast(a: (u8, u8, u8), b: (u8, u8, u8)) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

/// What `Reset` means for a base: the terminal a theme is made for.
fn canvas(base: ThemeBase) -> ((u8, u8, u8), (u8, u8, u8)) {
    match base {
        ThemeBase::Light => ((0, 0, 0), (255, 255, 255)),
        ThemeBase::Dark | ThemeBase::HighContrast => ((229, 229, 229), (0, 0, 0)),
    }
}

/// The contrast of the cell at (x, y) as the terminal shows it.
fn cell_contrast(buf: &Buffer, base: ThemeBase, x: u16, y: u16) -> f64 {
    let (fg0, bg0) = canvas(base);
    let cell = &buf[(x, y)];
    let (mut fg, mut bg) = (rgb(cell.fg, fg0), rgb(cell.bg, bg0));
    if cell.modifier.contains(Modifier::REVERSED) {
        std::mem::swap(&mut fg, &mut bg);
    }
    contrast(fg, bg)
}

fn lines(buf: &Buffer) -> Vec<String> {
    (0..buf.area.height)
        .map(|y| (0..buf.area.width).map(|x| buf[(x, y)].symbol()).collect())
        .collect()
}

fn screen(buf: &Buffer) -> String {
    lines(buf).join("\n")
}

fn must_find(buf: &Buffer, needle: &str) -> (u16, u16) {
    lines(buf)
        .iter()
        .enumerate()
        .find_map(|(y, l)| {
            l.find(needle).map(|byte| {
                let x = l[..byte].chars().count();
                (u16::try_from(x).unwrap(), u16::try_from(y).unwrap())
            })
        })
        .unwrap_or_else(|| panic!("{needle:?} is not on screen:\n{}", screen(buf)))
}

/// Every visible character on screen reaches `text_min` (box drawing, a decoration, 3:1,
/// WCAG's bar for non-text); returns the lowest ratio seen.
fn assert_screen_contrast(buf: &Buffer, base: ThemeBase, text_min: f64) -> f64 {
    let mut lowest = f64::MAX;
    for y in 0..buf.area.height {
        for x in 0..buf.area.width {
            let sym = buf[(x, y)].symbol();
            if sym.trim().is_empty() {
                continue;
            }
            let boxy = sym.chars().all(|c| ('\u{2500}'..='\u{257f}').contains(&c));
            let min = if boxy { 3.0 } else { text_min };
            let ratio = cell_contrast(buf, base, x, y);
            lowest = lowest.min(ratio);
            assert!(
                ratio >= min,
                "{sym:?} at ({x}, {y}) has contrast {ratio:.2} < {min} ({:?} on {:?})\n{}",
                buf[(x, y)].fg,
                buf[(x, y)].bg,
                screen(buf)
            );
        }
    }
    lowest
}

fn session(id: SessionId, state: State) -> Session {
    let mut s = Session::new(id, state);
    s.created = Some(NOW - 125);
    s
}

fn report(source: Source, sessions: Vec<Session>) -> Report {
    Report {
        source,
        health: Health {
            host: muxdeck::model::Host::Local,
            backend: source,
            status: HealthStatus::Ok {
                sessions: sessions.len(),
                servers: None,
            },
        },
        sessions,
    }
}

/// Sessions in every state, the config's `theme` applied; `api` selected.
fn world(theme_yaml: &str, mono: bool) -> App {
    let cfg = config::parse(
        &format!("sessions:\n  planned:\n    backend: tmux\n    command: sleep 1000\n{theme_yaml}"),
        Path::new("/test/config.yml"),
    )
    .expect("config");
    let theme = cfg.theme.clone();
    let engine = Engine::new(cfg);
    let mut api = session(SessionId::tmux("default", "api"), State::Running);
    api.pid = Some(4242);
    let podman = |name: &str, state| {
        let mut s = session(SessionId::container(Runtime::Podman, name), state);
        s.image = Some("busybox:1.36".into());
        s
    };
    let reports = vec![
        report(Source::Tmux, vec![api]),
        report(
            Source::Runtime(Runtime::Podman),
            vec![
                podman("batch", State::Exited(Some(3))),
                podman("done", State::Exited(Some(0))),
                podman("frozen", State::Paused),
                podman("idle", State::Stopped),
                podman("odd", State::Unknown),
                podman("web", State::Running),
            ],
        ),
    ];
    let sources: Vec<Source> = reports.iter().map(|r| r.source).collect();
    let mut app = App::new(Keymap::new(&BTreeMap::new()).unwrap(), 100, mono);
    app.set_theme(theme);
    let _ = app.set_listing(engine.merge(&reports), &sources);
    app.selected = Some(SessionId::tmux("default", "api"));
    app
}

fn draw(app: &App, w: u16, h: u16) -> Buffer {
    let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
    terminal
        .draw(|f| {
            ui::render(
                app,
                &[Source::Tmux, Source::Runtime(Runtime::Podman)],
                NOW,
                f,
            )
        })
        .unwrap();
    terminal.backend().buffer().clone()
}

const STATES: [&str; 7] = [
    "running",
    "defined",
    "exited (3)",
    "exited (0)",
    "paused",
    "stopped",
    "unknown",
];

/// Selects each row in turn: its state on the selection bar, and the others on the
/// background, all keep `min`.
fn assert_states_on_and_off_the_bar(mut app: App, base: ThemeBase, min: f64) {
    let ids: Vec<SessionId> = app.visible().iter().map(|s| s.id.clone()).collect();
    for id in ids {
        app.selected = Some(id.clone());
        let buf = draw(&app, 100, 30);
        for state in STATES {
            let (x, y) = must_find(&buf, state);
            let ratio = cell_contrast(&buf, base, x, y);
            assert!(
                ratio >= min,
                "{state} with {id} selected: contrast {ratio:.2} < {min}\n{}",
                screen(&buf)
            );
        }
    }
}

#[test]
fn light_theme_keeps_4_5_to_1_on_the_selected_row_states_hints_and_errors() {
    let mut app = world("theme: light\n", false);
    app.say(
        "podman:batch is not running (exited (3)); press s to start it first",
        Level::Error,
    );
    let buf = draw(&app, 100, 30);
    // Single cells: the selection bar, a state, a key of the hints, the error.
    let (x, y) = must_find(&buf, "api ");
    assert_eq!(
        buf[(x, y)].bg,
        Color::Indexed(189),
        "selected row\n{}",
        screen(&buf)
    );
    assert!(buf[(x, y)].modifier.contains(Modifier::BOLD));
    let (x, y) = must_find(&buf, "paused");
    assert_eq!(buf[(x, y)].fg, Color::Indexed(19));
    assert_eq!(
        buf[(x, y)].bg,
        Color::Reset,
        "the background stays the terminal's own"
    );
    let (x, y) = must_find(&buf, "? help");
    assert_eq!(buf[(x, y)].fg, Color::Indexed(24));
    let (x, y) = must_find(&buf, "podman:batch is not running");
    assert_eq!(buf[(x, y)].fg, Color::Indexed(124));
    // The selected row, cell by cell, against its own bar.
    let (_, sel_y) = must_find(&buf, "api ");
    for x in 1..99 {
        if !buf[(x, sel_y)].symbol().trim().is_empty() {
            let ratio = cell_contrast(&buf, ThemeBase::Light, x, sel_y);
            assert!(
                ratio >= 4.5,
                "selected row cell {x}: {ratio:.2}\n{}",
                screen(&buf)
            );
        }
    }
    let lowest = assert_screen_contrast(&buf, ThemeBase::Light, 4.5);
    eprintln!("light: lowest contrast on screen {lowest:.2}");
    assert_states_on_and_off_the_bar(world("theme: light\n", false), ThemeBase::Light, 4.5);
}

#[test]
fn light_theme_overlays_and_the_log_pane_focus_keep_contrast() {
    let mut app = world("theme: light\n", false);
    app.mode = Mode::Help;
    assert_screen_contrast(&draw(&app, 100, 40), ThemeBase::Light, 4.5);
    app.mode = Mode::Confirm(Op::Stop, SessionId::tmux("default", "api"));
    assert_screen_contrast(&draw(&app, 100, 30), ThemeBase::Light, 4.5);
    app.mode = Mode::Normal;
    let _ = app.act(muxdeck::tui::keys::Action::Focus);
    app.scroll_log(true, 3);
    assert_screen_contrast(&draw(&app, 100, 30), ThemeBase::Light, 4.5);
}

#[test]
fn high_contrast_theme_keeps_7_to_1_everywhere_and_paints_its_background() {
    let mut app = world("theme: high-contrast\n", false);
    app.say("something failed", Level::Error);
    let buf = draw(&app, 100, 30);
    // It paints its own black: even an empty cell in the corner of the log pane.
    assert_eq!(buf[(50, 20)].bg, Color::Indexed(16), "{}", screen(&buf));
    let lowest = assert_screen_contrast(&buf, ThemeBase::HighContrast, 7.0);
    eprintln!("high-contrast: lowest contrast on screen {lowest:.2}");
    assert_states_on_and_off_the_bar(
        world("theme: high-contrast\n", false),
        ThemeBase::HighContrast,
        7.0,
    );
    app.mode = Mode::Help;
    let buf = draw(&app, 100, 40);
    assert_screen_contrast(&buf, ThemeBase::HighContrast, 7.0);
}

#[test]
fn overrides_change_single_elements_and_no_color_wins_over_any_theme() {
    let app = world(
        "theme:\n  base: light\n  selected_bg: \"#dde4ff\"\n  running: 28\n  key: blue\n",
        false,
    );
    let buf = draw(&app, 100, 30);
    let (x, y) = must_find(&buf, "api ");
    assert_eq!(buf[(x, y)].bg, Color::Rgb(0xdd, 0xe4, 0xff));
    let (x, y) = must_find(&buf, "running");
    assert_eq!(buf[(x, y)].fg, Color::Indexed(28), "{}", screen(&buf));
    let (x, y) = must_find(&buf, "? help");
    assert_eq!(buf[(x, y)].fg, Color::Blue);
    // Not overridden: as the light base has it.
    let (x, y) = must_find(&buf, "paused");
    assert_eq!(buf[(x, y)].fg, Color::Indexed(19));

    // NO_COLOR: no color at all, whatever the theme; the selection is reversed.
    let app = world("theme: high-contrast\n", true);
    let buf = draw(&app, 100, 30);
    for y in 0..30 {
        for x in 0..100 {
            let c = &buf[(x, y)];
            assert_eq!(
                (c.fg, c.bg),
                (Color::Reset, Color::Reset),
                "({x}, {y})\n{}",
                screen(&buf)
            );
        }
    }
    let (x, y) = must_find(&buf, "api ");
    assert!(buf[(x, y)].modifier.contains(Modifier::REVERSED));
}

#[test]
fn config_example_theme_and_every_base_parse() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("config.example.yml");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(
        text.contains("theme:"),
        "config.example.yml documents theme:"
    );
    for (_, name) in ThemeBase::ALL {
        assert!(
            text.contains(name),
            "config.example.yml names the theme {name}"
        );
        let cfg = config::parse(&format!("theme: {name}\n"), &path).unwrap();
        assert_eq!(
            config::theme::ThemeBase::parse(name).unwrap(),
            cfg.theme.base
        );
    }
    // The commented mapping, uncommented in place of `theme: dark`, loads and sets every
    // element.
    let block: Vec<&str> = text
        .lines()
        .skip_while(|l| *l != "# theme:")
        .take_while(|l| l.starts_with("# "))
        .map(|l| &l[2..])
        .collect();
    let yaml = text.replace("\ntheme: dark\n", &format!("\n{}\n", block.join("\n")));
    let cfg = config::parse(&yaml, &path).unwrap();
    assert_eq!(cfg.theme.base, ThemeBase::Light);
    for (e, name) in config::theme::Element::ALL {
        assert!(
            cfg.theme.colors.contains_key(&e),
            "the example's theme mapping sets {name}"
        );
    }
}

/// `app` with the log lines given and a search for `needle` run (`/`, typed, Enter), drawn.
fn searched(mut app: App, lines: &[&str], needle: &str) -> Buffer {
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    app.on_log(muxdeck::engine::LogEvent::Lines(
        lines.iter().map(ToString::to_string).collect(),
    ));
    let mut key = |c: KeyCode| {
        let _ = app.on_key(&KeyEvent::new(c, KeyModifiers::NONE));
    };
    key(KeyCode::Tab);
    key(KeyCode::Char('/'));
    for c in needle.chars() {
        key(KeyCode::Char(c));
    }
    key(KeyCode::Enter);
    while app.scan_logs() {}
    draw(&app, 100, 30)
}

#[test]
fn search_marks_in_the_log_come_from_the_theme_and_keep_contrast() {
    let lines = ["disk error one", "calm", "net error two"];
    // Light: the marks are the light theme's, readable (4.5:1) on the pane.
    let buf = searched(world("theme: light\n", false), &lines, "error");
    let (x, y) = must_find(&buf, "error one");
    let (cx, cy) = must_find(&buf, "error two");
    // The newest match is the current one.
    assert_eq!(buf[(cx, cy)].bg, Color::Indexed(216), "{}", screen(&buf));
    assert_eq!(buf[(x, y)].bg, Color::Indexed(228), "{}", screen(&buf));
    for (x, y) in [(x, y), (cx, cy)] {
        assert_eq!(buf[(x, y)].fg, Color::Indexed(16));
        let ratio = cell_contrast(&buf, ThemeBase::Light, x, y);
        assert!(ratio >= 4.5, "match contrast {ratio:.2}\n{}", screen(&buf));
    }
    assert_screen_contrast(&buf, ThemeBase::Light, 4.5);
    let buf = searched(world("theme: high-contrast\n", false), &lines, "error");
    assert_screen_contrast(&buf, ThemeBase::HighContrast, 7.0);

    // Overrides reach the marks as they reach everything else.
    let buf = searched(
        world(
            "theme:\n  match_bg: \"#ffd7af\"\n  current_match_bg: 13\n  match_fg: blue\n",
            false,
        ),
        &lines,
        "error",
    );
    let (x, y) = must_find(&buf, "error one");
    assert_eq!(buf[(x, y)].bg, Color::Rgb(0xff, 0xd7, 0xaf));
    assert_eq!(buf[(x, y)].fg, Color::Blue);
    let (x, y) = must_find(&buf, "error two");
    assert_eq!(buf[(x, y)].bg, Color::Indexed(13));

    // NO_COLOR: reversed, never colored.
    let buf = searched(world("theme: light\n", true), &lines, "error");
    let (x, y) = must_find(&buf, "error one");
    assert_eq!(
        (buf[(x, y)].fg, buf[(x, y)].bg),
        (Color::Reset, Color::Reset)
    );
    assert!(buf[(x, y)].modifier.contains(Modifier::REVERSED));
}
