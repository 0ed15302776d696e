//! Background watchers, one task per source, each sending fresh reports to the event
//! loop. Containers are re-listed when the runtime's events say something changed
//! (`docker events`, `podman events`, or podman's events file: [`super::runtime_feed`]),
//! so an idle screen costs no polling of the container engine; tmux, which has no server-wide event feed, is watched through /proc
//! (its sockets and each server's pane processes) and asked only when those change. A
//! manual refresh wakes every watcher at once.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{Notify, mpsc};
use tokio::task::JoinHandle;

use super::Msg;
use super::runtime_feed::Feed;
use crate::backoff::Backoff;
use crate::engine::{Engine, HealthStatus, Source};
use crate::model::Runtime;

/// How often the tmux world is looked at (in /proc, without asking tmux).
pub const TMUX_INTERVAL: Duration = Duration::from_millis(1500);
/// How often tmux is asked even when /proc shows no change (a rename changes no process),
/// if its servers were woken meanwhile ([`crate::backend::tmux::Tmux::servers_woken`]).
const TMUX_FULL_INTERVAL: Duration = Duration::from_secs(15);
/// How often tmux is asked even when /proc shows no change and no server was woken.
const TMUX_SAFETY_INTERVAL: Duration = Duration::from_secs(120);
/// Safety re-list of a runtime whose event feed runs (events can be missed on restart).
/// Each costs one `ps` of the runtime (80 ms of CPU for podman with 30 containers), so at
/// two minutes it costs 0.07 % of a core.
const EVENTS_SAFETY_INTERVAL: Duration = Duration::from_secs(120);
/// First re-list of a runtime that is not answering, and first restart of an event stream
/// that ended (or would not start) sooner than [`crate::backoff::HEALTHY_RUN`]; each failure in a row
/// doubles the wait, up to [`FALLBACK_MAX`], so a daemon that is simply not running, or an
/// `events` that exits at once, costs next to nothing. `R` retries at once.
const FALLBACK_INTERVAL: Duration = Duration::from_secs(5);
/// Longest wait between two tries of a runtime that does not answer.
const FALLBACK_MAX: Duration = Duration::from_secs(60);

/// The running watchers; dropping them stops every task and child. The default is none
/// running yet (before the first frame).
#[derive(Default)]
pub struct Watchers {
    tasks: Vec<JoinHandle<()>>,
    wake: Vec<Arc<Notify>>,
}

impl Watchers {
    /// Starts one watcher per source of this machine, and one per configured host.
    /// `settled` turns true once every machine has answered once (see
    /// [`super::watch_host::watch_host`]).
    pub fn start(
        engine: &Engine,
        sources: &[Source],
        tx: &mpsc::Sender<Msg>,
        settled: &tokio::sync::watch::Receiver<bool>,
    ) -> Self {
        let mut tasks = Vec::new();
        let mut wake = Vec::new();
        // The hosts first: their round trips (an ssh connection each) are the longest.
        for machine in engine.remotes() {
            let notify = Arc::new(Notify::new());
            tasks.push(tokio::spawn(super::watch_host::watch_host(
                engine.clone(),
                machine.clone(),
                sources.to_vec(),
                tx.clone(),
                notify.clone(),
                settled.clone(),
            )));
            wake.push(notify);
        }
        for source in Source::slowest_first(sources) {
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
        // (renames), but only when a server was woken since: a quiet server has had nothing
        // renamed. Read after the listing, which itself wakes them.
        let seen = engine.tmux().fingerprint(&servers);
        let woken = engine.tmux().servers_woken(&servers);
        let listed = tokio::time::Instant::now();
        loop {
            tokio::select! {
                () = tokio::time::sleep(TMUX_INTERVAL) => {}
                () = wake.notified() => break,
            }
            let due = listed.elapsed() >= TMUX_SAFETY_INTERVAL
                || (listed.elapsed() >= TMUX_FULL_INTERVAL
                    && (woken.is_none() || engine.tmux().servers_woken(&servers) != woken));
            if seen.is_none() || due || engine.tmux().fingerprint(&servers) != seen {
                break;
            }
        }
    }
}

async fn watch_runtime(engine: Engine, rt: Runtime, tx: mpsc::Sender<Msg>, wake: Arc<Notify>) {
    let mut events: Option<Feed> = None;
    let mut down = Backoff::new(FALLBACK_INTERVAL, FALLBACK_MAX);
    // Separate from `down`: the runtime lists fine, only its event stream keeps ending.
    let mut respawn = Backoff::new(FALLBACK_INTERVAL, FALLBACK_MAX);
    loop {
        // What changes from here on is news to the listing below.
        let listed_at = std::time::SystemTime::now();
        if let Some(feed) = events.as_mut() {
            feed.mark();
        }
        let report = engine.scan(Source::Runtime(rt)).await;
        let status = report.health.status.clone();
        if tx.send(Msg::Report(report)).await.is_err() {
            return;
        }
        match status {
            HealthStatus::NotInstalled => {
                wake.notified().await;
                continue;
            }
            HealthStatus::Ok { .. } => down.reset(),
            // A daemon may be started later: look again, less and less often.
            HealthStatus::Error { .. } | HealthStatus::NotRunning { .. } if events.is_none() => {
                pause(down.ended(), &wake).await;
                continue;
            }
            HealthStatus::Error { .. } | HealthStatus::NotRunning { .. } => {}
        }
        if events.is_none() {
            events = Feed::start(&engine, rt, listed_at).await;
            respawn.started();
        }
        let Some(stream) = events.as_mut() else {
            pause(respawn.ended(), &wake).await;
            continue;
        };
        tokio::select! {
            changed = stream.changed() => {
                if changed {
                    stream.debounce().await;
                } else {
                    events = None;
                    pause(respawn.ended(), &wake).await;
                }
            }
            () = tokio::time::sleep(EVENTS_SAFETY_INTERVAL) => {}
            () = wake.notified() => {}
        }
    }
}

/// Waits `wait`, or less when a manual refresh asks for a retry at once.
async fn pause(wait: Duration, wake: &Notify) {
    tokio::select! {
        () = tokio::time::sleep(wait) => {}
        () = wake.notified() => {}
    }
}
