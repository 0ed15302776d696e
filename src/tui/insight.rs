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

/// What is in flight, and when it last started.
#[derive(Debug, Default)]
pub struct Gatherer {
    /// The sampler of /proc and the control groups, while no measurement has it.
    sampler: Option<Sampler>,
    measuring: bool,
    last_measure: Option<Instant>,
    last_details: Option<Instant>,
    last_trees: Option<Instant>,
}

impl Gatherer {
    /// A gatherer with nothing in flight.
    pub fn new() -> Self {
        Gatherer {
            sampler: Some(Sampler::default()),
            ..Gatherer::default()
        }
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
        if !app.stats_wanted() || self.measuring || !due {
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
