//! The grouped list (`G`) on ratatui's `TestBackend`: group headers with their kind and
//! how many members run, members indented under them, the selection kept on its session
//! or header by identity across `G`, refreshes and sorting, and `x` on a header asking
//! once about every member and acting on exactly those.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::style::Color;

use muxdeck::engine::{Health, HealthStatus, Listing, Source};
use muxdeck::model::{Group, GroupKind, Host, Runtime, Session, SessionId, State};
use muxdeck::tui::app::{App, Effect, Level, Mode, Op};
use muxdeck::tui::keys::Keymap;
use muxdeck::tui::ui;

const NOW: i64 = 1_795_577_830;
const SOURCES: &[Source] = &[Source::Tmux, Source::Runtime(Runtime::Podman)];

fn container(name: &str, state: State, group: Option<(GroupKind, &str)>) -> Session {
    let mut s = Session::new(SessionId::container(Runtime::Podman, name), state);
    s.image = Some("localhost/muxdeck-test/busybox:latest".into());
    s.group = group.map(|(kind, n)| Group {
        kind,
        name: n.to_string(),
    });
    s
}

/// A tmux session, a compose project of two (one running), a pod of two (both running)
/// and a container of no group.
fn sessions() -> Vec<Session> {
    let shop = Some((GroupKind::Compose, "shop"));
    let pod = Some((GroupKind::Pod, "cache"));
    vec![
        Session::new(SessionId::tmux("default", "alpha"), State::Running),
        container("cache-redis", State::Running, pod),
        container("cache-warm", State::Running, pod),
        container("lone", State::Running, None),
        container("shop-db", State::Exited(Some(1)), shop),
        container("shop-web", State::Running, shop),
    ]
}

fn listing(sessions: Vec<Session>) -> Listing {
    let n = sessions.len();
    let ok = |backend, servers| Health {
        host: Host::Local,
        backend,
        status: HealthStatus::Ok {
            sessions: n,
            servers,
        },
    };
    Listing {
        sessions,
        health: vec![
            ok(Source::Tmux, Some(1)),
            ok(Source::Runtime(Runtime::Podman), None),
        ],
        hosts: Vec::new(),
    }
}

fn app() -> App {
    let mut app = App::new(Keymap::new(&BTreeMap::new()).unwrap(), 100, false);
    let _ = app.set_listing(listing(sessions()), SOURCES);
    app
}

fn key(app: &mut App, code: KeyCode) -> Effect {
    app.on_key(&KeyEvent::new(code, KeyModifiers::NONE))
}

fn terminal(app: &App, w: u16, h: u16) -> Terminal<TestBackend> {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| ui::render(app, SOURCES, NOW, f)).unwrap();
    t
}

fn screen(app: &App, w: u16, h: u16) -> String {
    let t = terminal(app, w, h);
    let buf = t.backend().buffer();
    (0..h)
        .map(|y| (0..w).map(|x| buf[(x, y)].symbol()).collect::<String>())
        .collect::<Vec<_>>()
        .join("\n")
}

/// The list's rows as their name cells, trimmed at the right (indent kept), the header
/// line and the border left out.
fn names(app: &App) -> Vec<String> {
    let text = screen(app, 100, 30);
    text.lines()
        .skip(2)
        .take_while(|l| !l.starts_with('└'))
        .map(|l| {
            let inner = l.trim_start_matches('│');
            let text = inner.trim_start();
            let indent = inner.len() - text.len();
            let name = text.split("  ").next().unwrap_or_default();
            format!("{}{name}", " ".repeat(indent))
        })
        .collect()
}

fn selected(app: &App) -> Option<String> {
    app.selected.as_ref().map(|id| id.name.clone())
}

#[test]
fn g_groups_members_under_headers_that_say_kind_and_running_of_all() {
    let mut app = app();
    let flat = screen(&app, 100, 30);
    assert!(!flat.contains("(compose)"), "{flat}");
    assert!(flat.contains("G group"), "the hint offers grouping: {flat}");
    assert_eq!(key(&mut app, KeyCode::Char('G')), Effect::None);
    let text = screen(&app, 100, 30);
    let rows: Vec<&str> = text.lines().collect();
    let row_of = |needle: &str| {
        rows.iter()
            .find(|l| l.contains(needle))
            .unwrap_or_else(|| panic!("no row with {needle:?}:\n{text}"))
            .to_string()
    };
    let shop = row_of("shop (compose)");
    assert!(
        shop.contains("1 running of 2") && shop.contains("podman"),
        "{shop}"
    );
    assert!(row_of("cache (pod)").contains("2 running of 2"), "{text}");
    assert!(row_of("  shop-web").contains("running"), "{text}");
    assert!(row_of("  shop-db").contains("exited (1)"), "{text}");
    assert!(text.contains("· 2 groups"), "{text}");
    assert!(text.contains("G ungroup"), "{text}");
    // Ungrouped rows keep their place; a group sits where its first member was.
    assert_eq!(
        names(&app),
        [
            "alpha",
            "cache (pod)",
            "  cache-redis",
            "  cache-warm",
            "lone",
            "shop (compose)",
            "  shop-db",
            "  shop-web"
        ]
    );
    // A group whose members all run says so in the running color; the others are dimmed.
    let t = terminal(&app, 100, 30);
    let buf = t.backend().buffer();
    let cell_of = |needle: &str| {
        let y = rows.iter().position(|l| l.contains(needle)).unwrap();
        let x = rows[y].find("running of").unwrap();
        let x = u16::try_from(rows[y][..x].chars().count()).unwrap();
        buf[(x, u16::try_from(y).unwrap())].fg
    };
    assert_eq!(cell_of("cache (pod)"), Color::Green);
    assert_ne!(cell_of("shop (compose)"), Color::Green);
}

#[test]
fn the_selection_stays_on_its_session_or_header_through_g_refreshes_and_sorting() {
    let mut app = app();
    // On shop-web (the last row) in the flat list (`End`: `G` groups in the list).
    let _ = key(&mut app, KeyCode::End);
    assert_eq!(selected(&app).as_deref(), Some("shop-web"));
    let _ = key(&mut app, KeyCode::Char('G'));
    assert_eq!(selected(&app).as_deref(), Some("shop-web"));
    // Up twice: shop-db, then the shop header, which is no session.
    let _ = key(&mut app, KeyCode::Up);
    let effect = key(&mut app, KeyCode::Up);
    assert_eq!(effect, Effect::Follow(None));
    assert_eq!(app.selected, None);
    let header = app.selected_header().map(|h| h.key.group.name.clone());
    assert_eq!(header.as_deref(), Some("shop"));
    assert!(
        app.log
            .note
            .as_deref()
            .is_some_and(|n| n.contains("compose project shop: 1 running of 2")),
        "{:?}",
        app.log.note
    );
    // A refresh with a new member above: still grouped, still on the header.
    let mut more = sessions();
    more.push(container(
        "shop-cache",
        State::Running,
        Some((GroupKind::Compose, "shop")),
    ));
    let _ = app.set_listing(listing(more.clone()), SOURCES);
    assert!(app.grouping.on);
    let h = app.selected_header().expect("the header is still selected");
    assert_eq!(h.summary(), "2 running of 3");
    // Reversed by name: the groups move, the members reverse within them, the header
    // stays selected.
    let _ = key(&mut app, KeyCode::Char('O'));
    assert_eq!(
        names(&app),
        [
            "shop (compose)",
            "  shop-web",
            "  shop-db",
            "  shop-cache",
            "lone",
            "cache (pod)",
            "  cache-warm",
            "  cache-redis",
            "alpha"
        ]
    );
    assert_eq!(app.selected_index(), Some(0));
    // A member's row is a session again; ungrouping keeps it.
    let _ = key(&mut app, KeyCode::Down);
    assert_eq!(selected(&app).as_deref(), Some("shop-web"));
    let _ = key(&mut app, KeyCode::Char('G'));
    assert_eq!(selected(&app).as_deref(), Some("shop-web"));
    // Ungrouping on a header hands the selection to its first member.
    let _ = key(&mut app, KeyCode::Char('G'));
    let _ = key(&mut app, KeyCode::Char('g'));
    assert!(app.selected_header().is_some());
    let _ = key(&mut app, KeyCode::Char('G'));
    assert_eq!(selected(&app).as_deref(), Some("shop-web"));
    // A group that goes away while its header is selected: the row at its place is taken.
    let _ = key(&mut app, KeyCode::Char('G'));
    let _ = key(&mut app, KeyCode::Char('g'));
    let gone: Vec<Session> = more
        .into_iter()
        .filter(|s| s.group.as_ref().is_none_or(|g| g.name != "shop"))
        .collect();
    let _ = app.set_listing(listing(gone), SOURCES);
    assert_eq!(selected(&app).as_deref(), Some("lone"));
}

#[test]
fn x_on_a_header_asks_once_naming_every_member_and_stops_exactly_those() {
    let mut app = app();
    let _ = key(&mut app, KeyCode::Char('G'));
    // alpha, cache (pod), cache-redis, cache-warm, lone, shop (compose): the shop header.
    for _ in 0..5 {
        let _ = key(&mut app, KeyCode::Down);
    }
    assert!(app.selected_header().is_some());
    let hints = screen(&app, 120, 30);
    assert!(hints.contains("x stop all"), "{hints}");
    assert_eq!(key(&mut app, KeyCode::Char('x')), Effect::None);
    let shop = |n: &str| SessionId::container(Runtime::Podman, n);
    assert_eq!(
        app.mode,
        Mode::ConfirmMany(Op::Stop, vec![shop("shop-db"), shop("shop-web")])
    );
    let text = screen(&app, 100, 30);
    assert!(
        text.contains("Stop the 2 members of compose project shop?"),
        "{text}"
    );
    assert!(
        text.contains("• podman:shop-db") && text.contains("• podman:shop-web"),
        "{text}"
    );
    match key(&mut app, KeyCode::Char('y')) {
        Effect::RunMany(Op::Stop, targets) => {
            let names: Vec<&str> = targets.iter().map(|s| s.id.name.as_str()).collect();
            assert_eq!(names, ["shop-db", "shop-web"]);
        }
        other => panic!("not a bulk stop: {other:?}"),
    }
    // The header wins over marks: the marked session is not in the group's question.
    let _ = key(&mut app, KeyCode::Char('g'));
    let _ = key(&mut app, KeyCode::Char(' '));
    assert_eq!(app.marks.len(), 1);
    let _ = key(&mut app, KeyCode::Char('g'));
    for _ in 0..5 {
        let _ = key(&mut app, KeyCode::Down);
    }
    let _ = key(&mut app, KeyCode::Char('r'));
    assert_eq!(
        app.mode,
        Mode::ConfirmMany(Op::Restart, vec![shop("shop-db"), shop("shop-web")])
    );
    assert_eq!(key(&mut app, KeyCode::Char('n')), Effect::None);
    // Space on a header marks its members; again unmarks them.
    let _ = key(&mut app, KeyCode::Char(' '));
    assert_eq!(app.marks.len(), 3);
    let _ = key(&mut app, KeyCode::Char(' '));
    assert_eq!(app.marks.len(), 1);
    // `L` on a header: one merged log of its members, whatever is marked.
    match key(&mut app, KeyCode::Char('L')) {
        Effect::FollowMerged(members) => {
            let names: Vec<&str> = members.iter().map(|s| s.id.name.as_str()).collect();
            assert_eq!(names, ["shop-db", "shop-web"]);
        }
        other => panic!("no merged log: {other:?}"),
    }
    let _ = key(&mut app, KeyCode::Char('L'));
    // What acts on one session says so, and does nothing.
    assert_eq!(key(&mut app, KeyCode::Enter), Effect::None);
    let (msg, level) = app.message.clone().expect("a refusal");
    assert_eq!(level, Level::Error);
    assert!(
        msg.contains("compose project shop is a group") && msg.contains("s x X r act on all"),
        "{msg}"
    );
    assert_eq!(app.mode, Mode::Normal);
}

#[test]
fn the_group_key_is_remappable_and_in_the_help() {
    let mut o = BTreeMap::new();
    o.insert("group".to_string(), vec!["ctrl-g".to_string()]);
    let mut app = App::new(Keymap::new(&o).unwrap(), 100, false);
    let _ = app.set_listing(listing(sessions()), SOURCES);
    let _ = key(&mut app, KeyCode::Char('G'));
    assert!(!app.grouping.on);
    let _ = app.on_key(&KeyEvent::new(KeyCode::Char('g'), KeyModifiers::CONTROL));
    assert!(app.grouping.on);
    let _ = key(&mut app, KeyCode::Char('?'));
    let help = screen(&app, 120, 60);
    assert!(
        help.contains("Ctrl-g group: pod/compose") && help.contains("merged_log / group"),
        "{help}"
    );
}
