//! The loop's side of the details pane and the CPU / MEM figures: it starts the background
//! fetches [`App`] asks for, at most one of each kind at a time, measurements at most every
//! [`INTERVAL_SECS`] seconds, and hands the results back through [`Msg`].

use std::time::{Duration, Instant};

use tokio::sync::mpsc;

use super::Msg;
use super::app::App;
use crate::engine::Engine;
use crate::stats::INTERVAL_SECS;
use crate::stats::Sampler;

/// The longest a runtime's `stats` may take: a hung one blanks its own columns only, and
/// the next measurement is not held up behind it.
const STATS_DEADLINE: Duration = Duration::from_secs(INTERVAL_SECS);

/// How often open details are read again.
const DETAILS_EVERY: Duration = Duration::from_secs(INTERVAL_SECS);

/// How often the trees of sessions unfolded in the list are read again (a listing that
/// moved on has them read at once).
const TREES_EVERY: Duration = Duration::from_secs(INTERVAL_SECS);

/// The longest a tree read may take: one that does not answer keeps its last tree shown,
/// and the next read is not held up behind it.
const TREE_DEADLINE: Duration = Duration::from_secs(3);

/// The longest the first measurement waits for every source of this machine to answer
/// once (see [`Gatherer::listed`]): a source that hangs until its timeout holds back the
/// figures of the others no longer than this.
const FIRST_LISTING_WAIT: Duration = Duration::from_secs(INTERVAL_SECS);

/// What is in flight, and when it last started.
#[derive(Debug)]
pub struct Gatherer {
    /// The sampler of /proc and the control groups, while no measurement has it.
    sampler: Option<Sampler>,
    measuring: bool,
    last_measure: Option<Instant>,
    last_details: Option<Instant>,
    last_trees: Option<Instant>,
    /// When the screen opened.
    opened: Instant,
    /// Every source of this machine has answered once.
    listed: bool,
}

impl Gatherer {
    /// A gatherer with nothing in flight, from the moment the screen opens.
    pub fn new() -> Self {
        Gatherer {
            sampler: Some(Sampler::default()),
            measuring: false,
            last_measure: None,
            last_details: None,
            last_trees: None,
            opened: Instant::now(),
            listed: false,
        }
    }

    /// Every source of this machine has answered once and the frame showing it is drawn:
    /// measurements may start. Until then (at most [`FIRST_LISTING_WAIT`]) none does: a pass over /proc costs 5–50 ms
    /// of CPU with hundreds of processes, and at start it ran beside `podman ps`, the
    /// slowest listing, on the same cores, putting the full list on screen that much later.
    pub fn listed(&mut self) {
        self.listed = true;
    }

    /// Whether a measurement may start: the first full listing is in, or it is late.
    fn may_measure(&self) -> bool {
        self.listed || self.opened.elapsed() >= FIRST_LISTING_WAIT
    }

    /// Starts what the app wants and is due: the selection's details, a measurement.
    pub fn poll(&mut self, app: &mut App, engine: &Engine, tx: &mpsc::Sender<Msg>) {
        let every = Duration::from_secs(INTERVAL_SECS);
        if app.insight.details_open
            && self
                .last_details
                .is_some_and(|t| t.elapsed() >= DETAILS_EVERY)
        {
            app.details_stale();
        }
        if let Some(s) = app.details_wanted().cloned() {
            app.details_started(s.id.clone());
            self.last_details = Some(Instant::now());
            let (engine, tx) = (engine.clone(), tx.clone());
            tokio::spawn(async move {
                let result = engine.details(&s).await.map_err(|e| e.to_string());
                let _ = tx.send(Msg::Details { id: s.id, result }).await;
            });
        }
        self.read_trees(app, engine, tx);
        let due = self.last_measure.is_none_or(|t| t.elapsed() >= every);
        if !app.stats_wanted() || self.measuring || !due || !self.may_measure() {
            return;
        }
        let Some(sampler) = self.sampler.take() else {
            return;
        };
        self.measuring = true;
        self.last_measure = Some(Instant::now());
        let (engine, tx) = (engine.clone(), tx.clone());
        let sessions = app.sessions.clone();
        let limit = STATS_DEADLINE.min(
            engine
                .config()
                .defaults
                .command_timeout
                .max(Duration::from_secs(1)),
        );
        tokio::spawn(async move {
            let (sampler, usage) = engine.usage(&sessions, sampler, limit).await;
            let _ = tx
                .send(Msg::Usage {
                    sampler: Box::new(sampler),
                    usage,
                })
                .await;
        });
    }

    /// Reads the windows of the sessions unfolded in the list that are due, each in a task
    /// of its own with [`TREE_DEADLINE`].
    fn read_trees(&mut self, app: &mut App, engine: &Engine, tx: &mpsc::Sender<Msg>) {
        if self.last_trees.is_none_or(|t| t.elapsed() >= TREES_EVERY) {
            self.last_trees = Some(Instant::now());
            app.trees_stale();
        }
        for s in app.trees_due() {
            let (engine, tx) = (engine.clone(), tx.clone());
            tokio::spawn(async move {
                let result = match tokio::time::timeout(TREE_DEADLINE, engine.details(&s)).await {
                    Ok(r) => r.map_err(|e| e.to_string()),
                    Err(_) => Err(format!(
                        "tmux did not answer within {} s",
                        TREE_DEADLINE.as_secs()
                    )),
                };
                let _ = tx.send(Msg::Tree { id: s.id, result }).await;
            });
        }
    }

    /// A measurement came back with the sampler.
    pub fn measured(&mut self, sampler: Sampler) {
        self.sampler = Some(sampler);
        self.measuring = false;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::keys::Keymap;

    /// An app whose CPU / MEM columns are shown (the list is wide enough for them).
    fn wide_app() -> App {
        let keymap = Keymap::new(&std::collections::BTreeMap::new()).expect("default keys");
        let mut app = App::new(keymap, 100, false);
        app.set_list_width(120);
        assert!(app.stats_wanted());
        app
    }

    async fn usage_arrives(rx: &mut mpsc::Receiver<Msg>) -> bool {
        let got = tokio::time::timeout(Duration::from_secs(10), rx.recv()).await;
        matches!(got, Ok(Some(Msg::Usage { .. })))
    }

    /// At start, /proc is not read while the sources are still listing: the first pass
    /// waits for the first full listing on screen.
    #[tokio::test]
    async fn the_first_measurement_waits_for_the_first_full_listing() {
        let engine = Engine::new(crate::config::Config::default());
        let (tx, mut rx) = mpsc::channel(8);
        let mut app = wide_app();
        let mut g = Gatherer::new();
        g.poll(&mut app, &engine, &tx);
        assert!(!g.measuring, "measured before every source answered");
        g.listed();
        g.poll(&mut app, &engine, &tx);
        assert!(g.measuring);
        assert!(usage_arrives(&mut rx).await);
    }

    /// A source that does not answer holds the figures back no longer than
    /// FIRST_LISTING_WAIT.
    #[tokio::test]
    async fn a_source_that_never_answers_holds_measuring_back_for_a_while_only() {
        let engine = Engine::new(crate::config::Config::default());
        let (tx, mut rx) = mpsc::channel(8);
        let mut app = wide_app();
        let mut g = Gatherer::new();
        g.opened = Instant::now()
            .checked_sub(FIRST_LISTING_WAIT)
            .expect("a clock that ran for two seconds");
        g.poll(&mut app, &engine, &tx);
        assert!(g.measuring);
        assert!(usage_arrives(&mut rx).await);
    }
}
