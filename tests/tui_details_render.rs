//! Render tests of the details pane (container facts with masked secrets, the tmux tree,
//! sparklines), the CPU / MEM columns and the sort indicator, on ratatui's `TestBackend`
//! from a fixed app state. No backend, no clock.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;

use muxdeck::details::{
    ContainerDetails, Details, MASK, PaneInfo, TmuxDetails, WindowInfo, env_vars,
};
use muxdeck::engine::{Listing, Source, UsageMap};
use muxdeck::model::{Runtime, Session, SessionId, State};
use muxdeck::stats::Usage;
use muxdeck::tui::app::App;
use muxdeck::tui::keys::{Action, Keymap};
use muxdeck::tui::ui;

const NOW: i64 = 1_717_200_000;

fn app() -> App {
    App::new(Keymap::new(&BTreeMap::new()).unwrap(), 100, false)
}

fn draw(app: &App, w: u16, h: u16) -> Buffer {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| ui::render(app, &Source::ALL, NOW, f)).unwrap();
    t.backend().buffer().clone()
}

fn lines(buf: &Buffer) -> Vec<String> {
    (0..buf.area.height)
        .map(|y| (0..buf.area.width).map(|x| buf[(x, y)].symbol()).collect())
        .collect()
}

fn screen(buf: &Buffer) -> String {
    lines(buf).join("\n")
}

fn row_of(buf: &Buffer, needle: &str) -> String {
    lines(buf)
        .into_iter()
        .find(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("{needle:?} is not on screen:\n{}", screen(buf)))
}

fn sessions() -> Vec<Session> {
    let mut web = Session::new(SessionId::container(Runtime::Podman, "web"), State::Running);
    web.created = Some(NOW - 600);
    web.image = Some("busybox:1.36".into());
    web.backend_id = Some("cafe0123456789".into());
    let mut api = Session::new(SessionId::tmux("default", "api"), State::Running);
    api.created = Some(NOW - 60);
    api.pid = Some(4242);
    let mut old = Session::new(SessionId::tmux("default", "old"), State::Exited(Some(1)));
    old.created = Some(NOW - 9000);
    vec![api, old, web]
}

fn listed() -> App {
    let mut a = app();
    let _ = a.set_listing(
        Listing {
            sessions: sessions(),
            health: Vec::new(),
            hosts: Vec::new(),
        },
        &[],
    );
    a
}

fn usage(cpu: f64, mem: u64) -> Usage {
    Usage {
        cpu_percent: Some(cpu),
        memory_bytes: Some(mem),
    }
}

#[test]
fn cpu_and_mem_columns_show_figures_and_blanks() {
    let mut a = listed();
    let mut u = UsageMap::new();
    u.insert(
        SessionId::tmux("default", "api"),
        usage(12.5, 300 * 1024 * 1024),
    );
    a.set_usage(u);
    let buf = draw(&a, 100, 20);
    let header = row_of(&buf, "NAME");
    assert!(header.contains("CPU") && header.contains("MEM"), "{header}");
    let api = row_of(&buf, "api");
    assert!(api.contains("12%") && api.contains("300M"), "{api}");
    // A running container not measured shows –; an exited session shows nothing.
    assert!(row_of(&buf, "web").contains('–'), "{}", screen(&buf));
    assert!(!row_of(&buf, "old").contains('–'));
    // `c` hides them; a narrow list never shows them.
    let _ = a.act(Action::Stats);
    assert!(!row_of(&draw(&a, 100, 20), "NAME").contains("CPU"));
    let _ = a.act(Action::Stats);
    assert!(!row_of(&draw(&a, 60, 20), "NAME").contains("CPU"));
}

#[test]
fn sort_indicator_and_selection_follow_the_key() {
    let mut a = listed();
    let mut u = UsageMap::new();
    u.insert(SessionId::tmux("default", "api"), usage(1.0, 100));
    u.insert(
        SessionId::container(Runtime::Podman, "web"),
        usage(50.0, 9_000_000),
    );
    a.set_usage(u);
    let web = SessionId::container(Runtime::Podman, "web");
    let _ = a.act(Action::Down);
    let _ = a.act(Action::Down);
    assert_eq!(a.selected.as_ref(), Some(&web));
    // name → backend → state → cpu → mem
    for _ in 0..4 {
        let _ = a.act(Action::Sort);
    }
    let buf = draw(&a, 100, 20);
    assert!(row_of(&buf, "NAME").contains("MEM▼"), "{}", screen(&buf));
    assert_eq!(a.visible()[0].id, web, "largest memory first");
    assert_eq!(
        a.selected.as_ref(),
        Some(&web),
        "the selection stays on its session"
    );
    assert_eq!(a.selected_index(), Some(0));
    let _ = a.act(Action::SortReverse);
    let buf = draw(&a, 100, 20);
    assert!(row_of(&buf, "NAME").contains("MEM▲"));
    assert_eq!(a.visible().last().unwrap().id, web);
    assert_eq!(a.selected.as_ref(), Some(&web));
    // Back to the listing's order: no arrow on NAME while it is not reversed.
    let _ = a.act(Action::SortReverse);
    let _ = a.act(Action::Sort);
    let _ = a.act(Action::Sort);
    let header = row_of(&draw(&a, 100, 20), "NAME");
    assert!(!header.contains('▲') && !header.contains('▼'), "{header}");
}

#[test]
fn details_pane_shows_a_container_with_secrets_masked() {
    let mut a = listed();
    let web = SessionId::container(Runtime::Podman, "web");
    while a.selected.as_ref() != Some(&web) {
        let _ = a.act(Action::Down);
    }
    let _ = a.act(Action::Details);
    assert_eq!(a.details_wanted().map(|s| s.id.clone()), Some(web.clone()));
    a.details_started(web.clone());
    assert!(a.details_wanted().is_none(), "asked once while in flight");
    let buf = draw(&a, 100, 40);
    assert!(screen(&buf).contains("loading…"));
    let d = ContainerDetails {
        id: "cafe0123456789abcdef".into(),
        image: Some("busybox:1.36".into()),
        command: vec!["sh".into(), "-c".into(), "sleep 600".into()],
        state: "running".into(),
        created: Some(NOW - 600),
        started: Some(NOW - 590),
        ports: vec!["8080:80/tcp".into()],
        project: Some("shop".into()),
        env: env_vars(&["API_TOKEN=s3cret".into(), "PLAIN=visible".into()], false),
        ..ContainerDetails::default()
    };
    a.set_details(web.clone(), Ok(Some(Details::Container(Box::new(d)))));
    let mut u = UsageMap::new();
    u.insert(web.clone(), usage(3.0, 2_000_000));
    a.set_usage(u);
    let buf = draw(&a, 120, 40);
    let text = screen(&buf);
    assert!(text.contains("details: podman:web"), "{text}");
    assert!(text.contains("cafe01234567"), "{text}");
    assert!(text.contains("sh -c 'sleep 600'"), "{text}");
    assert!(text.contains("8080:80/tcp"), "{text}");
    assert!(text.contains("project  shop"), "{text}");
    assert!(text.contains(&format!("API_TOKEN={MASK}")), "{text}");
    assert!(!text.contains("s3cret"), "{text}");
    assert!(text.contains("PLAIN=visible"), "{text}");
    assert!(text.contains("created 10m ago"), "{text}");
    // Sparklines with the newest figures.
    assert!(text.contains("CPU   3.0%"), "{text}");
    assert!(text.contains("MEM   1.9M"), "{text}");
    // `i` closes it.
    let _ = a.act(Action::Details);
    assert!(!screen(&draw(&a, 120, 40)).contains("details: podman:web"));
}

/// `api`'s windows: `0: editor` (active) with `vim` and `cargo` (active), `1: logs` with
/// `tail`.
fn api_tree() -> TmuxDetails {
    let pane = |id: &str, index: u32, active: bool, cmd: &str| PaneInfo {
        id: id.into(),
        index,
        active,
        command: cmd.into(),
        cwd: "/srv".into(),
        pid: Some(100 + index),
        width: 80,
        height: 24,
        dead: false,
    };
    TmuxDetails {
        socket_path: "/tmp/tmux-0/default".into(),
        session_id: "$3".into(),
        created: Some(NOW - 60),
        attached_clients: 2,
        windows: vec![
            WindowInfo {
                index: 0,
                id: "@0".into(),
                name: "editor".into(),
                active: true,
                panes: vec![pane("%1", 0, false, "vim"), pane("%2", 1, true, "cargo")],
            },
            WindowInfo {
                index: 1,
                id: "@4".into(),
                name: "logs".into(),
                active: false,
                panes: vec![pane("%5", 0, true, "tail")],
            },
        ],
    }
}

#[test]
fn details_pane_shows_the_tmux_tree() {
    let mut a = listed();
    let _ = a.act(Action::Details);
    let d = api_tree();
    let api = SessionId::tmux("default", "api");
    a.set_details(api, Ok(Some(Details::Tmux(d))));
    // Narrow: the pane goes above the log.
    let buf = draw(&a, 90, 40);
    let text = screen(&buf);
    assert!(text.contains("/tmp/tmux-0/default"), "{text}");
    assert!(text.contains("clients  2"), "{text}");
    assert!(text.contains("0: editor *"), "{text}");
    assert!(row_of(&buf, "%1").contains("├"), "{text}");
    assert!(row_of(&buf, "%2").contains("└") && row_of(&buf, "%2").contains("cargo"));
    assert!(row_of(&buf, "%2").contains("pid 101") && row_of(&buf, "%2").contains("80x24"));
    assert!(text.contains("1: logs"), "{text}");
    let (details_y, logs_y) = (
        lines(&buf)
            .iter()
            .position(|l| l.contains("details: tmux:api"))
            .unwrap(),
        lines(&buf)
            .iter()
            .position(|l| l.contains(" logs"))
            .unwrap(),
    );
    assert!(details_y < logs_y, "{text}");
    // An error says why, on one line.
    a.set_details(
        SessionId::tmux("default", "api"),
        Err("tmux did not answer".into()),
    );
    assert!(screen(&draw(&a, 120, 40)).contains("tmux did not answer"));
}

#[test]
fn an_unfolded_tmux_session_shows_its_windows_and_panes_as_a_tree_in_the_list() {
    let mut a = listed();
    let api = SessionId::tmux("default", "api");
    assert_eq!(a.selected, Some(api.clone()));
    // The hint bar offers the key on a tmux session, and folding once it is unfolded.
    assert!(row_of(&draw(&a, 120, 30), "→ windows").contains("Space mark"));
    let _ = a.act(Action::Expand);
    assert!(row_of(&draw(&a, 120, 30), "← fold").contains("Space mark"));
    let due: Vec<SessionId> = a.trees_due().into_iter().map(|s| s.id).collect();
    assert_eq!(due, std::slice::from_ref(&api));
    let _ = a.set_tree(&api, Ok(Some(Details::Tmux(api_tree()))));
    // Down to the pane of the window that is not the active one.
    for _ in 0..5 {
        let _ = a.act(Action::Down);
    }
    let buf = draw(&a, 120, 30);
    let text = screen(&buf);
    let list: Vec<String> = lines(&buf)
        .into_iter()
        .skip(2)
        .take(8)
        .map(|l| l.trim_end().to_string())
        .collect();
    let starts = [
        "│▾ api ",
        "│├─ 0: editor* ",
        "││  ├─ 0: vim ",
        "││  └─ 1: cargo* ",
        "│└─ 1: logs ",
        "│   └─ 0: tail* ",
        "│old ",
        "│web ",
    ];
    for (row, start) in list.iter().zip(starts) {
        assert!(
            row.starts_with(start),
            "{row:?} should start with {start:?}:\n{text}"
        );
    }
    assert!(list[1].contains("2 panes"), "{text}");
    assert!(list[4].contains("1 pane "), "{text}");
    assert!(list[2].contains("%1  /srv  80x24  pid 100"), "{text}");
    assert!(list[5].contains("%5  /srv  80x24  pid 100"), "{text}");
    // The selection bar is on the pane row, and only there.
    let bar = |y: u16| buf[(3, y)].bg;
    assert_eq!(bar(2 + 5), ratatui::style::Color::Indexed(237), "{text}");
    assert_ne!(bar(2 + 4), bar(2 + 5), "{text}");
    assert_ne!(bar(2), bar(2 + 5), "{text}");
    // The log pane says which pane it follows.
    let title = row_of(&buf, " logs · ");
    assert!(
        title.contains("logs · tmux:api · pane %5 (window 1, 0: tail)"),
        "{title}"
    );
    // Folding puts the session back on one row, selected.
    let _ = a.act(Action::Fold);
    let text = screen(&draw(&a, 120, 30));
    assert!(!text.contains("editor"), "{text}");
    assert!(row_of(&draw(&a, 120, 30), "api").contains("api"), "{text}");
}
