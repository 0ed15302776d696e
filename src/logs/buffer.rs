//! Bounded in-memory store of the log pane's entries.
//!
//! A [`LogBuffer`] keeps the newest `capacity` entries of a session's output and counts
//! what it lost: lines evicted to stay within capacity, and lines the source produced
//! faster than they could be read (recorded with [`LogBuffer::push_gap`] as a marker).
//! Lines are kept as [`LogLine`]s, converted once when the pane is about to show them
//! ([`LogBuffer::convert`]), so whoever draws the buffer never parses an escape sequence;
//! markers are data, styled by whoever draws them.

use std::collections::VecDeque;

use super::line::LogLine;

/// One entry of the log pane: a line of output, or a marker the pane adds. Markers carry
/// facts, not text or colors: wording and styles are the screen's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LogEntry {
    /// A line of the session's output.
    Line(LogLine),
    /// The source outran the reader by this many lines (at least 1).
    Gap(u64),
    /// The log stream broke for this reason and is followed again from then on.
    StreamBroke(Box<str>),
}

/// Bounded ring of log entries: the newest `capacity`, and counts of lines dropped.
#[derive(Debug, Clone)]
pub struct LogBuffer {
    entries: VecDeque<LogEntry>,
    capacity: usize,
    evicted: u64,
    skipped: u64,
}

impl LogBuffer {
    /// Creates an empty buffer that keeps at most `capacity` entries (a capacity of 0
    /// keeps none: every pushed entry is counted as evicted).
    pub fn new(capacity: usize) -> Self {
        Self {
            // Grow on demand: a large capacity costs nothing until it is used.
            entries: VecDeque::with_capacity(capacity.min(1024)),
            capacity,
            evicted: 0,
            skipped: 0,
        }
    }

    /// Appends a normalized line (text and SGR sequences), to be converted once before it
    /// is first drawn; the oldest entries beyond capacity are evicted (counted in
    /// [`evicted`](Self::evicted)).
    pub fn push(&mut self, line: String) {
        self.push_at(line, jiff::Timestamp::now());
    }

    /// As [`push`](Self::push), the line stamped as arriving at `at`.
    pub fn push_at(&mut self, line: String, at: jiff::Timestamp) {
        if self.capacity == 0 {
            // Not even converted: it would be dropped at once.
            self.evicted += 1;
            return;
        }
        self.push_entry(LogEntry::Line(LogLine::arrived_at(line, at)));
    }

    /// Appends every line in order, as [`push`](Self::push) does. Lines the same batch
    /// pushes out again (more than `capacity` of them) are counted as evicted without being
    /// converted: a flood's batch can hold thousands of lines nobody will see.
    pub fn extend(&mut self, lines: impl IntoIterator<Item = String>) {
        let mut lines = lines.into_iter();
        // At least this many lines follow, so all but the last `capacity` of them go.
        let doomed = lines.size_hint().0.saturating_sub(self.capacity);
        let dropped = lines.by_ref().take(doomed).count();
        // The lines kept push out every older entry themselves, counting it.
        self.evicted = self
            .evicted
            .saturating_add(u64::try_from(dropped).unwrap_or(u64::MAX));
        // One stamp for the batch: its lines arrived together.
        let now = jiff::Timestamp::now();
        for line in lines {
            self.push_at(line, now);
        }
    }

    /// Records that the source outran us by `missed` lines: stored as a
    /// [`LogEntry::Gap`] marker and counted in [`skipped`](Self::skipped). A gap of 0
    /// lines records nothing.
    pub fn push_gap(&mut self, missed: u64) {
        if missed == 0 {
            return;
        }
        self.skipped = self.skipped.saturating_add(missed);
        self.push_entry(LogEntry::Gap(missed));
    }

    /// Records that the log stream broke (`why`) and is followed again: a
    /// [`LogEntry::StreamBroke`] marker where lines may be missing.
    pub fn push_stream_broke(&mut self, why: &str) {
        self.push_entry(LogEntry::StreamBroke(why.into()));
    }

    fn push_entry(&mut self, entry: LogEntry) {
        if self.capacity == 0 {
            self.evicted += 1;
            return;
        }
        while self.entries.len() >= self.capacity {
            self.entries.pop_front();
            self.evicted += 1;
        }
        self.entries.push_back(entry);
    }

    /// Number of entries stored.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether no entry is stored.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The stored entries, oldest first.
    pub fn entries(&self) -> impl DoubleEndedIterator<Item = &LogEntry> + ExactSizeIterator {
        self.entries.iter()
    }

    /// The `i`-th stored entry (0 = oldest), if any.
    pub fn get(&self, i: usize) -> Option<&LogEntry> {
        self.entries.get(i)
    }

    /// Converts entry `i` (0 = oldest) for drawing when it is a line not converted yet;
    /// its raw text goes. Nothing else ever converts a line for good.
    pub fn convert(&mut self, i: usize) {
        if let Some(LogEntry::Line(l)) = self.entries.get_mut(i) {
            l.convert();
        }
    }

    /// Number of entries evicted to stay within capacity since creation or the last
    /// [`clear`](Self::clear).
    pub fn evicted(&self) -> u64 {
        self.evicted
    }

    /// Total number of lines reported missed through [`push_gap`](Self::push_gap) since
    /// creation or the last [`clear`](Self::clear).
    pub fn skipped(&self) -> u64 {
        self.skipped
    }

    /// Removes every entry and resets the evicted and skipped counts.
    pub fn clear(&mut self) {
        self.entries.clear();
        self.evicted = 0;
        self.skipped = 0;
    }

    /// Maximum number of entries kept.
    pub fn capacity(&self) -> usize {
        self.capacity
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The text of each entry, markers as `<gap N>` / `<broke WHY>`.
    fn texts(b: &LogBuffer) -> Vec<String> {
        b.entries()
            .map(|e| match e {
                LogEntry::Line(l) => l.plain().into_owned(),
                LogEntry::Gap(n) => format!("<gap {n}>"),
                LogEntry::StreamBroke(why) => format!("<broke {why}>"),
            })
            .collect()
    }

    #[test]
    fn keeps_newest_and_counts_evictions() {
        let mut b = LogBuffer::new(3);
        assert!(b.is_empty());
        b.extend((0..5).map(|i| i.to_string()));
        assert_eq!(b.len(), 3);
        assert_eq!(b.capacity(), 3);
        assert_eq!(b.evicted(), 2);
        assert_eq!(texts(&b), ["2", "3", "4"]);
        assert_eq!(b.entries().len(), 3);
        assert!(matches!(b.entries().next_back(), Some(LogEntry::Line(l)) if l.plain() == "4"));
        assert!(matches!(b.get(0), Some(LogEntry::Line(l)) if l.plain() == "2"));
        assert_eq!(b.get(3), None);
        b.push("5".into());
        assert_eq!(b.evicted(), 3);
        assert_eq!(texts(&b), ["3", "4", "5"]);
        // Markers take a place like lines and are evicted like them.
        b.push_gap(7);
        b.push_stream_broke("exit 125");
        assert_eq!(texts(&b), ["5", "<gap 7>", "<broke exit 125>"]);
        assert_eq!(b.evicted(), 5);
    }

    #[test]
    fn a_batch_larger_than_capacity_counts_what_it_pushes_out() {
        let mut b = LogBuffer::new(3);
        b.push("old".into());
        b.push_gap(2);
        b.extend((0..10).map(|i| i.to_string()));
        assert_eq!(texts(&b), ["7", "8", "9"]);
        // 7 lines of the batch and the 2 older entries.
        assert_eq!(b.evicted(), 9);
        // An iterator that does not know its length is taken whole, and counted the same.
        b.extend((10..20).filter(|_| true).map(|i| i.to_string()));
        assert_eq!(texts(&b), ["17", "18", "19"]);
        assert_eq!(b.evicted(), 19);
    }

    #[test]
    fn zero_capacity() {
        let mut b = LogBuffer::new(0);
        b.push("x".into());
        b.push_gap(2);
        assert!(b.is_empty());
        assert_eq!((b.evicted(), b.skipped()), (2, 2));
    }

    #[test]
    fn gap_marker() {
        let mut b = LogBuffer::new(10);
        b.push("before".into());
        b.push_gap(1234);
        b.push_gap(0);
        b.push_gap(1);
        b.push("after".into());
        assert_eq!(b.skipped(), 1235);
        assert_eq!(b.len(), 4);
        assert_eq!(b.get(1), Some(&LogEntry::Gap(1234)));
        assert_eq!(b.get(2), Some(&LogEntry::Gap(1)));
    }

    #[test]
    fn clear_resets() {
        let mut b = LogBuffer::new(1);
        b.extend(["a".to_string(), "b".to_string()]);
        b.push_gap(5);
        b.clear();
        assert!(b.is_empty());
        assert_eq!((b.evicted(), b.skipped()), (0, 0));
        assert_eq!(b.capacity(), 1);
    }

    #[test]
    fn a_line_is_converted_when_asked_and_only_then() {
        let mut b = LogBuffer::new(4);
        b.extend(["\x1b[31mred\x1b[0m".to_string(), "plain".to_string()]);
        b.push_gap(1);
        let converted =
            |b: &LogBuffer, i| matches!(b.get(i), Some(LogEntry::Line(l)) if l.is_converted());
        // Pushing parses nothing: a flood's lines are mostly evicted unseen.
        assert!(!converted(&b, 0));
        assert!(matches!(b.get(0), Some(LogEntry::Line(l)) if l.plain() == "red"));
        assert!(!converted(&b, 0), "reading the text converted the line");
        b.convert(0);
        b.convert(2);
        b.convert(9);
        assert!(converted(&b, 0) && !converted(&b, 1));
        let Some(LogEntry::Line(l)) = b.get(0) else {
            panic!("a line");
        };
        let spans = l.line().spans;
        assert_eq!(spans[0].content, "red");
        assert_eq!(spans[0].style.fg, Some(ratatui::style::Color::Red));
    }
}
