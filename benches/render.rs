//! Cost of one frame with a full log pane: a 120x35 screen on ratatui's `TestBackend`,
//! 10 000 colored lines in the buffer (following, wrapped, scrolled to the middle), and the
//! cost of taking those lines in.
//!
//! Run with `cargo bench --bench render` (add `-- --quick` for a short run).

use std::collections::BTreeMap;
use std::hint::black_box;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use ansi_to_tui::IntoText as _;
use muxdeck::engine::Source;
use muxdeck::logs::StyledLine;
use muxdeck::tui::app::App;
use muxdeck::tui::keys::Keymap;
use muxdeck::tui::ui;

const LINES: usize = 10_000;

/// A normalized colored logger line (tracing-subscriber style), about 110 columns wide.
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
         \x1b[3mpath\x1b[0m\x1b[2m=\x1b[0m/api/v1/items/{i} \x1b[3mstatus\x1b[0m\x1b[2m=\x1b[0m200",
        i % 60,
        i % 1000
    )
}

fn full_app(mono: bool) -> App {
    let Ok(keymap) = Keymap::new(&BTreeMap::new()) else {
        panic!("the default keymap is valid");
    };
    let mut app = App::new(keymap, LINES, mono);
    app.log.buffer.extend((0..LINES).map(colored));
    app
}

fn frame(c: &mut Criterion) {
    let mut group = c.benchmark_group("frame_120x35_10000_colored_lines");
    let cases: [(&str, bool, bool, usize); 4] = [
        ("following", false, false, 0),
        ("following_wrapped", false, true, 0),
        ("scrolled_to_middle", false, false, LINES / 2),
        ("following_no_color", true, false, 0),
    ];
    for (name, mono, wrap, scroll) in cases {
        let mut app = full_app(mono);
        app.log.wrap = wrap;
        app.log.scroll = scroll;
        app.log.follow = scroll == 0;
        // A test backend cannot fail.
        let Ok(mut terminal) = Terminal::new(TestBackend::new(120, 35));
        group.bench_function(name, |b| {
            b.iter(|| {
                let drawn = terminal.draw(|f| ui::render(black_box(&app), &Source::ALL, 0, f));
                black_box(drawn.is_ok())
            });
        });
    }
    group.finish();
}

fn take_in(c: &mut Criterion) {
    let lines: Vec<String> = (0..LINES).map(colored).collect();
    c.bench_function("push_10000_colored_lines", |b| {
        b.iter_batched(
            || (full_app(false), lines.clone()),
            |(mut app, lines)| {
                app.log.buffer.extend(lines);
                black_box(app.log.buffer.len())
            },
            BatchSize::LargeInput,
        );
    });
}

/// One colored line: what a frame used to do per visible line (ansi-to-tui into a `Text`),
/// and what a push does now (the same parse, kept as a `StyledLine`).
fn convert(c: &mut Criterion) {
    let line = colored(1234);
    let mut group = c.benchmark_group("convert_one_colored_line");
    group.bench_function("ansi_to_tui_into_text", |b| {
        b.iter(|| black_box(black_box(&line).into_text().map(|t| t.lines.len())));
    });
    group.bench_function("styled_line_from_ansi", |b| {
        b.iter_batched(
            || line.clone(),
            |l| black_box(StyledLine::from_ansi(l)),
            BatchSize::SmallInput,
        );
    });
    group.finish();
}

criterion_group!(benches, frame, take_in, convert);
criterion_main!(benches);
