//! Which containers muxdeck stopped, remembered across runs (the CLI and the TUI are
//! separate processes), so that a container muxdeck stopped is listed as `stopped` and
//! not as a red `exited (137)` that looks like a crash. Neither podman 4 nor docker says
//! who stopped a container.
//!
//! The memory is a small text file in the state folder (`$XDG_STATE_HOME/muxdeck/stopped`,
//! else `~/.local/state/muxdeck/stopped`), one `ID<TAB>SECONDS` line per stop and
//! `ID<TAB>-` when muxdeck starts or removes it again; the last line of an id wins. Lines
//! are appended with `O_APPEND`, so muxdeck processes writing at once never lose each
//! other's lines. Losing the file loses only the colour of some stopped containers.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The file grows to this before it is rewritten with only what it still says.
const COMPACT_AT: u64 = 64 * 1024;
/// At most this much of the file is read.
const READ_CAP: u64 = 256 * 1024;

/// The record of containers muxdeck stopped; see the module docs. A memory without a
/// file (no home folder) remembers nothing and never fails.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StopMemory {
    path: Option<PathBuf>,
}

impl StopMemory {
    /// The memory in the user's state folder.
    pub fn in_state_dir() -> Self {
        let path = directories::ProjectDirs::from("", "", "muxdeck").map(|d| {
            d.state_dir()
                .unwrap_or_else(|| d.data_local_dir())
                .join("stopped")
        });
        StopMemory { path }
    }

    /// A memory kept in `path`.
    pub fn at(path: impl Into<PathBuf>) -> Self {
        StopMemory {
            path: Some(path.into()),
        }
    }

    /// Records that muxdeck stopped the container with full id `id` at `when` (Unix
    /// seconds). Best effort: a memory that cannot be written costs only a colour.
    pub fn remember(&self, id: &str, when: i64) {
        self.append(id, &when.to_string());
    }

    /// Records that muxdeck started or removed the container again.
    pub fn forget(&self, id: &str) {
        self.append(id, "-");
    }

    /// Container ids muxdeck stopped, with when, as far as the file says.
    pub fn load(&self) -> HashMap<String, i64> {
        let Some(path) = &self.path else {
            return HashMap::new();
        };
        let Ok(file) = std::fs::File::open(path) else {
            return HashMap::new();
        };
        let mut text = String::new();
        // A file cut short or not UTF-8 is read as far as it goes.
        let _ = std::io::Read::read_to_string(&mut std::io::Read::take(file, READ_CAP), &mut text);
        parse(&text)
    }

    fn append(&self, id: &str, value: &str) {
        let Some(path) = &self.path else { return };
        // An id is hex from the runtime; anything else could break the line format.
        if id.is_empty() || !id.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return;
        }
        if let Some(dir) = path.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        let line = format!("{id}\t{value}\n");
        let appended = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .and_then(|mut f| f.write_all(line.as_bytes()).map(|()| f));
        if let Ok(f) = appended
            && f.metadata().is_ok_and(|m| m.len() > COMPACT_AT)
        {
            compact(path, &self.load());
        }
    }
}

/// Rewrites the file with only the ids it still remembers (a rename, so a reader never
/// sees half a file).
fn compact(path: &Path, live: &HashMap<String, i64>) {
    let mut entries: Vec<(&String, &i64)> = live.iter().collect();
    // The newest stops matter: a container stopped long ago is likely removed by now.
    entries.sort_by_key(|(_, when)| std::cmp::Reverse(**when));
    let text: String = entries
        .into_iter()
        .take(512)
        .map(|(id, when)| format!("{id}\t{when}\n"))
        .collect();
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    if std::fs::write(&tmp, text).is_ok() && std::fs::rename(&tmp, path).is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
}

fn parse(text: &str) -> HashMap<String, i64> {
    let mut map = HashMap::new();
    for line in text.lines() {
        let Some((id, value)) = line.split_once('\t') else {
            continue;
        };
        match value.parse::<i64>() {
            Ok(when) => map.insert(id.to_string(), when),
            Err(_) => map.remove(id),
        };
    }
    map
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_line_of_an_id_wins() {
        let m = parse("aa\t10\nbb\t11\naa\t-\ncc\t12\ncc\t13\nbroken\n");
        assert_eq!(m.get("aa"), None);
        assert_eq!(m.get("bb"), Some(&11));
        assert_eq!(m.get("cc"), Some(&13));
        assert_eq!(m.len(), 2);
    }

    #[test]
    fn remembers_forgets_and_compacts() {
        let dir = std::env::temp_dir().join(format!("muxdeck-stopmem-{}", std::process::id()));
        let m = StopMemory::at(dir.join("sub").join("stopped"));
        m.remember("abc123", 5);
        m.remember("def456", 6);
        m.forget("abc123");
        m.remember("bad\tid", 7);
        let got = m.load();
        assert_eq!(got.len(), 1, "{got:?}");
        assert_eq!(got.get("def456"), Some(&6));
        for i in 0..5000 {
            m.remember(&format!("f{i:05}"), i);
        }
        let size = std::fs::metadata(dir.join("sub").join("stopped")).map_or(0, |md| md.len());
        assert!(size <= COMPACT_AT + 64, "{size}");
        assert_eq!(m.load().get("f04999"), Some(&4999));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn no_file_means_nothing_remembered() {
        let m = StopMemory { path: None };
        m.remember("abc", 1);
        assert!(m.load().is_empty());
    }
}
