//! What the screen says about operations, in one place: which keys apply to a session,
//! why one does not, and engine errors reworded for the screen. The engine's own messages
//! name CLI commands (`muxdeck start …`), which mean nothing to someone at the screen: here
//! they name the key that does it instead, as bound in the keymap in use.

use crate::engine::EngineError;
use crate::model::{Location, Session, State};

use super::keys::{Action, Keymap};

/// Why `action` does nothing useful for `s`, in words that name the key that would; `None`
/// when it applies. The hint bar offers only the actions that apply, and the keys whose
/// refusal is certain ([`Action::Remove`], [`Action::Exec`], [`Action::Attach`]) answer
/// with this line instead of asking or calling a backend.
pub fn refusal(action: Action, s: &Session, km: &Keymap) -> Option<String> {
    let container = matches!(s.id.location, Location::Container { .. });
    let id = &s.id;
    let start = km.hint(Action::Start);
    match action {
        Action::Exec if !container => Some(format!(
            "{} opens a shell in containers only; {id} is a tmux session: press {} to attach",
            km.hint(Action::Exec),
            km.hint(Action::Attach)
        )),
        Action::Attach | Action::Exec if s.state == State::Defined => Some(not_started(s, km)),
        // An exited tmux session can still be attached to: its panes stay.
        Action::Attach | Action::Exec if container && s.state != State::Running => Some(format!(
            "{id} is not running ({}); press {start} to start it first",
            s.state
        )),
        Action::Remove if !container => Some(format!(
            "{} removes containers only; {id} is a tmux session: press {} to stop it",
            km.hint(Action::Remove),
            km.hint(Action::Stop)
        )),
        Action::Remove if s.state == State::Defined => Some(format!(
            "{id} is defined in the config and has no container to remove"
        )),
        Action::Pause if !container => Some(format!(
            "{} pauses containers only; {id} is a tmux session, which cannot be paused: press {} to stop it",
            km.hint(Action::Pause),
            km.hint(Action::Stop)
        )),
        Action::Pause | Action::Send if s.state == State::Defined => Some(not_started(s, km)),
        Action::Pause if !s.state.is_alive() => Some(format!(
            "{id} is not running ({}); press {start} to start it first",
            s.state
        )),
        Action::Send if container && s.state != State::Running => Some(format!(
            "{id} is not running ({}); a command runs only in a running container: press {start} first",
            s.state
        )),
        Action::Start if s.state.is_alive() => Some(format!("{id} is already running")),
        Action::Stop | Action::Kill | Action::Restart if !s.state.is_alive() => {
            Some(format!("{id} is not running ({})", s.state))
        }
        _ => None,
    }
}

fn not_started(s: &Session, km: &Keymap) -> String {
    format!(
        "{} is defined in the config and has not been started; press {} to start it",
        s.id,
        km.hint(Action::Start)
    )
}

/// An engine error as the screen says it: the same facts, with keys where the engine
/// names a command.
pub fn engine_error(e: &EngineError, km: &Keymap) -> String {
    match e {
        EngineError::NotFound { query } => format!(
            "{query} is no longer listed; press {} to look again",
            km.hint(Action::Refresh)
        ),
        EngineError::NotRunning { id, state } if *state == State::Defined => format!(
            "{id} is defined in the config and has not been started; press {} to start it",
            km.hint(Action::Start)
        ),
        EngineError::NotRunning { id, state } => format!(
            "{id} is not running ({state}); press {} to start it first",
            km.hint(Action::Start)
        ),
        EngineError::Exists { id, state } => format!(
            "{id} already exists ({state}); press {} to start it as it is, or {} to remove it",
            km.hint(Action::Start),
            km.hint(Action::Remove)
        ),
        EngineError::RemoveRunning(id) => format!(
            "{id} is running; press {} to stop it, or {} again to remove it by force (asks first)",
            km.hint(Action::Stop),
            km.hint(Action::Remove)
        ),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Runtime, SessionId};
    use std::collections::BTreeMap;

    fn km() -> Keymap {
        Keymap::new(&BTreeMap::new()).unwrap_or_else(|e| panic!("default keys: {e}"))
    }

    /// No engine error the screen can meet tells the user to type a command.
    #[test]
    fn engine_errors_name_keys_not_commands() {
        let id = SessionId::container(Runtime::Podman, "web");
        let errors = [
            EngineError::NotFound {
                query: "podman:web".into(),
            },
            EngineError::NotRunning {
                id: id.clone(),
                state: State::Exited(Some(1)),
            },
            EngineError::NotRunning {
                id: id.clone(),
                state: State::Defined,
            },
            EngineError::Exists {
                id: id.clone(),
                state: State::Stopped,
            },
            EngineError::RemoveRunning(id.clone()),
        ];
        for e in errors {
            let cli = e.to_string();
            assert!(cli.contains("muxdeck"), "the CLI wording changed: {cli}");
            let tui = engine_error(&e, &km());
            assert!(!tui.contains("muxdeck"), "{tui}");
            assert!(tui.contains("podman:web"), "{tui}");
            assert!(tui.contains("press "), "{tui}");
        }
        let mut o = BTreeMap::new();
        o.insert("start".to_string(), vec!["f5".to_string()]);
        let remapped = Keymap::new(&o).unwrap_or_else(|e| panic!("{e}"));
        let e = EngineError::NotRunning {
            id,
            state: State::Stopped,
        };
        assert!(engine_error(&e, &remapped).contains("press F5 to start"));
    }

    #[test]
    fn refusals_follow_the_kind_and_state() {
        let km = km();
        let tmux = Session::new(SessionId::tmux("default", "web"), State::Running);
        let running = Session::new(SessionId::container(Runtime::Podman, "api"), State::Running);
        let exited = Session::new(
            SessionId::container(Runtime::Podman, "job"),
            State::Exited(Some(137)),
        );
        let r = refusal(Action::Remove, &tmux, &km).unwrap_or_default();
        assert!(
            r.contains("containers only") && r.contains("x to stop"),
            "{r}"
        );
        assert!(refusal(Action::Remove, &running, &km).is_none());
        assert!(refusal(Action::Remove, &exited, &km).is_none());
        assert!(refusal(Action::Exec, &tmux, &km).is_some());
        assert!(refusal(Action::Exec, &running, &km).is_none());
        assert!(refusal(Action::Attach, &exited, &km).is_some());
        assert!(refusal(Action::Attach, &tmux, &km).is_none());
        assert!(refusal(Action::Start, &exited, &km).is_none());
        assert!(refusal(Action::Start, &running, &km).is_some());
        assert!(refusal(Action::Stop, &exited, &km).is_some());
    }
}
