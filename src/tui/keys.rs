//! Keys as data: every [`Action`] has a name, a description and default keys; the config's
//! `keys:` section replaces an action's keys; the help overlay is generated from the same
//! table, so it never disagrees with what the keys do.

use std::collections::BTreeMap;
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
    /// Stop the session (confirm first).
    Stop,
    /// Kill the session (confirm first).
    Kill,
    /// Restart the session.
    Restart,
    /// Remove the container (confirm first).
    Remove,
    /// Filter sessions by substring.
    Filter,
    /// Resume following the log.
    Follow,
    /// Toggle wrapping of log lines.
    Wrap,
    /// Refresh now (and reload the config).
    Refresh,
    /// Show the help overlay.
    Help,
    /// Quit.
    Quit,
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
        Action::Attach,
        "attach",
        "attach; back: tmux prefix then d (Ctrl-b d), container Ctrl-p Ctrl-q; a container without a terminal shows its log",
        &["enter", "a"],
    ),
    (Action::Exec, "exec", "shell in the container", &["e"]),
    (Action::Start, "start", "start the session", &["s"]),
    (Action::Stop, "stop", "stop (graceful, asks first)", &["x"]),
    (Action::Kill, "kill", "force kill (asks first)", &["X"]),
    (Action::Restart, "restart", "restart", &["r"]),
    (
        Action::Remove,
        "remove",
        "remove a container (asks first)",
        &["D"],
    ),
    (
        Action::Filter,
        "filter",
        "filter sessions (Esc clears)",
        &["/"],
    ),
    (Action::Follow, "follow", "follow the log again", &["f"]),
    (Action::Wrap, "wrap", "wrap log lines", &["w"]),
    (
        Action::Refresh,
        "refresh",
        "refresh now, reload config",
        &["R"],
    ),
    (Action::Help, "help", "this help", &["?"]),
    (Action::Quit, "quit", "quit", &["q", "ctrl-c"]),
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
    pub fn parse(text: &str) -> Result<Key, String> {
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
                let n = f[1..].parse::<u8>().map_err(|e| e.to_string())?;
                if !(1..=12).contains(&n) {
                    return Err(format!("unknown key {text:?}"));
                }
                KeyCode::F(n)
            }
            s => {
                let mut chars = s.chars();
                match (chars.next(), chars.next()) {
                    (Some(c), None) => KeyCode::Char(if ctrl { c.to_ascii_lowercase() } else { c }),
                    _ => return Err(format!("unknown key {text:?}")),
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

/// The key table in use.
#[derive(Debug, Clone)]
pub struct Keymap {
    bindings: Vec<(Key, Action)>,
}

impl Keymap {
    /// Defaults patched by the config's `keys:` (an action named there gets exactly the
    /// keys given).
    pub fn new(overrides: &BTreeMap<String, Vec<String>>) -> Result<Keymap, String> {
        for name in overrides.keys() {
            if !ACTIONS.iter().any(|(_, n, _, _)| n == name) {
                let names: Vec<&str> = ACTIONS.iter().map(|(_, n, _, _)| *n).collect();
                return Err(format!(
                    "keys.{name}: unknown action (actions: {})",
                    names.join(", ")
                ));
            }
        }
        let mut bindings = Vec::new();
        for (action, name, _, defaults) in ACTIONS {
            let keys: Vec<String> = match overrides.get(*name) {
                Some(v) => v.clone(),
                None => defaults.iter().map(|s| s.to_string()).collect(),
            };
            for k in keys {
                let key = Key::parse(&k).map_err(|e| format!("keys.{name}: {e}"))?;
                // A key the user bound elsewhere moves to the user's action.
                bindings.retain(|(b, _)| *b != key);
                bindings.push((key, *action));
            }
        }
        Ok(Keymap { bindings })
    }

    /// The action of a key press.
    pub fn action(&self, ev: &KeyEvent) -> Option<Action> {
        let key = Key::from_event(ev);
        self.bindings
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, a)| *a)
    }

    /// Keys bound to an action, for help and hints.
    pub fn keys_of(&self, action: Action) -> Vec<Key> {
        self.bindings
            .iter()
            .filter(|(_, a)| *a == action)
            .map(|(k, _)| *k)
            .collect()
    }

    /// The first key of an action as text (`?` when unbound).
    pub fn hint(&self, action: Action) -> String {
        self.keys_of(action)
            .first()
            .map_or_else(|| "-".to_string(), ToString::to_string)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(code: KeyCode, m: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, m)
    }

    #[test]
    fn defaults_and_overrides() {
        let km = Keymap::new(&BTreeMap::new()).expect("defaults");
        assert_eq!(
            km.action(&ev(KeyCode::Char('x'), KeyModifiers::NONE)),
            Some(Action::Stop)
        );
        assert_eq!(
            km.action(&ev(KeyCode::Char('X'), KeyModifiers::SHIFT)),
            Some(Action::Kill)
        );
        assert_eq!(
            km.action(&ev(KeyCode::Char('c'), KeyModifiers::CONTROL)),
            Some(Action::Quit)
        );
        let mut o = BTreeMap::new();
        o.insert("stop".to_string(), vec!["ctrl-s".to_string()]);
        o.insert("quit".to_string(), vec!["x".to_string()]);
        let km = Keymap::new(&o).expect("patched");
        assert_eq!(
            km.action(&ev(KeyCode::Char('s'), KeyModifiers::CONTROL)),
            Some(Action::Stop)
        );
        assert_eq!(
            km.action(&ev(KeyCode::Char('x'), KeyModifiers::NONE)),
            Some(Action::Quit)
        );
        assert_eq!(km.action(&ev(KeyCode::Char('q'), KeyModifiers::NONE)), None);
    }

    #[test]
    fn bad_config_keys() {
        let mut o = BTreeMap::new();
        o.insert("explode".to_string(), vec!["e".to_string()]);
        assert!(Keymap::new(&o).is_err());
        let mut o = BTreeMap::new();
        o.insert("quit".to_string(), vec!["hyper-q".to_string()]);
        assert!(Keymap::new(&o).unwrap_err().contains("keys.quit"));
    }
}
