//! Cost of merging the backends' reports with the config into one sorted list
//! ([`Engine::merge`]), which the TUI does on every report (every 1.5 s for tmux, on each
//! container event) and `muxdeck list` does once.
//!
//! Run with `cargo bench --bench merge` (add `-- --quick` for a short run). The world is
//! synthetic: tmux sessions spread over 3 sockets, podman containers, and config sessions,
//! about half of which are running (so both the "mark as from_config" and the "insert as
//! defined" paths are taken).

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use muxdeck::config::{Config, RuntimeChoice, SessionDef, SessionKind};
use muxdeck::engine::{Engine, Health, HealthStatus, Report, Source};
use muxdeck::model::{Runtime, Session, SessionId, State};

/// A report of `n` running tmux sessions over 3 sockets, in backend order (unsorted across
/// sockets, as `list_all` concatenates them).
fn tmux_report(n: usize) -> Report {
    let sessions: Vec<Session> = (0..n)
        .map(|i| {
            let socket = ["bench-c", "bench-a", "bench-b"][i % 3];
            let mut s = Session::new(SessionId::tmux(socket, format!("s{i:04}")), State::Running);
            s.pid = Some(10_000 + i as u32);
            s.created = Some(1_700_000_000 + i as i64);
            s.windows = Some(1);
            s.panes = Some(1);
            s.attached = Some(0);
            s
        })
        .collect();
    Report {
        source: Source::Tmux,
        health: Health {
            host: muxdeck::model::Host::Local,
            backend: Source::Tmux,
            status: HealthStatus::Ok {
                sessions: sessions.len(),
                servers: Some(3),
            },
        },
        sessions,
    }
}

/// A report of `n` podman containers, newest first as `podman ps` prints them.
fn podman_report(n: usize) -> Report {
    let sessions: Vec<Session> = (0..n)
        .rev()
        .map(|i| {
            let state = if i % 4 == 0 {
                State::Exited(Some(0))
            } else {
                State::Running
            };
            let mut s = Session::new(
                SessionId::container(Runtime::Podman, format!("bench-c{i:03}")),
                state,
            );
            s.pid = Some(20_000 + i as u32);
            s.created = Some(1_700_000_000 + i as i64);
            s.image = Some("localhost/muxdeck-test/busybox:latest".into());
            s.ports = vec!["0.0.0.0:8080->80/tcp".into()];
            s.backend_id = Some(format!("{i:064x}"));
            s
        })
        .collect();
    Report {
        source: Source::Runtime(Runtime::Podman),
        health: Health {
            host: muxdeck::model::Host::Local,
            backend: Source::Runtime(Runtime::Podman),
            status: HealthStatus::Ok {
                sessions: sessions.len(),
                servers: None,
            },
        },
        sessions,
    }
}

/// Docker not answering: an error report without sessions, as on a machine without a daemon.
fn docker_report() -> Report {
    Report {
        source: Source::Runtime(Runtime::Docker),
        health: Health {
            host: muxdeck::model::Host::Local,
            backend: Source::Runtime(Runtime::Docker),
            status: HealthStatus::Error {
                message: "cannot connect to the Docker daemon".into(),
            },
        },
        sessions: Vec::new(),
    }
}

/// `n` config sessions: even ones tmux (half of them running: same name as a listed
/// session), odd ones containers with `runtime` (half of them running).
fn config(n: usize, runtime: RuntimeChoice) -> Config {
    let sessions = (0..n)
        .map(|i| {
            let running = i % 4 < 2;
            if i % 2 == 0 {
                SessionDef {
                    host: muxdeck::model::Host::Local,
                    name: if running {
                        format!("s{:04}", i * 3)
                    } else {
                        format!("def-t{i:03}")
                    },
                    kind: SessionKind::Tmux {
                        socket: "bench-c".into(),
                    },
                    command: Some("sleep 100000".into()),
                    working_dir: None,
                    env: Default::default(),
                }
            } else {
                SessionDef {
                    host: muxdeck::model::Host::Local,
                    name: if running {
                        format!("bench-c{i:03}")
                    } else {
                        format!("def-c{i:03}")
                    },
                    kind: SessionKind::Container {
                        image: "localhost/muxdeck-test/busybox:latest".into(),
                        volumes: Vec::new(),
                        ports: vec!["8080:80".into()],
                        runtime,
                    },
                    command: None,
                    working_dir: None,
                    env: Default::default(),
                }
            }
        })
        .collect();
    Config {
        sessions,
        ..Config::default()
    }
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("merge");
    // (tmux sessions, containers, config sessions)
    for (tmux, containers, defs) in [(200, 30, 5), (1000, 100, 50)] {
        let reports = vec![
            tmux_report(tmux),
            podman_report(containers),
            docker_report(),
        ];
        let total = (tmux + containers + defs) as u64;
        group.throughput(Throughput::Elements(total));
        // `auto` (the default) makes every container config session look the runtime up
        // on PATH; an explicit runtime does not.
        for (label, runtime) in [
            ("runtime_auto", RuntimeChoice::Auto),
            ("runtime_podman", RuntimeChoice::Podman),
        ] {
            let engine = Engine::new(config(defs, runtime));
            let id = BenchmarkId::new(label, format!("{tmux}t+{containers}c+{defs}d"));
            group.bench_with_input(id, &reports, |b, reports| {
                b.iter(|| black_box(engine.merge(black_box(reports))).sessions.len());
            });
        }
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
