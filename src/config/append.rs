//! Adding one session's definition to the config file as text (`W` in the TUI): the
//! file's comments and order stay as they are, because only the new lines are inserted;
//! the file is never read into a value and written back.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::io::Write as _;
use std::path::{Path, PathBuf};

use super::{ConfigError, parse};

/// What the file held when muxdeck loaded it: a write refuses to go ahead when the file
/// holds something else now (an edit made meanwhile would be lost, or contradicted).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileStamp {
    len: usize,
    hash: u64,
}

impl FileStamp {
    /// The stamp of this content.
    pub fn of_text(text: &str) -> Self {
        let mut h = DefaultHasher::new();
        text.hash(&mut h);
        FileStamp {
            len: text.len(),
            hash: h.finish(),
        }
    }

    /// The stamp of the file as it is now; `None` when it cannot be read.
    pub fn read(path: &Path) -> Option<Self> {
        std::fs::read_to_string(path)
            .ok()
            .map(|t| Self::of_text(&t))
    }
}

/// Why a definition was not added; the file is untouched in every case.
#[derive(Debug, thiserror::Error)]
pub enum AppendError {
    /// No config file is in use.
    #[error(
        "no config file to write to: create one with `mkdir -p ~/.config/muxdeck && muxdeck config init > ~/.config/muxdeck/config.yml` (or pass --config PATH)"
    )]
    NoPath,
    /// The config path names no file yet.
    #[error("no config file at {}: create it first with `{}`", .0.display(), create_command(.0))]
    Missing(PathBuf),
    /// The file may not be written.
    #[error("config {0} is read-only: nothing written; make it writable and press W again")]
    ReadOnly(PathBuf),
    /// The file is not what muxdeck loaded.
    #[error(
        "config {0} changed on disk since muxdeck loaded it: nothing written; wait for the reload (or press R) and press W again"
    )]
    Changed(PathBuf),
    /// A session of that name is defined already.
    #[error("{name} is already defined in {path}: nothing written")]
    AlreadyDefined {
        /// The session name.
        name: String,
        /// The file.
        path: PathBuf,
    },
    /// The file with the definition would not load.
    #[error("the config would not load with this definition, nothing written: {0}")]
    Invalid(ConfigError),
    /// Reading or writing failed.
    #[error("cannot write config {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What the system said.
        source: std::io::Error,
    },
}

/// The shell line that creates the config file `path` from the starter: its folder first,
/// which a new user does not have yet (`~/.config/muxdeck`), then `config init` into it.
pub fn create_command(path: &Path) -> String {
    let quoted = |p: &Path| shell_words::quote(&p.to_string_lossy()).into_owned();
    let init = format!("muxdeck config init > {}", quoted(path));
    match path.parent().filter(|d| !d.as_os_str().is_empty()) {
        Some(dir) => format!("mkdir -p {} && {init}", quoted(dir)),
        None => init,
    }
}

/// `text` with `block` (a definition as `config init` writes it: two spaces deep, under
/// `sessions:`) added at the end of its `sessions:` mapping, indented as that mapping's
/// entries are; or, in a file without `sessions:`, with a new `sessions:` at the end.
pub fn with_definition(text: &str, block: &str) -> String {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let is_top = |l: &str| {
        let t = l.trim_end();
        !t.is_empty() && !t.starts_with(' ') && !t.starts_with('#') && !t.starts_with('\t')
    };
    let Some(key) = lines.iter().position(|l| {
        let t = l.trim_end();
        t == "sessions:" || t.starts_with("sessions: #") || t.starts_with("sessions:\t#")
    }) else {
        let mut out = text.to_string();
        if !out.is_empty() && !out.ends_with('\n') {
            out.push('\n');
        }
        out.push_str("\nsessions:\n");
        out.push_str(block);
        return out;
    };
    // The mapping ends before the next top-level key; blank and comment lines just before
    // that key belong to it, not to the last entry.
    let next = lines[key + 1..]
        .iter()
        .position(|l| is_top(l))
        .map_or(lines.len(), |i| key + 1 + i);
    let mut end = next;
    while end > key + 1 {
        let t = lines[end - 1].trim();
        if t.is_empty() || (next < lines.len() && lines[end - 1].starts_with('#')) {
            end -= 1;
        } else {
            break;
        }
    }
    // Entries already there set the indent (config init writes two spaces).
    let indent = lines[key + 1..end]
        .iter()
        .map(|l| l.trim_end())
        .find(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        .map_or(2, |l| l.len() - l.trim_start().len());
    let extra = " ".repeat(indent.saturating_sub(2));
    let mut out: String = lines[..end].concat();
    if !out.ends_with('\n') {
        out.push('\n');
    }
    out.push('\n');
    for l in block.split_inclusive('\n') {
        if !l.trim().is_empty() {
            out.push_str(&extra);
        }
        out.push_str(l);
    }
    out.push_str(&lines[end..].concat());
    out
}

/// Adds the definition `block` of session `name` to the config file at `path`, which
/// muxdeck loaded as `loaded`: checked to load before anything is written, then written
/// whole to a file beside it and renamed over it (keeping its permissions), so a reader
/// never sees half of it. Returns the new text.
pub fn append_definition(
    path: Option<&Path>,
    loaded: Option<&FileStamp>,
    name: &str,
    block: &str,
) -> Result<String, AppendError> {
    let path = path.ok_or(AppendError::NoPath)?;
    let io = |source| AppendError::Io {
        path: path.to_path_buf(),
        source,
    };
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(AppendError::Missing(path.to_path_buf()));
        }
        Err(e) => return Err(io(e)),
    };
    if meta.permissions().readonly() {
        return Err(AppendError::ReadOnly(path.to_path_buf()));
    }
    let now = std::fs::read_to_string(path).map_err(io)?;
    if loaded != Some(&FileStamp::of_text(&now)) {
        return Err(AppendError::Changed(path.to_path_buf()));
    }
    let before = parse(&now, path).map_err(AppendError::Invalid)?;
    if before.sessions.iter().any(|s| s.name == name) {
        return Err(AppendError::AlreadyDefined {
            name: name.to_string(),
            path: path.to_path_buf(),
        });
    }
    let text = with_definition(&now, block);
    let after = parse(&text, path).map_err(AppendError::Invalid)?;
    if after.sessions.len() != before.sessions.len() + 1 {
        return Err(AppendError::Invalid(ConfigError::Invalid {
            path: path.to_path_buf(),
            line: None,
            column: None,
            message: "the definition did not land under sessions:".into(),
        }));
    }
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty());
    let dir = dir.unwrap_or(Path::new("."));
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{file_name}.muxdeck-{}.tmp", std::process::id()));
    let written = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(text.as_bytes())?;
        f.set_permissions(meta.permissions())?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(io(e));
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    const BLOCK: &str =
        "  # from \"tmux@default:web\"\n  web:\n    backend: tmux\n    command: \"sleep 100\"\n";

    const FILE: &str = "# my config\ndefaults:\n  stop_timeout: 3 # short\n\nsessions:\n  # the api\n  api:\n    command: \"sleep 9\"\n\n# keys come last\nkeys:\n  quit: [q]\n";

    #[test]
    fn the_entry_goes_under_sessions_and_the_rest_stays() {
        let text = with_definition(FILE, BLOCK);
        let api = text.find("  api:").unwrap_or(usize::MAX);
        let web = text.find("  web:").unwrap_or(0);
        let keys = text.find("# keys come last").unwrap_or(0);
        assert!(api < web && web < keys, "{text}");
        for line in FILE.lines() {
            assert!(text.contains(line), "{line} lost:\n{text}");
        }
        let c = parse(&text, Path::new("c.yml")).map_err(|e| e.to_string());
        let names: Vec<String> = c
            .map(|c| c.sessions.into_iter().map(|s| s.name).collect())
            .unwrap_or_default();
        assert_eq!(names, ["api", "web"], "{text}");
    }

    #[test]
    fn a_file_without_sessions_gets_the_key() {
        let file = "# only keys\nkeys:\n  quit: [q]";
        let text = with_definition(file, BLOCK);
        assert!(text.starts_with(file), "{text}");
        assert!(text.contains("\nsessions:\n  # from"), "{text}");
        assert!(parse(&text, Path::new("c.yml")).is_ok(), "{text}");
    }

    #[test]
    fn a_starter_file_with_only_commented_examples_gets_its_first_entry() {
        let file = "defaults:\n  stop_timeout: 10\n\n# Sessions.\nsessions:\n  # api-dev:\n  #   backend: tmux\n";
        let text = with_definition(file, BLOCK);
        assert_eq!(text, format!("{file}\n{BLOCK}"));
        let c = parse(&text, Path::new("c.yml")).map_err(|e| e.to_string());
        assert_eq!(c.map(|c| c.sessions.len()), Ok(1), "{text}");
    }

    #[test]
    fn entries_four_deep_get_the_block_four_deep() {
        let file = "sessions:\n    api:\n        command: \"x\"\n";
        let text = with_definition(file, BLOCK);
        assert!(text.contains("\n    web:\n      backend: tmux"), "{text}");
        assert!(parse(&text, Path::new("c.yml")).is_ok(), "{text}");
    }

    fn file(text: &str) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
        let path = dir.path().join("config.yml");
        std::fs::write(&path, text).unwrap_or_else(|e| panic!("write: {e}"));
        (dir, path)
    }

    #[test]
    fn writes_keeping_comments_and_mode() {
        let (_d, path) = file(FILE);
        let _ = std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640));
        let loaded = FileStamp::of_text(FILE);
        let r = append_definition(Some(&path), Some(&loaded), "web", BLOCK);
        assert!(r.is_ok(), "{r:?}");
        let now = std::fs::read_to_string(&path).unwrap_or_default();
        assert_eq!(now, with_definition(FILE, BLOCK));
        let mode = std::fs::metadata(&path).map(|m| m.permissions().mode() & 0o777);
        assert_eq!(mode.ok(), Some(0o640));
        // Only the config is in the folder: the temporary file is gone.
        let n = std::fs::read_dir(_d.path()).map(|d| d.count()).unwrap_or(0);
        assert_eq!(n, 1);
    }

    #[test]
    fn a_file_changed_since_loading_is_left_alone() {
        let (_d, path) = file(FILE);
        let loaded = FileStamp::of_text("sessions: {}\n");
        let r = append_definition(Some(&path), Some(&loaded), "web", BLOCK);
        assert!(matches!(r, Err(AppendError::Changed(_))), "{r:?}");
        assert_eq!(std::fs::read_to_string(&path).unwrap_or_default(), FILE);
    }

    #[test]
    fn a_read_only_file_is_left_alone() {
        let (_d, path) = file(FILE);
        let _ = std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o444));
        let loaded = FileStamp::of_text(FILE);
        let r = append_definition(Some(&path), Some(&loaded), "web", BLOCK);
        assert!(matches!(r, Err(AppendError::ReadOnly(_))), "{r:?}");
        assert_eq!(std::fs::read_to_string(&path).unwrap_or_default(), FILE);
    }

    #[test]
    fn a_defined_name_no_path_and_no_file_are_refused() {
        let (_d, path) = file(FILE);
        let loaded = FileStamp::of_text(FILE);
        let api = BLOCK.replace("web:", "api:");
        let r = append_definition(Some(&path), Some(&loaded), "api", &api);
        assert!(
            matches!(r, Err(AppendError::AlreadyDefined { .. })),
            "{r:?}"
        );
        assert_eq!(std::fs::read_to_string(&path).unwrap_or_default(), FILE);
        let r = append_definition(None, None, "web", BLOCK);
        assert!(matches!(r, Err(AppendError::NoPath)), "{r:?}");
        let gone = path.with_file_name("none.yml");
        let r = append_definition(Some(&gone), None, "web", BLOCK);
        assert!(matches!(r, Err(AppendError::Missing(_))), "{r:?}");
    }
}
