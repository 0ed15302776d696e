//! Cost of what the details and resources features add to a refresh:
//! - sorting 1 000 listed sessions by each column (CPU and memory figures for all of
//!   them) and drawing the frame that shows the result, CPU / MEM columns on, at 120x35
//!   and 200x50;
//! - a key that moves the selection and the frame after it among those 1 000 rows (a third
//!   of them containers in 40 compose projects): flat, grouped, and with one tmux session
//!   unfolded into 10 windows of 4 panes;
//! - one pass over the real /proc and the sums of 200 process trees (200 live processes
//!   this bench starts, each a tree of its own), as a refresh of 200 tmux sessions costs.
//!
//! Every figure is CPU time of the bench's thread (`CLOCK_THREAD_CPUTIME_ID`, kernel time
//! reading /proc included), not wall time: on a machine shared with other builds, wall time
//! counts the waits for a core too.
//!
//! Run with `cargo bench --bench insight` (add `-- --quick` for a short run).

use std::collections::BTreeMap;
use std::hint::black_box;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use criterion::{Bencher, Criterion, criterion_group, criterion_main};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use rustix::time::{ClockId, clock_gettime};

use muxdeck::details::{Details, PaneInfo, TmuxDetails, WindowInfo};
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

/// The CPU time of this thread so far.
fn thread_cpu() -> Duration {
    let t = clock_gettime(ClockId::ThreadCPUTime);
    Duration::new(
        u64::try_from(t.tv_sec).unwrap_or(0),
        u32::try_from(t.tv_nsec).unwrap_or(0),
    )
}

/// Runs `f` as criterion asks, timed by the thread's CPU clock.
fn on_cpu(b: &mut Bencher<'_>, mut f: impl FnMut()) {
    b.iter_custom(|iters| {
        let t0 = thread_cpu();
        for _ in 0..iters {
            f();
        }
        thread_cpu().saturating_sub(t0)
    });
}

fn sort_and_redraw(c: &mut Criterion) {
    for (w, h) in [(120, 35), (200, 50)] {
        let mut app = listed_app();
        // A test backend cannot fail.
        let Ok(mut terminal) = Terminal::new(TestBackend::new(w, h));
        let mut group = c.benchmark_group(format!("sort_1000_rows_and_redraw_{w}x{h}"));
        for key in ["name", "backend", "state", "cpu", "mem", "age"] {
            group.bench_function(key, |b| {
                on_cpu(b, || {
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
}

/// 10 windows of 4 panes each.
fn big_tree() -> TmuxDetails {
    let windows = (0..10u32)
        .map(|w| WindowInfo {
            index: w,
            id: format!("@{w}"),
            name: format!("win-{w}"),
            active: w == 0,
            panes: (0..4u32)
                .map(|p| PaneInfo {
                    id: format!("%{}", w * 4 + p),
                    index: p,
                    active: p == 0,
                    command: "tail".into(),
                    cwd: "/srv/app/logs/current".into(),
                    pid: Some(5000 + w * 4 + p),
                    width: 80,
                    height: 12,
                    dead: false,
                })
                .collect(),
        })
        .collect();
    TmuxDetails {
        windows,
        ..TmuxDetails::default()
    }
}

/// One key that moves the selection and the frame after it, among 1 000 rows: the flat
/// list, the grouped one, and one tmux session unfolded into 10 windows of 4 panes (50
/// rows more, the selection on its rows).
fn move_and_redraw(c: &mut Criterion) {
    // A test backend cannot fail.
    let Ok(mut terminal) = Terminal::new(TestBackend::new(120, 35));
    let mut group = c.benchmark_group("key_and_redraw_1000_rows_120x35");
    for view in ["flat", "grouped", "one_unfolded_50_rows"] {
        let mut app = listed_app();
        match view {
            "grouped" => {
                let _ = app.act(Action::Group);
            }
            "one_unfolded_50_rows" => {
                // The first tmux row (the list's order puts podman first).
                let Some(row) = app
                    .visible()
                    .iter()
                    .position(|s| s.id.location.kind() == muxdeck::model::BackendKind::Tmux)
                else {
                    panic!("tmux rows are listed");
                };
                let _ = app.select_row(row);
                let _ = app.act(Action::Expand);
                for s in &app.trees_due() {
                    let _ = app.set_tree(&s.id, Ok(Some(Details::Tmux(big_tree()))));
                }
                for _ in 0..20 {
                    let _ = app.act(Action::Down);
                }
            }
            _ => {}
        }
        let mut down = true;
        group.bench_function(view, |b| {
            b.iter(|| {
                // Down to the end and back up, one row per iteration.
                let at_end = app
                    .selected_index()
                    .is_some_and(|i| i + 1 >= app.rows().len());
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
    if let Ok(snap) = sampler.sample() {
        eprintln!("/proc holds {} processes", snap.len());
    }
    c.bench_function("proc_pass_and_200_tree_sums", |b| {
        on_cpu(b, || {
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

criterion_group!(benches, sort_and_redraw, move_and_redraw, proc_trees);
criterion_main!(benches);
