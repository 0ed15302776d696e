//! Cost of what the details and resources features add to a refresh:
//! - sorting 1 000 listed sessions by each column (CPU and memory figures for all of
//!   them) and drawing the 120x35 frame that shows the result, CPU / MEM columns on;
//! - the grouped list (`z`): a move of the selection and the frame, 1 000 rows of which a
//!   third are containers in 40 compose projects, grouped and flat;
//! - one pass over the real /proc and the sums of 200 process trees (200 live processes
//!   this bench starts, each a tree of its own), as a refresh of 200 tmux sessions costs.
//!
//! Run with `cargo bench --bench insight` (add `-- --quick` for a short run).

use std::collections::BTreeMap;
use std::hint::black_box;
use std::process::{Child, Command, Stdio};

use criterion::{Criterion, criterion_group, criterion_main};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use muxdeck::engine::{Listing, Source, UsageMap};
use muxdeck::model::{Group, GroupKind, Runtime, Session, SessionId, State};
use muxdeck::stats::Usage;
use muxdeck::stats::proc_tree::ProcSampler;
use muxdeck::tui::app::App;
use muxdeck::tui::keys::{Action, Keymap};
use muxdeck::tui::ui;

const ROWS: usize = 1000;
const TREES: usize = 200;

fn listed_app() -> App {
    let Ok(keymap) = Keymap::new(&BTreeMap::new()) else {
        panic!("the default keymap is valid");
    };
    let mut app = App::new(keymap, 100, false);
    let sessions: Vec<Session> = (0..ROWS)
        .map(|i| {
            let id = if i % 3 == 0 {
                SessionId::container(Runtime::Podman, format!("svc-{i:04}"))
            } else {
                SessionId::tmux(format!("sock{}", i % 7), format!("work-{i:04}"))
            };
            let mut s = Session::new(
                id,
                if i % 5 == 0 {
                    State::Exited(Some(1))
                } else {
                    State::Running
                },
            );
            s.created = Some(1_700_000_000 + i64::try_from(i * 37 % 1000).unwrap_or(0));
            if i % 3 == 0 {
                s.group = Some(Group {
                    kind: GroupKind::Compose,
                    name: format!("project-{:02}", i % 40),
                });
            }
            s.pid = u32::try_from(1000 + i).ok();
            s
        })
        .collect();
    let mut usage = UsageMap::new();
    for (i, s) in sessions.iter().enumerate() {
        #[allow(clippy::cast_precision_loss)]
        let cpu = (i * 7919 % 1000) as f64 / 10.0;
        usage.insert(
            s.id.clone(),
            Usage {
                cpu_percent: Some(cpu),
                memory_bytes: Some(u64::try_from(i * 104_729 % 100_000).unwrap_or(0) * 1024),
            },
        );
    }
    let _ = app.set_listing(
        Listing {
            sessions,
            health: Vec::new(),
            hosts: Vec::new(),
        },
        &[],
    );
    app.set_usage(usage);
    app
}

fn sort_and_redraw(c: &mut Criterion) {
    let mut app = listed_app();
    // A test backend cannot fail.
    let Ok(mut terminal) = Terminal::new(TestBackend::new(120, 35));
    let mut group = c.benchmark_group("sort_1000_rows_and_redraw_120x35");
    for key in ["name", "backend", "state", "cpu", "mem", "age"] {
        group.bench_function(key, |b| {
            b.iter(|| {
                // Sorting by the key from the listing's order, then the frame.
                let _ = app.act(Action::SortReverse);
                let _ = app.act(Action::SortReverse);
                let drawn = terminal.draw(|f| ui::render(&app, &Source::ALL, 1_700_100_000, f));
                black_box(drawn.is_ok());
            });
        });
        let _ = app.act(Action::Sort);
    }
    group.finish();
}

fn grouped_move_and_redraw(c: &mut Criterion) {
    let Ok(mut terminal) = Terminal::new(TestBackend::new(120, 35));
    let mut group = c.benchmark_group("move_in_1000_rows_and_redraw_120x35");
    for grouped in [false, true] {
        let mut app = listed_app();
        if grouped {
            let _ = app.act(Action::Group);
        }
        let mut down = true;
        group.bench_function(if grouped { "grouped" } else { "flat" }, |b| {
            b.iter(|| {
                // Down to the end and back up, one row per iteration.
                let at_end = app
                    .selected_index()
                    .is_some_and(|i| i + 1 >= app.row_count());
                let at_top = app.selected_index() == Some(0);
                if at_end || at_top {
                    down = at_top;
                }
                let _ = app.act(if down { Action::Down } else { Action::Up });
                let drawn = terminal.draw(|f| ui::render(&app, &Source::ALL, 1_700_100_000, f));
                black_box(drawn.is_ok());
            });
        });
    }
    group.finish();
}

/// 200 `sleep` processes, killed on drop.
struct Sleepers(Vec<Child>);

impl Drop for Sleepers {
    fn drop(&mut self) {
        for c in &mut self.0 {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

fn proc_trees(c: &mut Criterion) {
    let sleepers = Sleepers(
        (0..TREES)
            .filter_map(|_| {
                Command::new("sleep")
                    .arg("300")
                    .stdout(Stdio::null())
                    .spawn()
                    .ok()
            })
            .collect(),
    );
    let roots: Vec<u32> = sleepers.0.iter().map(Child::id).collect();
    let mut sampler = ProcSampler::default();
    c.bench_function("proc_pass_and_200_tree_sums", |b| {
        b.iter(|| {
            let Ok(snap) = sampler.sample() else {
                panic!("/proc is readable");
            };
            let total: u64 = roots
                .iter()
                .filter_map(|r| snap.usage(std::slice::from_ref(r)))
                .filter_map(|u| u.memory_bytes)
                .sum();
            black_box(total);
        });
    });
    drop(sleepers);
}

criterion_group!(
    benches,
    sort_and_redraw,
    grouped_move_and_redraw,
    proc_trees
);
criterion_main!(benches);
