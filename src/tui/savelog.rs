//! Saving the log pane (`ctrl-s`): its lines as plain text in
//! `$XDG_STATE_HOME/muxdeck/logs/NAME-YYYYmmdd-HHMMSS.log` (else
//! `~/.local/state/muxdeck/logs/`), under a file name made safe from whatever the session is
//! called. Runs off the loop; the pane keeps its lines whatever happens here.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use super::app::SaveRequest;

/// Longest session-name part of a file name, in bytes.
const MAX_NAME: usize = 80;

/// Why the log could not be saved.
#[derive(Debug, thiserror::Error)]
pub enum SaveError {
    /// No home or state folder is known.
    #[error("cannot save the log: no state folder is known (set XDG_STATE_HOME)")]
    NoFolder,
    /// The folder or file could not be made or written.
    #[error("cannot save the log to {path}: {source}; the pane keeps its lines")]
    Write {
        /// Where it was to go.
        path: PathBuf,
        /// What the system said.
        source: std::io::Error,
    },
}

/// The folder saved logs go to.
pub fn logs_dir() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "muxdeck").map(|d| {
        d.state_dir()
            .unwrap_or_else(|| d.data_local_dir())
            .join("logs")
    })
}

/// `name` as a file name: letters, digits, `.`, `_` and `-` stay, anything else (`/`, `:`,
/// spaces, control characters, unicode) becomes `_`; never empty, hidden or an option.
pub fn safe_name(name: &str) -> String {
    let mut out: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '_'
            }
        })
        .take(MAX_NAME)
        .collect();
    if out.is_empty() || out.starts_with(['.', '-']) {
        out.insert(0, '_');
    }
    out
}

/// Writes the request into `dir` (made if missing), stamped `stamp` (`YYYYmmdd-HHMMSS`);
/// an existing file is never overwritten (`-2`, `-3`, … follow). The path written.
pub fn save(dir: &Path, req: &SaveRequest, stamp: &str) -> Result<PathBuf, SaveError> {
    let error = |path: &Path, source| SaveError::Write {
        path: path.to_path_buf(),
        source,
    };
    std::fs::create_dir_all(dir).map_err(|e| error(dir, e))?;
    let base = format!("{}-{stamp}", safe_name(&req.name));
    for n in 1..=100 {
        let file = if n == 1 {
            format!("{base}.log")
        } else {
            format!("{base}-{n}.log")
        };
        let path = dir.join(file);
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
        {
            Ok(mut f) => {
                f.write_all(req.text.as_bytes())
                    .and_then(|()| f.flush())
                    .map_err(|e| error(&path, e))?;
                return Ok(path);
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(error(&path, e)),
        }
    }
    Err(error(
        dir,
        std::io::Error::other("100 files of that name and second exist"),
    ))
}

/// Now, as the file name's stamp (UTC: muxdeck reads no time zone database).
pub fn stamp_now() -> String {
    jiff::Timestamp::now().strftime("%Y%m%d-%H%M%S").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(name: &str) -> SaveRequest {
        SaveRequest {
            name: name.into(),
            text: "a\nb\n".into(),
            lines: 2,
        }
    }

    #[test]
    fn odd_names_make_safe_file_names() {
        assert_eq!(safe_name("tmux@work:api"), "tmux_work_api");
        assert_eq!(
            safe_name("podman:../../etc/passwd"),
            "podman_.._.._etc_passwd"
        );
        assert_eq!(safe_name("-rf"), "_-rf");
        assert_eq!(safe_name(".hidden"), "_.hidden");
        assert_eq!(safe_name(""), "_");
        assert_eq!(safe_name("日本 x\n"), "___x_");
        assert_eq!(safe_name(&"a".repeat(300)).len(), MAX_NAME);
    }

    #[test]
    fn saves_without_overwriting() {
        let dir = tempfile::tempdir().unwrap();
        let sub = dir.path().join("state/muxdeck/logs");
        let p1 = save(&sub, &req("tmux@w:a/b"), "20261129-210000").unwrap();
        assert_eq!(p1, sub.join("tmux_w_a_b-20261129-210000.log"));
        assert_eq!(std::fs::read_to_string(&p1).unwrap(), "a\nb\n");
        let p2 = save(&sub, &req("tmux@w:a/b"), "20261129-210000").unwrap();
        assert_eq!(p2, sub.join("tmux_w_a_b-20261129-210000-2.log"));
    }

    #[test]
    fn an_unwritable_folder_is_one_clear_line() {
        let dir = tempfile::tempdir().unwrap();
        // A file where the folder should be: no permission tricks needed (tests may run
        // as root).
        let blocker = dir.path().join("logs");
        std::fs::write(&blocker, b"").unwrap();
        let e = save(&blocker.join("sub"), &req("x"), "20261129-210000").unwrap_err();
        let text = e.to_string();
        assert!(text.starts_with("cannot save the log to "), "{text}");
        assert!(text.ends_with("the pane keeps its lines"), "{text}");
        assert!(!text.contains('\n'));
    }
}
