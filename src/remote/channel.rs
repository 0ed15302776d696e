//! One long-lived ssh channel per host for short calls. Over a shared connection a new ssh
//! command still costs the remote user's shell start-up (bash reading `~/.bashrc`: 150 ms
//! measured here), on every call. The channel pays it once: a small POSIX `sh` loop on the
//! host reads one command line per request on its stdin and answers with its output, a
//! marker line with its exit status, its errors and an end marker. The markers carry a
//! token no output can guess, so any output (binary, newlines, no final newline) comes
//! back whole. Counting bytes instead (`wc -c`, then `cat`) cost two process starts per
//! call on the host, more than the tmux call a followed pane's poll makes.

use std::ffi::OsString;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::process::ExitStatusExt;
use std::process::{ExitStatus, Stdio};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::process::{Child, ChildStderr, ChildStdin, ChildStdout};
use tokio::sync::Mutex;

use super::Route;
use crate::backend::BackendError;
use crate::backend::process::{Invocation, Output};

/// The host's half. `$1` is the token the markers carry. Each request runs in a
/// subshell (the command line starts with `exec`), with stdin from /dev/null; `nl` holds
/// the newline that one-line requests spell `'"$nl"'`. Output goes through a file, so a
/// daemon a command starts (and that keeps its stdout) can never write into the answers;
/// an empty one costs no `cat` (`[` is built in).
const LOOP: &str = r#"t=$1
nl='
'
d=$(mktemp -d) || exit 97
trap 'rm -rf -- "$d"' EXIT
printf '%s ready\n' "$t"
while IFS= read -r line; do
  ( eval "$line" ) </dev/null >"$d/o" 2>"$d/e"
  rc=$?
  [ -s "$d/o" ] && cat "$d/o"
  printf '\n%s %s\n' "$t" "$rc"
  [ -s "$d/e" ] && cat "$d/e"
  printf '\n%s err\n' "$t"
done
"#;

/// The channel of one host; opened on first use, again after any failure.
#[derive(Default)]
pub struct Channel {
    live: Mutex<Option<Live>>,
}

/// Channels are compared by identity: two routes are equal when they share theirs.
impl PartialEq for Channel {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self, other)
    }
}

impl Eq for Channel {}

impl std::fmt::Debug for Channel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Channel")
    }
}

struct Live {
    _child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
    stderr: ChildStderr,
    token: String,
    /// Whether the loop's ready line was read: the first request is sent without waiting
    /// for it, so a one-shot command (`list`) pays no extra round trip per host.
    ready: bool,
    /// A request was written and its whole answer not read yet. A call whose future is
    /// dropped halfway (a follow switched away, a read past its use) leaves it set: the
    /// next call would read that answer as its own, so it opens a fresh channel instead.
    in_flight: bool,
}

/// Why a call did not go through the channel.
enum Broken {
    /// The channel failed; the error says how (the call may have run).
    Failed(BackendError),
    /// The call cannot be sent as one line (a word holds a newline).
    Unsendable,
}

impl Channel {
    /// Runs `inv` on the host over the channel, like [`crate::backend::process::run_raw`]:
    /// its exit status and output, whatever the status. Falls back to its own ssh call
    /// when it cannot be written as one line.
    pub async fn run(
        &self,
        route: &Route,
        inv: &Invocation,
        timeout: Duration,
    ) -> Option<Result<(ExitStatus, Output), BackendError>> {
        let line = route.remote_line(&inv.program, &inv.args, &inv.env);
        let mut live = self.live.lock().await;
        if live.as_ref().is_some_and(|l| l.in_flight)
            && let Some(mut stale) = live.take()
        {
            let _ = stale._child.start_kill();
        }
        let work = async {
            if live.is_none() {
                *live = Some(open(route)?);
            }
            let l = live.as_mut().ok_or(Broken::Unsendable)?;
            call(l, &line, inv).await
        };
        let result = match tokio::time::timeout(timeout, work).await {
            Ok(Ok(out)) => return Some(Ok(out)),
            Ok(Err(Broken::Unsendable)) => return None,
            Ok(Err(Broken::Failed(e))) => Err(e),
            Err(_) => Err(BackendError::Timeout {
                program: inv.who(),
                action: inv.action(),
                after: timeout,
            }),
        };
        // Whatever state it is in, it is not trusted again.
        if let Some(mut l) = live.take() {
            let _ = l._child.start_kill();
            // What ssh said on its way out tells why (a dropped connection, a refused
            // login).
            if let Err(BackendError::Io { .. }) = result {
                return Some(Err(ssh_failure(route, &mut l).await));
            }
        }
        Some(result)
    }
}

fn open(route: &Route) -> Result<Live, Broken> {
    let token = super::token();
    let mut args = route.ssh_args(false);
    args.push(route.remote_command(
        "sh",
        &[
            OsString::from("-c"),
            LOOP.into(),
            "sh".into(),
            token.clone().into(),
        ],
        &[],
    ));
    let mut child = tokio::process::Command::new(&route.ssh_binary)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| Broken::Failed(crate::backend::process::spawn_error(&route.ssh_binary, &e)))?;
    let (Some(stdin), Some(stdout), Some(stderr)) =
        (child.stdin.take(), child.stdout.take(), child.stderr.take())
    else {
        return Err(Broken::Failed(io(route, "no pipes to ssh")));
    };
    Ok(Live {
        _child: child,
        stdin,
        stdout: BufReader::new(stdout),
        stderr,
        token,
        ready: false,
        in_flight: false,
    })
}

/// Reads up to the loop's ready line. A login shell may print something of its own first
/// (a `~/.bashrc` that echoes): skipped, within reason.
async fn wait_ready(l: &mut Live, inv: &Invocation) -> Result<(), Broken> {
    let ready = format!("{} ready", l.token);
    for _ in 0..100 {
        let mut line = String::new();
        let n = l
            .stdout
            .read_line(&mut line)
            .await
            .map_err(|e| Broken::Failed(io_inv(inv, &e.to_string())))?;
        if n == 0 {
            break;
        }
        if line.trim_end() == ready {
            l.ready = true;
            return Ok(());
        }
    }
    // What ssh said tells why (see `Channel::run`).
    Err(Broken::Failed(io_inv(inv, "the connection closed")))
}

async fn call(
    l: &mut Live,
    line: &OsString,
    inv: &Invocation,
) -> Result<(ExitStatus, Output), Broken> {
    let failed = |what: &str| Broken::Failed(io_inv(inv, what));
    let mut request = line.as_bytes().to_vec();
    request.push(b'\n');
    l.in_flight = true;
    l.stdin
        .write_all(&request)
        .await
        .map_err(|e| failed(&e.to_string()))?;
    l.stdin.flush().await.map_err(|e| failed(&e.to_string()))?;
    if !l.ready {
        wait_ready(l, inv).await?;
    }
    let (stdout, status) = section(
        l,
        inv.limits.stdout,
        crate::backend::OutputStream::Stdout,
        inv,
    )
    .await?;
    let rc = status
        .trim()
        .parse::<u32>()
        .map_err(|_| failed("a broken answer"))?;
    let (stderr, end) = section(
        l,
        inv.limits.stderr,
        crate::backend::OutputStream::Stderr,
        inv,
    )
    .await?;
    if end.trim() != "err" {
        return Err(failed("a broken answer"));
    }
    let code = i32::try_from(rc.min(255)).unwrap_or(255);
    l.in_flight = false;
    Ok((ExitStatus::from_raw(code << 8), Output { stdout, stderr }))
}

/// One stream of an answer: the bytes up to the next marker line (without the newline the
/// loop puts before it), and what the marker says after the token. More than `limit`
/// bytes is an error, read no further: the channel is dropped with it.
async fn section(
    l: &mut Live,
    limit: usize,
    stream: crate::backend::OutputStream,
    inv: &Invocation,
) -> Result<(Vec<u8>, String), Broken> {
    let failed = |what: &str| Broken::Failed(io_inv(inv, what));
    let marker = format!("{} ", l.token);
    let mut bytes: Vec<u8> = Vec::new();
    // Bounded by the limit: each round reads at least one byte or ends.
    loop {
        let start = bytes.len();
        let room = u64::try_from((limit + 2 + marker.len() + 16).saturating_sub(start))
            .unwrap_or(u64::MAX);
        let n = (&mut l.stdout)
            .take(room)
            .read_until(b'\n', &mut bytes)
            .await
            .map_err(|e| failed(&e.to_string()))?;
        if n == 0 {
            return Err(failed(if room == 0 {
                "a broken answer"
            } else {
                "the connection closed"
            }));
        }
        // A marker starts a line the loop began with its own newline.
        if start > 0 && bytes[start - 1] == b'\n' && bytes[start..].starts_with(marker.as_bytes()) {
            let rest = String::from_utf8_lossy(&bytes[start + marker.len()..]).into_owned();
            bytes.truncate(start - 1);
            if bytes.len() > limit {
                break;
            }
            return Ok((bytes, rest));
        }
        if bytes.len() > limit + 1 {
            break;
        }
    }
    Err(Broken::Failed(BackendError::TooMuchOutput {
        program: inv.who(),
        action: inv.action(),
        stream,
        limit,
        hint: inv.limits.hint,
    }))
}

/// What ssh printed on its way out, as the error of a host that failed.
async fn ssh_failure(route: &Route, l: &mut Live) -> BackendError {
    let mut text = Vec::new();
    let _ = tokio::time::timeout(
        Duration::from_millis(500),
        (&mut l.stderr).take(64 * 1024).read_to_end(&mut text),
    )
    .await;
    let text = String::from_utf8_lossy(&text);
    match super::HostFault::from_ssh(&text) {
        Some((fault, message)) => BackendError::Host {
            host: route.host.clone(),
            fault,
            message,
        },
        None => BackendError::Host {
            host: route.host.clone(),
            fault: super::HostFault::Unreachable,
            message: text
                .lines()
                .find(|l| !l.trim().is_empty())
                .unwrap_or("the connection closed")
                .trim()
                .to_string(),
        },
    }
}

fn io(route: &Route, message: &str) -> BackendError {
    BackendError::Io {
        program: format!("ssh {}", route.host),
        message: message.to_string(),
    }
}

fn io_inv(inv: &Invocation, message: &str) -> BackendError {
    BackendError::Io {
        program: inv.who(),
        message: message.to_string(),
    }
}
