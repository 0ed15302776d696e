//! Where the docker CLI on this machine will look for its daemon, when that can be told
//! without starting it: a `docker ps` against a daemon that is not there still costs a Go
//! program's start (about 18 ms of CPU), on every listing and on every retry. Only the plain
//! case is read (no `DOCKER_HOST` or a `unix://` one, no context chosen); anything else
//! (a TCP or ssh host, a context, a config that cannot be read) is left to the CLI.

use std::path::{Path, PathBuf};

/// The socket the docker CLI uses when nothing chooses another.
const DEFAULT_SOCKET: &str = "/var/run/docker.sock";

/// The unix socket `docker` will connect to, from the environment as `var` reads it and the
/// CLI's config folder `config_dir` (`$DOCKER_CONFIG`, else `~/.docker`); None when the
/// CLI may go elsewhere.
pub fn docker_socket(
    var: impl Fn(&str) -> Option<String>,
    config_dir: Option<&Path>,
) -> Option<PathBuf> {
    let set = |name: &str| var(name).filter(|v| !v.is_empty());
    if let Some(host) = set("DOCKER_HOST") {
        return host.strip_prefix("unix://").map(PathBuf::from);
    }
    if set("DOCKER_CONTEXT").is_some_and(|c| c != "default") {
        return None;
    }
    if let Some(dir) = config_dir {
        match std::fs::read(dir.join("config.json")) {
            Ok(bytes) => {
                let config: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
                let context = config.get("currentContext").and_then(|c| c.as_str());
                if context.is_some_and(|c| !c.is_empty() && c != "default") {
                    return None;
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(_) => return None,
        }
    }
    Some(PathBuf::from(DEFAULT_SOCKET))
}

/// The docker CLI's config folder: `$DOCKER_CONFIG`, else `~/.docker`.
pub fn docker_config_dir() -> Option<PathBuf> {
    match std::env::var_os("DOCKER_CONFIG").filter(|v| !v.is_empty()) {
        Some(dir) => Some(PathBuf::from(dir)),
        None => directories::BaseDirs::new().map(|b| b.home_dir().join(".docker")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |k| {
            pairs
                .iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| (*v).to_string())
        }
    }

    #[test]
    fn the_plain_case_is_the_default_socket() {
        let none = tempfile::tempdir().expect("a temp dir");
        assert_eq!(
            docker_socket(env(&[]), Some(none.path())),
            Some(PathBuf::from(DEFAULT_SOCKET))
        );
        assert_eq!(
            docker_socket(env(&[("DOCKER_HOST", "")]), None),
            Some(PathBuf::from(DEFAULT_SOCKET))
        );
    }

    #[test]
    fn docker_host_decides_and_only_a_unix_one_is_a_path() {
        let e = [("DOCKER_HOST", "unix:///run/user/1000/docker.sock")];
        assert_eq!(
            docker_socket(env(&e), None),
            Some(PathBuf::from("/run/user/1000/docker.sock"))
        );
        for other in ["tcp://10.0.0.2:2376", "ssh://me@box", "npipe:////./pipe/x"] {
            assert_eq!(docker_socket(env(&[("DOCKER_HOST", other)]), None), None);
        }
    }

    #[test]
    fn a_chosen_context_is_left_to_the_cli() {
        assert_eq!(
            docker_socket(env(&[("DOCKER_CONTEXT", "prod")]), None),
            None
        );
        let dir = tempfile::tempdir().expect("a temp dir");
        let write = |text: &str| std::fs::write(dir.path().join("config.json"), text);
        write(r#"{"currentContext": "rootless"}"#).expect("written");
        assert_eq!(docker_socket(env(&[]), Some(dir.path())), None);
        write(r#"{"currentContext": "default", "auths": {}}"#).expect("written");
        assert!(docker_socket(env(&[]), Some(dir.path())).is_some());
        // A config that cannot be read says nothing for sure.
        write("{ not json").expect("written");
        assert_eq!(docker_socket(env(&[]), Some(dir.path())), None);
    }
}
