//! Live log streams. A background task reads the session's output as it is written
//! (`logs --follow` for containers, cheap position polls of the pane for tmux),
//! normalizes it and hands batches of lines to the consumer over a bounded channel.
//!
//! The task never blocks its source: when the consumer falls behind, lines wait in a
//! bounded outbox, and what overflows it is counted and reported as
//! [`LogEvent::Skipped`], never dropped silently.

use std::collections::VecDeque;
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

    /// A stream fed by `task` through `rx` (the merged log's); dropping it aborts `task`.
    pub(super) fn from_task(rx: mpsc::Receiver<LogEvent>, task: JoinHandle<()>) -> Self {
        LogStream { rx, task }
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

/// Lines waiting for a slow consumer, with the gaps among them: each gap stays where its
/// lines went missing, so a marker is delivered between the lines it separates.
struct Outbox {
    lines: VecDeque<String>,
    /// Sequence number of `lines[0]` among all lines ever pushed.
    head: u64,
    /// `(at, n)`: `n` lines are missing just before line number `at`; ascending `at`.
    gaps: VecDeque<(u64, u64)>,
    cap: usize,
}

impl Outbox {
    fn new(cap: usize) -> Self {
        Outbox {
            lines: VecDeque::new(),
            head: 0,
            gaps: VecDeque::new(),
            cap: cap.max(1),
        }
    }

    fn push(&mut self, lines: Vec<String>) {
        for l in lines {
            if self.lines.len() >= self.cap {
                self.drop_oldest();
            }
            self.lines.push_back(l);
        }
    }

    /// Drops the oldest waiting line; it joins the gap before it, which now sits before
    /// the next line.
    fn drop_oldest(&mut self) {
        if self.lines.pop_front().is_none() {
            return;
        }
        self.head += 1;
        let mut n = 1u64;
        while let Some(&(at, m)) = self.gaps.front() {
            if at > self.head {
                break;
            }
            n = n.saturating_add(m);
            self.gaps.pop_front();
        }
        self.gaps.push_front((self.head, n));
    }

    /// Records lines the source wrote that could not be read, after the lines pushed so far.
    fn skip(&mut self, n: u64) {
        if n == 0 {
            return;
        }
        let at = self.head + self.lines.len() as u64;
        match self.gaps.back_mut() {
            Some((last, m)) if *last == at => *m = m.saturating_add(n),
            _ => self.gaps.push_back((at, n)),
        }
    }

    fn is_empty(&self) -> bool {
        self.lines.is_empty() && self.gaps.is_empty()
    }

    /// The next event to deliver, in stream order: a gap where the lines went missing,
    /// else the lines up to the next gap.
    fn take(&mut self) -> Option<LogEvent> {
        if let Some(&(at, n)) = self.gaps.front()
            && at <= self.head
        {
            self.gaps.pop_front();
            return Some(LogEvent::Skipped(n));
        }
        if self.lines.is_empty() {
            return None;
        }
        let upto = self.gaps.front().map_or(self.lines.len(), |&(at, _)| {
            usize::try_from(at - self.head).unwrap_or(usize::MAX)
        });
        let batch: Vec<String> = self.lines.drain(..upto.min(self.lines.len())).collect();
        self.head += batch.len() as u64;
        Some(LogEvent::Lines(batch))
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
    let (mut child, source) = match crate::backend::process::spawn_merged(inv) {
        Ok(started) => started,
        Err(e) => return LogEvent::Failed(e.to_string()),
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
/// Fastest poll of a pane on another host: each poll there is an ssh call (a remote shell
/// start, about 150 ms of the host's time where bash reads a heavy `~/.bashrc`).
const REMOTE_POLL_MIN: Duration = Duration::from_millis(500);
/// Slowest poll of a quiet pane: one cheap `display-message` a second.
const POLL_MAX: Duration = Duration::from_secs(1);
/// Poll of a pane that has been quiet for [`LONG_QUIET`]: halves the idle cost of a
/// followed log that rarely writes, at the price of its next line showing up to 2 s late.
const POLL_QUIET: Duration = Duration::from_secs(2);
/// Quiet time after which a pane is polled at [`POLL_QUIET`].
const LONG_QUIET: Duration = Duration::from_secs(10);
/// Poll of a pane on another host that has been quiet for [`REMOTE_LONG_QUIET`]: each
/// poll there costs the host a process start (the tmux client; 3–5 ms of its CPU measured
/// on a loaded machine), so this keeps a followed quiet pane near 0.1 % of the host's
/// core, at the price of its next line showing up to 5 s late.
const REMOTE_POLL_QUIET: Duration = Duration::from_secs(5);
/// Quiet time after which a pane on another host is polled at [`REMOTE_POLL_QUIET`].
const REMOTE_LONG_QUIET: Duration = Duration::from_secs(30);
/// Pause between two looks at the server's read count (a /proc read, no process) while
/// a pane on this machine is long quiet: its next line shows within this, not
/// [`POLL_QUIET`].
const GATE_TICK: Duration = Duration::from_millis(500);
/// Longest a long-quiet pane on this machine goes unasked while its server reads nothing:
/// for what no read shows (a history cleared from a client).
const GATE_SAFETY: Duration = Duration::from_secs(30);
/// Rows read beyond the expected count, for lines written between two calls.
const SLACK_ROWS: u64 = 64;

/// Follows one tmux pane by asking tmux where its output stands (one `display-message`
/// per poll, backing off to once a second while the pane is quiet, and to every two
/// seconds after ten quiet seconds; on this machine, after ten quiet seconds, only when
/// the server's read count moved: [`crate::backend::tmux::server_reads`]) and reading only the
/// rows written since, with the position and rows taken in one atomic tmux call. Once the
/// pane's history is at its limit, the marks no longer count what was written and the
/// whole history (up to the window) is read to find where the new rows begin; lines that
/// scrolled out unread are reported as [`LogEvent::Skipped`] where they went missing.
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
    let mut tail: Vec<String>;
    let mut mark = match tmux.pane_rows(socket, pane, back).await {
        Ok(Some((mark, mut rows))) => {
            tail = tail_of(&rows);
            let skip = rows.len().saturating_sub(lines);
            rows.drain(..skip);
            outbox.push(rows);
            mark
        }
        Ok(None) => return gone(),
        Err(e) => return LogEvent::Failed(e.to_string()),
    };
    let poll_min = if tmux.route.is_some() {
        REMOTE_POLL_MIN
    } else {
        POLL_MIN
    };
    let mut interval = poll_min;
    let mut changed = tokio::time::Instant::now();
    let mut gate = Gate::default();
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
        let gated = tmux.route.is_none() && changed.elapsed() >= LONG_QUIET;
        let reads = if gated {
            crate::backend::tmux::server_reads(mark.server)
        } else {
            None
        };
        if reads.is_some() && !gate.worth_asking(reads) {
            interval = GATE_TICK;
            continue;
        }
        gate.asking(reads);
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
        // At its limit, tmux can drop whole multiples of a tenth of its history between two
        // polls and end up with the same marks: while the pane was writing a moment ago,
        // only its rows can tell.
        let recent = changed.elapsed() < POLL_MAX;
        if now == mark && !(recent && now.may_have_trimmed()) {
            if now.dead {
                // Everything it wrote has been read: its pane stays, nothing more comes.
                outbox.flush(tx).await;
                return exited(now.status);
            }
            gate.found(true);
            interval = if reads.is_some() {
                GATE_TICK
            } else {
                quiet_poll(tmux.route.is_some(), changed.elapsed(), interval)
            };
            continue;
        }
        gate.found(false);
        if now != mark {
            interval = poll_min;
            changed = tokio::time::Instant::now();
        }
        if !now.may_have_trimmed() && mark.lines_until(&now) == 0 {
            // Rewritten in place (a cleared screen, a progress line): nothing complete.
            mark = now;
            continue;
        }
        match tmux
            .pane_rows(socket, pane, rows_to_read(&mark, &now, window))
            .await
        {
            Ok(Some((later, rows))) => {
                let (fresh, lost) = fresh_rows(&mark, &later, &rows, &tail);
                if fresh > 0 || lost > 0 {
                    interval = poll_min;
                    changed = tokio::time::Instant::now();
                } else {
                    interval = (interval * 3 / 2).min(POLL_MAX);
                }
                outbox.skip(lost);
                tail = tail_of(&rows);
                let mut rows = rows;
                let old = rows.len() - fresh.min(rows.len());
                rows.drain(..old);
                outbox.push(rows);
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

/// When a long-quiet pane on this machine is worth a tmux call, judged by its server's
/// read count (a read of the count costs microseconds; a call, a process start).
#[derive(Debug, Default)]
struct Gate {
    /// The count read just before the last call: what the call saw had been read.
    seen: Option<u64>,
    asked: Option<tokio::time::Instant>,
    /// The last call was made because the count moved.
    moved: bool,
    /// The last call was made because the count moved, and found this pane unchanged:
    /// another pane of the server writes.
    neighbours: bool,
}

impl Gate {
    /// Whether to ask tmux now, the count being `reads`: when it moved (at the quiet pace
    /// while only other panes move it), and at least every [`GATE_SAFETY`].
    fn worth_asking(&self, reads: Option<u64>) -> bool {
        let since = self.asked.map_or(Duration::MAX, |t| t.elapsed());
        match (reads, self.seen) {
            (Some(now), Some(seen)) if now == seen => since >= GATE_SAFETY,
            (Some(_), Some(_)) => !self.neighbours || since >= POLL_QUIET,
            _ => true,
        }
    }

    /// A call is made with the count at `reads`.
    fn asking(&mut self, reads: Option<u64>) {
        self.moved = reads.is_some() && self.seen.is_some() && reads != self.seen;
        self.seen = reads;
        self.asked = Some(tokio::time::Instant::now());
    }

    /// What the call found: the pane as it was, or not.
    fn found(&mut self, nothing: bool) {
        self.neighbours = nothing && self.moved;
    }
}

/// The next poll of a pane that wrote nothing since the last one, `quiet` after it last
/// did: slower and slower up to [`POLL_MAX`], then [`POLL_QUIET`], and on another host
/// [`REMOTE_POLL_QUIET`] once it has been quiet long.
fn quiet_poll(remote: bool, quiet: Duration, last: Duration) -> Duration {
    if remote && quiet >= REMOTE_LONG_QUIET {
        REMOTE_POLL_QUIET
    } else if quiet >= LONG_QUIET {
        POLL_QUIET
    } else {
        (last * 3 / 2).min(POLL_MAX)
    }
}

/// The end of a pane whose program exited and whose pane stays (remain-on-exit).
fn exited(status: Option<i32>) -> LogEvent {
    LogEvent::Ended(match status {
        Some(code) => format!("the program exited with status {code}"),
        None => "the program exited".into(),
    })
}

/// Rows of the previous read that the next one must find to know where its new rows begin.
const TAIL_ROWS: usize = 3;

fn tail_of(rows: &[String]) -> Vec<String> {
    rows[rows.len().saturating_sub(TAIL_ROWS)..].to_vec()
}

/// History rows to read after `mark` now that the pane is at `now`. Once tmux may have
/// dropped rows, the marks no longer count what was written, so as much history as the
/// window allows is read, for the rows read last time to be found in it.
fn rows_to_read(mark: &PaneMark, now: &PaneMark, window: u64) -> u64 {
    let wanted = if now.may_have_trimmed() {
        now.limit
    } else {
        mark.lines_until(now)
    };
    wanted.min(window) + SLACK_ROWS
}

/// Which of `rows` (the newest complete rows of the pane, read at `later`) are new since
/// `mark`, and how many lines were written but could not be read. `tail` holds the newest
/// rows read at `mark`.
///
/// Below its history limit, tmux keeps every row and the marks count what was written.
/// At the limit it drops a tenth of its history at a time, and the marks then give the
/// count only up to a whole number of drops: `after - before + k * per_trim`. The smallest
/// `k` that puts `tail` just before the new rows is taken. When `tail` is not among the
/// rows read, every row is new and the lines between are lost: at least the smallest
/// count the marks allow beyond the rows read, and at least one drop's worth when that
/// smallest count would be none (the row just before those read is gone, so it cannot
/// be told from a drop).
fn fresh_rows(mark: &PaneMark, later: &PaneMark, rows: &[String], tail: &[String]) -> (usize, u64) {
    let read = rows.len() as u64;
    if !later.may_have_trimmed() {
        let counted = mark.lines_until(later);
        let fresh = counted.min(read);
        return (
            usize::try_from(fresh).unwrap_or(rows.len()),
            counted - fresh,
        );
    }
    let per_trim = later.per_trim();
    let before = mark.history + mark.cursor_y;
    let after = later.history + later.cursor_y;
    // The smallest non-negative `after - before + k * per_trim`.
    let mut counted = match after.checked_sub(before) {
        Some(d) => d,
        None => (before - after).div_ceil(per_trim) * per_trim - (before - after),
    };
    while counted < read {
        let end = rows.len() - usize::try_from(counted).unwrap_or(rows.len());
        if follows(rows.get(..end).unwrap_or_default(), tail) {
            return (rows.len() - end, 0);
        }
        counted += per_trim;
    }
    let lost = counted - read;
    if lost == 0 && !tail.is_empty() {
        return (rows.len(), per_trim);
    }
    (rows.len(), lost)
}

/// Whether `earlier` ends with the rows of `tail` (as many of them as it holds).
fn follows(earlier: &[String], tail: &[String]) -> bool {
    let n = tail.len().min(earlier.len());
    earlier[earlier.len() - n..] == tail[tail.len() - n..]
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

    #[test]
    fn outbox_keeps_each_gap_between_the_lines_it_separates() {
        let mut o = Outbox::new(10);
        o.push(vec!["a".into(), "b".into()]);
        o.skip(5);
        o.push(vec!["c".into()]);
        o.skip(2);
        assert_eq!(
            o.take(),
            Some(LogEvent::Lines(vec!["a".into(), "b".into()]))
        );
        assert_eq!(o.take(), Some(LogEvent::Skipped(5)));
        assert_eq!(o.take(), Some(LogEvent::Lines(vec!["c".into()])));
        assert_eq!(o.take(), Some(LogEvent::Skipped(2)));
        assert_eq!(o.take(), None);
        assert!(o.is_empty());
    }

    #[test]
    fn outbox_overflow_joins_the_gap_before_the_dropped_lines() {
        let mut o = Outbox::new(3);
        o.push(vec!["a".into()]);
        o.skip(4);
        o.push(vec!["b".into(), "c".into(), "d".into()]);
        assert_eq!(o.take(), Some(LogEvent::Skipped(5)));
        assert_eq!(
            o.take(),
            Some(LogEvent::Lines(vec!["b".into(), "c".into(), "d".into()]))
        );
    }

    fn mark(history: u64, cursor_y: u64) -> PaneMark {
        PaneMark {
            history,
            cursor_y,
            limit: 2000,
            bytes: 0,
            server: 1,
            dead: false,
            status: None,
        }
    }

    fn rows(range: std::ops::RangeInclusive<u32>) -> Vec<String> {
        range.map(|i| format!("line {i}")).collect()
    }

    fn tail(last: u32) -> Vec<String> {
        rows(last - 2..=last)
    }

    #[test]
    fn a_quiet_pane_is_polled_less_and_less_and_least_on_another_host() {
        let s = Duration::from_secs;
        assert_eq!(quiet_poll(false, s(1), POLL_MIN), POLL_MIN * 3 / 2);
        assert_eq!(quiet_poll(false, s(1), POLL_MAX), POLL_MAX);
        assert_eq!(quiet_poll(false, s(60), POLL_MAX), POLL_QUIET);
        assert_eq!(quiet_poll(true, s(12), POLL_MAX), POLL_QUIET);
        assert_eq!(quiet_poll(true, s(60), POLL_QUIET), REMOTE_POLL_QUIET);
    }

    #[test]
    fn new_rows_follow_the_marks_while_history_grows() {
        // 10 complete lines before, 15 now; rows read: lines 0..15.
        let (fresh, lost) = fresh_rows(&mark(5, 5), &mark(10, 5), &rows(0..=14), &tail(9));
        assert_eq!((fresh, lost), (5, 0));
        // Rows rewritten in place below the limit are no reason to report a loss.
        let other = vec!["other".to_string()];
        let (fresh, lost) = fresh_rows(&mark(5, 5), &mark(10, 5), &rows(0..=14), &other);
        assert_eq!((fresh, lost), (5, 0));
    }

    #[test]
    fn lines_beyond_the_rows_read_are_counted() {
        let (fresh, lost) = fresh_rows(&mark(0, 5), &mark(100, 9), &rows(100..=108), &tail(4));
        assert_eq!((fresh, lost), (9, 95));
    }

    #[test]
    fn a_cleared_history_makes_every_row_new() {
        let (fresh, lost) = fresh_rows(&mark(1000, 10), &mark(0, 5), &rows(0..=4), &tail(9));
        assert_eq!((fresh, lost), (5, 0));
    }

    // Limit 2000: tmux drops 200 rows at a time; a full pane holds 1800..2000 history rows
    // plus 49 screen rows above the cursor.

    #[test]
    fn several_history_trims_are_found_by_content() {
        // 450 lines written with two drops: history 1900 -> 1950; the marks alone say 50.
        let r = rows(10_450 - 1998..=10_450);
        let (fresh, lost) = fresh_rows(&mark(1900, 49), &mark(1950, 49), &r, &tail(10_000));
        assert_eq!((fresh, lost), (450, 0));
    }

    #[test]
    fn same_marks_after_whole_drops_still_find_the_new_rows() {
        // 400 lines, two drops: the marks are the same as before.
        let r = rows(10_400 - 1948..=10_400);
        let (fresh, lost) = fresh_rows(&mark(1900, 49), &mark(1900, 49), &r, &tail(10_000));
        assert_eq!((fresh, lost), (400, 0));
        // Nothing written: nothing new.
        let r = rows(10_000 - 1948..=10_000);
        let (fresh, lost) = fresh_rows(&mark(1900, 49), &mark(1900, 49), &r, &tail(10_000));
        assert_eq!((fresh, lost), (0, 0));
    }

    #[test]
    fn a_vanished_tail_counts_the_least_loss_the_marks_allow() {
        // 2450 lines, twelve drops: 1999 rows read, 451 lost; the marks allow 51 + k * 200.
        let r = rows(12_450 - 1998..=12_450);
        let (fresh, lost) = fresh_rows(&mark(1900, 49), &mark(1950, 49), &r, &tail(10_000));
        assert_eq!((fresh, lost), (1999, 51));
    }

    #[test]
    fn a_vanished_tail_is_never_reported_as_no_loss() {
        // 1999 lines after a mark 2000 rows deep: the marks allow exactly the 1999 rows
        // read (nothing lost) or 200 more; the row before those read is gone, so it
        // cannot be checked and a drop's worth is reported.
        let r = rows(10_001..=11_999);
        let (fresh, lost) = fresh_rows(&mark(1951, 49), &mark(1950, 49), &r, &tail(10_000));
        assert_eq!((fresh, lost), (1999, 200));
    }
}
