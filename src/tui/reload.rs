//! Config reload while the screen runs: the file is watched by its stamp once a second
//! (and reloaded on `R`), loaded off the loop, and taken only when it is valid, keys
//! included; a bad edit keeps the last good config and says why.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use tokio::sync::mpsc;

use super::app::Level;
use super::keys::Keymap;
use super::watch::Watchers;
use super::{Msg, Runner};
use crate::config::append::FileStamp;
use crate::config::{self, ConfigSource};

/// What the config file looks like from outside: modification time, size and inode. The
/// time alone misses edits: file systems keep it in coarse ticks, and an editor (or
/// `echo > file`) truncates and then writes, so a check between the two saw the empty file,
/// and the write, in the same tick, left the time as it was: the edit was never loaded.
type Stamp = (SystemTime, u64, u64);

fn stamp(source: &ConfigSource) -> Option<Stamp> {
    use std::os::unix::fs::MetadataExt;
    let meta = std::fs::metadata(source.path()?).ok()?;
    Some((meta.modified().ok()?, meta.len(), meta.ino()))
}

/// The config file in use and whether a reload of it is running.
pub(super) struct Reloader {
    source: ConfigSource,
    stamp: Option<Stamp>,
    /// A reload runs in the background; no second one starts meanwhile.
    running: bool,
    /// What the file held when it was last read for loading: `W` writes only to the file
    /// muxdeck loaded. Set by the reload task, read by the loop.
    loaded: Arc<Mutex<Option<FileStamp>>>,
}

impl Reloader {
    /// Watches `source` from how it looks now.
    pub(super) fn new(source: ConfigSource) -> Self {
        let loaded = source.path().and_then(FileStamp::read);
        Reloader {
            stamp: stamp(&source),
            source,
            running: false,
            loaded: Arc::new(Mutex::new(loaded)),
        }
    }

    /// The config file's path, when there is one.
    pub(super) fn path(&self) -> Option<PathBuf> {
        self.source.path().map(PathBuf::from)
    }

    /// What the file held when it was last loaded.
    pub(super) fn loaded(&self) -> Option<FileStamp> {
        self.loaded.lock().ok().and_then(|l| l.clone())
    }

    /// Reloads when the file looks different. While a reload runs, the stamp is left as
    /// it was: a change made meanwhile is seen again on a later tick and loaded then.
    pub(super) fn check(&mut self, tx: &mpsc::Sender<Msg>) {
        let now = stamp(&self.source);
        if now != self.stamp && !self.running {
            self.stamp = now;
            self.start(tx);
        }
    }

    /// Loads the config again in a blocking task (reading and parsing a file must never
    /// hold up keys and drawing); the result comes back as [`Msg::Config`].
    pub(super) fn start(&mut self, tx: &mpsc::Sender<Msg>) {
        if self.running {
            return;
        }
        self.running = true;
        let source = self.source.clone();
        let tx = tx.clone();
        let loaded = Arc::clone(&self.loaded);
        tokio::spawn(async move {
            let load = move || {
                // Read before loading: an edit in between makes `W` refuse, never lose it.
                let stamp = source.path().and_then(FileStamp::read);
                if let Ok(mut l) = loaded.lock() {
                    *l = stamp;
                }
                config::load(&source)
            };
            let result = match tokio::task::spawn_blocking(load).await {
                Ok(result) => result,
                // The load panicked: let the panic hook's message stand, as for any task.
                Err(_) => return,
            };
            let _ = tx.send(Msg::Config(result)).await;
        });
    }
}

impl Runner {
    /// Takes a reloaded config, or keeps the last good one and says why not.
    pub(super) fn on_config(&mut self, result: Result<config::Config, config::ConfigError>) {
        self.reload.running = false;
        let c = match result {
            Ok(c) => c,
            Err(e) => {
                self.app.say(
                    format!("config not reloaded, keeping the last good one: {e}"),
                    Level::Error,
                );
                return;
            }
        };
        if &c == self.engine.config() {
            return;
        }
        match Keymap::new(&c.keys) {
            Ok(km) => self.app.set_keymap(km),
            Err(e) => {
                self.app
                    .say(format!("config not reloaded: {e}"), Level::Error);
                return;
            }
        }
        self.app.set_commands(&c.commands);
        self.app.set_theme(c.theme.clone());
        self.app.save_style = c.save_style;
        if let Err(e) = self.tui.set_mouse(c.mouse) {
            self.app
                .say(format!("cannot switch mouse reporting: {e}"), Level::Error);
        }
        self.engine.set_config(c);
        self.sources = self.engine.sources();
        let sources = &self.sources;
        self.reports.retain(|s, _| sources.contains(s));
        // Hosts keep what they said (and their health) unless the config dropped them.
        let lines = super::host_lines(&self.engine);
        let old = std::mem::take(&mut self.app.hosts);
        self.app.hosts = lines
            .into_iter()
            .map(|l| old.iter().find(|o| o.host == l.host).cloned().unwrap_or(l))
            .collect();
        let hosts: Vec<_> = self.app.hosts.iter().map(|h| h.host.clone()).collect();
        self.remote.retain(|h, _| hosts.contains(h));
        self.watchers = Watchers::start(&self.engine, sources, &self.tx, &self.settled.subscribe());
        self.app.say("config reloaded", Level::Info);
        self.merge();
    }
}
