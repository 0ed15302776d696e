//! Runs a backend tool with an argument vector and a deadline, and keeps its stderr for the
//! error. The child is killed when the deadline passes, so a hung daemon never hangs muxdeck,
//! and when it prints more than its [`Limits`], so a flooding one never fills memory.

use std::ffi::{OsStr, OsString};
use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt};
use tokio::process::Command;

use super::{BackendError, OutputStream};
use crate::remote::{HostFault, Route};

const KIB: usize = 1024;
const MIB: usize = 1024 * KIB;

/// The most of a call's output muxdeck holds; a call that prints more is stopped and
/// fails with [`BackendError::TooMuchOutput`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Bytes of standard output (of the one merged stream, for [`run_merged`]).
    pub stdout: usize,
    /// Bytes of standard error.
    pub stderr: usize,
    /// What the user can do about a call over the limit, for the error line.
    pub hint: &'static str,
}

impl Limits {
    /// For listings and every other short call. `ps -a --format json` prints 2 to 4 KiB a
    /// container and `list-panes -a` about 200 bytes a pane, so 8 MiB holds thousands of
    /// either. stderr only ever gives the first lines of an error (and podman's warnings
    /// before them, a few hundred bytes each): 256 KiB is hundreds of times a noisy call.
    pub const LISTING: Limits = Limits {
        stdout: 8 * MIB,
        stderr: 256 * KIB,
        hint: "run it by hand to see what is wrong",
    };

    /// For log captures (`logs --tail N`, `capture-pane -S -N`), whose size the user
    /// chooses with the line count: 10 000 lines of 3 KiB each fit in 32 MiB, and muxdeck's
    /// peak (the bytes and their normalized lines) stays near 100 MiB.
    pub const LOGS: Limits = Limits {
        stdout: 32 * MIB,
        stderr: 256 * KIB,
        hint: "ask for fewer lines (-n), or run it by hand to see what is wrong",
    };
}

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
    /// How much output is read before the call is stopped.
    pub limits: Limits,
    /// The host the call runs on, through ssh; None for this machine.
    pub route: Option<Arc<Route>>,
    /// What errors call the action when the arguments do not say it (a script).
    pub action_name: Option<&'static str>,
}

impl Invocation {
    /// A call of `program` with no arguments yet.
    pub fn new(program: impl Into<String>) -> Self {
        Invocation {
            program: program.into(),
            args: Vec::new(),
            env: Vec::new(),
            env_remove: Vec::new(),
            limits: Limits::LISTING,
            route: None,
            action_name: None,
        }
    }

    /// Names the action for errors, for a call whose arguments would not (a script).
    pub fn named(mut self, action: &'static str) -> Self {
        self.action_name = Some(action);
        self
    }

    /// The same call on another host (None: this machine).
    pub fn on(mut self, route: Option<Arc<Route>>) -> Self {
        self.route = route;
        self
    }

    /// The call as errors name it: the program, or `ssh HOST program` on another host.
    pub fn who(&self) -> String {
        match &self.route {
            None => self.program.clone(),
            Some(r) => format!("ssh {} {}", r.host, self.program),
        }
    }

    /// The executable that is started: the program, or ssh for another host.
    pub fn spawned(&self) -> &str {
        match &self.route {
            None => &self.program,
            Some(r) => &r.ssh_binary,
        }
    }

    /// Program and arguments as started: the call itself here; on another host ssh's
    /// options, the destination and the call as one quoted command line. The variables
    /// go into that command line (`env`); removals do not apply to a fresh remote shell.
    fn argv(&self, terminal: bool) -> (&str, Vec<OsString>) {
        match &self.route {
            None => (&self.program, self.args.clone()),
            Some(r) => {
                let mut args = r.ssh_args(terminal);
                args.push(r.remote_command(&self.program, &self.args, &self.env));
                (&r.ssh_binary, args)
            }
        }
    }

    /// Replaces the output limits ([`Limits::LISTING`] by default).
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
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
        if let Some(name) = self.action_name {
            return name.to_string();
        }
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

    /// A blocking std command (for handing the terminal over: on another host, ssh asks
    /// for a remote terminal).
    pub fn to_std(&self) -> std::process::Command {
        let (program, args) = self.argv(true);
        let mut c = std::process::Command::new(program);
        c.args(args);
        for k in &self.env_remove {
            c.env_remove(k);
        }
        if self.route.is_none() {
            c.envs(self.env.iter().map(|(k, v)| (k, v)));
        }
        c
    }

    /// A tokio command with stdin closed and output piped.
    pub fn to_tokio(&self) -> Command {
        let (program, args) = self.argv(false);
        let mut c = Command::new(program);
        c.args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        for k in &self.env_remove {
            c.env_remove(k);
        }
        if self.route.is_none() {
            c.envs(self.env.iter().map(|(k, v)| (k, v)));
        }
        c
    }

    /// How the call reads in a message: `podman stop -t 10 -- api`.
    pub fn display(&self) -> String {
        let mut s = self.who();
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
    // On another host, over its long-lived channel (no remote shell start per call).
    if let Some(route) = &inv.route
        && let Some(result) = route.channel.run(route, inv, timeout).await
    {
        return result;
    }
    let mut child = inv
        .to_tokio()
        .spawn()
        .map_err(|e| spawn_error(inv.spawned(), &e))?;
    let (stdout, stderr) = (child.stdout.take(), child.stderr.take());
    let work = async {
        // Both at once: a child blocked on a full stderr pipe would never close stdout.
        let (stdout, stderr) = tokio::try_join!(
            read_capped(inv, stdout, OutputStream::Stdout),
            read_capped(inv, stderr, OutputStream::Stderr),
        )?;
        let status = child.wait().await.map_err(|e| io_error(inv, &e))?;
        Ok((status, Output { stdout, stderr }))
    };
    let result = tokio::time::timeout(timeout, work).await;
    finish(inv, timeout, &mut child, result)
}

/// The outcome of a call's reads under its deadline; a call that failed or timed out is
/// killed now rather than when its handle drops.
fn finish<T>(
    inv: &Invocation,
    timeout: Duration,
    child: &mut tokio::process::Child,
    result: Result<Result<T, BackendError>, tokio::time::error::Elapsed>,
) -> Result<T, BackendError> {
    let result = result.unwrap_or_else(|_| {
        Err(BackendError::Timeout {
            program: inv.who(),
            action: inv.action(),
            after: timeout,
        })
    });
    if result.is_err() {
        let _ = child.start_kill();
    }
    result
}

fn io_error(inv: &Invocation, e: &std::io::Error) -> BackendError {
    BackendError::Io {
        program: inv.who(),
        message: e.to_string(),
    }
}

/// Reads `source` to its end, holding at most the limit of `stream` and failing as soon as
/// the source goes beyond it.
async fn read_capped<R: AsyncRead + Unpin>(
    inv: &Invocation,
    source: Option<R>,
    stream: OutputStream,
) -> Result<Vec<u8>, BackendError> {
    let limit = match stream {
        OutputStream::Stderr => inv.limits.stderr,
        OutputStream::Stdout | OutputStream::Merged => inv.limits.stdout,
    };
    let mut bytes = Vec::new();
    let Some(source) = source else {
        return Ok(bytes);
    };
    // One byte past the limit tells "exactly at the limit" from "over it".
    let most = u64::try_from(limit).unwrap_or(u64::MAX).saturating_add(1);
    source
        .take(most)
        .read_to_end(&mut bytes)
        .await
        .map_err(|e| io_error(inv, &e))?;
    if bytes.len() > limit {
        return Err(BackendError::TooMuchOutput {
            program: inv.who(),
            action: inv.action(),
            stream,
            limit,
            hint: inv.limits.hint,
        });
    }
    Ok(bytes)
}

/// Builds the Failed error from a call's stderr (first lines, trimmed). On another host,
/// ssh's own failure (status 255) is a [`BackendError::Host`], and a program the remote
/// shell cannot find (status 127) is [`BackendError::Missing`] there.
pub fn failed(inv: &Invocation, out: &Output, code: Option<i32>) -> BackendError {
    let stderr = String::from_utf8_lossy(&out.stderr);
    if let Some(route) = &inv.route {
        if code == Some(255)
            && let Some((fault, message)) = HostFault::from_ssh(&stderr)
        {
            return BackendError::Host {
                host: route.host.clone(),
                fault,
                message,
            };
        }
        if code == Some(127) && stderr.contains("not found") {
            return BackendError::Missing {
                program: format!("{} (on host {})", inv.program, route.host),
            };
        }
    }
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
        program: inv.who(),
        action: inv.action(),
        message,
    }
}

/// Starts the call with stdout and stderr through one pipe, so their lines keep their
/// order; returns the child and the pipe's read end.
pub fn spawn_merged(
    inv: &Invocation,
) -> Result<(tokio::process::Child, tokio::net::unix::pipe::Receiver), BackendError> {
    use std::os::fd::OwnedFd;
    let (reader, writer) = std::io::pipe().map_err(|e| io_error(inv, &e))?;
    let writer_err = writer.try_clone().map_err(|e| io_error(inv, &e))?;
    let mut cmd = inv.to_tokio();
    cmd.stdout(Stdio::from(OwnedFd::from(writer)))
        .stderr(Stdio::from(OwnedFd::from(writer_err)));
    let child = cmd.spawn().map_err(|e| spawn_error(inv.spawned(), &e))?;
    // The command owns the write ends now; drop ours so EOF comes when the child exits.
    drop(cmd);
    let source = tokio::net::unix::pipe::Receiver::from_owned_fd(OwnedFd::from(reader))
        .map_err(|e| io_error(inv, &e))?;
    Ok((child, source))
}

/// Runs the call with stdout and stderr through one pipe, so their lines keep their order
/// (a container's log is both). The pipe holds at most the stdout limit.
pub async fn run_merged(inv: &Invocation, timeout: Duration) -> Result<Vec<u8>, BackendError> {
    let (mut child, source) = spawn_merged(inv)?;
    let work = async {
        let bytes = read_capped(inv, Some(source), OutputStream::Merged).await?;
        let status = child.wait().await.map_err(|e| io_error(inv, &e))?;
        Ok((status, bytes))
    };
    let result = tokio::time::timeout(timeout, work).await;
    let (status, bytes) = finish(inv, timeout, &mut child, result)?;
    if status.success() {
        Ok(bytes)
    } else {
        Err(failed(
            inv,
            &Output {
                stdout: Vec::new(),
                stderr: bytes,
            },
            status.code(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SMALL: Limits = Limits {
        stdout: 64 * KIB,
        stderr: 4 * KIB,
        hint: "test",
    };
    const PATIENCE: Duration = Duration::from_secs(20);

    fn sh(script: &str) -> Invocation {
        Invocation::new("sh").arg("-c").arg(script).limits(SMALL)
    }

    fn over(result: Result<impl std::fmt::Debug, BackendError>) -> (OutputStream, usize) {
        match result {
            Err(BackendError::TooMuchOutput { stream, limit, .. }) => (stream, limit),
            other => panic!("expected TooMuchOutput, got {other:?}"),
        }
    }

    #[tokio::test]
    async fn endless_stdout_stops_at_the_limit() {
        let r = run_raw(&sh("yes xxxx"), PATIENCE).await;
        assert_eq!(over(r), (OutputStream::Stdout, 64 * KIB));
    }

    #[tokio::test]
    async fn endless_stderr_stops_at_its_own_limit() {
        let r = run(&sh("yes xxxx >&2"), PATIENCE).await;
        assert_eq!(over(r), (OutputStream::Stderr, 4 * KIB));
    }

    #[tokio::test]
    async fn endless_merged_output_stops_at_the_limit() {
        let r = run_merged(&sh("yes xxxx >&2"), PATIENCE).await;
        assert_eq!(over(r), (OutputStream::Merged, 64 * KIB));
    }

    #[tokio::test]
    async fn output_of_exactly_the_limit_is_kept_whole() {
        let out = run(
            &sh("head -c 65536 /dev/zero; head -c 4096 /dev/zero >&2"),
            PATIENCE,
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((out.stdout.len(), out.stderr.len()), (64 * KIB, 4 * KIB));
    }

    #[test]
    fn the_error_names_the_call_the_stream_and_the_limit() {
        let e = BackendError::TooMuchOutput {
            program: "podman".into(),
            action: "ps".into(),
            stream: OutputStream::Stderr,
            limit: Limits::LISTING.stderr,
            hint: Limits::LISTING.hint,
        };
        assert_eq!(
            e.to_string(),
            "`podman ps` printed more than 256 KiB on stderr; muxdeck stopped it \
             (run it by hand to see what is wrong)"
        );
    }
}
