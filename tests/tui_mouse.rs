//! The mouse on ratatui's `TestBackend`: a frame is drawn, the cell of a row, a header or a
//! pane is found on it, and `ui::hit` plus `App::on_mouse` must do what a click or the
//! wheel there means: select, focus, scroll the pane under the pointer, attach on a double
//! click, name the column of a header.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use crossterm::event::{KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use muxdeck::engine::{Engine, LogEvent, Source};
use muxdeck::model::{Runtime, Session, SessionId, State};
use muxdeck::tui::app::{App, Column, Effect, Focus, HandOver, Hit, Mode, Op};
use muxdeck::tui::keys::Keymap;
use muxdeck::tui::ui;

const NOW: i64 = 1_717_200_000;
const SOURCES: [Source; 2] = [Source::Tmux, Source::Runtime(Runtime::Podman)];

fn session(id: SessionId, state: State) -> Session {
    let mut s = Session::new(id, state);
    s.created = Some(NOW - 125);
    s
}

/// `n` tmux sessions `s00`… and a podman container `web`, the first row selected and its
/// log (200 lines) in the log pane.
fn world(n: usize) -> App {
    let mut tmux: Vec<Session> = (0..n)
        .map(|i| {
            let mut s = session(
                SessionId::tmux("default", format!("s{i:02}")),
                State::Running,
            );
            s.pid = Some(1000 + u32::try_from(i).unwrap());
            s
        })
        .collect();
    let mut web = session(SessionId::container(Runtime::Podman, "web"), State::Running);
    web.image = Some("busybox:1.36".into());
    tmux.push(web);
    let engine = Engine::new(muxdeck::config::Config::default());
    let reports: Vec<muxdeck::engine::Report> = SOURCES
        .iter()
        .map(|src| {
            let sessions: Vec<Session> = tmux
                .iter()
                .filter(|s| {
                    matches!(
                        (src, &s.id.location),
                        (Source::Tmux, muxdeck::model::Location::Tmux { .. })
                            | (
                                Source::Runtime(_),
                                muxdeck::model::Location::Container { .. }
                            )
                    )
                })
                .cloned()
                .collect();
            muxdeck::engine::Report {
                source: *src,
                health: muxdeck::engine::Health {
                    host: muxdeck::model::Host::Local,
                    backend: *src,
                    status: muxdeck::engine::HealthStatus::Ok {
                        sessions: sessions.len(),
                        servers: None,
                    },
                },
                sessions,
            }
        })
        .collect();
    let mut app = App::new(Keymap::new(&BTreeMap::new()).unwrap(), 1000, false);
    let _ = app.set_listing(engine.merge(&reports), &SOURCES);
    app.settle();
    app.log.id = app.selected.clone();
    app.on_log(LogEvent::Lines(
        (1..=200).map(|i| format!("line {i}")).collect(),
    ));
    app
}

/// Draws a frame as the loop does: pane heights (and the list's first row) first.
fn draw(app: &mut App, w: u16, h: u16) -> Buffer {
    let areas = ui::layout(Rect::new(0, 0, w, h), app, &SOURCES);
    app.set_pane_heights(
        usize::from(areas.list.height.saturating_sub(3)),
        usize::from(areas.logs.height.saturating_sub(2)),
    );
    let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
    terminal
        .draw(|f| ui::render(app, &SOURCES, NOW, f))
        .unwrap();
    terminal.backend().buffer().clone()
}

fn lines(buf: &Buffer) -> Vec<String> {
    (0..buf.area.height)
        .map(|y| (0..buf.area.width).map(|x| buf[(x, y)].symbol()).collect())
        .collect()
}

fn find(buf: &Buffer, needle: &str) -> (u16, u16) {
    lines(buf)
        .iter()
        .enumerate()
        .find_map(|(y, l)| {
            l.find(needle).map(|b| {
                (
                    u16::try_from(l[..b].chars().count()).unwrap(),
                    u16::try_from(y).unwrap(),
                )
            })
        })
        .unwrap_or_else(|| panic!("{needle:?} not on screen:\n{}", lines(buf).join("\n")))
}

fn mouse(kind: MouseEventKind, (column, row): (u16, u16)) -> MouseEvent {
    MouseEvent {
        kind,
        column,
        row,
        modifiers: KeyModifiers::NONE,
    }
}

const LEFT: MouseEventKind = MouseEventKind::Down(MouseButton::Left);

/// The mouse event at `at` on a `w`x`h` screen, through `ui::hit` as the loop does it.
fn click(app: &mut App, kind: MouseEventKind, at: (u16, u16), when: Instant) -> Effect {
    let hit = ui::hit(app, &SOURCES, Rect::new(0, 0, 100, 30), NOW, at.0, at.1);
    app.on_mouse(mouse(kind, at), hit, when)
}

fn selected_name(app: &App) -> String {
    app.selected.as_ref().unwrap().name.clone()
}

#[test]
fn a_click_selects_the_row_under_it_and_focuses_the_pane_it_is_in() {
    let mut app = world(5);
    let buf = draw(&mut app, 100, 30);
    assert_eq!(selected_name(&app), "s00");
    let at = find(&buf, "s03");
    let t0 = Instant::now();
    let effect = click(&mut app, LEFT, at, t0);
    assert_eq!(selected_name(&app), "s03");
    assert!(
        matches!(effect, Effect::Follow(Some(ref s)) if s.id.name == "s03"),
        "{effect:?}"
    );
    // The container row, clicked at the far end of its image column.
    let (x, y) = find(&buf, "busybox:1.36");
    let _ = click(&mut app, LEFT, (x + 20, y), t0 + Duration::from_secs(1));
    assert_eq!(selected_name(&app), "web");
    // The log pane takes the focus; the list's border gives it back.
    let buf = draw(&mut app, 100, 30);
    let (x, y) = find(&buf, "┌ logs");
    let log = (x + 10, y + 3);
    assert_eq!(click(&mut app, LEFT, log, t0), Effect::None);
    assert_eq!(app.focus, Focus::Logs);
    let _ = click(&mut app, LEFT, (0, 0), t0);
    assert_eq!(app.focus, Focus::List);
    assert_eq!(
        selected_name(&app),
        "web",
        "a click on the border selects nothing"
    );
    // Below the last row, inside the list: nothing selected either.
    let (_, last_y) = find(&buf, "web ");
    let hit = ui::hit(
        &app,
        &SOURCES,
        Rect::new(0, 0, 100, 30),
        NOW,
        10,
        last_y + 1,
    );
    assert_ne!(hit, Hit::Row(0));
    assert!(!matches!(hit, Hit::Row(_)), "{hit:?}");
}

#[test]
fn the_wheel_scrolls_the_pane_under_the_pointer_whichever_has_the_focus() {
    let mut app = world(5);
    let buf = draw(&mut app, 100, 30);
    assert_eq!(app.focus, Focus::List);
    let log = find(&buf, "line 200");
    let t = Instant::now();
    let _ = click(&mut app, MouseEventKind::ScrollUp, log, t);
    let _ = click(&mut app, MouseEventKind::ScrollUp, log, t);
    assert_eq!(app.log.scroll, 6, "two notches, three lines each");
    assert!(!app.log.follow, "scrolled up: following pauses");
    assert_eq!(app.focus, Focus::List, "the wheel does not move the focus");
    assert_eq!(selected_name(&app), "s00", "nor the selection");
    let buf = draw(&mut app, 100, 30);
    assert!(lines(&buf).iter().any(|l| l.contains("line 194")));
    assert!(!lines(&buf).iter().any(|l| l.contains("line 200")));
    // Over the list, the wheel moves the selection, not the log.
    let row = find(&buf, "s01");
    let _ = click(&mut app, MouseEventKind::ScrollDown, row, t);
    let _ = click(&mut app, MouseEventKind::ScrollDown, row, t);
    assert_eq!(selected_name(&app), "s02");
    let _ = click(&mut app, MouseEventKind::ScrollUp, row, t);
    assert_eq!(selected_name(&app), "s01");
    // Back down in the log pane: following again at the bottom.
    let mut app = world(5);
    let buf = draw(&mut app, 100, 30);
    let log = find(&buf, "line 200");
    let _ = click(&mut app, MouseEventKind::ScrollUp, log, t);
    let _ = click(&mut app, MouseEventKind::ScrollDown, log, t);
    assert_eq!(app.log.scroll, 0);
    assert!(app.log.follow);
}

#[test]
fn a_double_click_attaches_and_two_slow_clicks_do_not() {
    let mut app = world(3);
    let buf = draw(&mut app, 100, 30);
    let at = find(&buf, "s02");
    let t0 = Instant::now();
    let _ = click(&mut app, LEFT, at, t0);
    let effect = click(&mut app, LEFT, at, t0 + Duration::from_millis(250));
    assert!(
        matches!(effect, Effect::HandOver(ref s, HandOver::Attach) if s.id.name == "s02"),
        "{effect:?}"
    );
    // Two clicks further apart, or on two rows, are two selections.
    let at1 = find(&buf, "s01");
    let _ = click(&mut app, LEFT, at1, t0 + Duration::from_secs(2));
    let effect = click(&mut app, LEFT, at1, t0 + Duration::from_secs(3));
    assert_eq!(effect, Effect::None);
    let _ = click(&mut app, LEFT, at, t0 + Duration::from_secs(4));
    let effect = click(&mut app, LEFT, at1, t0 + Duration::from_millis(4100));
    assert!(!matches!(effect, Effect::HandOver(..)), "{effect:?}");
    assert_eq!(selected_name(&app), "s01");
}

#[test]
fn a_header_click_names_its_column_and_a_question_ignores_the_mouse() {
    let mut app = world(3);
    let buf = draw(&mut app, 100, 30);
    let area = Rect::new(0, 0, 100, 30);
    for (header, column) in [
        ("NAME", Column::Name),
        ("BACKEND", Column::Backend),
        ("STATE", Column::State),
        ("PID / IMAGE", Column::Info),
        ("AGE│", Column::Age),
    ] {
        let (x, y) = find(&buf, header);
        let header = header.trim_end_matches('│');
        for dx in [0, u16::try_from(header.len()).unwrap() - 1] {
            assert_eq!(
                ui::hit(&app, &SOURCES, area, NOW, x + dx, y),
                Hit::Header(column),
                "{header}"
            );
        }
    }
    let (x, y) = find(&buf, "STATE");
    app.focus = Focus::Logs;
    assert_eq!(click(&mut app, LEFT, (x, y), Instant::now()), Effect::None);
    assert_eq!(app.focus, Focus::List);
    // A confirm question is answered by its keys only: a click on a row changes nothing.
    let id = app.selected.clone().unwrap();
    app.mode = Mode::Confirm(Op::Stop, id.clone());
    let at = find(&buf, "s02");
    assert_eq!(click(&mut app, LEFT, at, Instant::now()), Effect::None);
    assert_eq!(app.mode, Mode::Confirm(Op::Stop, id.clone()));
    assert_eq!(app.selected.as_ref(), Some(&id));
    // The help closes on a click, as on a key.
    app.mode = Mode::Help;
    let _ = click(&mut app, LEFT, at, Instant::now());
    assert_eq!(app.mode, Mode::Normal);
}

#[test]
fn in_a_scrolled_list_a_click_selects_the_row_shown_and_the_rows_stay_put() {
    // 40 sessions on 100x30: the list shows some, scrolled to the selection at the end.
    let mut app = world(40);
    for _ in 0..40 {
        let _ = app.act(muxdeck::tui::keys::Action::Down);
    }
    let buf = draw(&mut app, 100, 30);
    assert_eq!(selected_name(&app), "web");
    assert!(app.list_top > 0, "scrolled");
    let top_before = app.list_top;
    let first_shown = lines(&buf)[2].clone();
    let name = first_shown
        .trim_start_matches('│')
        .split_whitespace()
        .next()
        .unwrap()
        .to_string();
    let (x, y) = find(&buf, &name);
    let _ = click(&mut app, LEFT, (x, y), Instant::now());
    assert_eq!(selected_name(&app), name);
    let buf = draw(&mut app, 100, 30);
    assert_eq!(app.list_top, top_before, "the rows did not jump");
    assert_eq!(lines(&buf)[2], first_shown);
}
