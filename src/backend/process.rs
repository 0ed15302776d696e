//! Runs a backend tool with an argument vector and a deadline, and keeps its stderr for the
//! error. The child is killed when the deadline passes, so a hung daemon never hangs muxdeck.

use std::ffi::{OsStr, OsString};
use std::process::Stdio;
use std::time::Duration;

use tokio::process::Command;

use super::BackendError;

/// A prepared invocation of a backend tool.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invocation {
    /// The executable.
    pub program: String,
    /// Arguments, passed as they are (no shell).
    pub args: Vec<OsString>,
    /// Variables to set.
    pub env: Vec<(String, String)>,
    /// Variables to remove (`TMUX`, so a tmux client never follows the caller's server).
    pub env_remove: Vec<String>,
}

impl Invocation {
    /// A call of `program` with no arguments yet.
    pub fn new(program: impl Into<String>) -> Self {
        Invocation {
            program: program.into(),
            args: Vec::new(),
            env: Vec::new(),
            env_remove: Vec::new(),
        }
    }

    /// Appends one argument.
    pub fn arg(mut self, a: impl AsRef<OsStr>) -> Self {
        self.args.push(a.as_ref().to_os_string());
        self
    }

    /// Appends arguments.
    pub fn args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.args
            .extend(args.into_iter().map(|a| a.as_ref().to_os_string()));
        self
    }

    /// The first argument that is not an option: names the action in errors.
    pub fn action(&self) -> String {
        // Skip options and the values of the global options that take one (`-L NAME`).
        let mut prev_takes_value = false;
        for a in &self.args {
            let a = a.to_string_lossy();
            if prev_takes_value {
                prev_takes_value = false;
                continue;
            }
            if matches!(a.as_ref(), "-L" | "-S" | "-f") {
                prev_takes_value = true;
                continue;
            }
            if !a.starts_with('-') && !a.is_empty() {
                return a.into_owned();
            }
        }
        String::new()
    }

    /// A blocking std command (for handing the terminal over).
    pub fn to_std(&self) -> std::process::Command {
        let mut c = std::process::Command::new(&self.program);
        c.args(&self.args);
        for k in &self.env_remove {
            c.env_remove(k);
        }
        c.envs(self.env.iter().map(|(k, v)| (k, v)));
        c
    }

    /// A tokio command with stdin closed and output piped.
    pub fn to_tokio(&self) -> Command {
        let mut c = Command::new(&self.program);
        c.args(&self.args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        for k in &self.env_remove {
            c.env_remove(k);
        }
        c.envs(self.env.iter().map(|(k, v)| (k, v)));
        c
    }

    /// How the call reads in a message: `podman stop -t 10 -- api`.
    pub fn display(&self) -> String {
        let mut s = self.program.clone();
        for a in &self.args {
            s.push(' ');
            s.push_str(&a.to_string_lossy());
        }
        s
    }
}

/// What a successful call printed.
#[derive(Debug, Clone, Default)]
pub struct Output {
    /// Standard output, raw.
    pub stdout: Vec<u8>,
    /// Standard error, raw.
    pub stderr: Vec<u8>,
}

impl Output {
    /// Standard output as text (invalid UTF-8 replaced).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }
}

/// Maps a spawn error to Missing or Io.
pub fn spawn_error(program: &str, e: &std::io::Error) -> BackendError {
    if e.kind() == std::io::ErrorKind::NotFound {
        BackendError::Missing {
            program: program.to_string(),
        }
    } else {
        BackendError::Io {
            program: program.to_string(),
            message: e.to_string(),
        }
    }
}

/// Runs the call; a non-zero exit is [`BackendError::Failed`] with the tool's stderr.
pub async fn run(inv: &Invocation, timeout: Duration) -> Result<Output, BackendError> {
    let out = run_raw(inv, timeout).await?;
    if out.0.success() {
        Ok(out.1)
    } else {
        Err(failed(inv, &out.1, out.0.code()))
    }
}

/// Runs the call and returns its exit status along with its output, whatever the status.
pub async fn run_raw(
    inv: &Invocation,
    timeout: Duration,
) -> Result<(std::process::ExitStatus, Output), BackendError> {
    let child = inv
        .to_tokio()
        .spawn()
        .map_err(|e| spawn_error(&inv.program, &e))?;
    // kill_on_drop: when the timeout drops the future, the child is killed and reaped.
    match tokio::time::timeout(timeout, child.wait_with_output()).await {
        Err(_) => Err(BackendError::Timeout {
            program: inv.program.clone(),
            action: inv.action(),
            after: timeout,
        }),
        Ok(Err(e)) => Err(BackendError::Io {
            program: inv.program.clone(),
            message: e.to_string(),
        }),
        Ok(Ok(o)) => Ok((
            o.status,
            Output {
                stdout: o.stdout,
                stderr: o.stderr,
            },
        )),
    }
}

/// Builds the Failed error from a call's stderr (first lines, trimmed).
pub fn failed(inv: &Invocation, out: &Output, code: Option<i32>) -> BackendError {
    let stderr = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<&str> = stderr
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    // podman logs warnings (`time="..." level=warning msg="..."`) before the error itself;
    // they say nothing about why the call failed.
    let errors: Vec<&str> = lines
        .iter()
        .copied()
        .filter(|l| !l.contains("level=warning"))
        .collect();
    let chosen = if errors.is_empty() { &lines } else { &errors };
    let mut message: String = chosen
        .iter()
        .take(3)
        .copied()
        .collect::<Vec<_>>()
        .join("; ");
    if message.is_empty() {
        message = match code {
            Some(c) => format!("exit code {c}"),
            None => "killed by a signal".into(),
        };
    }
    if message.len() > 400 {
        let mut cut = 400;
        while !message.is_char_boundary(cut) {
            cut -= 1;
        }
        message.truncate(cut);
        message.push('…');
    }
    BackendError::Failed {
        program: inv.program.clone(),
        action: inv.action(),
        message,
    }
}

/// Runs the call with stdout and stderr through one pipe, so their lines keep their order
/// (a container's log is both).
pub async fn run_merged(inv: &Invocation, timeout: Duration) -> Result<Vec<u8>, BackendError> {
    use std::os::fd::OwnedFd;
    use tokio::io::AsyncReadExt;
    let io_err = |e: std::io::Error| BackendError::Io {
        program: inv.program.clone(),
        message: e.to_string(),
    };
    let (reader, writer) = std::io::pipe().map_err(io_err)?;
    let writer_err = writer.try_clone().map_err(io_err)?;
    let mut cmd = inv.to_tokio();
    cmd.stdout(Stdio::from(OwnedFd::from(writer)))
        .stderr(Stdio::from(OwnedFd::from(writer_err)));
    let mut child = cmd.spawn().map_err(|e| spawn_error(&inv.program, &e))?;
    drop(cmd);
    let mut source =
        tokio::net::unix::pipe::Receiver::from_owned_fd(OwnedFd::from(reader)).map_err(io_err)?;
    let work = async {
        let mut bytes = Vec::new();
        source.read_to_end(&mut bytes).await.map_err(io_err)?;
        let status = child.wait().await.map_err(io_err)?;
        Ok::<_, BackendError>((status, bytes))
    };
    match tokio::time::timeout(timeout, work).await {
        Err(_) => Err(BackendError::Timeout {
            program: inv.program.clone(),
            action: inv.action(),
            after: timeout,
        }),
        Ok(Err(e)) => Err(e),
        Ok(Ok((status, bytes))) if status.success() => Ok(bytes),
        Ok(Ok((status, bytes))) => Err(failed(
            inv,
            &Output {
                stdout: Vec::new(),
                stderr: bytes,
            },
            status.code(),
        )),
    }
}
