//! podman's events file, watched instead of `podman events` where podman writes its events
//! to a file (`events_logger = "file"`). `podman events` is a Go program that wakes up on
//! its own timers while nothing happens (0.3 % of a core measured here, more than the
//! rest of an idle screen); a look at the file's size and time once a second costs one
//! `stat`. The host feed (`watch_host.rs`) does the same on other hosts, in `sh`.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use crate::backend::process;
use crate::engine::Engine;
use crate::model::Runtime;

/// How often the file is looked at. A change shows up to this much later than through
/// `podman events`; the screen's own operations ask for a listing at once anyway.
const LOOK_EVERY: Duration = Duration::from_secs(1);

/// What tells a write: the file's length and modification time.
type Stamp = (u64, SystemTime);

/// podman's events file and how it looked last.
pub(super) struct EventsFile {
    path: PathBuf,
    seen: Option<Stamp>,
}

impl EventsFile {
    /// The file podman writes its events to on this machine, when it writes them to a
    /// file: root's in `/run/libpod`, a rootless user's under `$XDG_RUNTIME_DIR`, where
    /// podman's default `tmp_dir` puts it. None when podman logs its events
    /// elsewhere (journald) or the file is not there: then `podman events` is the way.
    pub(super) async fn find(engine: &Engine) -> Option<EventsFile> {
        let cli = engine.runtime(Runtime::Podman);
        let inv = cli
            .inv()
            .args(["info", "--format", "{{.Host.EventLogger}}"])
            .named("info");
        let out = process::run(&inv, cli.timeout).await.ok()?;
        if out.text().trim() != "file" {
            return None;
        }
        // By user, not by which file exists: another user's file may be there too.
        let path = if uid() == 0 {
            PathBuf::from("/run/libpod/events/events.log")
        } else {
            PathBuf::from(std::env::var_os("XDG_RUNTIME_DIR").filter(|v| !v.is_empty())?)
                .join("libpod/tmp/events/events.log")
        };
        if !path.is_file() {
            return None;
        }
        let seen = stamp(&path);
        Some(EventsFile { path, seen })
    }

    /// Waits until the file was written to (true) or is gone (false: podman's set-up
    /// changed, and `podman events` takes over).
    pub(super) async fn changed(&mut self) -> bool {
        loop {
            tokio::time::sleep(LOOK_EVERY).await;
            match stamp(&self.path) {
                None => return false,
                Some(now) if Some(now) != self.seen => {
                    self.seen = Some(now);
                    return true;
                }
                Some(_) => {}
            }
        }
    }

    /// Whether it was written to since the last look, without waiting.
    pub(super) fn moved(&mut self) -> bool {
        let now = stamp(&self.path);
        let moved = now.is_some() && now != self.seen;
        self.seen = now;
        moved
    }
}

fn uid() -> u32 {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata("/proc/self").map_or(u32::MAX, |m| m.uid())
}

fn stamp(path: &Path) -> Option<Stamp> {
    let m = std::fs::metadata(path).ok()?;
    Some((m.len(), m.modified().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_write_is_seen_and_a_quiet_file_is_not() {
        let dir = std::env::temp_dir().join(format!("mxt-events-file-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let path = dir.join("events.log");
        std::fs::write(&path, "a\n").expect("write");
        let mut f = EventsFile {
            seen: stamp(&path),
            path: path.clone(),
        };
        assert!(!f.moved());
        std::fs::write(&path, "a\nb\n").expect("write");
        assert!(f.moved());
        assert!(!f.moved());
        std::fs::write(&path, "a\nb\nc\n").expect("write");
        let seen = tokio::time::timeout(LOOK_EVERY * 3, f.changed()).await;
        assert_eq!(seen.ok(), Some(true));
        std::fs::remove_file(&path).expect("remove");
        let gone = tokio::time::timeout(LOOK_EVERY * 3, f.changed()).await;
        assert_eq!(gone.ok(), Some(false));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
