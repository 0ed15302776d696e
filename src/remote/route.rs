//! How a call reaches another host: the system `ssh`, over one multiplexed connection per
//! host (`ControlMaster`), never stopping for a password (`BatchMode`), never skipping the
//! host key check. What ssh says when it fails is read into a [`HostFault`].

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::quote;
use crate::config::HostDef;

/// How long the shared connection stays up after its last use: long enough for a few
/// commands in a row from the shell, short enough to go soon after muxdeck does.
const CONTROL_PERSIST_SECS: u64 = 15;

/// Keep-alive probes: a host that vanishes (cable, suspend) ends a follow in about 15 s
/// instead of at TCP's own timeout, minutes later.
const ALIVE_INTERVAL_SECS: u64 = 5;
const ALIVE_COUNT: u64 = 3;

/// The way to one configured host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    /// The host's name in `hosts:`.
    pub host: String,
    /// What `ssh` is given as the destination.
    pub destination: String,
    /// `ssh -p`.
    pub port: Option<u16>,
    /// `ssh -F`.
    pub ssh_config: Option<PathBuf>,
    /// Folder of the shared connections' sockets (muxdeck's own, mode 0700).
    pub control_dir: PathBuf,
    /// The ssh executable.
    pub ssh_binary: String,
    /// How long ssh may take to connect (the config's `command_timeout`).
    pub connect_timeout: Duration,
    /// The host's `TMUX_TMPDIR`, given to every tmux call there.
    pub tmux_tmpdir: Option<String>,
    /// The long-lived channel short calls go through (shared by clones of the route).
    pub channel: std::sync::Arc<super::Channel>,
}

impl Route {
    /// The route to a configured host.
    pub fn new(def: &HostDef, ssh_config: Option<&Path>, connect_timeout: Duration) -> Self {
        Route {
            host: def.name.clone(),
            destination: def.destination.clone(),
            port: def.port,
            ssh_config: ssh_config.map(Path::to_path_buf),
            control_dir: control_dir(),
            ssh_binary: "ssh".into(),
            connect_timeout,
            tmux_tmpdir: def.tmux_tmpdir.clone(),
            channel: std::sync::Arc::default(),
        }
    }

    /// ssh's arguments up to and including the destination. `terminal` asks for a remote
    /// terminal (`-t`, for attach and exec); every other call has none (`-T`).
    pub fn ssh_args(&self, terminal: bool) -> Vec<OsString> {
        let mut args: Vec<OsString> = Vec::new();
        if let Some(f) = &self.ssh_config {
            args.push("-F".into());
            args.push(f.into());
        }
        if let Some(p) = self.port {
            args.push("-p".into());
            args.push(p.to_string().into());
        }
        let mut control_path = OsString::from("ControlPath=");
        // `%C` is a hash of the local host, destination, port and user: one socket per
        // connection, short enough for a socket path.
        control_path.push(self.control_dir.join("%C"));
        let options = [
            OsString::from("BatchMode=yes"),
            "ControlMaster=auto".into(),
            control_path,
            format!("ControlPersist={CONTROL_PERSIST_SECS}").into(),
            format!("ConnectTimeout={}", self.connect_timeout.as_secs().max(1)).into(),
            format!("ServerAliveInterval={ALIVE_INTERVAL_SECS}").into(),
            format!("ServerAliveCountMax={ALIVE_COUNT}").into(),
            "LogLevel=ERROR".into(),
        ];
        for o in options {
            args.push("-o".into());
            args.push(o);
        }
        args.push(if terminal { "-t" } else { "-T" }.into());
        // A destination is never read as an option, whatever it starts with.
        args.push("--".into());
        args.push(self.destination.clone().into());
        args
    }

    /// The remote command line that runs `program args` with `env` set: every word quoted
    /// for the remote shell, `exec` so no shell stays between ssh and the program.
    pub fn remote_command(
        &self,
        program: &str,
        args: &[OsString],
        env: &[(String, String)],
    ) -> OsString {
        let words = exec_words(program, args, env);
        exec(quote::command_line(words.iter().map(OsString::as_os_str)))
    }

    /// Like [`Route::remote_command`], on one line for the host's channel, whose loop
    /// sets `nl` (see [`quote::one_line`]).
    pub fn remote_line(
        &self,
        program: &str,
        args: &[OsString],
        env: &[(String, String)],
    ) -> OsString {
        let words = exec_words(program, args, env);
        exec(quote::one_line(words.iter().map(OsString::as_os_str)))
    }
}

/// The words of `[env K=V...] program args...`, before quoting.
fn exec_words(program: &str, args: &[OsString], env: &[(String, String)]) -> Vec<OsString> {
    let mut words: Vec<OsString> = Vec::new();
    if !env.is_empty() {
        words.push("env".into());
        words.extend(env.iter().map(|(k, v)| OsString::from(format!("{k}={v}"))));
    }
    words.push(program.into());
    words.extend(args.iter().cloned());
    words
}

/// `exec` before a quoted command line, so no shell stays between ssh and the program.
fn exec(quoted: OsString) -> OsString {
    let mut line = OsString::from("exec ");
    line.push(quoted);
    line
}

/// The longest control folder path that leaves room for ssh's socket name in it: a
/// socket path holds at most 107 bytes, and ssh adds `/` + the 40 hex digits of `%C` +
/// a 17-byte temporary suffix while it makes the socket. Past it, ssh cannot make the
/// socket and quietly goes on without sharing its connection: one handshake per call.
const MAX_CONTROL_DIR: usize = 107 - 1 - 40 - 17;

/// muxdeck's folder for ssh's shared connection sockets: `$XDG_RUNTIME_DIR/muxdeck`, or
/// `/tmp/muxdeck-UID` where there is no runtime folder or its path is too long for a
/// socket in it. Made private to the user when muxdeck makes it; ssh refuses nothing
/// here, but other users must not reach the sockets.
pub fn control_dir() -> PathBuf {
    use std::os::unix::fs::MetadataExt;
    let uid = std::fs::metadata("/proc/self").map_or(0, |m| m.uid());
    control_dir_for(std::env::var_os("XDG_RUNTIME_DIR"), uid)
}

/// [`control_dir`] for a given `XDG_RUNTIME_DIR` and user id.
fn control_dir_for(runtime: Option<std::ffi::OsString>, uid: u32) -> PathBuf {
    runtime
        .filter(|v| !v.is_empty())
        .map(|dir| PathBuf::from(dir).join("muxdeck"))
        .filter(|dir| dir.as_os_str().len() <= MAX_CONTROL_DIR)
        .unwrap_or_else(|| PathBuf::from(format!("/tmp/muxdeck-{uid}")))
}

/// Makes the control folder (mode 0700) if it is not there.
pub fn ensure_control_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    match std::fs::DirBuilder::new()
        .mode(0o700)
        .recursive(true)
        .create(dir)
    {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e),
    }
}

/// Why ssh could not run a command on a host.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HostFault {
    /// Nothing answered: refused, no route, unknown name, timed out, connection lost.
    Unreachable,
    /// The host would not let muxdeck in without something it cannot give in batch mode
    /// (a password, a passphrase, an unknown key).
    AuthFailed,
    /// The host's key is unknown or is not the one known_hosts has.
    HostKey,
    /// Anything else ssh refused.
    Error,
}

impl HostFault {
    /// The fault ssh's own words (its stderr, exit status 255) tell of, if any.
    pub fn from_ssh(stderr: &str) -> Option<(HostFault, String)> {
        let lines: Vec<&str> = stderr.lines().map(str::trim).collect();
        let find = |needles: &[&str]| {
            lines
                .iter()
                .find(|l| {
                    let l = l.to_lowercase();
                    needles.iter().any(|n| l.contains(n))
                })
                .map(|l| l.trim_start_matches("ssh: ").to_string())
        };
        // ssh frames this one in lines of `@`: say it plainly instead.
        if find(&["remote host identification has changed"]).is_some() {
            return Some((
                HostFault::HostKey,
                "its host key has changed since known_hosts recorded it".into(),
            ));
        }
        if find(&["host key verification failed", "host key for"]).is_some() {
            return Some((
                HostFault::HostKey,
                "host key verification failed (the key is not in known_hosts, or differs)".into(),
            ));
        }
        if let Some(l) = find(&["permission denied", "too many authentication failures"]) {
            return Some((HostFault::AuthFailed, l));
        }
        if let Some(l) = find(&[
            "connection refused",
            "connection timed out",
            "timed out",
            "no route to host",
            "could not resolve hostname",
            "network is unreachable",
            "connection closed",
            "connection reset",
            "broken pipe",
            "kex_exchange_identification",
            "control socket connect",
            "mux_client",
        ]) {
            return Some((HostFault::Unreachable, l));
        }
        let first = lines.iter().find(|l| !l.is_empty())?;
        first.starts_with("ssh:").then(|| {
            (
                HostFault::Error,
                first.trim_start_matches("ssh: ").to_string(),
            )
        })
    }

    /// The status name in JSON (`"hosts": [{"status": …}]`).
    pub fn as_str(self) -> &'static str {
        match self {
            HostFault::Unreachable => "unreachable",
            HostFault::AuthFailed => "auth_failed",
            HostFault::HostKey => "host_key",
            HostFault::Error => "error",
        }
    }

    /// One line for a person: what failed on which host, and what to do.
    pub fn explain(self, host: &str, message: &str) -> String {
        match self {
            HostFault::Unreachable => format!("host {host} cannot be reached: {message}"),
            HostFault::AuthFailed => format!(
                "host {host} refused the login ({message}); run `ssh {host}` once by hand to set up a key or the agent (muxdeck never asks for a password)"
            ),
            HostFault::HostKey => format!(
                "host {host}: {message}; check the host's key and fix known_hosts (muxdeck never skips this check)"
            ),
            HostFault::Error => format!("ssh to host {host} failed: {message}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn route() -> Route {
        Route {
            host: "web1".into(),
            destination: "-oProxyCommand=x".into(),
            port: Some(2222),
            ssh_config: Some("/etc/x/cfg".into()),
            control_dir: "/run/user/1/muxdeck".into(),
            ssh_binary: "ssh".into(),
            connect_timeout: Duration::from_secs(5),
            tmux_tmpdir: None,
            channel: std::sync::Arc::default(),
        }
    }

    #[test]
    fn the_destination_comes_after_the_end_of_options() {
        let args = route().ssh_args(false);
        let n = args.len();
        assert_eq!(args[n - 2], "--");
        assert_eq!(args[n - 1], "-oProxyCommand=x");
        assert!(args.contains(&OsString::from("BatchMode=yes")));
        assert!(args.contains(&OsString::from("ControlPath=/run/user/1/muxdeck/%C")));
        assert!(
            !args
                .iter()
                .any(|a| a.to_string_lossy().contains("StrictHostKeyChecking"))
        );
    }

    #[test]
    fn the_remote_command_quotes_every_word() {
        let line = route().remote_command(
            "tmux",
            &["kill-session".into(), "-t".into(), "$(reboot)".into()],
            &[("TMUX_TMPDIR".into(), "/run/a b".into())],
        );
        assert_eq!(
            line,
            OsString::from("exec env 'TMUX_TMPDIR=/run/a b' tmux kill-session -t '$(reboot)'")
        );
    }

    #[test]
    fn a_runtime_folder_too_long_for_a_socket_is_not_used() {
        assert_eq!(
            control_dir_for(Some("/run/user/1000".into()), 1000),
            PathBuf::from("/run/user/1000/muxdeck")
        );
        let long = format!("/tmp/{}", "x".repeat(50));
        assert_eq!(
            control_dir_for(Some(long.into()), 7),
            PathBuf::from("/tmp/muxdeck-7")
        );
        assert_eq!(control_dir_for(None, 0), PathBuf::from("/tmp/muxdeck-0"));
        assert_eq!(
            control_dir_for(Some("".into()), 0),
            PathBuf::from("/tmp/muxdeck-0")
        );
    }

    #[test]
    fn ssh_failures_are_told_apart() {
        let f = |s: &str| HostFault::from_ssh(s).map(|(f, _)| f);
        assert_eq!(
            f("ssh: connect to host 127.0.0.1 port 1: Connection refused"),
            Some(HostFault::Unreachable)
        );
        assert_eq!(
            f("root@127.0.0.1: Permission denied (publickey)."),
            Some(HostFault::AuthFailed)
        );
        assert_eq!(
            f(
                "@@@@@\n@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @\nHost key verification failed."
            ),
            Some(HostFault::HostKey)
        );
        assert_eq!(f("can't find session: $3"), None);
    }
}
