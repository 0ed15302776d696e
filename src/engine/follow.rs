//! Live log streams. A background task reads the session's output as it is written
//! (`logs --follow` for containers, a read-only tmux control-mode client for tmux panes),
//! normalizes it and hands batches of lines to the consumer over a bounded channel.
//!
//! The task never blocks its source: when the consumer falls behind, lines wait in a
//! bounded outbox, and what overflows it is counted and reported as
//! [`LogEvent::Skipped`], never dropped silently.

use std::collections::VecDeque;
use std::os::fd::OwnedFd;
use std::process::Stdio;

use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, BufReader};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use crate::backend::process::Invocation;
use crate::logs::Normalizer;

/// What a log stream delivers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LogEvent {
    /// New complete lines, oldest first (normalized: text and SGR only).
    Lines(Vec<String>),
    /// The source wrote this many lines faster than they were consumed; they are lost.
    Skipped(u64),
    /// The stream ended normally (the session stopped); says why.
    Ended(String),
    /// The stream broke; one line for a person.
    Failed(String),
}

/// A running follow. Dropping it stops the background task and its child process.
#[derive(Debug)]
pub struct LogStream {
    rx: mpsc::Receiver<LogEvent>,
    task: JoinHandle<()>,
}

impl LogStream {
    /// The next event; None once the stream is over and drained.
    pub async fn next(&mut self) -> Option<LogEvent> {
        self.rx.recv().await
    }

    /// An event if one is ready, without waiting.
    pub fn try_next(&mut self) -> Option<LogEvent> {
        self.rx.try_recv().ok()
    }
}

impl Drop for LogStream {
    fn drop(&mut self) {
        // Aborting drops the task's child handle, and kill_on_drop ends the child.
        self.task.abort();
    }
}

/// Channel depth in batches; the outbox behind it holds lines.
const CHANNEL_BATCHES: usize = 16;

/// Lines waiting for a slow consumer, with a count of those that did not fit.
struct Outbox {
    lines: VecDeque<String>,
    skipped: u64,
    cap: usize,
}

impl Outbox {
    fn new(cap: usize) -> Self {
        Outbox {
            lines: VecDeque::new(),
            skipped: 0,
            cap: cap.max(1),
        }
    }

    fn push(&mut self, lines: Vec<String>) {
        for l in lines {
            if self.lines.len() >= self.cap {
                self.lines.pop_front();
                self.skipped += 1;
            }
            self.lines.push_back(l);
        }
    }

    fn is_empty(&self) -> bool {
        self.lines.is_empty() && self.skipped == 0
    }

    /// The next event to deliver: the gap first, so it appears where the lines went missing.
    fn take(&mut self) -> Option<LogEvent> {
        if self.skipped > 0 {
            return Some(LogEvent::Skipped(std::mem::take(&mut self.skipped)));
        }
        if self.lines.is_empty() {
            return None;
        }
        Some(LogEvent::Lines(self.lines.drain(..).collect()))
    }

    /// Delivers everything, waiting for the consumer (used at the end of a stream).
    async fn flush(&mut self, tx: &mpsc::Sender<LogEvent>) -> bool {
        while let Some(ev) = self.take() {
            if tx.send(ev).await.is_err() {
                return false;
            }
        }
        true
    }
}

/// Reads `source` to its end, normalizing and delivering lines, never blocking the read on
/// the consumer. Returns false if the consumer went away.
async fn pump<R: AsyncRead + Unpin>(
    mut source: R,
    tx: &mpsc::Sender<LogEvent>,
    cap: usize,
) -> bool {
    let mut norm = Normalizer::new();
    let mut outbox = Outbox::new(cap);
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let ready = !outbox.is_empty();
        tokio::select! {
            read = source.read(&mut buf) => {
                let n = match read {
                    Ok(0) | Err(_) => break,
                    Ok(n) => n,
                };
                let mut lines = Vec::new();
                norm.feed(&buf[..n], &mut lines);
                outbox.push(lines);
            }
            permit = tx.reserve(), if ready => {
                let Ok(permit) = permit else { return false };
                if let Some(ev) = outbox.take() {
                    permit.send(ev);
                }
            }
        }
    }
    let mut rest = Vec::new();
    norm.finish(&mut rest);
    outbox.push(rest);
    outbox.flush(tx).await
}

/// Follows a container: `logs --tail N --follow`, stdout and stderr through one pipe so
/// their lines keep their order.
pub fn container(inv: Invocation, cap: usize) -> LogStream {
    let (tx, rx) = mpsc::channel(CHANNEL_BATCHES);
    let task = tokio::spawn(async move {
        let outcome = run_container(&inv, &tx, cap).await;
        let _ = tx.send(outcome).await;
    });
    LogStream { rx, task }
}

async fn run_container(inv: &Invocation, tx: &mpsc::Sender<LogEvent>, cap: usize) -> LogEvent {
    let (reader, writer) = match std::io::pipe() {
        Ok(p) => p,
        Err(e) => return LogEvent::Failed(format!("cannot make a pipe: {e}")),
    };
    let mut cmd = inv.to_tokio();
    let writer_err = match writer.try_clone() {
        Ok(w) => w,
        Err(e) => return LogEvent::Failed(format!("cannot make a pipe: {e}")),
    };
    cmd.stdout(Stdio::from(OwnedFd::from(writer)))
        .stderr(Stdio::from(OwnedFd::from(writer_err)));
    let mut child = match cmd.spawn() {
        Ok(c) => c,
        Err(e) => {
            return LogEvent::Failed(
                crate::backend::process::spawn_error(&inv.program, &e).to_string(),
            );
        }
    };
    // The command owns the write ends now; drop ours so EOF comes when the child exits.
    drop(cmd);
    let source = match tokio::net::unix::pipe::Receiver::from_owned_fd(OwnedFd::from(reader)) {
        Ok(r) => r,
        Err(e) => return LogEvent::Failed(format!("cannot read the log pipe: {e}")),
    };
    if !pump(source, tx, cap).await {
        return LogEvent::Ended("stopped following".into());
    }
    match child.wait().await {
        Ok(s) if s.success() => LogEvent::Ended("the container stopped".into()),
        Ok(s) => LogEvent::Failed(format!("`{}` ended with {s}", inv.display())),
        Err(e) => LogEvent::Failed(format!("`{}`: {e}", inv.display())),
    }
}

/// Follows one tmux pane through a read-only control-mode client (`tmux -C attach -f
/// read-only,ignore-size`): tmux pushes `%output` notifications as the pane writes, so an
/// idle pane costs nothing and nothing is polled. `history` is sent first.
pub fn tmux(control: Invocation, pane: String, history: Vec<String>, cap: usize) -> LogStream {
    let (tx, rx) = mpsc::channel(CHANNEL_BATCHES);
    let task = tokio::spawn(async move {
        if !history.is_empty() && tx.send(LogEvent::Lines(history)).await.is_err() {
            return;
        }
        let outcome = run_tmux(&control, &pane, &tx, cap).await;
        let _ = tx.send(outcome).await;
    });
    LogStream { rx, task }
}

async fn run_tmux(
    inv: &Invocation,
    pane: &str,
    tx: &mpsc::Sender<LogEvent>,
    cap: usize,
) -> LogEvent {
    let mut cmd = inv.to_tokio();
    // Control mode reads commands from stdin and quits at its end: keep it open.
    cmd.stdin(Stdio::piped());
    let mut child = match cmd.spawn() {
        Ok(c) => c,
        Err(e) => {
            return LogEvent::Failed(
                crate::backend::process::spawn_error(&inv.program, &e).to_string(),
            );
        }
    };
    let _stdin = child.stdin.take();
    let Some(stdout) = child.stdout.take() else {
        return LogEvent::Failed("tmux control client has no output".into());
    };
    let (bytes_rx, bytes_tx) = tokio::io::simplex(256 * 1024);
    let prefix = format!("%output {pane} ");
    let mut ended = String::from("the tmux session ended");
    // Lines of the control protocol are turned back into the pane's own bytes, then pumped
    // through the same normalizer as containers.
    let reader = async {
        let mut lines = BufReader::new(stdout).split(b'\n');
        let mut sink = bytes_tx;
        while let Ok(Some(line)) = lines.next_segment().await {
            if let Some(data) = line.strip_prefix(prefix.as_bytes()) {
                let mut raw = Vec::with_capacity(data.len());
                unescape_octal(data, &mut raw);
                if tokio::io::AsyncWriteExt::write_all(&mut sink, &raw)
                    .await
                    .is_err()
                {
                    break;
                }
            } else if line.starts_with(b"%exit") {
                if let Some(reason) = std::str::from_utf8(&line[5..])
                    .ok()
                    .map(str::trim)
                    .filter(|r| !r.is_empty())
                {
                    ended = format!("tmux control client exited: {reason}");
                }
                break;
            }
        }
        // The halves of a simplex share one buffer: dropping the writer does not end the
        // reader, only shutting it down does (without this the pump never sees the end).
        let _ = tokio::io::AsyncWriteExt::shutdown(&mut sink).await;
    };
    let (_, alive) = tokio::join!(reader, pump(bytes_rx, tx, cap));
    let _ = child.kill().await;
    if alive {
        LogEvent::Ended(ended)
    } else {
        LogEvent::Ended("stopped following".into())
    }
}

/// Undoes control mode's escaping: bytes below space and `\` are written as `\ooo`.
pub fn unescape_octal(data: &[u8], out: &mut Vec<u8>) {
    let mut i = 0;
    while i < data.len() {
        let b = data[i];
        if b == b'\\'
            && i + 3 < data.len()
            && data[i + 1..=i + 3]
                .iter()
                .all(|d| (b'0'..=b'7').contains(d))
        {
            let v = (u32::from(data[i + 1] - b'0') << 6)
                | (u32::from(data[i + 2] - b'0') << 3)
                | u32::from(data[i + 3] - b'0');
            out.push((v & 0xff) as u8);
            i += 4;
        } else {
            out.push(b);
            i += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn octal_escapes() {
        let mut out = Vec::new();
        unescape_octal(br"a\033[31mred\015\012\134x\1", &mut out);
        assert_eq!(out, b"a\x1b[31mred\r\n\\x\\1");
    }

    #[test]
    fn outbox_counts_overflow_and_reports_it_first() {
        let mut o = Outbox::new(3);
        o.push((0..5).map(|i| i.to_string()).collect());
        assert_eq!(o.take(), Some(LogEvent::Skipped(2)));
        assert_eq!(
            o.take(),
            Some(LogEvent::Lines(vec!["2".into(), "3".into(), "4".into()]))
        );
        assert_eq!(o.take(), None);
    }
}
