//! Background watchers, one task per source, each sending fresh reports to the event
//! loop. Containers are re-listed when the runtime's own event stream (`podman events`,
//! `docker events`) says something changed, so an idle screen costs no polling of the
//! container engine; tmux, which has no server-wide event feed, is watched through /proc
//! (its sockets and each server's pane processes) and asked only when those change. A
//! manual refresh wakes every watcher at once.

use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::sync::{Notify, mpsc};
use tokio::task::JoinHandle;

use super::Msg;
use crate::engine::{Engine, HealthStatus, Source};
use crate::model::Runtime;

/// How often the tmux world is looked at (in /proc, without asking tmux).
pub const TMUX_INTERVAL: Duration = Duration::from_millis(1500);
/// How often tmux is asked even when /proc shows no change (a rename changes no process).
const TMUX_FULL_INTERVAL: Duration = Duration::from_secs(15);
/// Safety re-list of a runtime whose event stream runs (events can be missed on restart).
const EVENTS_SAFETY_INTERVAL: Duration = Duration::from_secs(60);
/// First re-list of a runtime without an event stream (it failed or is not answering);
/// each failure in a row doubles the wait, up to [`FALLBACK_MAX`], so a daemon that is
/// simply not running costs next to nothing. `R` retries at once.
const FALLBACK_INTERVAL: Duration = Duration::from_secs(5);
/// Longest wait between two tries of a runtime that does not answer.
const FALLBACK_MAX: Duration = Duration::from_secs(60);
/// Quiet time after an event before re-listing, so a burst of events costs one listing.
const DEBOUNCE: Duration = Duration::from_millis(150);

/// The running watchers; dropping them stops every task and child.
pub struct Watchers {
    tasks: Vec<JoinHandle<()>>,
    wake: Vec<Arc<Notify>>,
}

impl Watchers {
    /// Starts one watcher per source.
    pub fn start(engine: &Engine, sources: &[Source], tx: &mpsc::Sender<Msg>) -> Self {
        let mut tasks = Vec::new();
        let mut wake = Vec::new();
        for &source in sources {
            let notify = Arc::new(Notify::new());
            let engine = engine.clone();
            let tx = tx.clone();
            let n = notify.clone();
            tasks.push(tokio::spawn(async move {
                match source {
                    Source::Tmux => watch_tmux(engine, tx, n).await,
                    Source::Runtime(rt) => watch_runtime(engine, rt, tx, n).await,
                }
            }));
            wake.push(notify);
        }
        Watchers { tasks, wake }
    }

    /// Re-lists every source now.
    pub fn refresh(&self) {
        for n in &self.wake {
            n.notify_one();
        }
    }
}

impl Drop for Watchers {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
    }
}

async fn watch_tmux(engine: Engine, tx: mpsc::Sender<Msg>, wake: Arc<Notify>) {
    loop {
        let (report, servers) = engine.scan_tmux().await;
        if tx.send(Msg::Report(report)).await.is_err() {
            return;
        }
        // Between listings, look at the sockets and the servers' pane processes in /proc:
        // a tmux call (a process start, and the server formatting every pane) happens only
        // when they change, on `R`, or every TMUX_FULL_INTERVAL for what /proc cannot see
        // (renames).
        let seen = engine.tmux().fingerprint(&servers);
        let listed = tokio::time::Instant::now();
        loop {
            tokio::select! {
                () = tokio::time::sleep(TMUX_INTERVAL) => {}
                () = wake.notified() => break,
            }
            if seen.is_none()
                || listed.elapsed() >= TMUX_FULL_INTERVAL
                || engine.tmux().fingerprint(&servers) != seen
            {
                break;
            }
        }
    }
}

async fn watch_runtime(engine: Engine, rt: Runtime, tx: mpsc::Sender<Msg>, wake: Arc<Notify>) {
    let mut events: Option<(
        tokio::process::Child,
        tokio::io::Lines<BufReader<tokio::process::ChildStdout>>,
    )> = None;
    let mut fallback = FALLBACK_INTERVAL;
    loop {
        let report = engine.scan(Source::Runtime(rt)).await;
        let status = report.health.status.clone();
        if tx.send(Msg::Report(report)).await.is_err() {
            return;
        }
        if status == HealthStatus::NotInstalled {
            wake.notified().await;
            continue;
        }
        if events.is_none() && matches!(status, HealthStatus::Ok { .. }) {
            events = spawn_events(&engine, rt);
        }
        let interval = if events.is_some() {
            EVENTS_SAFETY_INTERVAL
        } else if matches!(status, HealthStatus::Error { .. }) {
            let wait = fallback;
            fallback = (fallback * 2).min(FALLBACK_MAX);
            wait
        } else {
            fallback = FALLBACK_INTERVAL;
            FALLBACK_INTERVAL
        };
        let mut stream_ended = false;
        if let Some((_, lines)) = events.as_mut() {
            tokio::select! {
                line = lines.next_line() => match line {
                    Ok(Some(_)) => debounce(lines).await,
                    _ => stream_ended = true,
                },
                () = tokio::time::sleep(interval) => {}
                () = wake.notified() => {}
            }
        } else {
            tokio::select! {
                () = tokio::time::sleep(interval) => {}
                () = wake.notified() => {}
            }
        }
        if stream_ended {
            events = None;
        }
    }
}

/// Swallows the rest of a burst of events.
async fn debounce(lines: &mut tokio::io::Lines<BufReader<tokio::process::ChildStdout>>) {
    loop {
        tokio::select! {
            line = lines.next_line() => if !matches!(line, Ok(Some(_))) { return },
            () = tokio::time::sleep(DEBOUNCE) => return,
        }
    }
}

fn spawn_events(
    engine: &Engine,
    rt: Runtime,
) -> Option<(
    tokio::process::Child,
    tokio::io::Lines<BufReader<tokio::process::ChildStdout>>,
)> {
    let format = match rt {
        Runtime::Podman => "json",
        Runtime::Docker => "{{json .}}",
    };
    let inv =
        engine
            .runtime(rt)
            .inv()
            .args(["events", "--format", format, "--filter", "type=container"]);
    let mut cmd = inv.to_tokio();
    cmd.stderr(Stdio::null());
    let mut child = cmd.spawn().ok()?;
    let stdout = child.stdout.take()?;
    Some((child, BufReader::new(stdout).lines()))
}
