//! The backends muxdeck drives through their own command-line tools: tmux and the container
//! runtimes. Each call is an argument vector with a timeout; nothing goes through a shell.

pub mod container;
pub mod process;
pub mod tmux;
pub mod tmux_tree;

use std::time::Duration;

/// A backend call that did not give what was asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BackendError {
    /// The executable is not installed (or not on PATH).
    #[error(
        "{program} is not installed (not found on PATH); install it or set its path in the config"
    )]
    Missing {
        /// The executable as configured.
        program: String,
    },
    /// The runtime's daemon is not there to answer (no socket, or nobody listening on it):
    /// nothing runs on it, which is a state, not a fault. Not a daemon that hangs: that is
    /// [`BackendError::Timeout`].
    #[error("{program}: no daemon is running ({message})")]
    NotRunning {
        /// The executable.
        program: String,
        /// The tool's own words (they name the socket it tried).
        message: String,
    },
    /// The call did not finish in time.
    #[error("`{program} {action}` did not answer within {}s; is it hung? (defaults.command_timeout)", .after.as_secs())]
    Timeout {
        /// The executable.
        program: String,
        /// The subcommand.
        action: String,
        /// The limit that passed.
        after: Duration,
    },
    /// The call ran and failed; the tool's own message is kept.
    #[error("`{program} {action}` failed: {message}")]
    Failed {
        /// The executable.
        program: String,
        /// The subcommand.
        action: String,
        /// First line(s) of the tool's stderr.
        message: String,
    },
    /// The tool printed something muxdeck cannot read.
    #[error("`{program} {action}` printed output muxdeck cannot read: {detail}")]
    Parse {
        /// The executable.
        program: String,
        /// The subcommand.
        action: String,
        /// What was wrong.
        detail: String,
    },
    /// The call printed more than muxdeck holds for it (see [`process::Limits`]), and was
    /// stopped before it could fill memory.
    #[error("`{program} {action}` printed more than {} {stream}; muxdeck stopped it ({hint})", size(*.limit))]
    TooMuchOutput {
        /// The executable.
        program: String,
        /// The subcommand.
        action: String,
        /// Which of its outputs went over.
        stream: OutputStream,
        /// The limit in bytes.
        limit: usize,
        /// What the user can do about it.
        hint: &'static str,
    },
    /// A tmux socket whose file name is not UTF-8: its sessions could not be named in a
    /// qualified name, so they are not listed rather than listed unreachable.
    #[error(
        "tmux socket {socket:?} was skipped: its name is not UTF-8, so its sessions cannot be named; rename the socket file or start that server with another -L name"
    )]
    UnnamableSocket {
        /// The name, with the invalid bytes replaced.
        socket: String,
    },
    /// ssh could not run the call on another host (see [`crate::remote::HostFault`]).
    #[error("{}", .fault.explain(.host, .message))]
    Host {
        /// The host's name in `hosts:`.
        host: String,
        /// What kind of failure.
        fault: crate::remote::HostFault,
        /// ssh's own words.
        message: String,
    },
    /// The process could not be started or read.
    #[error("cannot run {program}: {message}")]
    Io {
        /// The executable.
        program: String,
        /// The OS error.
        message: String,
    },
}

/// One of a call's outputs, as named in [`BackendError::TooMuchOutput`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputStream {
    /// Standard output.
    Stdout,
    /// Standard error.
    Stderr,
    /// Both through one pipe (a container's log).
    Merged,
}

impl std::fmt::Display for OutputStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            OutputStream::Stdout => "on stdout",
            OutputStream::Stderr => "on stderr",
            OutputStream::Merged => "of output",
        })
    }
}

/// A byte count as people read it: whole MiB or KiB when it is one, else bytes.
fn size(bytes: usize) -> String {
    const KIB: usize = 1024;
    const MIB: usize = 1024 * KIB;
    match bytes {
        0 => "0 bytes".into(),
        b if b % MIB == 0 => format!("{} MiB", b / MIB),
        b if b % KIB == 0 => format!("{} KiB", b / KIB),
        b => format!("{b} bytes"),
    }
}

impl BackendError {
    /// Whether the tool is simply not there (a backend to skip quietly, not a fault).
    pub fn is_missing(&self) -> bool {
        matches!(self, BackendError::Missing { .. })
    }

    /// A failure that says the runtime's daemon is absent becomes
    /// [`BackendError::NotRunning`]; anything else is returned as it is.
    pub fn daemon_absent(self) -> Self {
        match self {
            BackendError::Failed {
                program, message, ..
            } if says_no_daemon(&message) => BackendError::NotRunning { program, message },
            other => other,
        }
    }
}

/// What docker and podman (remote) print when nothing answers at their socket or address:
/// no socket file, a stale one, or a refused connection. A permission error is not
/// absence, and stays a failure.
fn says_no_daemon(message: &str) -> bool {
    let m = message.to_lowercase();
    m.contains("cannot connect to the docker daemon") || m.contains("cannot connect to podman")
}
