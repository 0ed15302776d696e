//! The screen of the bulk actions, on ratatui's `TestBackend`: marks in the list, one
//! question naming every marked session (scrolled when they do not fit), the answer that
//! acts on exactly those sessions, the `:` prompt for marked sessions, and the history
//! overlay.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use muxdeck::engine::{Health, HealthStatus, Listing, Source};
use muxdeck::model::{Host, Session, SessionId, State};
use muxdeck::tui::app::{App, Effect, Mode, Op};
use muxdeck::tui::keys::Keymap;
use muxdeck::tui::ui;

const NOW: i64 = 1_795_577_830;

fn app_with(n: usize) -> App {
    let mut app = App::new(Keymap::new(&BTreeMap::new()).unwrap(), 100, false);
    let sessions: Vec<Session> = (0..n)
        .map(|i| Session::new(SessionId::tmux("w", format!("s{i:02}")), State::Running))
        .collect();
    let health = vec![Health {
        host: Host::Local,
        backend: Source::Tmux,
        status: HealthStatus::Ok {
            sessions: n,
            servers: Some(1),
        },
    }];
    let _ = app.set_listing(
        Listing {
            sessions,
            health,
            hosts: Vec::new(),
        },
        &[Source::Tmux],
    );
    app
}

fn key(app: &mut App, code: KeyCode) -> Effect {
    app.on_key(&KeyEvent::new(code, KeyModifiers::NONE))
}

fn screen(app: &App, w: u16, h: u16) -> String {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| ui::render(app, &[Source::Tmux], NOW, f))
        .unwrap();
    let buf = t.backend().buffer().clone();
    (0..h)
        .map(|y| (0..w).map(|x| buf[(x, y)].symbol()).collect::<String>())
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn fifty_marked_sessions_are_asked_about_once_every_name_reachable_and_all_acted_on() {
    let mut app = app_with(60);
    for _ in 0..50 {
        let _ = key(&mut app, KeyCode::Char(' '));
    }
    assert_eq!(app.marks.len(), 50);
    let text = screen(&app, 80, 24);
    assert!(text.contains("· 50 marked"), "{text}");
    assert!(text.contains("● s49"), "{text}");
    // One question for all of them.
    assert_eq!(key(&mut app, KeyCode::Char('x')), Effect::None);
    assert!(matches!(&app.mode, Mode::ConfirmMany(Op::Stop, ids) if ids.len() == 50));
    let text = screen(&app, 80, 24);
    assert!(text.contains("Stop these 50 sessions?"), "{text}");
    assert!(text.contains("• tmux@w:s00"), "{text}");
    assert!(!text.contains("• tmux@w:s49"), "{text}");
    assert!(text.contains("0 above"), "{text}");
    // The names scroll: End shows the last, none is left out.
    let _ = key(&mut app, KeyCode::End);
    let text = screen(&app, 80, 24);
    assert!(text.contains("• tmux@w:s49"), "{text}");
    assert!(!text.contains("• tmux@w:s50"), "{text}");
    assert!(text.contains("0 below"), "{text}");
    // `y` runs it on exactly the 50 marked, and never on an unmarked one.
    match key(&mut app, KeyCode::Char('y')) {
        Effect::RunMany(Op::Stop, targets) => {
            assert_eq!(targets.len(), 50);
            assert!(targets.iter().all(|s| s.id.name.as_str() < "s50"));
        }
        other => panic!("not a bulk stop: {other:?}"),
    }
    assert_eq!(app.mode, Mode::Normal);
}

#[test]
fn n_cancels_a_bulk_question_and_space_unmarks() {
    let mut app = app_with(3);
    let _ = key(&mut app, KeyCode::Char(' '));
    let _ = key(&mut app, KeyCode::Char(' '));
    let _ = key(&mut app, KeyCode::Char('r'));
    assert!(matches!(&app.mode, Mode::ConfirmMany(Op::Restart, ids) if ids.len() == 2));
    assert_eq!(key(&mut app, KeyCode::Char('n')), Effect::None);
    assert_eq!(app.mode, Mode::Normal);
    // Back on the first row, space unmarks it: one left, and `s` asks about that one.
    let _ = key(&mut app, KeyCode::Char('g'));
    let _ = key(&mut app, KeyCode::Char(' '));
    assert_eq!(app.marks.len(), 1);
    let _ = key(&mut app, KeyCode::Char('s'));
    let text = screen(&app, 80, 24);
    assert!(text.contains("Start these 1 sessions?"), "{text}");
    assert!(text.contains("• tmux@w:s01"), "{text}");
}

#[test]
fn per_session_results_are_kept_and_the_summary_names_the_failures() {
    let mut app = app_with(3);
    app.op_started("stop 3 sessions…".into());
    app.bulk_done(
        "stop 3 sessions…",
        vec![
            ("stopped tmux@w:s00".into(), muxdeck::tui::app::Level::Info),
            (
                "stop failed: it broke".into(),
                muxdeck::tui::app::Level::Error,
            ),
            ("stopped tmux@w:s02".into(), muxdeck::tui::app::Level::Info),
        ],
        (
            "2 stopped, 1 failed: tmux@w:s01 — it broke".into(),
            muxdeck::tui::app::Level::Error,
        ),
    );
    assert!(app.busy.is_empty());
    let last = app
        .message
        .as_ref()
        .map(|m| m.0.clone())
        .unwrap_or_default();
    assert_eq!(
        last,
        "2 stopped, 1 failed: tmux@w:s01 — it broke (m shows each)"
    );
    let texts: Vec<&str> = app.history.iter().map(|m| m.0.as_str()).collect();
    assert!(texts.contains(&"stopped tmux@w:s00") && texts.contains(&"stop failed: it broke"));
    // The history overlay tells muxdeck's own operations too.
    let _ = key(&mut app, KeyCode::Char('E'));
    let text = screen(&app, 100, 30);
    assert!(text.contains("muxdeck: stopped tmux@w:s02"), "{text}");
}

#[test]
fn a_mark_survives_a_listing_its_backend_failed_and_goes_with_its_session() {
    let mut app = app_with(2);
    let _ = key(&mut app, KeyCode::Char(' '));
    assert_eq!(app.marks.len(), 1);
    let listing = |ok: bool| Listing {
        sessions: Vec::new(),
        health: vec![Health {
            host: Host::Local,
            backend: Source::Tmux,
            status: if ok {
                HealthStatus::Ok {
                    sessions: 0,
                    servers: Some(0),
                }
            } else {
                HealthStatus::Error {
                    message: "`tmux list-panes` did not answer within 5s".into(),
                }
            },
        }],
        hosts: Vec::new(),
    };
    // tmux did not answer: its rows are not listed this time, the mark stays.
    let _ = app.set_listing(listing(false), &[Source::Tmux]);
    assert_eq!(app.marks.len(), 1);
    let _ = app.set_listing(listing(false), &[Source::Tmux]);
    assert_eq!(app.marks.len(), 1, "a second failed listing lost the mark");
    // tmux answers without the session: it is gone, and so is its mark.
    let _ = app.set_listing(listing(true), &[Source::Tmux]);
    assert!(app.marks.is_empty());
}
