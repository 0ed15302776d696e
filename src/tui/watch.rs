//! Background watchers, one task per source, each sending fresh reports to the event
//! loop. Containers are re-listed when the runtime's own event stream (`podman events`,
//! `docker events`, or podman's events file: `events_file.rs`) says something changed, so
//! an idle screen costs no polling of the container engine; tmux, which has no server-wide
//! event feed, is watched through /proc (its sockets and each server's pane processes) and
//! asked only when those change. A manual refresh wakes every watcher at once.

use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;

use futures::FutureExt;
use tokio::io::AsyncReadExt;
use tokio::sync::{Notify, mpsc};
use tokio::task::JoinHandle;
use tokio::time::Instant;

use super::Msg;
use super::events_file::EventsFile;
use crate::engine::{Engine, HealthStatus, Source};
use crate::model::Runtime;

/// How often the tmux world is looked at (in /proc, without asking tmux).
pub const TMUX_INTERVAL: Duration = Duration::from_millis(1500);
/// How often tmux is asked even when /proc shows no change (a rename changes no process).
const TMUX_FULL_INTERVAL: Duration = Duration::from_secs(15);
/// Safety re-list of a runtime whose event stream runs (events can be missed on restart).
const EVENTS_SAFETY_INTERVAL: Duration = Duration::from_secs(60);
/// First re-list of a runtime that is not answering, and first restart of an event stream
/// that ended (or would not start) sooner than [`HEALTHY_RUN`]; each failure in a row
/// doubles the wait, up to [`FALLBACK_MAX`], so a daemon that is simply not running, or an
/// `events` that exits at once, costs next to nothing. `R` retries at once.
const FALLBACK_INTERVAL: Duration = Duration::from_secs(5);
/// Longest wait between two tries of a runtime that does not answer.
const FALLBACK_MAX: Duration = Duration::from_secs(60);
/// Quiet time after an event before re-listing, so a burst of events costs one listing.
const DEBOUNCE: Duration = Duration::from_millis(150);
/// Longest a burst of events holds back the re-list, so a runtime that never stops
/// printing events is still listed every few seconds.
const DEBOUNCE_MAX: Duration = Duration::from_secs(2);

/// The running watchers; dropping them stops every task and child.
pub struct Watchers {
    tasks: Vec<JoinHandle<()>>,
    wake: Vec<Arc<Notify>>,
}

impl Watchers {
    /// Starts one watcher per source of this machine, and one per configured host.
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
        for machine in engine.remotes() {
            let notify = Arc::new(Notify::new());
            tasks.push(tokio::spawn(super::watch_host::watch_host(
                engine.clone(),
                machine.clone(),
                sources.to_vec(),
                tx.clone(),
                notify.clone(),
            )));
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
    let mut events: Option<Events> = None;
    let mut down = Backoff::new(FALLBACK_INTERVAL, FALLBACK_MAX);
    // Separate from `down`: the runtime lists fine, only its event stream keeps ending.
    let mut respawn = Backoff::new(FALLBACK_INTERVAL, FALLBACK_MAX);
    loop {
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
            events = watch_events(&engine, rt).await;
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

/// A run of a restarted stream shorter than this ended "at once": its next start waits
/// longer than the last. A longer one was healthy, and the waits start over.
pub(super) const HEALTHY_RUN: Duration = Duration::from_secs(30);

/// The waits before restarting something that fails or keeps ending soon after it started:
/// doubling from `first` to `max` with each quick end in a row, so a stream that exits at
/// once (a broken runtime's `events`) costs a start every minute at most, not a busy loop.
#[derive(Debug, Clone)]
pub(super) struct Backoff {
    first: Duration,
    max: Duration,
    next: Duration,
    /// Quick ends since the last healthy run.
    streak: u32,
    started: Option<Instant>,
}

impl Backoff {
    /// No wait owed yet; the first will be `first`.
    pub(super) fn new(first: Duration, max: Duration) -> Self {
        Backoff {
            first,
            max,
            next: first,
            streak: 0,
            started: None,
        }
    }

    /// Notes that the thing (re)started now, so that its end can tell a healthy run.
    pub(super) fn started(&mut self) {
        self.started_at(Instant::now());
    }

    /// The wait before the next start, now that the thing ended or failed to start.
    pub(super) fn ended(&mut self) -> Duration {
        self.ended_at(Instant::now())
    }

    /// Forgets the waits owed: the thing works.
    pub(super) fn reset(&mut self) {
        self.next = self.first;
        self.streak = 0;
    }

    /// Quick ends in a row, counting the last one.
    pub(super) fn streak(&self) -> u32 {
        self.streak
    }

    fn started_at(&mut self, now: Instant) {
        self.started = Some(now);
    }

    fn ended_at(&mut self, now: Instant) -> Duration {
        if self
            .started
            .take()
            .is_some_and(|t| now.saturating_duration_since(t) >= HEALTHY_RUN)
        {
            self.reset();
        }
        self.streak = self.streak.saturating_add(1);
        let wait = self.next;
        self.next = (self.next * 2).min(self.max);
        wait
    }
}

/// What tells that a runtime's containers changed: its running `events` subscription
/// (dropping it kills the child), or podman's events file where it has one.
enum Events {
    Stream {
        _child: tokio::process::Child,
        stdout: tokio::process::ChildStdout,
    },
    File(EventsFile),
}

impl Events {
    /// Waits for the runtime to print something (or write its file); false once the
    /// stream has ended. Only that it printed matters (a line is a change), so nothing is
    /// kept: a runtime that prints without end, or one endless line, costs no memory.
    async fn changed(&mut self) -> bool {
        match self {
            Events::Stream { stdout, .. } => {
                let mut buf = [0u8; 4096];
                matches!(stdout.read(&mut buf).await, Ok(n) if n > 0)
            }
            Events::File(f) => f.changed().await,
        }
    }

    /// Waits for the rest of a burst of events: until [`DEBOUNCE`] passes with nothing
    /// printed, or [`DEBOUNCE_MAX`] in all. It reads only between waits, and only what is
    /// already there, so a runtime that prints without end blocks on its full pipe rather
    /// than keeping muxdeck busy reading.
    async fn debounce(&mut self) {
        let until = Instant::now() + DEBOUNCE_MAX;
        loop {
            tokio::time::sleep(DEBOUNCE).await;
            if !self.drain() || Instant::now() >= until {
                return;
            }
        }
    }

    /// Reads what is already printed, at most a pipe's worth, without waiting; whether
    /// there was anything (the end of the stream is nothing: the next read reports it).
    fn drain(&mut self) -> bool {
        let stdout = match self {
            Events::Stream { stdout, .. } => stdout,
            Events::File(f) => return f.moved(),
        };
        let mut buf = [0u8; 4096];
        let mut any = false;
        for _ in 0..16 {
            match stdout.read(&mut buf).now_or_never() {
                Some(Ok(n)) if n > 0 => any = true,
                _ => break,
            }
        }
        any
    }
}

/// podman's events file when it writes one, else the runtime's `events` stream.
async fn watch_events(engine: &Engine, rt: Runtime) -> Option<Events> {
    if rt == Runtime::Podman
        && let Some(f) = EventsFile::find(engine).await
    {
        return Some(Events::File(f));
    }
    spawn_events(engine, rt)
}

fn spawn_events(engine: &Engine, rt: Runtime) -> Option<Events> {
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
    Some(Events::Stream {
        _child: child,
        stdout,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIRST: Duration = Duration::from_secs(5);
    const MAX: Duration = Duration::from_secs(60);

    #[test]
    fn quick_ends_double_the_wait_up_to_the_max() {
        let mut b = Backoff::new(FIRST, MAX);
        let t = Instant::now();
        let waits: Vec<u64> = (0..6)
            .map(|_| {
                b.started_at(t);
                b.ended_at(t + Duration::from_secs(1)).as_secs()
            })
            .collect();
        assert_eq!(waits, [5, 10, 20, 40, 60, 60]);
        assert_eq!(b.streak(), 6);
    }

    #[test]
    fn a_healthy_run_starts_the_waits_over() {
        let mut b = Backoff::new(FIRST, MAX);
        let t = Instant::now();
        for _ in 0..3 {
            b.started_at(t);
            b.ended_at(t);
        }
        b.started_at(t);
        assert_eq!(b.ended_at(t + HEALTHY_RUN), FIRST);
        assert_eq!(b.streak(), 1);
    }

    #[test]
    fn failures_to_start_count_as_quick_ends() {
        let mut b = Backoff::new(FIRST, MAX);
        assert_eq!(b.ended(), FIRST);
        assert_eq!(b.ended(), FIRST * 2);
        b.reset();
        assert_eq!(b.ended(), FIRST);
    }
}
