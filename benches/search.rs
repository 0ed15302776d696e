//! The log pane's search and filter over a full 100 000-line pane of colored 120-column
//! lines: a keystroke typed into the search or filter plus the frame drawn after it, as the
//! loop draws it (what a person waits for), and a whole scan of the pane (which the loop
//! spreads over frames), for a literal word, a regex, an inverted filter and a
//! catastrophic pattern. Criterion gives means; the target is a 99th percentile, so
//! `pane_figures` also times 200 keystrokes of each case and prints p50 / p99 / max, and
//! prints what the 100 000-line pane costs in memory (RSS grown, as pushed and with every
//! line converted for drawing).
//!
//! Run with `cargo bench --bench search` (add `-- --quick` for a short run, `-- pane` for
//! `pane_figures` alone: the other groups are filtered out by name).

use std::collections::BTreeMap;
use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::layout::Rect;

use muxdeck::engine::{LogEvent, Source};
use muxdeck::tui::app::App;
use muxdeck::tui::keys::Keymap;
use muxdeck::tui::ui;

const LINES: usize = 100_000;

/// A normalized colored logger line, about 120 columns of text.
fn colored(i: usize) -> String {
    let (level, color) = match i % 4 {
        0 => ("ERROR", "31"),
        1 => (" WARN", "33"),
        2 => (" INFO", "32"),
        _ => ("DEBUG", "34"),
    };
    format!(
        "\x1b[2m2024-05-01T12:00:{:02}.{:03}Z\x1b[0m \x1b[{color}m{level}\x1b[0m \
         \x1b[2mserver::http:\x1b[0m request handled \x1b[3mmethod\x1b[0m\x1b[2m=\x1b[0mGET \
         \x1b[3mpath\x1b[0m\x1b[2m=\x1b[0m/api/v1/items/{i:06} \x1b[3mstatus\x1b[0m\x1b[2m=\x1b[0m{}",
        i % 60,
        i % 1000,
        if i.is_multiple_of(97) { 500 } else { 200 }
    )
}

fn key(app: &mut App, code: KeyCode) {
    let _ = app.on_key(&KeyEvent::new(code, KeyModifiers::NONE));
}

/// A full pane with the log focused and `prompt` (`/` or `&`) opened with `text` but its
/// last character.
fn app_typing(prompt: char, text: &str) -> App {
    let Ok(keymap) = Keymap::new(&BTreeMap::new()) else {
        panic!("the default keymap is valid");
    };
    let mut app = App::new(keymap, LINES, false);
    app.on_log(LogEvent::Lines((0..LINES).map(colored).collect()));
    key(&mut app, KeyCode::Tab);
    key(&mut app, KeyCode::Char(prompt));
    for c in text.chars() {
        key(&mut app, KeyCode::Char(c));
    }
    while app.scan_logs() {}
    key(&mut app, KeyCode::Backspace);
    app
}

/// Time the loop gives the scan per frame (`SCAN_TIME` in `src/tui/mod.rs`).
const SCAN_TIME: Duration = Duration::from_millis(8);

/// One frame as the loop draws it: scan steps while its time lasts, the panes fitted to
/// the screen and the lines the log pane will show converted, then the screen.
fn frame(app: &mut App, terminal: &mut Terminal<TestBackend>) {
    let started = Instant::now();
    while app.scan_logs() && started.elapsed() < SCAN_TIME {}
    let Ok(size) = terminal.size();
    let areas = ui::layout(Rect::new(0, 0, size.width, size.height), app, &Source::ALL);
    app.set_pane_heights(
        usize::from(areas.list.height.saturating_sub(3)),
        usize::from(areas.logs.height.saturating_sub(2)),
    );
    app.convert_shown_logs();
    let _ = terminal.draw(|f| ui::render(app, &Source::ALL, 0, f));
}

const CASES: [(&str, char, &str); 4] = [
    ("search_word", '/', "status=500"),
    ("search_regex", '/', r"items/\d+7 .*=500"),
    ("filter_inverted", '&', "!info"),
    ("filter_catastrophic", '&', "(a+)+$"),
];

fn keystroke_to_frame(c: &mut Criterion) {
    let mut group = c.benchmark_group("keystroke_to_frame_100000_lines");
    group.sample_size(30);
    for (name, prompt, text) in CASES {
        let mut app = app_typing(prompt, text);
        let Ok(mut terminal) = Terminal::new(TestBackend::new(120, 35));
        let Some(last) = text.chars().last() else {
            continue;
        };
        group.bench_function(name, |b| {
            b.iter_custom(|iters| {
                let mut spent = Duration::ZERO;
                for _ in 0..iters {
                    let t = Instant::now();
                    key(&mut app, KeyCode::Char(last));
                    frame(&mut app, &mut terminal);
                    spent += t.elapsed();
                    black_box(&app);
                    key(&mut app, KeyCode::Backspace);
                }
                spent
            });
        });
    }
    group.finish();
}

fn whole_scan(c: &mut Criterion) {
    let mut group = c.benchmark_group("whole_scan_100000_lines");
    group.sample_size(10);
    for (name, prompt, text) in CASES {
        let mut app = app_typing(prompt, text);
        let Some(last) = text.chars().last() else {
            continue;
        };
        group.bench_function(name, |b| {
            b.iter_custom(|iters| {
                let mut spent = Duration::ZERO;
                for _ in 0..iters {
                    let t = Instant::now();
                    key(&mut app, KeyCode::Char(last));
                    while app.scan_logs() {}
                    spent += t.elapsed();
                    key(&mut app, KeyCode::Backspace);
                }
                spent
            });
        });
    }
    group.finish();
}

/// Resident memory of this process, in KiB (Linux), if it can be read.
fn rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

/// Samples of one keystroke and its frame for each case, as percentiles.
const SAMPLES: usize = 200;

/// Figures criterion does not give: the memory of a full pane (measured first, before the
/// other benchmarks' allocations blur the process's RSS) and keystroke-to-frame
/// percentiles.
fn pane_figures(_: &mut Criterion) {
    let Ok(keymap) = Keymap::new(&BTreeMap::new()) else {
        panic!("the default keymap is valid");
    };
    let before = rss_kib();
    let mut app = App::new(keymap, LINES, false);
    app.on_log(LogEvent::Lines((0..LINES).map(colored).collect()));
    let pushed = rss_kib();
    // Every line drawn once: each converted, its raw text dropped, the most a pane holds.
    for i in 0..app.log.buffer.len() {
        app.log.buffer.convert(i);
    }
    black_box(&app);
    let converted = rss_kib();
    if let (Some(b), Some(p), Some(c)) = (before, pushed, converted) {
        println!(
            "pane_memory/{LINES}_lines: RSS +{:.1} MiB as pushed, +{:.1} MiB with every line converted (target <= 40 MiB)",
            mib(p.saturating_sub(b)),
            mib(c.saturating_sub(b)),
        );
    }
    drop(app);
    for (name, prompt, text) in CASES {
        let mut app = app_typing(prompt, text);
        let Ok(mut terminal) = Terminal::new(TestBackend::new(120, 35));
        let Some(last) = text.chars().last() else {
            continue;
        };
        let mut times: Vec<Duration> = (0..SAMPLES)
            .map(|_| {
                let t = Instant::now();
                key(&mut app, KeyCode::Char(last));
                frame(&mut app, &mut terminal);
                let spent = t.elapsed();
                key(&mut app, KeyCode::Backspace);
                spent
            })
            .collect();
        times.sort_unstable();
        let at = |p: usize| times.get((SAMPLES * p / 100).min(SAMPLES - 1)).copied();
        let ms = |d: Option<Duration>| d.map_or(f64::NAN, |d| d.as_secs_f64() * 1000.0);
        println!(
            "keystroke_to_frame_{LINES}_lines/{name}: n={SAMPLES} p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms (target p99 <= 30 ms)",
            ms(at(50)),
            ms(at(99)),
            ms(times.last().copied()),
        );
    }
}

criterion_group!(benches, pane_figures, keystroke_to_frame, whole_scan);
criterion_main!(benches);
