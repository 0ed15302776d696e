//! The log pane's search, filter and marks, driven by keys on an [`App`] and drawn on
//! ratatui's `TestBackend`: highlight colors on single cells, titles, context separators.
//! No backend, no terminal, no clock.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::style::Color;

use muxdeck::engine::{Listing, LogEvent, Source};
use muxdeck::model::{Runtime, Session, SessionId, State};
use muxdeck::tui::app::{App, Effect, Focus, Mode};
use muxdeck::tui::keys::Keymap;
use muxdeck::tui::ui;

const NOW: i64 = 1_717_200_000;

/// A listing of `ids`, all running.
fn running(ids: &[SessionId]) -> Listing {
    Listing {
        sessions: ids
            .iter()
            .map(|id| Session::new(id.clone(), State::Running))
            .collect(),
        health: Vec::new(),
        hosts: Vec::new(),
    }
}

fn app_with(lines: impl IntoIterator<Item = String>) -> App {
    let mut app = App::new(Keymap::new(&BTreeMap::new()).unwrap(), 200_000, false);
    let ids = [
        SessionId::tmux("work", "api"),
        SessionId::container(Runtime::Podman, "web"),
        SessionId::tmux("default", "zeta"),
    ];
    let _ = app.set_listing(running(&ids), &[]);
    app.settle();
    app.on_log(LogEvent::Lines(lines.into_iter().collect()));
    app
}

fn draw(app: &mut App, w: u16, h: u16) -> Buffer {
    while app.scan_logs() {}
    let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
    terminal
        .draw(|f| ui::render(app, &Source::ALL, NOW, f))
        .unwrap();
    terminal.backend().buffer().clone()
}

fn rows(buf: &Buffer) -> Vec<String> {
    let a = buf.area;
    (0..a.height)
        .map(|y| (0..a.width).map(|x| buf[(x, y)].symbol()).collect())
        .collect()
}

fn screen(buf: &Buffer) -> String {
    rows(buf).join("\n")
}

/// Column (in cells) and row of `needle`.
fn find(buf: &Buffer, needle: &str) -> Option<(u16, u16)> {
    let a = buf.area;
    for y in 0..a.height {
        let mut cells = Vec::new();
        for x in 0..a.width {
            let sym = buf[(x, y)].symbol();
            // A wide glyph's second cell is empty: skip it so text matches.
            if sym.is_empty() {
                continue;
            }
            cells.push((x, sym.to_string()));
        }
        for start in 0..cells.len() {
            let mut text = String::new();
            for (_, s) in &cells[start..] {
                text.push_str(s);
                if text.len() >= needle.len() {
                    break;
                }
            }
            if text.starts_with(needle) {
                return Some((cells[start].0, y));
            }
        }
    }
    None
}

fn must_find(buf: &Buffer, needle: &str) -> (u16, u16) {
    find(buf, needle).unwrap_or_else(|| panic!("{needle:?} not on screen:\n{}", screen(buf)))
}

fn row_of(buf: &Buffer, needle: &str) -> String {
    rows(buf)[usize::from(must_find(buf, needle).1)].clone()
}

fn key(app: &mut App, code: KeyCode) -> Effect {
    let m = match code {
        KeyCode::Char(c) if c.is_ascii_uppercase() => KeyModifiers::SHIFT,
        _ => KeyModifiers::NONE,
    };
    app.on_key(&KeyEvent::new(code, m))
}

fn type_text(app: &mut App, text: &str) {
    for c in text.chars() {
        let _ = key(app, KeyCode::Char(c));
    }
}

fn focus_logs(app: &mut App) {
    let _ = key(app, KeyCode::Tab);
    assert_eq!(app.focus, Focus::Logs);
}

#[test]
fn search_highlights_every_match_and_n_moves_the_current_one() {
    let mut app = app_with([
        "start".to_string(),
        "\x1b[31mERROR\x1b[0m disk full".to_string(),
        "plain error here".to_string(),
        "last".to_string(),
    ]);
    focus_logs(&mut app);
    let _ = key(&mut app, KeyCode::Char('/'));
    assert!(matches!(app.mode, Mode::LogPrompt(_)));
    type_text(&mut app, "error");
    let buf = draw(&mut app, 100, 30);
    // Incremental: highlighted while typing, with the count and a cursor.
    assert!(
        row_of(&buf, " logs · ").contains("search: error\u{258f} 2/2"),
        "{}",
        screen(&buf)
    );
    let _ = key(&mut app, KeyCode::Enter);
    assert_eq!(app.mode, Mode::Normal);
    let buf = draw(&mut app, 100, 30);
    assert!(
        row_of(&buf, " logs · ").contains("search: error 2/2"),
        "{}",
        screen(&buf)
    );
    // Smart case: ERROR matches. Its red stays under the highlight's background? The
    // highlight sets both, on exactly the matched cells.
    let (x, y) = must_find(&buf, "ERROR disk");
    for i in 0..5 {
        assert_eq!(buf[(x + i, y)].bg, Color::Yellow, "{:?}", buf[(x + i, y)]);
    }
    assert_eq!(buf[(x + 5, y)].bg, Color::Reset);
    // The current match (nearest the bottom) stands out.
    let (x, y) = must_find(&buf, "error here");
    assert_eq!(buf[(x, y)].bg, Color::LightRed);
    assert_eq!(buf[(x + 5, y)].bg, Color::Reset);
    assert_eq!(buf[(x - 1, y)].bg, Color::Reset);
    // N: the previous match becomes current, following pauses.
    let _ = key(&mut app, KeyCode::Char('N'));
    assert!(!app.log.follow);
    let buf = draw(&mut app, 100, 30);
    let title = row_of(&buf, " logs · ");
    assert!(title.contains("search: error 1/2"), "{title}");
    assert!(title.contains("paused"), "{title}");
    let (x, y) = must_find(&buf, "ERROR disk");
    assert_eq!(buf[(x, y)].bg, Color::LightRed);
    // n wraps past the newest back... n from 1 goes to 2.
    let _ = key(&mut app, KeyCode::Char('n'));
    assert_eq!(app.log.tools.search.position(), (2, 2));
    // f follows again.
    let _ = key(&mut app, KeyCode::Char('f'));
    assert!(app.log.follow);
    // Esc clears the search.
    let _ = key(&mut app, KeyCode::Esc);
    let buf = draw(&mut app, 100, 30);
    assert!(!row_of(&buf, " logs · ").contains("search"));
    let (x, y) = must_find(&buf, "error here");
    assert_eq!(buf[(x, y)].bg, Color::Reset);
}

#[test]
fn highlight_is_aligned_on_wide_characters_and_never_matches_escapes() {
    let mut app = app_with([
        "日本語 \x1b[32mgreen 31m\x1b[0m end".to_string(),
        "\x1b[31mred\x1b[0m".to_string(),
    ]);
    focus_logs(&mut app);
    let _ = key(&mut app, KeyCode::Char('/'));
    type_text(&mut app, "31m");
    let _ = key(&mut app, KeyCode::Enter);
    let buf = draw(&mut app, 100, 30);
    // Only the visible "31m", not the one inside `\x1b[31m`.
    assert!(row_of(&buf, " logs · ").contains("1/1"), "{}", screen(&buf));
    let (x, y) = must_find(&buf, "31m end");
    for i in 0..3 {
        assert_eq!(buf[(x + i, y)].bg, Color::LightRed, "cell {i}");
    }
    // Three wide characters take six cells: the match sits after them and `green`.
    let (gx, _) = must_find(&buf, "green");
    assert_eq!(x, gx + 6);
    assert_eq!(buf[(gx, y)].fg, Color::Green);
    assert_eq!(buf[(gx, y)].bg, Color::Reset);
    let (rx, ry) = must_find(&buf, "red");
    assert_eq!(buf[(rx, ry)].bg, Color::Reset);
}

#[test]
fn an_invalid_regex_is_searched_as_text_and_says_so() {
    let mut app = app_with(["call f(x".to_string(), "fx".to_string()]);
    focus_logs(&mut app);
    let _ = key(&mut app, KeyCode::Char('/'));
    type_text(&mut app, "f(x");
    let _ = key(&mut app, KeyCode::Enter);
    let buf = draw(&mut app, 100, 30);
    let title = row_of(&buf, " logs · ");
    assert!(
        title.contains("search: f(x 1/1 (not a regex: as text)"),
        "{title}"
    );
    let msg = app.message.clone().unwrap().0;
    assert!(msg.contains("not a valid regex"), "{msg}");
}

fn numbered() -> Vec<String> {
    (1..=20)
        .map(|i| {
            if i == 5 || i == 15 {
                format!("\x1b[33mhit\x1b[0m {i}")
            } else {
                format!("line {i}")
            }
        })
        .collect()
}

#[test]
fn filter_with_context_separators_invert_and_esc() {
    let mut app = app_with(numbered());
    focus_logs(&mut app);
    let _ = key(&mut app, KeyCode::Char('&'));
    type_text(&mut app, "hit");
    let _ = key(&mut app, KeyCode::Enter);
    let buf = draw(&mut app, 100, 30);
    assert!(
        row_of(&buf, " logs · ").contains("filter: hit 2 of 20 lines"),
        "{}",
        screen(&buf)
    );
    assert!(find(&buf, "line 4").is_none());
    let (x, y) = must_find(&buf, "hit 5");
    assert_eq!(buf[(x, y)].bg, Color::Cyan, "the filter's match is marked");
    assert_eq!(buf[(x, y)].fg, Color::Black);
    // C: two lines of context, groups split by `--`.
    let _ = key(&mut app, KeyCode::Char('C'));
    let buf = draw(&mut app, 100, 30);
    let text = screen(&buf);
    assert!(
        row_of(&buf, " logs · ").contains("2 of 20 lines · context 2"),
        "{text}"
    );
    let (_, l3) = must_find(&buf, "line 3");
    let (_, l7) = must_find(&buf, "line 7");
    let (_, l13) = must_find(&buf, "line 13");
    assert_eq!(l7, l3 + 4);
    assert!(rows(&buf)[usize::from(l7 + 1)].contains("│--"), "{text}");
    assert_eq!(l13, l7 + 2);
    assert!(find(&buf, "line 8").is_none());
    // Context lines are not marked as matches.
    let (x, y) = must_find(&buf, "line 4");
    assert_eq!(buf[(x, y)].bg, Color::Reset);
    // C again: 5, then back to 0.
    let _ = key(&mut app, KeyCode::Char('C'));
    assert_eq!(app.log.tools.filter.context, 5);
    let _ = key(&mut app, KeyCode::Char('C'));
    assert_eq!(app.log.tools.filter.context, 0);
    // `!` inverts.
    let _ = key(&mut app, KeyCode::Char('&'));
    let _ = key(&mut app, KeyCode::Home);
    for _ in 0..3 {
        let _ = key(&mut app, KeyCode::Backspace);
    }
    type_text(&mut app, "!hit");
    let _ = key(&mut app, KeyCode::Enter);
    let buf = draw(&mut app, 100, 30);
    assert!(
        row_of(&buf, " logs · ").contains("filter: !hit 18 of 20 lines"),
        "{}",
        screen(&buf)
    );
    assert!(find(&buf, "hit 5").is_none());
    // Lines arriving later are filtered too.
    app.log
        .buffer
        .extend(["hit 21".to_string(), "line 22".to_string()]);
    let buf = draw(&mut app, 100, 30);
    assert!(
        row_of(&buf, " logs · ").contains("19 of 22 lines"),
        "{}",
        screen(&buf)
    );
    assert!(find(&buf, "line 22").is_some());
    assert!(find(&buf, "hit 21").is_none());
    // Esc: a search first, then the filter.
    let _ = key(&mut app, KeyCode::Char('/'));
    type_text(&mut app, "line");
    let _ = key(&mut app, KeyCode::Enter);
    let _ = key(&mut app, KeyCode::Esc);
    assert!(!app.log.tools.search.is_on());
    assert!(app.log.tools.filter.is_on());
    let _ = key(&mut app, KeyCode::Esc);
    assert!(!app.log.tools.filter.is_on());
    let buf = draw(&mut app, 100, 30);
    assert!(find(&buf, "hit 5").is_some());
}

#[test]
fn slash_filters_the_list_when_the_list_has_the_focus() {
    let mut app = app_with(numbered());
    assert_eq!(app.focus, Focus::List);
    let _ = key(&mut app, KeyCode::Char('/'));
    assert_eq!(app.mode, Mode::Filter);
    type_text(&mut app, "web");
    assert_eq!(app.filter, "web");
    assert!(!app.log.tools.search.is_on());
}

#[test]
fn log_keys_are_remappable() {
    let mut o = BTreeMap::new();
    o.insert("search".to_string(), vec!["ctrl-f".to_string()]);
    o.insert("next".to_string(), vec!["]".to_string()]);
    let mut app = App::new(Keymap::new(&o).unwrap(), 100, false);
    app.log
        .buffer
        .extend(["a x".to_string(), "b x".to_string()]);
    focus_logs(&mut app);
    // `/` no longer searches the log (it is the list's filter key, read everywhere).
    let _ = key(&mut app, KeyCode::Char('/'));
    assert_eq!(app.mode, Mode::Filter);
    let _ = key(&mut app, KeyCode::Esc);
    let _ = app.on_key(&KeyEvent::new(KeyCode::Char('f'), KeyModifiers::CONTROL));
    assert!(matches!(app.mode, Mode::LogPrompt(_)));
    type_text(&mut app, "x");
    let _ = key(&mut app, KeyCode::Enter);
    while app.scan_logs() {}
    let _ = key(&mut app, KeyCode::Char(']'));
    assert_eq!(app.log.tools.search.position(), (1, 2));
}

#[test]
fn marks_survive_refreshes_and_reordering_and_show_in_the_list() {
    let mut app = app_with(Vec::new());
    // The list is in id order (zeta, api, web); space marks and moves to the next row.
    let _ = key(&mut app, KeyCode::Char(' '));
    let _ = key(&mut app, KeyCode::Char(' '));
    let buf = draw(&mut app, 100, 30);
    assert!(
        row_of(&buf, " sessions ").contains("2 marked"),
        "{}",
        screen(&buf)
    );
    // Re-listed in another order and with one more session: the same two stay marked.
    let ids = [
        SessionId::tmux("default", "zeta"),
        SessionId::tmux("default", "aaa"),
        SessionId::container(Runtime::Podman, "web"),
        SessionId::tmux("work", "api"),
    ];
    let _ = app.set_listing(running(&ids), &[]);
    let buf = draw(&mut app, 100, 30);
    assert!(
        row_of(&buf, " sessions ").contains("2 marked"),
        "{}",
        screen(&buf)
    );
    let marked: Vec<String> = app
        .marks
        .among(&app.sessions)
        .iter()
        .map(|s| s.id.name.clone())
        .collect();
    assert_eq!(marked, ["zeta", "api"]);
    assert!(row_of(&buf, "zeta").contains("● zeta"), "{}", screen(&buf));
    assert!(!row_of(&buf, "aaa").contains('●'));
    // Unmark.
    app.selected = Some(SessionId::tmux("default", "zeta"));
    let _ = key(&mut app, KeyCode::Char(' '));
    let buf = draw(&mut app, 100, 30);
    assert!(
        row_of(&buf, " sessions ").contains("1 marked"),
        "{}",
        screen(&buf)
    );
}

#[test]
fn a_catastrophic_search_over_100000_lines_is_done_in_bounded_steps() {
    let line = format!("{}b", "a".repeat(119));
    let mut app = app_with((0..100_000).map(|_| line.clone()));
    focus_logs(&mut app);
    let _ = key(&mut app, KeyCode::Char('&'));
    type_text(&mut app, "(a+)+$");
    // Each step reads a bounded part: several steps, none long.
    let mut steps = 1;
    let mut slowest = Duration::ZERO;
    loop {
        let t = Instant::now();
        let more = app.scan_logs();
        slowest = slowest.max(t.elapsed());
        if !more {
            break;
        }
        steps += 1;
        assert!(steps < 1000);
    }
    assert!(steps >= 5, "{steps} steps");
    // Generous for a debug build on a busy machine; the bench measures the real figure.
    assert!(slowest < Duration::from_secs(2), "{slowest:?}");
    let _ = key(&mut app, KeyCode::Enter);
    let buf = draw(&mut app, 100, 30);
    assert!(
        row_of(&buf, " logs · ").contains("0 of 100000 lines"),
        "{}",
        screen(&buf)
    );
    assert!(
        screen(&buf).contains("no line matches the filter"),
        "{}",
        screen(&buf)
    );
}

#[test]
fn save_takes_what_the_filter_shows_as_plain_text() {
    let mut app = app_with(numbered());
    app.selected = Some(SessionId::tmux("work", "api"));
    app.log.id = app.selected.clone();
    focus_logs(&mut app);
    let _ = key(&mut app, KeyCode::Char('&'));
    type_text(&mut app, "hit");
    let _ = key(&mut app, KeyCode::Enter);
    while app.scan_logs() {}
    let effect = app.on_key(&KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL));
    let Effect::SaveLog(req) = effect else {
        panic!("{effect:?}");
    };
    assert_eq!(req.text, "hit 5\nhit 15\n");
    assert_eq!(req.lines, 2);
    assert_eq!(req.name, "tmux@work:api");
}

#[test]
fn save_with_ansi_keeps_each_lines_colors_and_ends_them_with_the_line() {
    let mut app = app_with([
        "\x1b[31mERROR\x1b[0m boom".to_string(),
        "plain line".to_string(),
        // A color left open: the pane stops it at the line's end, so does the file.
        "\x1b[1;32mopen green".to_string(),
    ]);
    app.on_log(LogEvent::Skipped(3));
    app.selected = Some(SessionId::tmux("work", "api"));
    app.log.id = app.selected.clone();
    app.save_style = muxdeck::config::SaveStyle::Ansi;
    focus_logs(&mut app);
    let effect = app.on_key(&KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL));
    let Effect::SaveLog(req) = effect else {
        panic!("{effect:?}");
    };
    assert_eq!(
        req.text,
        "\x1b[31mERROR\x1b[0m boom\x1b[0m\nplain line\n\x1b[1;32mopen green\x1b[0m\n\
         … 3 lines skipped (output too fast) …\n"
    );
    assert_eq!(req.lines, 4);
    // Plain again: the same pane without a single escape.
    app.save_style = muxdeck::config::SaveStyle::Plain;
    let Effect::SaveLog(req) =
        app.on_key(&KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL))
    else {
        panic!("no save");
    };
    assert!(!req.text.contains('\x1b'), "{:?}", req.text);
    assert!(req.text.starts_with("ERROR boom\nplain line\nopen green\n"));
}

#[test]
fn y_copies_the_current_match_or_the_lines_on_screen() {
    let mut app = app_with(numbered());
    focus_logs(&mut app);
    let _ = draw(&mut app, 100, 40);
    app.set_pane_heights(3, 5);
    // No search: the five lines the pane shows.
    let Effect::Copy { text, lines } = key(&mut app, KeyCode::Char('y')) else {
        panic!("no copy");
    };
    assert_eq!(lines, 5);
    assert_eq!(text, "line 16\nline 17\nline 18\nline 19\nline 20\n");
    // With a current match: its line alone, without colors.
    let _ = key(&mut app, KeyCode::Char('/'));
    type_text(&mut app, "hit");
    let _ = key(&mut app, KeyCode::Enter);
    let Effect::Copy { text, lines } = key(&mut app, KeyCode::Char('y')) else {
        panic!("no copy");
    };
    assert_eq!((text.as_str(), lines), ("hit 15\n", 1));
}

#[test]
fn since_keys_reload_the_pane_reaching_back_and_tmux_says_it_keeps_no_times() {
    let mut app = app_with(numbered());
    focus_logs(&mut app);
    let effect = key(&mut app, KeyCode::Char('3'));
    assert!(matches!(effect, Effect::Follow(Some(_))), "{effect:?}");
    // The pane starts over for the reload.
    assert!(app.log.buffer.is_empty());
    let (window, all) = app.log.since.window();
    assert_eq!(window.since, Some(Duration::from_secs(7200)));
    assert!(all);
    let msg = app.message.clone().unwrap().0;
    assert!(msg.contains("tmux keeps no times"), "{msg}");
    let buf = draw(&mut app, 100, 30);
    assert!(
        row_of(&buf, " logs · ").contains("· last 2h"),
        "{}",
        screen(&buf)
    );
    let _ = key(&mut app, KeyCode::Char('5'));
    assert_eq!(app.log.since.label().as_deref(), Some("all kept"));
    let _ = key(&mut app, KeyCode::Char('0'));
    assert_eq!(app.log.since.label(), None);
    assert_eq!(app.log.since.window(), (Default::default(), false));
}

#[test]
fn the_scan_matches_plain_text_without_converting_lines() {
    use muxdeck::logs::{LogBuffer, LogEntry};
    use muxdeck::tui::logtools::{SCAN_BUDGET_BYTES, Search};
    let mut b = LogBuffer::new(10);
    b.extend(["\x1b[31mred\x1b[0m".to_string(), "31m plain".to_string()]);
    let mut s = Search::default();
    s.set_text("31m".into());
    assert!(s.advance(&b, SCAN_BUDGET_BYTES));
    assert_eq!(s.scan.hits().iter().copied().collect::<Vec<_>>(), [1]);
    let Some(LogEntry::Line(l)) = b.get(0) else {
        panic!("a line");
    };
    assert!(
        !l.is_converted(),
        "the scan converted a line it only matched"
    );
}

/// Which of the buffer's lines are converted, as `1` / `.` from the oldest.
fn converted(app: &App) -> String {
    use muxdeck::logs::LogEntry;
    app.log
        .buffer
        .entries()
        .map(|e| match e {
            LogEntry::Line(l) if l.is_converted() => '1',
            _ => '.',
        })
        .collect()
}

#[test]
fn the_loop_converts_the_lines_in_view_and_a_page_around_them_once() {
    use muxdeck::logs::LogEntry;
    let lines: Vec<String> = (0..40)
        .map(|i| format!("\x1b[32mline\x1b[0m {i}"))
        .collect();
    let mut app = app_with(lines);
    focus_logs(&mut app);
    app.set_pane_heights(3, 5);
    assert_eq!(converted(&app), ".".repeat(40), "pushing converts nothing");
    // At the bottom: the 5 lines shown and 5 more above.
    app.convert_shown_logs();
    assert_eq!(
        converted(&app),
        format!("{}{}", ".".repeat(30), "1".repeat(10))
    );
    let text_at = |app: &App, i: usize| match app.log.buffer.get(i) {
        Some(LogEntry::Line(l)) => l.styled().map(|s| s.text().as_ptr()),
        _ => None,
    };
    let kept = text_at(&app, 39);
    // Scrolled up 15: the view ends at line 25; lines 15..30 converted, the rest kept.
    app.log.scroll = 15;
    app.convert_shown_logs();
    assert_eq!(
        converted(&app),
        format!("{}{}", ".".repeat(15), "1".repeat(25))
    );
    assert!(kept.is_some());
    assert_eq!(
        text_at(&app, 39),
        kept,
        "a converted line was converted again"
    );
    // The screen draws them as converted, in color.
    app.log.scroll = 0;
    let buf = draw(&mut app, 60, 20);
    let (x, y) = find(&buf, "line 39").unwrap();
    assert_eq!(buf[(x, y)].fg, Color::Green);
}

#[test]
fn with_a_filter_the_rows_shown_are_converted_wherever_they_are() {
    let lines: Vec<String> = (0..60)
        .map(|i| {
            if i % 10 == 3 {
                format!("\x1b[31mhit\x1b[0m {i}")
            } else {
                format!("line {i}")
            }
        })
        .collect();
    let mut app = app_with(lines);
    focus_logs(&mut app);
    app.set_pane_heights(3, 2);
    let _ = key(&mut app, KeyCode::Char('&'));
    type_text(&mut app, "hit");
    let _ = key(&mut app, KeyCode::Enter);
    while app.scan_logs() {}
    app.convert_shown_logs();
    // Six rows of hits (3, 13, ..., 53); the last 2 shown and 2 more above: 23..53.
    let want: String = (0..60)
        .map(|i| if i % 10 == 3 && i >= 23 { '1' } else { '.' })
        .collect();
    assert_eq!(converted(&app), want);
}

#[test]
fn an_ansi_save_of_drawn_lines_reads_back_as_the_same_lines() {
    use muxdeck::logs::StyledLine;
    let raw = [
        "\x1b[2m12:00:01\x1b[0m \x1b[31mERROR\x1b[0m \x1b[3mpath\x1b[0m\x1b[2m=\x1b[0m/x"
            .to_string(),
        "plain line".to_string(),
        "\x1b[1;32mopen green".to_string(),
        "\x1b[38;5;208morange\x1b[39m back \x1b[48;2;1;2;3mrgb".to_string(),
    ];
    let mut app = app_with(raw.clone());
    app.selected = Some(SessionId::tmux("work", "api"));
    app.log.id = app.selected.clone();
    app.save_style = muxdeck::config::SaveStyle::Ansi;
    focus_logs(&mut app);
    app.convert_shown_logs();
    assert_eq!(converted(&app), "1111");
    let effect = app.on_key(&KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL));
    let Effect::SaveLog(req) = effect else {
        panic!("{effect:?}");
    };
    let saved: Vec<&str> = req.text.lines().collect();
    assert_eq!(saved.len(), raw.len(), "{:?}", req.text);
    // A logger's line comes back byte for byte, closed as a line not drawn yet is.
    assert_eq!(saved[0], format!("{}\x1b[0m", raw[0]));
    assert_eq!(saved[1], "plain line");
    for (saved, raw) in saved.iter().zip(&raw) {
        let cells = |l: &StyledLine| -> Vec<(char, Option<Color>, Option<Color>, bool)> {
            l.line()
                .spans
                .iter()
                .flat_map(|s| {
                    let fg = s.style.fg.filter(|c| *c != Color::Reset);
                    let bg = s.style.bg.filter(|c| *c != Color::Reset);
                    let bold = s
                        .style
                        .add_modifier
                        .contains(ratatui::style::Modifier::BOLD);
                    s.content.chars().map(move |c| (c, fg, bg, bold))
                })
                .collect()
        };
        let again = StyledLine::from_ansi((*saved).to_string());
        let first = StyledLine::from_ansi(raw.clone());
        assert_eq!(cells(&again), cells(&first), "{raw:?} saved as {saved:?}");
        // Each line ends with no style left on.
        let after = StyledLine::from_ansi(format!("{saved}z"));
        assert_eq!(
            cells(&after).last(),
            Some(&('z', None, None, false)),
            "{saved:?}"
        );
    }
}
