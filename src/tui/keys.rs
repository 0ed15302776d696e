//! Keys as data: every [`Action`] has a name, a description and default keys; the config's
//! `keys:` section replaces an action's keys; the help overlay is generated from the same
//! table, so it never disagrees with what the keys do.

use std::collections::BTreeMap;

use crossterm::event::KeyEvent;

pub use crate::keyspec::{ACTIONS, Action, Key, KeySpecError, Scope, check_action_name};

/// Why the config's `keys:` cannot be used; the message names the entry
/// (`keys.quit: unknown key "hyper-q": ...`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("keys.{action}: {reason}")]
pub struct KeymapError {
    /// The action name as written under `keys:`.
    pub action: String,
    /// What is wrong with the name or one of its keys.
    pub reason: KeySpecError,
}

/// The key table in use.
#[derive(Debug, Clone)]
pub struct Keymap {
    bindings: Vec<(Key, Action)>,
}

impl Keymap {
    /// Defaults patched by the config's `keys:` (an action named there gets exactly the
    /// keys given).
    pub fn new(overrides: &BTreeMap<String, Vec<String>>) -> Result<Keymap, KeymapError> {
        let error = |name: &str, reason: KeySpecError| KeymapError {
            action: name.to_string(),
            reason,
        };
        for name in overrides.keys() {
            check_action_name(name).map_err(|e| error(name, e))?;
        }
        let mut bindings: Vec<(Key, Action)> = Vec::new();
        for (action, name, _, defaults) in ACTIONS {
            let keys: Vec<String> = match overrides.get(*name) {
                Some(v) => v.clone(),
                None => defaults.iter().map(|s| s.to_string()).collect(),
            };
            for k in keys {
                let key = Key::parse(&k).map_err(|e| error(name, e))?;
                // A key the user bound elsewhere moves to the user's action; in another
                // mode it keeps its meaning there.
                bindings.retain(|(b, a)| *b != key || !a.shares_scope(*action));
                bindings.push((key, *action));
            }
        }
        Ok(Keymap { bindings })
    }

    /// The action of a key press in the mode `scope`; `None` when no action of that
    /// mode has the key.
    pub fn action(&self, scope: Scope, ev: &KeyEvent) -> Option<Action> {
        let key = Key::from_event(ev);
        self.bindings
            .iter()
            .find(|(k, a)| *k == key && a.scopes().contains(&scope))
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

    /// The first key of an action as text (`-` when unbound).
    pub fn hint(&self, action: Action) -> String {
        self.keys_of(action)
            .first()
            .map_or_else(|| "-".to_string(), ToString::to_string)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::{KeyCode, KeyModifiers};

    fn ev(code: KeyCode, m: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, m)
    }

    #[test]
    fn defaults_and_overrides() {
        let km = Keymap::new(&BTreeMap::new()).expect("defaults");
        assert_eq!(
            km.action(Scope::Normal, &ev(KeyCode::Char('x'), KeyModifiers::NONE)),
            Some(Action::Stop)
        );
        assert_eq!(
            km.action(Scope::Normal, &ev(KeyCode::Char('X'), KeyModifiers::SHIFT)),
            Some(Action::Kill)
        );
        assert_eq!(
            km.action(
                Scope::Normal,
                &ev(KeyCode::Char('c'), KeyModifiers::CONTROL)
            ),
            Some(Action::Quit)
        );
        let mut o = BTreeMap::new();
        o.insert("stop".to_string(), vec!["ctrl-s".to_string()]);
        o.insert("quit".to_string(), vec!["x".to_string()]);
        let km = Keymap::new(&o).expect("patched");
        assert_eq!(
            km.action(
                Scope::Normal,
                &ev(KeyCode::Char('s'), KeyModifiers::CONTROL)
            ),
            Some(Action::Stop)
        );
        assert_eq!(
            km.action(Scope::Normal, &ev(KeyCode::Char('x'), KeyModifiers::NONE)),
            Some(Action::Quit)
        );
        assert_eq!(
            km.action(Scope::Normal, &ev(KeyCode::Char('q'), KeyModifiers::NONE)),
            None
        );
    }

    #[test]
    fn bad_config_keys() {
        let mut o = BTreeMap::new();
        o.insert("explode".to_string(), vec!["e".to_string()]);
        assert!(Keymap::new(&o).is_err());
        let mut o = BTreeMap::new();
        o.insert("quit".to_string(), vec!["hyper-q".to_string()]);
        let e = Keymap::new(&o).unwrap_err();
        assert!(e.to_string().starts_with("keys.quit: "), "{e}");
    }

    #[test]
    fn mode_keys_are_read_in_their_mode_only() {
        let km = Keymap::new(&BTreeMap::new()).expect("defaults");
        let enter = ev(KeyCode::Enter, KeyModifiers::NONE);
        assert_eq!(km.action(Scope::Normal, &enter), Some(Action::Attach));
        assert_eq!(km.action(Scope::Filter, &enter), Some(Action::Keep));
        let y = ev(KeyCode::Char('y'), KeyModifiers::NONE);
        assert_eq!(km.action(Scope::Normal, &y), None);
        assert_eq!(km.action(Scope::Confirm, &y), Some(Action::Confirm));
        let esc = ev(KeyCode::Esc, KeyModifiers::NONE);
        assert_eq!(km.action(Scope::Confirm, &esc), Some(Action::Cancel));
        assert_eq!(km.action(Scope::Normal, &esc), Some(Action::ClearFilter));
        // Remapped: `x` answers yes, and `y` no longer does; `x` still stops in the list.
        let mut o = BTreeMap::new();
        o.insert("confirm".to_string(), vec!["x".to_string()]);
        let km = Keymap::new(&o).expect("patched");
        let x = ev(KeyCode::Char('x'), KeyModifiers::NONE);
        assert_eq!(km.action(Scope::Confirm, &x), Some(Action::Confirm));
        assert_eq!(km.action(Scope::Normal, &x), Some(Action::Stop));
        assert_eq!(km.action(Scope::Confirm, &y), None);
    }
}
