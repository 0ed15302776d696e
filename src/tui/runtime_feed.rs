//! What tells a runtime's watcher that its containers changed: the runtime's `events`
//! stream, or, where podman writes its events to a file (`events_logger = "file"`), that
//! file itself. `podman events` follows the file by polling it, a Go program that costs
//! 0.3 % of a core while nothing happens; looking at the file's size and time every
//! [`FILE_INTERVAL`] costs next to nothing. The file is the one podman's own `events`
//! opens, so its place follows podman's settings, whatever they are.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, SystemTime};

use futures::FutureExt;
use tokio::io::AsyncReadExt;
use tokio::time::Instant;

use crate::engine::Engine;
use crate::model::Runtime;

/// Quiet time after an event before re-listing, so a burst of events costs one listing.
const DEBOUNCE: Duration = Duration::from_millis(150);
/// Longest a burst of events holds back the re-list, so a runtime that never stops
/// printing events is still listed every few seconds.
const DEBOUNCE_MAX: Duration = Duration::from_secs(2);
/// How often the events file is looked at: about as often as tmux is looked at in /proc.
const FILE_INTERVAL: Duration = Duration::from_millis(1000);
/// How long podman's `events` is given to open its file before it is kept as a stream
/// (it opens it within 0.1 s on an idle machine). Its output is not read meanwhile, so
/// this holds back the next listing of a runtime whose stream prints at once.
const FILE_LOOKUP: Duration = Duration::from_secs(1);

/// A running subscription to a runtime's changes; dropping it kills the child, if any.
pub enum Feed {
    /// The runtime's `events` output: a line is a change.
    Stream {
        _child: tokio::process::Child,
        stdout: tokio::process::ChildStdout,
    },
    /// Podman's events file: a change of its size, time or inode is a change.
    File {
        path: PathBuf,
        /// The file as it was before the last listing started.
        seen: Option<Stamp>,
        /// When the listing before the file was found started: a write since then is a
        /// change that listing may have missed.
        since: SystemTime,
    },
}

/// What tells one state of a file from the next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    len: u64,
    modified: SystemTime,
    inode: u64,
}

fn stamp(path: &Path) -> Option<Stamp> {
    use std::os::unix::fs::MetadataExt;
    let m = std::fs::metadata(path).ok()?;
    Some(Stamp {
        len: m.len(),
        modified: m.modified().ok()?,
        inode: m.ino(),
    })
}

impl Feed {
    /// Subscribes to `rt`'s changes; None when its `events` cannot be started. `listed_at`
    /// is when the listing this follows started.
    pub async fn start(engine: &Engine, rt: Runtime, listed_at: SystemTime) -> Option<Feed> {
        let format = match rt {
            Runtime::Podman => "json",
            Runtime::Docker => "{{json .}}",
        };
        let inv = engine.runtime(rt).inv().args([
            "events",
            "--format",
            format,
            "--filter",
            "type=container",
        ]);
        let mut cmd = inv.to_tokio();
        cmd.stderr(Stdio::null());
        let mut child = cmd.spawn().ok()?;
        if rt == Runtime::Podman
            && let Some(path) = opened_events_file(&mut child).await
        {
            // The child goes with this scope: the file tells the same for nothing.
            return Some(Feed::File {
                path,
                seen: None,
                since: listed_at,
            });
        }
        let stdout = child.stdout.take()?;
        Some(Feed::Stream {
            _child: child,
            stdout,
        })
    }

    /// Notes the file as it is now, before a listing: what changes from here on is news.
    pub fn mark(&mut self) {
        if let Feed::File { path, seen, .. } = self {
            *seen = stamp(path);
        }
    }

    /// Waits for a change; false once the feed has ended (the stream closed, the file is
    /// gone), so that it is started again.
    pub async fn changed(&mut self) -> bool {
        match self {
            Feed::Stream { stdout, .. } => {
                // Only that it printed matters (a line is a change), so nothing is kept: a
                // runtime that prints without end, or one endless line, costs no memory.
                let mut buf = [0u8; 4096];
                matches!(stdout.read(&mut buf).await, Ok(n) if n > 0)
            }
            Feed::File { path, seen, since } => loop {
                let Some(now) = stamp(path) else {
                    return false;
                };
                let moved = match seen {
                    Some(s) => *s != now,
                    // File times come from a coarse clock, a few ms behind `since`'s:
                    // a second's slack costs at most one listing more.
                    None => now.modified + Duration::from_secs(1) >= *since,
                };
                *seen = Some(now);
                if moved {
                    return true;
                }
                tokio::time::sleep(FILE_INTERVAL).await;
            },
        }
    }

    /// Waits for the rest of a burst of events: until [`DEBOUNCE`] passes with nothing
    /// printed, or [`DEBOUNCE_MAX`] in all. A stream is read only between waits, and only
    /// what is already there, so a runtime that prints without end blocks on its full pipe
    /// rather than keeping muxdeck busy reading. A file is looked at once per wait.
    pub async fn debounce(&mut self) {
        let until = Instant::now() + DEBOUNCE_MAX;
        loop {
            tokio::time::sleep(DEBOUNCE).await;
            let more = match self {
                Feed::Stream { stdout, .. } => drain(stdout),
                Feed::File { path, seen, .. } => {
                    let now = stamp(path);
                    let moved = now.is_some() && now != *seen;
                    *seen = now;
                    moved
                }
            };
            if !more || Instant::now() >= until {
                return;
            }
        }
    }
}

/// Reads what is already printed, at most a pipe's worth, without waiting; whether there
/// was anything (the end of the stream is nothing: the next read reports it).
fn drain(stdout: &mut tokio::process::ChildStdout) -> bool {
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

/// The events file podman's `events` has open (`…/events/events.log`), looked for in the
/// child's own descriptors for up to [`FILE_LOOKUP`]; None when it logs elsewhere
/// (journald), ended, or took longer.
async fn opened_events_file(child: &mut tokio::process::Child) -> Option<PathBuf> {
    let pid = child.id()?;
    let fds = PathBuf::from(format!("/proc/{pid}/fd"));
    let until = Instant::now() + FILE_LOOKUP;
    while Instant::now() < until {
        if !matches!(child.try_wait(), Ok(None)) {
            return None;
        }
        let found = std::fs::read_dir(&fds)
            .into_iter()
            .flatten()
            .filter_map(|e| std::fs::read_link(e.ok()?.path()).ok())
            .find(|p| p.ends_with("events/events.log"));
        if found.is_some() {
            return found;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn soon(feed: &mut Feed) -> Result<bool, tokio::time::error::Elapsed> {
        tokio::time::timeout(Duration::from_secs(5), feed.changed()).await
    }

    #[tokio::test]
    async fn the_events_file_tells_writes_since_the_listing_and_its_removal() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("events.log");
        let listed_at = SystemTime::now();
        std::fs::write(&path, "{\"Status\":\"start\"}\n").expect("write");
        // Found after a listing that the write came after: that listing may have missed it.
        let mut feed = Feed::File {
            path: path.clone(),
            seen: None,
            since: listed_at,
        };
        assert_eq!(soon(&mut feed).await.ok(), Some(true));
        // Nothing written since the next listing began: no change within a few looks.
        feed.mark();
        let quiet = tokio::time::timeout(FILE_INTERVAL * 3, feed.changed()).await;
        assert!(quiet.is_err(), "a file nobody writes is no change");
        feed.mark();
        std::fs::write(&path, "{\"Status\":\"start\"}\n{\"Status\":\"died\"}\n").expect("append");
        assert_eq!(soon(&mut feed).await.ok(), Some(true));
        std::fs::remove_file(&path).expect("remove");
        assert_eq!(
            soon(&mut feed).await.ok(),
            Some(false),
            "a file gone ends the feed"
        );
    }
}
