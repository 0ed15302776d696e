//! Live log streams. A background task reads the session's output as it is written
//! (`logs --follow` for containers, cheap position polls of the pane for tmux),
//! normalizes it and hands batches of lines to the consumer over a bounded channel.
//!
//! The task never blocks its source: when the consumer falls behind, lines wait in a
//! bounded outbox, and what overflows it is counted and reported as
//! [`LogEvent::Skipped`], never dropped silently.

use std::collections::VecDeque;
use std::os::fd::OwnedFd;
use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use crate::backend::BackendError;
use crate::backend::process::Invocation;
use crate::backend::tmux::{PaneMark, Tmux};
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

    /// Records lines the source wrote that could not be read.
    fn skip(&mut self, n: u64) {
        self.skipped = self.skipped.saturating_add(n);
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
        Ok(s) if s.success() => LogEvent::Ended("the container is not running".into()),
        Ok(s) => LogEvent::Failed(format!("`{}` ended with {s}", inv.display())),
        Err(e) => LogEvent::Failed(format!("`{}`: {e}", inv.display())),
    }
}

/// Fastest poll of a pane that is writing.
const POLL_MIN: Duration = Duration::from_millis(25);
/// Slowest poll of a quiet pane: one cheap `display-message` a second.
const POLL_MAX: Duration = Duration::from_secs(1);
/// Poll of a pane that has been quiet for [`LONG_QUIET`]: halves the idle cost of a
/// followed log that rarely writes, at the price of its next line showing up to 2 s late.
const POLL_QUIET: Duration = Duration::from_secs(2);
/// Quiet time after which a pane is polled at [`POLL_QUIET`].
const LONG_QUIET: Duration = Duration::from_secs(10);
/// Rows read beyond the expected count, for lines written between two calls.
const SLACK_ROWS: u64 = 64;

/// Follows one tmux pane by asking tmux where its output stands (one `display-message`
/// per poll, backing off to once a second while the pane is quiet, and to every two
/// seconds after ten quiet seconds) and reading only the
/// rows written since, with the position and rows taken in one atomic tmux call.
///
/// Not control mode (`tmux -C`): tmux 3.3a servers crash when control clients come and go
/// in quick succession, and a viewer must never take the user's sessions down with it.
pub fn tmux(tmux: Tmux, socket: String, pane: String, lines: usize, cap: usize) -> LogStream {
    let (tx, rx) = mpsc::channel(CHANNEL_BATCHES);
    let task = tokio::spawn(async move {
        let outcome = run_tmux(&tmux, &socket, &pane, lines, &tx, cap).await;
        let _ = tx.send(outcome).await;
    });
    LogStream { rx, task }
}

async fn run_tmux(
    tmux: &Tmux,
    socket: &str,
    pane: &str,
    lines: usize,
    tx: &mpsc::Sender<LogEvent>,
    cap: usize,
) -> LogEvent {
    let gone = || LogEvent::Ended("the tmux session ended".into());
    let window = u64::try_from(cap.min(5000)).unwrap_or(5000);
    let back = u64::try_from(lines).unwrap_or(u64::MAX);
    let mut outbox = Outbox::new(cap);
    let mut last: Option<String>;
    let mut mark = match tmux.pane_rows(socket, pane, back).await {
        Ok(Some((mark, mut rows))) => {
            let skip = rows.len().saturating_sub(lines);
            rows.drain(..skip);
            last = rows.last().cloned();
            outbox.push(rows);
            mark
        }
        Ok(None) => return gone(),
        Err(e) => return LogEvent::Failed(e.to_string()),
    };
    let mut interval = POLL_MIN;
    let mut changed = tokio::time::Instant::now();
    loop {
        let ready = !outbox.is_empty();
        tokio::select! {
            permit = tx.reserve(), if ready => {
                let Ok(permit) = permit else { return LogEvent::Ended("stopped following".into()) };
                if let Some(ev) = outbox.take() {
                    permit.send(ev);
                }
                continue;
            }
            () = tokio::time::sleep(interval) => {}
        }
        let now = match tmux.pane_mark(socket, pane).await {
            Ok(Some(m)) => m,
            Ok(None) => break,
            // A slow server is not a reason to give up: try again later.
            Err(BackendError::Timeout { .. }) => {
                interval = POLL_MAX;
                continue;
            }
            Err(e) => {
                outbox.flush(tx).await;
                return LogEvent::Failed(e.to_string());
            }
        };
        if now == mark {
            if now.dead {
                // Everything it wrote has been read: its pane stays, nothing more comes.
                outbox.flush(tx).await;
                return exited(now.status);
            }
            interval = if changed.elapsed() >= LONG_QUIET {
                POLL_QUIET
            } else {
                (interval * 3 / 2).min(POLL_MAX)
            };
            continue;
        }
        interval = POLL_MIN;
        changed = tokio::time::Instant::now();
        if mark.lines_until(&now) == 0 {
            // Rewritten in place (a cleared screen, a progress line): nothing complete.
            mark = now;
            continue;
        }
        let want = mark.lines_until(&now).min(window) + SLACK_ROWS;
        match tmux.pane_rows(socket, pane, want).await {
            Ok(Some((later, rows))) => {
                let (fresh, lost) = fresh_rows(&mark, &later, &rows, last.as_deref());
                outbox.skip(lost);
                if let Some(l) = rows.last() {
                    last = Some(l.clone());
                }
                outbox.push(rows[rows.len() - fresh..].to_vec());
                mark = later;
            }
            Ok(None) => break,
            Err(BackendError::Timeout { .. }) => interval = POLL_MAX,
            Err(e) => {
                outbox.flush(tx).await;
                return LogEvent::Failed(e.to_string());
            }
        }
    }
    if outbox.flush(tx).await {
        gone()
    } else {
        LogEvent::Ended("stopped following".into())
    }
}

/// The end of a pane whose program exited and whose pane stays (remain-on-exit).
fn exited(status: Option<i32>) -> LogEvent {
    LogEvent::Ended(match status {
        Some(code) => format!("the program exited with status {code}"),
        None => "the program exited".into(),
    })
}

/// Which of `rows` (the newest rows of the pane) are new since `mark`, and how many lines
/// were written but could not be read.
///
/// The marks give a count that is exact while tmux keeps every row; once its history is
/// full it drops a tenth of it at a time, and several drops between two reads cannot be
/// told apart by the marks alone. So the count is checked against the content: the row
/// that was newest last time (`last`) must sit just before the new ones. When it does not,
/// the new rows start after its last occurrence, and when it is gone altogether every row
/// read is new and at least one more drop's worth of lines was lost.
fn fresh_rows(
    mark: &PaneMark,
    later: &PaneMark,
    rows: &[String],
    last: Option<&str>,
) -> (usize, u64) {
    let counted = usize::try_from(mark.lines_until(later)).unwrap_or(usize::MAX);
    let expected = rows.len().checked_sub(counted + 1);
    // Only a full history drops rows; below the limit a mismatch means rows were rewritten
    // in place (cursor moves), and the count from the marks stands.
    let could_trim = mark.history + mark.lines_until(later) >= later.limit;
    let confirmed = !could_trim
        || match (expected, last) {
            (Some(i), Some(l)) => rows[i] == l,
            // Nothing to check against: trust the count.
            _ => true,
        };
    if confirmed {
        let fresh = counted.min(rows.len());
        return (fresh, (counted - fresh) as u64);
    }
    if let Some(j) = last.and_then(|l| rows.iter().rposition(|r| r == l)) {
        return (rows.len() - j - 1, 0);
    }
    let per_trim = usize::try_from((later.limit / 10).max(1)).unwrap_or(usize::MAX);
    let lost = counted.saturating_add(per_trim).saturating_sub(rows.len());
    (rows.len(), lost.max(1) as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

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

    fn mark(history: u64, cursor_y: u64) -> PaneMark {
        PaneMark {
            history,
            cursor_y,
            limit: 2000,
            bytes: 0,
            dead: false,
            status: None,
        }
    }

    fn rows(range: std::ops::Range<u32>) -> Vec<String> {
        range.map(|i| format!("line {i}")).collect()
    }

    #[test]
    fn new_rows_follow_the_marks_while_history_grows() {
        // 10 complete lines before, 15 now; rows read: lines 0..15.
        let (fresh, lost) = fresh_rows(&mark(5, 5), &mark(10, 5), &rows(0..15), Some("line 9"));
        assert_eq!((fresh, lost), (5, 0));
        // Rows rewritten in place below the limit are no reason to report a loss.
        let (fresh, lost) = fresh_rows(&mark(5, 5), &mark(10, 5), &rows(0..15), Some("other"));
        assert_eq!((fresh, lost), (5, 0));
    }

    #[test]
    fn lines_beyond_the_rows_read_are_counted() {
        let (fresh, lost) = fresh_rows(&mark(0, 5), &mark(100, 9), &rows(100..109), Some("line 4"));
        assert_eq!((fresh, lost), (9, 95));
    }

    #[test]
    fn several_history_trims_are_found_by_content() {
        // The marks suggest 50 new lines after one trim, but the old newest row sits
        // elsewhere: the rows after it are the new ones.
        let r = rows(1000..1300);
        let (fresh, lost) = fresh_rows(&mark(2000, 0), &mark(1850, 0), &r, Some("line 1199"));
        assert_eq!((fresh, lost), (100, 0));
    }

    #[test]
    fn a_vanished_newest_row_means_lines_were_lost_and_says_so() {
        let r = rows(5000..5300);
        let (fresh, lost) = fresh_rows(&mark(2000, 0), &mark(1850, 0), &r, Some("line 10"));
        assert_eq!(fresh, 300);
        assert!(lost >= 1);
    }
}
