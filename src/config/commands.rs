//! `commands:` — the user's own commands on a session (lazydocker's customCommands, k9s
//! plugins): an argument vector with placeholders, the sessions it is for, a TUI key, what
//! happens to its output, and whether it asks first. Each argument stays one argument: a
//! placeholder expands inside it and no shell reads the result, so a session named
//! `$(reboot)` is only text.

use std::fmt;

use serde::{Deserialize, Deserializer};

use super::values::{self, KeySpec, Text};
use crate::keyspec::{ACTIONS, Key, Scope};

/// The placeholders an argument may hold.
pub const PLACEHOLDERS: [&str; 6] = ["name", "id", "host", "backend", "socket", "runtime"];

/// Which sessions a command applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Applies {
    /// tmux sessions.
    pub tmux: bool,
    /// Containers.
    pub container: bool,
}

impl Default for Applies {
    fn default() -> Self {
        Applies {
            tmux: true,
            container: true,
        }
    }
}

impl Applies {
    /// What the config says for a command that applies to one kind only, for messages.
    pub fn describe(self) -> &'static str {
        match (self.tmux, self.container) {
            (true, false) => "tmux sessions",
            (false, true) => "containers",
            _ => "every session",
        }
    }
}

/// What happens to a command's output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OutputMode {
    /// Shown in the log pane (the CLI prints it), escape sequences normalized like logs;
    /// killed at `command_timeout`.
    #[default]
    Pane,
    /// Gets the terminal, as attach does; no time limit.
    Handover,
    /// Nothing shown but the outcome; killed at `command_timeout`.
    Silent,
}

/// A validated custom command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomCommand {
    /// Its name (`muxdeck cmd NAME`).
    pub name: String,
    /// Its TUI key, as written.
    pub key: Option<String>,
    /// The sessions it is for.
    pub applies: Applies,
    /// Program and arguments, placeholders unexpanded.
    pub argv: Vec<String>,
    /// What happens to its output.
    pub output: OutputMode,
    /// Whether it asks before it runs.
    pub confirm: bool,
    /// What it does, for `?` (its argv when not given).
    pub description: Option<String>,
}

/// What the placeholders stand for, for one session.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Placeholders {
    /// `{name}`: the session's name.
    pub name: String,
    /// `{id}`: the backend's id (tmux `$3`, the container's full id).
    pub id: String,
    /// `{host}`: where it runs (`local`).
    pub host: String,
    /// `{backend}`: `tmux` or `container`.
    pub backend: String,
    /// `{socket}`: the tmux socket name (empty for a container).
    pub socket: String,
    /// `{runtime}`: `podman` or `docker` (empty for tmux).
    pub runtime: String,
}

impl Placeholders {
    fn get(&self, name: &str) -> &str {
        match name {
            "name" => &self.name,
            "id" => &self.id,
            "host" => &self.host,
            "backend" => &self.backend,
            "socket" => &self.socket,
            _ => &self.runtime,
        }
    }
}

impl CustomCommand {
    /// The argument vector for one session: each argument with its placeholders replaced,
    /// one argument still (`{{` and `}}` are literal braces).
    pub fn expand(&self, values: &Placeholders) -> Vec<String> {
        self.argv
            .iter()
            .map(|arg| {
                let mut out = String::with_capacity(arg.len());
                let mut pieces = Pieces(arg);
                while let Some(p) = pieces.next_piece() {
                    match p {
                        Ok(Piece::Text(t)) => out.push_str(t),
                        Ok(Piece::Placeholder(name)) => out.push_str(values.get(name)),
                        // Refused when the config loaded.
                        Err(_) => {}
                    }
                }
                out
            })
            .collect()
    }
}

enum Piece<'a> {
    Text(&'a str),
    Placeholder(&'a str),
}

/// The pieces of one argument: text, `{{`/`}}` as one brace, `{placeholder}`.
struct Pieces<'a>(&'a str);

impl<'a> Pieces<'a> {
    fn next_piece(&mut self) -> Option<Result<Piece<'a>, String>> {
        let s = self.0;
        if s.is_empty() {
            return None;
        }
        if let Some(rest) = s.strip_prefix("{{") {
            self.0 = rest;
            return Some(Ok(Piece::Text("{")));
        }
        if let Some(rest) = s.strip_prefix("}}") {
            self.0 = rest;
            return Some(Ok(Piece::Text("}")));
        }
        if let Some(rest) = s.strip_prefix('{') {
            let Some(end) = rest.find('}') else {
                self.0 = "";
                return Some(Err(format!(
                    "{s:?} opens a placeholder with `{{` and never closes it (write `{{{{` for a brace)"
                )));
            };
            self.0 = &rest[end + 1..];
            return Some(Ok(Piece::Placeholder(&rest[..end])));
        }
        let end = s.find(['{', '}']).map_or(s.len(), |i| i.max(1));
        self.0 = &s[end..];
        Some(Ok(Piece::Text(&s[..end])))
    }
}

/// Checks one argument's placeholders.
fn check_arg(arg: &str) -> Result<(), String> {
    values::check_text(arg).map_err(|e| e.to_string())?;
    let mut pieces = Pieces(arg);
    while let Some(p) = pieces.next_piece() {
        if let Piece::Placeholder(name) = p?
            && !PLACEHOLDERS.contains(&name)
        {
            return Err(format!(
                "unknown placeholder {{{name}}} in {arg:?}; use {}",
                PLACEHOLDERS.map(|p| format!("{{{p}}}")).join(", ")
            ));
        }
    }
    Ok(())
}

/// `argv:`: a non-empty list of arguments whose placeholders are known, checked where it
/// is written.
#[derive(Debug, Clone)]
pub struct Argv(Vec<String>);

impl<'de> Deserialize<'de> for Argv {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Check;
        impl<'de> serde::de::Visitor<'de> for Check {
            type Value = Argv;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a list of arguments, the program first")
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Argv, A::Error> {
                let mut args = Vec::new();
                while let Some(a) = seq.next_element::<Arg>()? {
                    args.push(a.0);
                }
                if args.is_empty() {
                    return Err(serde::de::Error::custom(
                        "argv is empty: give the program and its arguments, e.g. [podman, top, \"{name}\"]",
                    ));
                }
                if args[0].trim().is_empty() {
                    return Err(serde::de::Error::custom("argv[0] (the program) is empty"));
                }
                Ok(Argv(args))
            }
        }
        d.deserialize_seq(Check)
    }
}

/// One argument, checked inside its own visitor so the error has its position.
struct Arg(String);

impl<'de> Deserialize<'de> for Arg {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Check;
        impl<'de> serde::de::Visitor<'de> for Check {
            type Value = Arg;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an argument (text)")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Arg, E> {
                check_arg(v).map(|()| Arg(v.to_string())).map_err(E::custom)
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Arg, E> {
                Ok(Arg(v.to_string()))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Arg, E> {
                Ok(Arg(v.to_string()))
            }
        }
        d.deserialize_any(Check)
    }
}

/// `for:` — `tmux`, `container`, `both`, or a list of the first two.
#[derive(Debug, Clone, Copy)]
pub struct ForSpec(Applies);

impl<'de> Deserialize<'de> for ForSpec {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Check;
        fn word<E: serde::de::Error>(v: &str, a: &mut Applies) -> Result<(), E> {
            match v {
                "tmux" => a.tmux = true,
                "container" => a.container = true,
                "both" => *a = Applies::default(),
                other => {
                    return Err(E::custom(format!(
                        "unknown session kind {other:?}: use tmux, container or both"
                    )));
                }
            }
            Ok(())
        }
        impl<'de> serde::de::Visitor<'de> for Check {
            type Value = ForSpec;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("tmux, container, both, or a list of them")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<ForSpec, E> {
                let mut a = Applies {
                    tmux: false,
                    container: false,
                };
                word(v, &mut a)?;
                Ok(ForSpec(a))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<ForSpec, A::Error> {
                let mut a = Applies {
                    tmux: false,
                    container: false,
                };
                while let Some(w) = seq.next_element::<String>()? {
                    word(&w, &mut a)?;
                }
                if !a.tmux && !a.container {
                    return Err(serde::de::Error::custom(
                        "`for` is empty: use tmux, container or both",
                    ));
                }
                Ok(ForSpec(a))
            }
        }
        d.deserialize_any(Check)
    }
}

/// A command name: as a session name (a letter first, then letters, digits, `_`, `-`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct CommandName(String);

impl CommandName {
    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<'de> Deserialize<'de> for CommandName {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        values::check_name(&s)
            .map(|()| CommandName(s.clone()))
            .map_err(|e| {
                serde::de::Error::custom(e.to_string().replace("session name", "command name"))
            })
    }
}

/// One entry of `commands:` as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommandSchema {
    key: Option<KeySpec>,
    #[serde(rename = "for")]
    applies: Option<ForSpec>,
    argv: Argv,
    #[serde(default)]
    output: OutputMode,
    #[serde(default)]
    confirm: bool,
    description: Option<Text>,
}

impl CommandSchema {
    /// The validated command.
    pub fn into_command(self, name: &CommandName) -> CustomCommand {
        CustomCommand {
            name: name.0.clone(),
            key: self.key.map(KeySpec::into_string),
            applies: self.applies.map_or_else(Applies::default, |f| f.0),
            argv: self.argv.0,
            output: self.output,
            confirm: self.confirm,
            description: self.description.map(Text::into_string),
        }
    }
}

/// The first clash of a command's key with a key the list already gives an action (after
/// `keys:`), or with an earlier command's: `(command, key, what has it)`.
pub fn key_clash(
    commands: &[CustomCommand],
    keys: &std::collections::BTreeMap<String, Vec<String>>,
) -> Option<(String, String, String)> {
    let mut taken: Vec<(Key, String)> = Vec::new();
    for (action, name, _, defaults) in ACTIONS {
        if !action.scopes().contains(&Scope::Normal) {
            continue;
        }
        let bound: Vec<String> = match keys.get(*name) {
            Some(v) => v.clone(),
            None => defaults.iter().map(|s| s.to_string()).collect(),
        };
        for k in bound {
            if let Ok(key) = Key::parse(&k) {
                taken.push((key, format!("the action `{name}`")));
            }
        }
    }
    for c in commands {
        let Some(text) = &c.key else { continue };
        let Ok(key) = Key::parse(text) else { continue };
        if let Some((_, owner)) = taken.iter().find(|(k, _)| *k == key) {
            return Some((c.name.clone(), text.clone(), owner.clone()));
        }
        taken.push((key, format!("the command `{}`", c.name)));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmd(argv: &[&str]) -> CustomCommand {
        CustomCommand {
            name: "t".into(),
            key: None,
            applies: Applies::default(),
            argv: argv.iter().map(|s| s.to_string()).collect(),
            output: OutputMode::Pane,
            confirm: false,
            description: None,
        }
    }

    #[test]
    fn placeholders_expand_inside_each_argument_only() {
        let v = Placeholders {
            name: "$(reboot) a b".into(),
            id: "$3".into(),
            host: "local".into(),
            backend: "tmux".into(),
            socket: "work".into(),
            runtime: String::new(),
        };
        let c = cmd(&[
            "echo",
            "{name}",
            "--id={id}",
            "{{literal}}",
            "{socket}:{runtime}",
            "x}y",
        ]);
        assert_eq!(
            c.expand(&v),
            [
                "echo",
                "$(reboot) a b",
                "--id=$3",
                "{literal}",
                "work:",
                "x}y"
            ]
        );
    }

    #[test]
    fn unknown_and_unclosed_placeholders_are_refused() {
        assert!(check_arg("{name}-{id}").is_ok());
        let e = check_arg("{nmae}").unwrap_err();
        assert!(
            e.contains("unknown placeholder {nmae}") && e.contains("{name}"),
            "{e}"
        );
        assert!(check_arg("{name").unwrap_err().contains("never closes"));
        assert!(check_arg("{{name").is_ok());
    }

    #[test]
    fn a_key_the_list_uses_is_a_clash_and_a_remapped_one_is_free() {
        let mut c = cmd(&["true"]);
        c.key = Some("x".into());
        let none = std::collections::BTreeMap::new();
        let clash = key_clash(std::slice::from_ref(&c), &none);
        assert_eq!(
            clash,
            Some(("t".into(), "x".into(), "the action `stop`".into()))
        );
        let mut keys = std::collections::BTreeMap::new();
        keys.insert("stop".to_string(), vec!["ctrl-x".to_string()]);
        assert_eq!(key_clash(std::slice::from_ref(&c), &keys), None);
        // `y` answers a confirm question, not a list key: free in the list.
        c.key = Some("y".into());
        assert_eq!(key_clash(std::slice::from_ref(&c), &none), None);
        let mut d = c.clone();
        d.name = "u".into();
        assert_eq!(
            key_clash(&[c, d], &none),
            Some(("u".into(), "y".into(), "the command `t`".into()))
        );
    }
}
