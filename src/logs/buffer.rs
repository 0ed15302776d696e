//! Bounded in-memory store of normalized log lines.
//!
//! A [`LogBuffer`] keeps the newest `capacity` lines of a session's output and counts
//! what it lost: lines evicted to stay within capacity, and lines the source produced
//! faster than they could be read (recorded with [`LogBuffer::push_gap`] as a visible
//! marker line).

use std::collections::VecDeque;

/// Bounded ring of normalized lines: the newest `capacity` lines, and a count of lines dropped.
#[derive(Debug, Clone)]
pub struct LogBuffer {
    lines: VecDeque<String>,
    capacity: usize,
    evicted: u64,
    skipped: u64,
}

impl LogBuffer {
    /// Creates an empty buffer that keeps at most `capacity` lines (a capacity of 0
    /// keeps none: every pushed line is counted as evicted).
    pub fn new(capacity: usize) -> Self {
        Self {
            // Grow on demand: a large capacity costs nothing until it is used.
            lines: VecDeque::with_capacity(capacity.min(1024)),
            capacity,
            evicted: 0,
            skipped: 0,
        }
    }

    /// Appends a line, evicting the oldest lines beyond capacity (counted in
    /// [`evicted`](Self::evicted)).
    pub fn push(&mut self, line: String) {
        if self.capacity == 0 {
            self.evicted += 1;
            return;
        }
        while self.lines.len() >= self.capacity {
            self.lines.pop_front();
            self.evicted += 1;
        }
        self.lines.push_back(line);
    }

    /// Appends every line in order, as [`push`](Self::push) does.
    pub fn extend(&mut self, lines: impl IntoIterator<Item = String>) {
        for line in lines {
            self.push(line);
        }
    }

    /// Records that the source outran us by `missed` lines: stored as a visible,
    /// dim yellow marker line (e.g. `⋯ 1234 lines skipped (output too fast) ⋯`) and
    /// counted in [`skipped`](Self::skipped). A gap of 0 lines records nothing.
    pub fn push_gap(&mut self, missed: u64) {
        if missed == 0 {
            return;
        }
        self.skipped = self.skipped.saturating_add(missed);
        let noun = if missed == 1 { "line" } else { "lines" };
        self.push(format!(
            "\x1b[2;33m\u{22ef} {missed} {noun} skipped (output too fast) \u{22ef}\x1b[0m"
        ));
    }

    /// Number of lines stored.
    pub fn len(&self) -> usize {
        self.lines.len()
    }

    /// Whether no line is stored.
    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// The stored lines, oldest first.
    pub fn lines(&self) -> impl DoubleEndedIterator<Item = &str> + ExactSizeIterator {
        self.lines.iter().map(String::as_str)
    }

    /// The `i`-th stored line (0 = oldest), if any.
    pub fn get(&self, i: usize) -> Option<&str> {
        self.lines.get(i).map(String::as_str)
    }

    /// Number of lines evicted to stay within capacity since creation or the last
    /// [`clear`](Self::clear).
    pub fn evicted(&self) -> u64 {
        self.evicted
    }

    /// Total number of lines reported missed through [`push_gap`](Self::push_gap) since
    /// creation or the last [`clear`](Self::clear).
    pub fn skipped(&self) -> u64 {
        self.skipped
    }

    /// Removes every line and resets the evicted and skipped counts.
    pub fn clear(&mut self) {
        self.lines.clear();
        self.evicted = 0;
        self.skipped = 0;
    }

    /// Maximum number of lines kept.
    pub fn capacity(&self) -> usize {
        self.capacity
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::logs::normalize::plain_text;

    #[test]
    fn keeps_newest_and_counts_evictions() {
        let mut b = LogBuffer::new(3);
        assert!(b.is_empty());
        b.extend((0..5).map(|i| i.to_string()));
        assert_eq!(b.len(), 3);
        assert_eq!(b.capacity(), 3);
        assert_eq!(b.evicted(), 2);
        assert_eq!(b.lines().collect::<Vec<_>>(), vec!["2", "3", "4"]);
        assert_eq!(b.lines().next_back(), Some("4"));
        assert_eq!(b.lines().len(), 3);
        assert_eq!(b.get(0), Some("2"));
        assert_eq!(b.get(3), None);
        b.push("5".into());
        assert_eq!(b.evicted(), 3);
        assert_eq!(b.get(0), Some("3"));
    }

    #[test]
    fn zero_capacity() {
        let mut b = LogBuffer::new(0);
        b.push("x".into());
        assert!(b.is_empty());
        assert_eq!(b.evicted(), 1);
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
        let marker = b.get(1).unwrap_or_default();
        assert!(marker.starts_with("\x1b[2;33m"));
        assert!(marker.ends_with("\x1b[0m"));
        assert_eq!(
            plain_text(marker),
            "\u{22ef} 1234 lines skipped (output too fast) \u{22ef}"
        );
        assert_eq!(
            plain_text(b.get(2).unwrap_or_default()),
            "\u{22ef} 1 line skipped (output too fast) \u{22ef}"
        );
        // The marker is itself a normalized line.
        assert_eq!(crate::logs::normalize(marker.as_bytes()), vec![marker]);
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
}
