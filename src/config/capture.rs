//! One running session as a config definition (`muxdeck config init --from`, `W` in the
//! TUI): what a definition cannot say (a secret, a host address on a port, an odd mount) is
//! left out or masked, and marked `TODO`.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use crate::backend::container::{MadeWith, Mount, PortBinding};
use crate::config::values;
use crate::engine::Captured;
use crate::model::{DEFAULT_SOCKET, Host, Session};

/// Environment variables the runtime sets on every container by itself: repeating them
/// in a definition would only pin today's values (a hostname is a container id).
const RUNTIME_ENV: [&str; 3] = ["HOSTNAME", "container", "TERM"];

/// Parts of an environment variable name that say its value is a secret.
const SECRET_WORDS: [&str; 10] = [
    "PASS",
    "SECRET",
    "TOKEN",
    "KEY",
    "CREDENTIAL",
    "AUTH",
    "PRIVATE",
    "COOKIE",
    "SESSION",
    "CERT",
];

/// The value written for a masked secret.
const MASKED: &str = "TODO-set-me";

/// A name the config accepts, as close to the session's as possible and not yet used.
pub fn config_name(name: &str, taken: &mut BTreeSet<String>) -> String {
    let mut base: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect();
    if !base.starts_with(|c: char| c.is_ascii_alphabetic()) {
        base.insert_str(0, "s-");
    }
    base.truncate(values::MAX_NAME_LEN - 4);
    let mut candidate = base.clone();
    let mut n = 2;
    while taken.contains(&candidate) {
        candidate = format!("{base}-{n}");
        n += 1;
    }
    taken.insert(candidate.clone());
    candidate
}

/// One session's definition, indented under `sessions:`.
pub fn definition(session: &Session, name: &str, captured: &Captured) -> String {
    let mut b = String::new();
    let _ = writeln!(b, "  # from {}", quote(&session.id.qualified()));
    if name != session.id.name {
        let _ = writeln!(
            b,
            "  # TODO: renamed from {}: config names are letters, digits, _ and - (a letter first)",
            quote(&session.id.name)
        );
    }
    let _ = writeln!(b, "  {name}:");
    if let Host::Remote(h) = &session.id.host {
        let _ = writeln!(b, "    host: {}", quote(h));
    }
    match captured {
        Captured::Tmux {
            socket,
            cwd,
            start_command,
        } => tmux_fields(&mut b, socket, cwd, start_command),
        Captured::Container {
            runtime,
            made,
            image,
        } => {
            let _ = writeln!(b, "    backend: container");
            let _ = writeln!(b, "    runtime: {}", runtime.as_str());
            container_fields(&mut b, made, &image.env, &image.command);
        }
    }
    b
}

fn tmux_fields(b: &mut String, socket: &str, cwd: &str, start_command: &str) {
    let _ = writeln!(b, "    backend: tmux");
    if socket != DEFAULT_SOCKET {
        let _ = writeln!(b, "    socket: {}", quote(socket));
    }
    match tmux_command(start_command) {
        Some(cmd) => {
            let _ = writeln!(b, "    command: {}", quote(&cmd));
        }
        None => {
            let _ = writeln!(b, "    # no command: it runs the default shell");
        }
    }
    if !cwd.is_empty() {
        let _ = writeln!(b, "    working_dir: {}", quote(cwd));
    }
}

/// The shell command line that runs what tmux shows as the start command: one argument
/// is already a command line (tmux gives it to a shell); several are quoted back into one.
fn tmux_command(start_command: &str) -> Option<String> {
    if start_command.is_empty() {
        return None;
    }
    match shell_words::split(start_command) {
        Ok(words) if words.len() == 1 => words.into_iter().next(),
        Ok(words) if !words.is_empty() => Some(shell_words::join(words)),
        _ => Some(start_command.to_string()),
    }
}

fn container_fields(b: &mut String, made: &MadeWith, image_env: &[String], image_cmd: &[String]) {
    match &made.image {
        Some(image) => {
            let _ = writeln!(b, "    image: {}", quote(image));
        }
        None => {
            let _ = writeln!(
                b,
                "    image: {}  # TODO: the runtime did not say",
                quote("")
            );
        }
    }
    if made.command.is_empty() || made.command == image_cmd {
        let _ = writeln!(b, "    # command: the image's default");
    } else {
        let _ = writeln!(
            b,
            "    command: {}",
            quote(&shell_words::join(&made.command))
        );
    }
    if let Some(dir) = made.working_dir.as_deref().filter(|d| *d != "/") {
        let _ = writeln!(b, "    working_dir: {}", quote(dir));
    }
    env_fields(b, &made.env, image_env);
    let ports: Vec<String> = made
        .ports
        .iter()
        .flat_map(|(port, bindings)| bindings.iter().map(move |h| port_line(port, h)))
        .collect();
    list_field(b, "ports", &ports);
    let volumes: Vec<String> = made.mounts.iter().map(volume_line).collect();
    list_field(b, "volumes", &volumes);
}

/// The variables the container was given beyond its image's and the runtime's own;
/// secrets masked and marked, names the config refuses commented out.
fn env_fields(b: &mut String, env: &[String], image_env: &[String]) {
    let own: Vec<(&str, &str)> = env
        .iter()
        .filter(|kv| !image_env.contains(kv))
        .filter_map(|kv| kv.split_once('='))
        .filter(|(k, _)| !RUNTIME_ENV.contains(k))
        .filter(|(k, v)| !(*k == "HOME" && *v == "/root"))
        .collect();
    if own.is_empty() {
        return;
    }
    let _ = writeln!(b, "    env:");
    for (k, v) in own {
        if values::check_env_key(k).is_err() {
            let _ = writeln!(
                b,
                "      # TODO: {} is not a name the config takes: {}",
                quote(k),
                quote(v)
            );
        } else if is_secret(k) {
            let _ = writeln!(
                b,
                "      {k}: {}  # TODO: secret masked; set it here",
                quote(MASKED)
            );
        } else {
            let _ = writeln!(b, "      {k}: {}", quote(v));
        }
    }
}

fn is_secret(key: &str) -> bool {
    let upper = key.to_ascii_uppercase();
    SECRET_WORDS.iter().any(|w| upper.contains(w))
}

/// `HOST:CONTAINER/PROTO` as a line of `ports:`; a binding to one host address cannot be
/// said there (and widening it to every address is not ours to do): commented out.
fn port_line(port: &str, host: &PortBinding) -> String {
    let spec = match host.host_port.as_str() {
        "" => port.to_string(),
        h => format!("{h}:{port}"),
    };
    let spec = spec.strip_suffix("/tcp").unwrap_or(&spec).to_string();
    match host.host_ip.as_str() {
        "" | "0.0.0.0" | "::" => format!("- {}", quote(&spec)),
        ip => format!(
            "# - {}  # TODO: published on {ip} only, which ports: cannot say",
            quote(&spec)
        ),
    }
}

/// A mount as a line of `volumes:`.
fn volume_line(m: &Mount) -> String {
    let mode = if m.rw { "" } else { ":ro" };
    let source = match m.kind.as_str() {
        "bind" => Some(m.source.as_str()),
        "volume" => m.name.as_deref(),
        _ => None,
    };
    match source {
        Some(s) if !s.is_empty() && !s.contains(':') && !m.destination.contains(':') => {
            format!("- {}", quote(&format!("{s}:{}{mode}", m.destination)))
        }
        _ => format!(
            "# - {}  # TODO: a {} mount volumes: cannot say",
            quote(&format!("{}:{}", m.source, m.destination)),
            if m.kind.is_empty() { "?" } else { &m.kind }
        ),
    }
}

fn list_field(b: &mut String, key: &str, lines: &[String]) {
    if lines.is_empty() {
        return;
    }
    let _ = writeln!(b, "    {key}:");
    for l in lines {
        let _ = writeln!(b, "      {l}");
    }
}

/// A YAML double-quoted scalar: any text, control characters escaped, on one line.
pub fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() || c == '\u{feff}' || c == '\u{2028}' || c == '\u{2029}' => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_text_reads_back_as_it_was() {
        for text in [
            "plain",
            "a \"b\" \\c",
            "tab\tnew\nline",
            "\u{1b}[31m",
            "$(reboot)",
            "ü 日本",
        ] {
            let yaml = format!("v: {}\n", quote(text));
            let back: std::collections::BTreeMap<String, String> =
                serde_yaml::from_str(&yaml).unwrap_or_default();
            assert_eq!(back.get("v").map(String::as_str), Some(text), "{yaml}");
        }
    }

    #[test]
    fn odd_names_become_config_names_once_each() {
        let mut taken = BTreeSet::new();
        assert_eq!(config_name("web", &mut taken), "web");
        assert_eq!(config_name("$(reboot)", &mut taken), "s---reboot-");
        assert_eq!(config_name("my web", &mut taken), "my-web");
        assert_eq!(config_name("my:web", &mut taken), "my-web-2");
        let long = "x".repeat(300);
        assert!(values::check_name(&config_name(&long, &mut taken)).is_ok());
        assert!(values::check_name(&config_name("-", &mut taken)).is_ok());
    }

    #[test]
    fn tmux_start_commands_become_one_shell_line() {
        assert_eq!(tmux_command(""), None);
        assert_eq!(tmux_command("sleep 200").as_deref(), Some("sleep 200"));
        assert_eq!(
            tmux_command(r#""sleep 100; echo 'x y'""#).as_deref(),
            Some("sleep 100; echo 'x y'")
        );
        let line = tmux_command(r#"sh -c "echo \"$1\"; sleep 100" sh "a b""#).unwrap_or_default();
        assert_eq!(
            shell_words::split(&line).unwrap_or_default(),
            ["sh", "-c", "echo \"$1\"; sleep 100", "sh", "a b"]
        );
    }

    #[test]
    fn secrets_are_masked_and_the_image_and_runtime_env_left_out() {
        let mut b = String::new();
        let env: Vec<String> = [
            "PATH=/bin",
            "HOSTNAME=abc",
            "TERM=xterm",
            "container=podman",
            "HOME=/root",
            "DB_PASSWORD=hunter2",
            "APP_ENV=prod",
            "bad-name=1",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        env_fields(&mut b, &env, &["PATH=/bin".to_string()]);
        assert!(
            !b.contains("hunter2") && b.contains("DB_PASSWORD: \"TODO-set-me\"  # TODO"),
            "{b}"
        );
        assert!(b.contains("APP_ENV: \"prod\""), "{b}");
        assert!(b.contains("# TODO: \"bad-name\""), "{b}");
        for gone in ["PATH", "HOSTNAME", "TERM", "container", "HOME"] {
            assert!(!b.contains(&format!("{gone}:")), "{gone} in {b}");
        }
    }
}
