//! Keys as the config writes them: the actions a key can ask for (with their config names,
//! help text and default keys) and key specs such as `ctrl-d`, `G` or `enter`. Shared by the
//! config, which refuses an unknown action or key where it is written, and by the TUI's
//! keymap, which binds them.

use std::fmt;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// Everything a key can ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// Move up in the focused pane.
    Up,
    /// Move down in the focused pane.
    Down,
    /// First row / oldest log line.
    Top,
    /// Last row / newest log line.
    Bottom,
    /// A page up.
    PageUp,
    /// A page down.
    PageDown,
    /// Half a page up.
    HalfPageUp,
    /// Half a page down.
    HalfPageDown,
    /// Switch focus between list and logs.
    Focus,
    /// Hand the terminal to the session.
    Attach,
    /// Open a shell in the container.
    Exec,
    /// Start the session.
    Start,
    /// Stop the session (confirm first when it runs).
    Stop,
    /// Kill the session (confirm first when it runs).
    Kill,
    /// Restart the session (confirm first when it runs).
    Restart,
    /// Remove the container (confirm first).
    Remove,
    /// Mark or unmark the selected session for bulk actions.
    Mark,
    /// Pause a running container, or unpause a paused one.
    Pause,
    /// Open the prompt that types a line into tmux panes or runs it in containers.
    Send,
    /// In the prompt: send the line.
    SendLine,
    /// In the prompt: close it without sending.
    ClosePrompt,
    /// In the prompt: switch between a line typed literally and tmux key names.
    PromptKeys,
    /// Show the history of what happened since muxdeck started.
    Events,
    /// Filter sessions by substring.
    Filter,
    /// Resume following the log.
    Follow,
    /// Toggle wrapping of log lines.
    Wrap,
    /// Refresh now (and reload the config).
    Refresh,
    /// Add the selected session (one not from the config) to the config file, after a
    /// question that shows its definition.
    WriteConfig,
    /// Show the help overlay.
    Help,
    /// Show the last messages of the status line in full.
    Messages,
    /// End the app, restoring the terminal.
    Quit,
    /// In a confirm question: run the operation.
    Confirm,
    /// In a confirm question: cancel.
    Cancel,
    /// While typing a filter: keep it and go back to the list.
    Keep,
    /// Empty the filter (while typing it, or after).
    ClearFilter,
    /// Log pane: search its lines as you type.
    LogSearch,
    /// Log pane: jump to the next (older-to-newer) match.
    NextMatch,
    /// Log pane: jump to the previous match.
    PrevMatch,
    /// Log pane: keep only the lines that match (`!` inverts).
    LogFilter,
    /// Log pane: cycle 0 / 2 / 5 lines of context around the filter's matches.
    Context,
    /// Log pane: clear the search, then the filter.
    ClearLogTools,
    /// Log pane: save what it holds (after the filter) to a file.
    SaveLog,
    /// Log pane: copy the lines on screen (or the current match's) to the clipboard.
    Copy,
    /// Log pane: reload it with the last 5 min, 30 min, 2 h, 24 h, everything, or the
    /// default tail: the action's first key asks for the first of these, and so on.
    Since,
    /// Open or close the details pane of the selected session.
    Details,
    /// Show or hide the CPU and memory columns.
    Stats,
    /// Sort the list by the next column.
    Sort,
    /// Show the marked sessions' logs (or the listed ones') as one merged log, or go back.
    MergedLog,
    /// Show or hide each log line's time.
    Timestamps,
    /// Reverse the list's order.
    SortReverse,
    /// Unfold a tmux session into its windows and panes (on an unfolded one, move into it).
    Expand,
    /// Fold a tmux session back (from one of its window or pane rows too).
    Fold,
    /// Show containers grouped by podman pod or compose project, or as a flat list.
    Group,
}

/// Where an action's keys are read: a key is looked up only among the actions of the
/// mode the screen is in, so one key can mean different things in different modes
/// (`Enter` attaches in the list and keeps the filter while typing one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Browsing the list and the log.
    Normal,
    /// Typing a filter: keys no action takes are typed into it.
    Filter,
    /// A confirm question is open.
    Confirm,
    /// Browsing with the log pane focused: its keys are looked up first, then the
    /// [`Scope::Normal`] ones, so `/` searches the log there and filters the list elsewhere.
    LogPane,
    /// Browsing with the list focused: its keys are looked up first, then the
    /// [`Scope::Normal`] ones, so `G` groups the list there and goes to the newest line in
    /// the log pane.
    List,
    /// Typing a line to send: keys no action takes are typed into it.
    Prompt,
}

impl Action {
    /// The modes whose keys include this action's.
    pub fn scopes(self) -> &'static [Scope] {
        match self {
            Action::Confirm | Action::Cancel => &[Scope::Confirm],
            Action::Keep => &[Scope::Filter],
            Action::SendLine | Action::ClosePrompt | Action::PromptKeys => &[Scope::Prompt],
            Action::ClearFilter => &[Scope::Normal, Scope::Filter],
            Action::LogSearch
            | Action::NextMatch
            | Action::PrevMatch
            | Action::LogFilter
            | Action::Context
            | Action::ClearLogTools
            | Action::SaveLog
            | Action::Copy
            | Action::Since => &[Scope::LogPane],
            Action::Group => &[Scope::List],
            _ => &[Scope::Normal],
        }
    }

    /// Whether a key of `self` and one of `other` would compete in some mode.
    pub fn shares_scope(self, other: Action) -> bool {
        self.scopes().iter().any(|s| other.scopes().contains(s))
    }
}

/// The table: action, config name, help text, default keys.
pub const ACTIONS: &[(Action, &str, &str, &[&str])] = &[
    (Action::Up, "up", "move up", &["up", "k"]),
    (Action::Down, "down", "move down", &["down", "j"]),
    (
        Action::Top,
        "top",
        "first row / oldest line",
        &["g", "home"],
    ),
    (
        Action::Bottom,
        "bottom",
        "last row / newest line",
        &["G", "end"],
    ),
    (Action::PageUp, "page_up", "page up", &["pgup"]),
    (Action::PageDown, "page_down", "page down", &["pgdn"]),
    (
        Action::HalfPageUp,
        "half_page_up",
        "half a page up",
        &["ctrl-u"],
    ),
    (
        Action::HalfPageDown,
        "half_page_down",
        "half a page down",
        &["ctrl-d"],
    ),
    (Action::Focus, "focus", "focus list / logs", &["tab"]),
    (
        Action::Expand,
        "expand",
        "unfold a tmux session",
        &["right", "l"],
    ),
    (Action::Fold, "fold", "fold it", &["left", "h"]),
    (
        Action::Attach,
        "attach",
        "attach (back: C-b d / C-p C-q)",
        &["enter", "a"],
    ),
    (Action::Exec, "exec", "container shell", &["e"]),
    (Action::Start, "start", "start the session", &["s"]),
    (
        Action::Stop,
        "stop",
        "stop gracefully (asks if running)",
        &["x"],
    ),
    (Action::Kill, "kill", "force kill (asks if running)", &["X"]),
    (
        Action::Restart,
        "restart",
        "restart (asks if running)",
        &["r"],
    ),
    (
        Action::Remove,
        "remove",
        "remove a container (asks first)",
        &["D"],
    ),
    (Action::Mark, "mark", "mark rows", &["space"]),
    (Action::Pause, "pause", "pause / unpause", &["p"]),
    (Action::Send, "send", "send a line", &[":"]),
    (Action::Events, "events", "history", &["E"]),
    (Action::Filter, "filter", "filter sessions", &["/"]),
    (Action::Follow, "follow", "follow again", &["f"]),
    (Action::Wrap, "wrap", "wrap lines", &["w"]),
    (Action::Refresh, "refresh", "reload config, re-list", &["R"]),
    (Action::WriteConfig, "write_config", "add to config", &["W"]),
    (Action::Messages, "messages", "messages", &["m"]),
    (Action::Details, "details", "details", &["i"]),
    (Action::Stats, "stats", "CPU/MEM", &["c"]),
    (Action::Sort, "sort", "sort: next column", &["o"]),
    (Action::MergedLog, "merged_log", "merged log", &["L"]),
    (Action::Timestamps, "timestamps", "timestamps", &["t"]),
    (Action::SortReverse, "sort_reverse", "reverse", &["O"]),
    (Action::Group, "group", "group: pod/compose", &["G"]),
    (Action::Help, "help", "this help", &["?"]),
    (Action::Quit, "quit", "quit", &["q", "ctrl-c"]),
    (Action::Confirm, "confirm", "confirm: yes", &["y", "Y"]),
    (Action::Cancel, "cancel", "no", &["n", "N", "esc"]),
    (Action::Keep, "keep", "filter: keep", &["enter"]),
    (Action::SendLine, "submit", "prompt: send", &["enter"]),
    (Action::ClosePrompt, "discard", "close", &["esc"]),
    (
        Action::PromptKeys,
        "keys_mode",
        "prompt: line / key names",
        &["tab"],
    ),
    (Action::ClearFilter, "clear_filter", "clear", &["esc"]),
    (Action::LogSearch, "search", "search the log", &["/"]),
    (Action::LogFilter, "log_filter", "filter the log", &["&"]),
    (Action::NextMatch, "next", "next match", &["n"]),
    (Action::PrevMatch, "previous", "previous match", &["N"]),
    (Action::Context, "context", "context 0/2/5", &["C"]),
    (Action::SaveLog, "save_log", "save the log", &["ctrl-s"]),
    (Action::Copy, "copy", "copy lines (OSC 52)", &["y"]),
    (
        Action::Since,
        "since",
        "log since 5m 30m 2h 1d all / tail",
        &["1", "2", "3", "4", "5", "0"],
    ),
    (
        Action::ClearLogTools,
        "clear_search",
        "reset search",
        &["esc"],
    ),
];

/// A key with its modifiers, as written in the config (`ctrl-d`, `G`, `enter`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    code: KeyCode,
    ctrl: bool,
    alt: bool,
}

impl Key {
    /// The key of a terminal event. Shift is folded into the character.
    pub fn from_event(ev: &KeyEvent) -> Self {
        Key {
            code: ev.code,
            ctrl: ev.modifiers.contains(KeyModifiers::CONTROL),
            alt: ev.modifiers.contains(KeyModifiers::ALT),
        }
    }

    /// Parses `q`, `G`, `ctrl-c`, `alt-x`, `enter`, `esc`, `tab`, `up`, `pgdn`, `f5`, ...
    pub fn parse(text: &str) -> Result<Key, KeySpecError> {
        let mut ctrl = false;
        let mut alt = false;
        let mut rest = text;
        loop {
            if let Some(r) = rest.strip_prefix("ctrl-") {
                ctrl = true;
                rest = r;
            } else if let Some(r) = rest.strip_prefix("alt-") {
                alt = true;
                rest = r;
            } else {
                break;
            }
        }
        let code = match rest {
            "enter" => KeyCode::Enter,
            "esc" => KeyCode::Esc,
            "tab" => KeyCode::Tab,
            "backtab" => KeyCode::BackTab,
            "space" => KeyCode::Char(' '),
            "backspace" => KeyCode::Backspace,
            "up" => KeyCode::Up,
            "down" => KeyCode::Down,
            "left" => KeyCode::Left,
            "right" => KeyCode::Right,
            "pgup" | "pageup" => KeyCode::PageUp,
            "pgdn" | "pagedown" => KeyCode::PageDown,
            "home" => KeyCode::Home,
            "end" => KeyCode::End,
            "delete" => KeyCode::Delete,
            f if f.len() >= 2 && f.starts_with('f') && f[1..].parse::<u8>().is_ok() => {
                match f[1..].parse::<u8>() {
                    Ok(n) if (1..=12).contains(&n) => KeyCode::F(n),
                    _ => return Err(unknown_key(text)),
                }
            }
            s => {
                let mut chars = s.chars();
                match (chars.next(), chars.next()) {
                    (Some(c), None) => KeyCode::Char(if ctrl { c.to_ascii_lowercase() } else { c }),
                    _ => return Err(unknown_key(text)),
                }
            }
        };
        Ok(Key { code, ctrl, alt })
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.ctrl {
            f.write_str("Ctrl-")?;
        }
        if self.alt {
            f.write_str("Alt-")?;
        }
        match self.code {
            KeyCode::Char(' ') => f.write_str("Space"),
            KeyCode::Char(c) => write!(f, "{c}"),
            KeyCode::Enter => f.write_str("Enter"),
            KeyCode::Esc => f.write_str("Esc"),
            KeyCode::Tab => f.write_str("Tab"),
            KeyCode::Up => f.write_str("↑"),
            KeyCode::Down => f.write_str("↓"),
            KeyCode::Left => f.write_str("←"),
            KeyCode::Right => f.write_str("→"),
            KeyCode::PageUp => f.write_str("PgUp"),
            KeyCode::PageDown => f.write_str("PgDn"),
            KeyCode::Home => f.write_str("Home"),
            KeyCode::End => f.write_str("End"),
            KeyCode::F(n) => write!(f, "F{n}"),
            other => write!(f, "{other:?}"),
        }
    }
}

fn unknown_key(text: &str) -> KeySpecError {
    KeySpecError::UnknownKey {
        text: text.to_string(),
    }
}

/// What is wrong with an entry of `keys:`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeySpecError {
    /// An action name no action has; `near` is the closest one, when one is close.
    #[error("unknown action {name:?} ({})", match near {
        Some(n) => format!("did you mean `{n}`?"),
        None => format!("actions: {}", action_names().join(", ")),
    })]
    UnknownAction {
        /// The name as written.
        name: String,
        /// The action name it is closest to, if any is close.
        near: Option<&'static str>,
    },
    /// A key muxdeck cannot read.
    #[error(
        "unknown key {text:?}: use one character, enter, esc, tab, backtab, space, backspace, up, down, left, right, pgup, pgdn, home, end, delete or f1-f12, optionally after ctrl- or alt-"
    )]
    UnknownKey {
        /// The key as written.
        text: String,
    },
}

fn action_names() -> Vec<&'static str> {
    ACTIONS.iter().map(|(_, n, _, _)| *n).collect()
}

/// Checks an action name as `keys:` takes it; an unknown one is refused with the nearest
/// name, and the list of all when none is near.
pub fn check_action_name(name: &str) -> Result<(), KeySpecError> {
    if ACTIONS.iter().any(|(_, n, _, _)| *n == name) {
        return Ok(());
    }
    let near = ACTIONS
        .iter()
        .map(|(_, n, _, _)| (strsim::jaro_winkler(name, n), *n))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, n)| n);
    Err(KeySpecError::UnknownAction {
        name: name.to_string(),
        near,
    })
}

/// Checks a key as `keys:` takes it (see [`Key::parse`]).
pub fn check_key(text: &str) -> Result<(), KeySpecError> {
    Key::parse(text).map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn action_names_are_checked_with_a_suggestion() {
        assert!(check_action_name("attach").is_ok());
        let e = check_action_name("atach").unwrap_err();
        assert_eq!(
            e,
            KeySpecError::UnknownAction {
                name: "atach".into(),
                near: Some("attach")
            }
        );
        assert!(e.to_string().contains("did you mean `attach`"), "{e}");
        let e = check_action_name("zzz").unwrap_err().to_string();
        assert!(e.contains("actions: up, down"), "{e}");
    }

    #[test]
    fn keys_are_checked() {
        for ok in ["q", "G", "ctrl-c", "alt-x", "enter", "pgdn", "f12", "space"] {
            assert!(check_key(ok).is_ok(), "{ok}");
        }
        for bad in ["foo", "hyper-q", "f13", "f0", "", "ctrl-"] {
            assert!(check_key(bad).is_err(), "{bad}");
        }
    }
}
