//! Validated config values. Each type checks itself while being deserialized, so serde_yaml
//! attaches the file position and the key path to any error it reports.

use std::fmt;

use serde::{Deserialize, Deserializer};

/// Longest session name the config accepts.
pub const MAX_NAME_LEN: usize = 64;

/// Why a value is refused. Each message names the value and what is allowed instead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ValueError {
    /// An empty session name.
    #[error("session name is empty")]
    EmptyName,
    /// A session name that does not start with a letter.
    #[error("invalid session name {0:?}: it must start with a letter")]
    NameStart(String),
    /// A session name with a character outside letters, digits, `_` and `-`.
    #[error(
        "invalid session name {name:?}: {bad:?} is not allowed (use letters, digits, '_' and '-')"
    )]
    NameChar {
        /// The name.
        name: String,
        /// The first character refused.
        bad: char,
    },
    /// A session name over [`MAX_NAME_LEN`].
    #[error("invalid session name {0:?}: longer than {MAX_NAME_LEN} characters")]
    NameTooLong(String),
    /// An image reference that is empty or too long.
    #[error("invalid image reference {0:?}")]
    Image(String),
    /// An image reference with a malformed `@digest`.
    #[error("invalid image reference {0:?}: bad digest")]
    ImageDigest(String),
    /// An image reference with a malformed `:tag`.
    #[error("invalid image reference {image:?}: bad tag {tag:?}")]
    ImageTag {
        /// The reference.
        image: String,
        /// Its tag.
        tag: String,
    },
    /// An image reference with a malformed path component.
    #[error(
        "invalid image reference {image:?}: {part:?} is not a valid path component (lowercase letters, digits, '.', '_', '-')"
    )]
    ImagePath {
        /// The reference.
        image: String,
        /// The component refused.
        part: String,
    },
    /// Text with a NUL byte.
    #[error("contains a NUL byte (\\0), which no program can be given; remove it")]
    Nul,
    /// A volume with a NUL byte.
    #[error("invalid volume: contains a NUL byte (\\0), which no program can be given; remove it")]
    VolumeNul,
    /// A volume whose mode is neither `ro` nor `rw`.
    #[error("invalid volume {volume:?}: mode {mode:?} must be ro or rw")]
    VolumeMode {
        /// The volume.
        volume: String,
        /// Its mode.
        mode: String,
    },
    /// A volume not shaped `host:container[:mode]`.
    #[error("invalid volume {0:?}: expected host:container[:ro|:rw]")]
    VolumeShape(String),
    /// A volume with an empty host path.
    #[error("invalid volume {0:?}: empty host path")]
    VolumeHost(String),
    /// A volume whose container path is relative.
    #[error("invalid volume {volume:?}: container path {container:?} must be absolute")]
    VolumeRelative {
        /// The volume.
        volume: String,
        /// Its container path.
        container: String,
    },
    /// A port whose protocol is neither `tcp` nor `udp`.
    #[error("invalid port {port:?}: protocol {proto:?} must be tcp or udp")]
    PortProto {
        /// The port.
        port: String,
        /// Its protocol.
        proto: String,
    },
    /// A port not shaped `[host:]container[/proto]`.
    #[error("invalid port {0:?}: expected [host:]container[/tcp|/udp]")]
    PortShape(String),
    /// A port number outside 1-65535.
    #[error("invalid port {port:?}: {part:?} is not a number in 1-65535")]
    PortNumber {
        /// The port.
        port: String,
        /// The number refused.
        part: String,
    },
    /// An environment variable name that a shell would not take.
    #[error(
        "invalid environment variable name {0:?} (letters, digits and '_', not starting with a digit)"
    )]
    EnvKey(String),
    /// A tmux socket name that is not a plain file name.
    #[error("invalid tmux socket name {0:?} (a plain file name, no '/')")]
    Socket(String),
    /// A host name of `hosts:` that cannot stand before a `/` in a qualified name.
    #[error(
        "invalid host name {0:?}: use letters, digits, '.', '_' and '-', starting with a letter or digit, at most 64 characters"
    )]
    HostName(String),
    /// A host name of `hosts:` that is the name of this machine.
    #[error("host name \"local\" is this machine's own name; give the host another name")]
    HostNameLocal,
}

/// Checks a session name: a letter first, then letters, digits, `_` or `-`; at most 64.
pub fn check_name(name: &str) -> Result<(), ValueError> {
    let mut chars = name.chars();
    match chars.next() {
        None => return Err(ValueError::EmptyName),
        Some(c) if !c.is_ascii_alphabetic() => return Err(ValueError::NameStart(name.into())),
        Some(_) => {}
    }
    if let Some(bad) = chars.find(|c| !(c.is_ascii_alphanumeric() || *c == '_' || *c == '-')) {
        return Err(ValueError::NameChar {
            name: name.into(),
            bad,
        });
    }
    if name.len() > MAX_NAME_LEN {
        return Err(ValueError::NameTooLong(name.into()));
    }
    Ok(())
}

/// Checks an image reference such as `localhost/acme/api:1.4` or `busybox@sha256:...`.
pub fn check_image(image: &str) -> Result<(), ValueError> {
    if image.is_empty() || image.len() > 255 {
        return Err(ValueError::Image(image.into()));
    }
    let (rest, digest) = match image.split_once('@') {
        Some((r, d)) => (r, Some(d)),
        None => (image, None),
    };
    if let Some(d) = digest {
        let ok = d.split_once(':').is_some_and(|(alg, hex)| {
            !alg.is_empty()
                && alg.chars().all(|c| c.is_ascii_alphanumeric())
                && !hex.is_empty()
                && hex.chars().all(|c| c.is_ascii_hexdigit())
        });
        if !ok {
            return Err(ValueError::ImageDigest(image.into()));
        }
    }
    // A tag is what follows the last ':' when no '/' follows it (a ':' before a '/' is a
    // registry port).
    let (path, tag) = match rest.rfind(':') {
        Some(i) if !rest[i..].contains('/') => (&rest[..i], Some(&rest[i + 1..])),
        _ => (rest, None),
    };
    if let Some(tag) = tag {
        let ok = !tag.is_empty()
            && tag.len() <= 128
            && tag
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'));
        if !ok {
            return Err(ValueError::ImageTag {
                image: image.into(),
                tag: tag.into(),
            });
        }
    }
    check_image_path(image, path)
}

/// Checks the path of an image reference (`registry/owner/name`), component by component.
fn check_image_path(image: &str, path: &str) -> Result<(), ValueError> {
    for (i, part) in path.split('/').enumerate() {
        let registry =
            i == 0 && path.contains('/') && (part.contains(['.', ':']) || part == "localhost");
        let ok = !part.is_empty()
            && part.chars().all(|c| {
                c.is_ascii_lowercase()
                    || c.is_ascii_digit()
                    || matches!(c, '.' | '_' | '-')
                    || (registry && (c.is_ascii_uppercase() || c == ':'))
            })
            && !part.starts_with(['.', '-', '_']);
        if !ok {
            return Err(ValueError::ImagePath {
                image: image.into(),
                part: part.into(),
            });
        }
    }
    Ok(())
}

/// Checks free text handed to a program (a command, a path, an env value, an executable):
/// anything but a NUL byte, which no argument, path or environment can hold, so a value
/// with one would pass the check and fail only when the session starts.
pub fn check_text(text: &str) -> Result<(), ValueError> {
    if text.contains('\0') {
        return Err(ValueError::Nul);
    }
    Ok(())
}

/// Checks a volume `host:container[:ro|:rw]`.
pub fn check_volume(volume: &str) -> Result<(), ValueError> {
    check_text(volume).map_err(|_| ValueError::VolumeNul)?;
    let parts: Vec<&str> = volume.split(':').collect();
    let (host, container) = match parts.as_slice() {
        [h, c] => (h, c),
        [h, c, mode] if matches!(*mode, "ro" | "rw") => (h, c),
        [_, _, mode] => {
            return Err(ValueError::VolumeMode {
                volume: volume.into(),
                mode: (*mode).into(),
            });
        }
        _ => return Err(ValueError::VolumeShape(volume.into())),
    };
    if host.is_empty() {
        return Err(ValueError::VolumeHost(volume.into()));
    }
    if !container.starts_with('/') {
        return Err(ValueError::VolumeRelative {
            volume: volume.into(),
            container: (*container).into(),
        });
    }
    Ok(())
}

/// Checks a port `[host:]container[/tcp|/udp]`, each number in 1–65535.
pub fn check_port(port: &str) -> Result<(), ValueError> {
    let (numbers, proto) = match port.split_once('/') {
        Some((n, p)) => (n, Some(p)),
        None => (port, None),
    };
    if let Some(p) = proto
        && !matches!(p, "tcp" | "udp")
    {
        return Err(ValueError::PortProto {
            port: port.into(),
            proto: p.into(),
        });
    }
    let parts: Vec<&str> = numbers.split(':').collect();
    if parts.len() > 2 {
        return Err(ValueError::PortShape(port.into()));
    }
    for p in parts {
        match p.parse::<u32>() {
            Ok(n) if (1..=65535).contains(&n) => {}
            _ => {
                return Err(ValueError::PortNumber {
                    port: port.into(),
                    part: p.into(),
                });
            }
        }
    }
    Ok(())
}

/// Checks an environment variable name: a letter or `_` first, then letters, digits, `_`.
pub fn check_env_key(key: &str) -> Result<(), ValueError> {
    let mut chars = key.chars();
    let first_ok = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
    if !first_ok || !chars.all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(ValueError::EnvKey(key.into()));
    }
    Ok(())
}

/// Checks a tmux socket name given with `socket:` (a file name in the socket folder).
pub fn check_socket(socket: &str) -> Result<(), ValueError> {
    if socket.is_empty()
        || socket.len() > 100
        || socket.contains('/')
        || socket.starts_with('-')
        || socket.chars().any(char::is_control)
    {
        return Err(ValueError::Socket(socket.into()));
    }
    Ok(())
}

/// Checks a host name of `hosts:`: it is written before `/` in qualified names
/// (`web1/tmux:api`) and shown in a column, so it is a plain word; `local` is this machine.
pub fn check_host_name(name: &str) -> Result<(), ValueError> {
    let plain = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-');
    if name == crate::model::LOCAL_HOST {
        return Err(ValueError::HostNameLocal);
    }
    if name.is_empty()
        || name.len() > MAX_NAME_LEN
        || !name.starts_with(|c: char| c.is_ascii_alphanumeric())
        || !name.chars().all(plain)
    {
        return Err(ValueError::HostName(name.into()));
    }
    Ok(())
}

/// Longest graceful stop (`defaults.stop_timeout`, `stop --timeout`), in seconds: an hour.
/// Larger values are refused, not clamped: they are typos, and arithmetic on them (a
/// deadline of now plus the grace) would overflow.
pub const MAX_STOP_TIMEOUT_SECS: u64 = 3600;
/// Longest single backend call (`defaults.command_timeout`), in seconds: ten minutes (a
/// container run, which may pull, is allowed six of these).
pub const MAX_COMMAND_TIMEOUT_SECS: u64 = 600;
/// Most log lines kept per pane (`log_lines`) or asked for (`logs -n`): a million lines is
/// already about 100 MB of memory.
pub const MAX_LOG_LINES: usize = 1_000_000;

/// Builds the message for a number outside `min..=max`; `shown` is the value as written.
fn out_of_range(shown: &dyn fmt::Display, min: u64, max: u64, unit: &str) -> String {
    format!("{shown} is out of range: use a whole number of {unit} from {min} to {max}")
}

macro_rules! bounded_number {
    ($(#[$doc:meta])* $name:ident: $t:ty, $min:expr, $max:expr, $unit:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name($t);

        impl $name {
            /// Smallest value accepted.
            pub const MIN: $t = $min;
            /// Largest value accepted.
            pub const MAX: $t = $max;

            /// Validates and wraps a value.
            pub fn new(value: u64) -> Result<Self, String> {
                // `as u64` widens (usize and u64 are both 64 bits or less here).
                let range = (Self::MIN as u64)..=(Self::MAX as u64);
                match <$t>::try_from(value) {
                    Ok(v) if range.contains(&value) => Ok($name(v)),
                    _ => Err(out_of_range(&value, *range.start(), *range.end(), $unit)),
                }
            }

            /// The value.
            pub fn get(self) -> $t {
                self.0
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                // Checked inside the visitor, like the strings above, so the error carries
                // the scalar's own line and key path. Negative, huge and fractional numbers
                // get the same message as any other out of range.
                struct Check;
                impl Check {
                    fn refuse<E: serde::de::Error>(shown: &dyn fmt::Display) -> E {
                        E::custom(out_of_range(shown, $name::MIN as u64, $name::MAX as u64, $unit))
                    }
                }
                impl<'de> serde::de::Visitor<'de> for Check {
                    type Value = $name;
                    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                        write!(f, "a whole number of {}", $unit)
                    }
                    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<$name, E> {
                        $name::new(v).map_err(E::custom)
                    }
                    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<$name, E> {
                        match u64::try_from(v) {
                            Ok(v) => self.visit_u64(v),
                            Err(_) => Err(Check::refuse(&v)),
                        }
                    }
                    fn visit_u128<E: serde::de::Error>(self, v: u128) -> Result<$name, E> {
                        Err(Check::refuse(&v))
                    }
                    fn visit_i128<E: serde::de::Error>(self, v: i128) -> Result<$name, E> {
                        Err(Check::refuse(&v))
                    }
                    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<$name, E> {
                        Err(Check::refuse(&v))
                    }
                }
                d.deserialize_u64(Check)
            }
        }
    };
}

bounded_number!(
    /// `defaults.stop_timeout`: seconds, at most [`MAX_STOP_TIMEOUT_SECS`]; never a
    /// duration that overflows a deadline.
    StopTimeoutSecs: u64, 0, MAX_STOP_TIMEOUT_SECS, "seconds"
);
bounded_number!(
    /// `defaults.command_timeout`: seconds, at most [`MAX_COMMAND_TIMEOUT_SECS`] (0 is
    /// taken as 1).
    CommandTimeoutSecs: u64, 0, MAX_COMMAND_TIMEOUT_SECS, "seconds"
);
bounded_number!(
    /// `hosts.NAME.port`: a TCP port.
    SshPort: u16, 1, 65535, "port numbers"
);
bounded_number!(
    /// `log_lines`: at least 1, at most [`MAX_LOG_LINES`].
    LogLines: usize, 1, MAX_LOG_LINES, "lines"
);

macro_rules! checked_string {
    ($(#[$doc:meta])* $name:ident, $check:path, $err:ty) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(String);

        impl $name {
            /// Validates and wraps a value.
            pub fn new(value: impl Into<String>) -> Result<Self, $err> {
                let value = value.into();
                $check(&value)?;
                Ok($name(value))
            }

            /// The value as written.
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// The value as written, owned.
            pub fn into_string(self) -> String {
                self.0
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                // Checked inside the visitor, so the deserializer still knows which scalar
                // is wrong and the error carries its own line (not its mapping's).
                struct Check;
                impl<'de> serde::de::Visitor<'de> for Check {
                    type Value = $name;
                    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                        f.write_str("a string")
                    }
                    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<$name, E> {
                        $name::new(v).map_err(E::custom)
                    }
                }
                d.deserialize_str(Check)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

checked_string!(
    /// A session name the config accepts.
    SessionName,
    check_name,
    ValueError
);
checked_string!(
    /// An image reference.
    ImageRef,
    check_image,
    ValueError
);
checked_string!(
    /// A volume mapping `host:container[:mode]`.
    VolumeSpec,
    check_volume,
    ValueError
);
checked_string!(
    /// A published port `[host:]container[/proto]`.
    PortSpec,
    check_port,
    ValueError
);
checked_string!(
    /// An environment variable name.
    EnvKey,
    check_env_key,
    ValueError
);
checked_string!(
    /// A tmux socket name.
    SocketName,
    check_socket,
    ValueError
);

checked_string!(
    /// A host name of `hosts:`.
    HostName,
    check_host_name,
    ValueError
);

checked_string!(
    /// Free text without a NUL byte: commands, paths, env values, executables.
    Text,
    check_text,
    ValueError
);
checked_string!(
    /// An action name of `keys:`.
    ActionName,
    crate::keyspec::check_action_name,
    crate::keyspec::KeySpecError
);
checked_string!(
    /// A key of `keys:` (`q`, `ctrl-c`, `enter`).
    KeySpec,
    crate::keyspec::check_key,
    crate::keyspec::KeySpecError
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert!(check_name("api-dev_2").is_ok());
        assert!(check_name("2api").is_err());
        assert!(check_name("-x").is_err());
        assert!(check_name("a b").is_err());
        assert!(check_name(&"a".repeat(65)).is_err());
        assert!(check_name(&"a".repeat(64)).is_ok());
    }

    #[test]
    fn images() {
        for ok in [
            "busybox",
            "localhost/acme/api:1.4",
            "registry.example.com:5000/a/b:v1",
            "docker.io/library/debian@sha256:abcdef0123",
        ] {
            assert!(check_image(ok).is_ok(), "{ok}");
        }
        for bad in ["", "UPPER/x", "a b", "x:", "a//b", "x@sha256:zz", "x:t!g"] {
            assert!(check_image(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn volumes_ports_env() {
        assert!(check_volume("./data:/data:ro").is_ok());
        assert!(check_volume("/a:/b").is_ok());
        assert!(check_volume("/a:b").is_err());
        assert!(check_volume("/a:/b:rx").is_err());
        assert!(check_volume("/a").is_err());
        assert!(check_volume("/a\0:/b").is_err());
        assert!(check_text("sleep 1\0").is_err());
        assert!(check_text("tab\tand\nnewline").is_ok());
        assert!(check_port("8080:8080").is_ok());
        assert!(check_port("53/udp").is_ok());
        assert!(check_port("0:80").is_err());
        assert!(check_port("70000").is_err());
        assert!(check_port("80/sctp").is_err());
        assert!(check_port("1:2:3").is_err());
        assert!(check_env_key("RUST_LOG").is_ok());
        assert!(check_env_key("1X").is_err());
        assert!(check_env_key("A-B").is_err());
    }
}
