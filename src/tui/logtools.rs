//! The log pane's search and filter: what was typed, the compiled pattern, the lines that
//! match (found by a scan that does a bounded amount of work per frame, so a 100 000-line
//! pane or a slow pattern never holds a frame up), and the rows a filter shows.
//!
//! Lines are named by their sequence number in the pane's buffer (entry `i` is number
//! `evicted + i`), which stays the same while older lines are evicted, so what was found
//! stays valid as the log moves on and only new lines are scanned.

use std::collections::VecDeque;
use std::time::Duration;

use crate::logs::search::{Filter, Pattern, Row, context_rows};
use crate::logs::window::LogWindow;
use crate::logs::{LogBuffer, LogEntry};

/// Text one scan step reads at most: a few milliseconds even for a slow pattern; the loop
/// takes as many steps as fit its time for a frame.
pub const SCAN_BUDGET_BYTES: usize = 256 * 1024;

/// How far back the log pane reaches: the keys of [`crate::tui::keys::Action::Since`], in
/// the order of its keys.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum SincePreset {
    /// The usual tail of a new follow.
    #[default]
    Tail,
    /// The lines of this last stretch of time (containers; tmux: its whole history).
    Last(Duration),
    /// Everything the backend keeps, up to `log_lines`.
    All,
}

/// The presets in key order: 5 minutes, 30 minutes, 2 hours, 24 hours, all, the tail.
pub const SINCE_PRESETS: [SincePreset; 6] = [
    SincePreset::Last(Duration::from_secs(300)),
    SincePreset::Last(Duration::from_secs(1800)),
    SincePreset::Last(Duration::from_secs(7200)),
    SincePreset::Last(Duration::from_secs(86_400)),
    SincePreset::All,
    SincePreset::Tail,
];

impl SincePreset {
    /// What the backend is asked for, and whether the history is every line it keeps
    /// (up to `log_lines`) rather than the usual tail.
    pub fn window(self) -> (LogWindow, bool) {
        match self {
            SincePreset::Tail => (LogWindow::default(), false),
            SincePreset::Last(d) => (
                LogWindow {
                    since: Some(d),
                    timestamps: false,
                },
                true,
            ),
            SincePreset::All => (LogWindow::default(), true),
        }
    }

    /// For the pane's title (`last 2h`, `all kept`); none for the tail.
    pub fn label(self) -> Option<String> {
        match self {
            SincePreset::Tail => None,
            SincePreset::All => Some("all kept".into()),
            SincePreset::Last(d) => {
                let s = d.as_secs();
                Some(if s % 86_400 == 0 {
                    format!("last {}d", s / 86_400)
                } else if s % 3600 == 0 {
                    format!("last {}h", s / 3600)
                } else {
                    format!("last {}m", s / 60)
                })
            }
        }
    }
}

/// Which prompt the log pane is typing into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Prompt {
    /// `/`: the search.
    Search,
    /// `&`: the filter.
    Filter,
}

/// The sequence numbers of the entries a test keeps, found so far, and how far the buffer
/// has been read.
#[derive(Debug, Clone, Default)]
pub struct Scan {
    hits: VecDeque<u64>,
    scanned_to: u64,
}

impl Scan {
    /// Forgets what was found: the next [`advance`](Self::advance) starts over.
    pub fn reset(&mut self) {
        self.hits.clear();
        self.scanned_to = 0;
    }

    /// Reads on through `buf` until it is all read or `budget` bytes of text were matched;
    /// `keep` says whether a line (its plain text) or a marker (`None`) is a hit. Hits
    /// evicted from the buffer are dropped. True when the whole buffer has been read.
    pub fn advance(
        &mut self,
        buf: &LogBuffer,
        budget: usize,
        mut keep: impl FnMut(Option<&str>) -> bool,
    ) -> bool {
        let first = buf.evicted();
        let end = first + buf.len() as u64;
        if self.scanned_to > end {
            // The buffer was cleared and refilled: start over.
            self.reset();
        }
        while self.hits.front().is_some_and(|&h| h < first) {
            self.hits.pop_front();
        }
        let mut seq = self.scanned_to.max(first);
        let mut spent = 0;
        while seq < end && spent < budget {
            let Some(entry) = usize::try_from(seq - first).ok().and_then(|i| buf.get(i)) else {
                break;
            };
            let hit = match entry {
                LogEntry::Line(l) => {
                    let text = l.plain();
                    spent += text.len().max(1);
                    keep(Some(&text))
                }
                LogEntry::Gap(_) | LogEntry::StreamBroke(_) => keep(None),
            };
            if hit {
                self.hits.push_back(seq);
            }
            seq += 1;
        }
        self.scanned_to = seq;
        seq >= end
    }

    /// The hits found so far, oldest first.
    pub fn hits(&self) -> &VecDeque<u64> {
        &self.hits
    }

    /// How far the buffer has been read (the sequence number of the next entry to read).
    pub fn scanned_to(&self) -> u64 {
        self.scanned_to
    }
}

/// The search: its text, its pattern, the lines that match, and the match jumped to.
#[derive(Debug, Clone, Default)]
pub struct Search {
    /// As typed.
    pub text: String,
    /// `None` while the text is empty.
    pub pattern: Option<Pattern>,
    /// The lines that match.
    pub scan: Scan,
    /// The sequence number of the match `n` / `N` last jumped to (or the one nearest the
    /// bottom of the view while typing).
    pub current: Option<u64>,
    /// Enter was pressed: jump to the match nearest the bottom once the scan is done.
    pub jump_pending: bool,
}

impl Search {
    /// Takes new text: compiles it and starts the scan over.
    pub fn set_text(&mut self, text: String) {
        self.pattern = Pattern::lenient(&text);
        self.text = text;
        self.scan.reset();
        self.current = None;
        self.jump_pending = false;
    }

    /// Whether a search is on.
    pub fn is_on(&self) -> bool {
        self.pattern.is_some()
    }

    /// Reads on through the buffer; true when caught up.
    pub fn advance(&mut self, buf: &LogBuffer, budget: usize) -> bool {
        let Some(p) = &self.pattern else {
            return true;
        };
        self.scan
            .advance(buf, budget, |text| text.is_some_and(|t| p.is_match(t)))
    }

    /// `current`'s place among the hits, 1-based, and how many there are (`K/N`).
    pub fn position(&self) -> (usize, usize) {
        let hits = self.scan.hits();
        let k = self
            .current
            .and_then(|c| hits.binary_search(&c).ok())
            .map_or(0, |i| i + 1);
        (k, hits.len())
    }

    /// The hit after `current` (newer), wrapping to the oldest; or before it with `back`.
    pub fn step(&mut self, back: bool) -> Option<u64> {
        let hits = self.scan.hits();
        let next = match (self.current, back) {
            (None, false) => hits.front().copied(),
            (None, true) => hits.back().copied(),
            (Some(c), false) => hits
                .get(hits.partition_point(|&h| h <= c))
                .or(hits.front())
                .copied(),
            (Some(c), true) => hits
                .partition_point(|&h| h < c)
                .checked_sub(1)
                .and_then(|i| hits.get(i))
                .or(hits.back())
                .copied(),
        };
        self.current = next;
        next
    }

    /// Makes the newest hit at or above `seq` current (or the oldest hit when none is).
    pub fn nearest_above(&mut self, seq: u64) {
        let hits = self.scan.hits();
        let i = hits.partition_point(|&h| h <= seq);
        self.current = i
            .checked_sub(1)
            .and_then(|i| hits.get(i))
            .or(hits.front())
            .copied();
    }
}

/// The filter: its text, the filter, the context around its matches, the lines it keeps
/// and the rows the pane shows.
#[derive(Debug, Clone, Default)]
pub struct FilterView {
    /// As typed (`!` first inverts).
    pub text: String,
    /// `None` while nothing follows the `!`, if any.
    pub filter: Option<Filter>,
    /// Lines of context around each kept line (0, 2 or 5).
    pub context: usize,
    /// The kept lines; markers (skipped lines, broken streams) are always kept.
    pub scan: Scan,
    /// What the pane shows, made from the hits.
    pub rows: Vec<Row>,
}

impl FilterView {
    /// Takes new text: parses it and starts the scan over.
    pub fn set_text(&mut self, text: String) {
        self.filter = Filter::parse(&text);
        self.text = text;
        self.scan.reset();
        self.rows.clear();
    }

    /// Whether a filter is on.
    pub fn is_on(&self) -> bool {
        self.filter.is_some()
    }

    /// Sets the context and remakes the rows.
    pub fn set_context(&mut self, context: usize, buf: &LogBuffer) {
        self.context = context;
        self.remake_rows(buf);
    }

    /// Reads on through the buffer and remakes the rows when anything changed; true when
    /// caught up.
    pub fn advance(&mut self, buf: &LogBuffer, budget: usize) -> bool {
        let Some(f) = &self.filter else {
            return true;
        };
        let before = (self.scan.scanned_to(), self.scan.hits().front().copied());
        // Markers (skipped lines, broken streams) always stay.
        let done = self
            .scan
            .advance(buf, budget, |text| text.is_none_or(|t| f.keeps(t)));
        if before != (self.scan.scanned_to(), self.scan.hits().front().copied())
            || (self.rows.is_empty() && !self.scan.hits().is_empty())
        {
            self.remake_rows(buf);
        }
        done
    }

    fn remake_rows(&mut self, buf: &LogBuffer) {
        let hits = self.scan.hits();
        let (a, b) = hits.as_slices();
        let kept: Vec<u64> = if b.is_empty() {
            a.to_vec()
        } else {
            hits.iter().copied().collect()
        };
        // Context reaches only as far as the scan has read: later lines are not known yet.
        let end = self.scan.scanned_to().min(buf.evicted() + buf.len() as u64);
        self.rows = context_rows(&kept, buf.evicted(), end, self.context);
    }

    /// The kept lines (markers left out) and the lines read so far (`K of N lines`).
    pub fn counts(&self, buf: &LogBuffer) -> (usize, usize) {
        let first = buf.evicted();
        let kept = self
            .scan
            .hits()
            .iter()
            .filter(|&&h| {
                usize::try_from(h - first)
                    .ok()
                    .and_then(|i| buf.get(i))
                    .is_some_and(|e| matches!(e, LogEntry::Line(_)))
            })
            .count();
        let read = usize::try_from(self.scan.scanned_to().saturating_sub(first)).unwrap_or(0);
        (kept, read.min(buf.len()))
    }
}

/// One row of the pane as the view shows it.
#[derive(Debug, Clone, Copy)]
pub enum ViewItem<'a> {
    /// An entry of the buffer; `matched` when a filter kept it (not context).
    Entry {
        /// The entry.
        entry: &'a LogEntry,
        /// Its sequence number.
        seq: u64,
        /// Kept by the filter (always true without one).
        matched: bool,
    },
    /// `--` between two groups of a filter with context.
    Separator,
}

/// A row of the view as a place in the buffer.
enum ViewRow {
    Entry { at: usize, matched: bool },
    Separator,
}

/// The log pane's tools: the search, the filter, and whether either still scans.
#[derive(Debug, Clone, Default)]
pub struct LogTools {
    /// `/`.
    pub search: Search,
    /// `&`.
    pub filter: FilterView,
}

impl LogTools {
    /// The buffer was cleared for another log: what was found no longer applies; the
    /// patterns stay, and scan the new log.
    pub fn restart(&mut self) {
        self.search.scan.reset();
        self.search.current = None;
        self.filter.scan.reset();
        self.filter.rows.clear();
    }

    /// Scans on within `budget` bytes; true when both are caught up.
    pub fn advance(&mut self, buf: &LogBuffer, budget: usize) -> bool {
        let filter_done = self.filter.advance(buf, budget);
        let search_done = self.search.advance(buf, budget);
        filter_done && search_done
    }

    /// Rows the pane's view has.
    pub fn view_len(&self, buf: &LogBuffer) -> usize {
        if self.filter.is_on() {
            self.filter.rows.len()
        } else {
            buf.len()
        }
    }

    /// Row `i` of the view (0 = oldest).
    pub fn view_item<'a>(&self, buf: &'a LogBuffer, i: usize) -> Option<ViewItem<'a>> {
        let (at, matched) = match self.view_row(buf, i)? {
            ViewRow::Separator => return Some(ViewItem::Separator),
            ViewRow::Entry { at, matched } => (at, matched),
        };
        buf.get(at).map(|entry| ViewItem::Entry {
            entry,
            seq: buf.evicted() + at as u64,
            matched,
        })
    }

    /// Where row `i` of the view is in the buffer (the index of its entry), if it shows an
    /// entry: what the loop converts before a frame shows it.
    pub fn view_entry(&self, buf: &LogBuffer, i: usize) -> Option<usize> {
        match self.view_row(buf, i)? {
            ViewRow::Entry { at, .. } => Some(at),
            ViewRow::Separator => None,
        }
    }

    fn view_row(&self, buf: &LogBuffer, i: usize) -> Option<ViewRow> {
        if !self.filter.is_on() {
            return (i < buf.len()).then_some(ViewRow::Entry {
                at: i,
                matched: true,
            });
        }
        match self.filter.rows.get(i)? {
            Row::Separator => Some(ViewRow::Separator),
            Row::Line { index, matched } => {
                let at = usize::try_from(index.checked_sub(buf.evicted())?).ok()?;
                (at < buf.len()).then_some(ViewRow::Entry {
                    at,
                    matched: *matched,
                })
            }
        }
    }

    /// Where line `seq` is in the view (the first row at or after it when the filter
    /// hides it).
    pub fn view_position(&self, buf: &LogBuffer, seq: u64) -> Option<usize> {
        if !self.filter.is_on() {
            return usize::try_from(seq.checked_sub(buf.evicted())?).ok();
        }
        self.filter
            .rows
            .iter()
            .position(|r| matches!(r, Row::Line { index, .. } if *index >= seq))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn buffer(lines: &[&str], cap: usize) -> LogBuffer {
        let mut b = LogBuffer::new(cap);
        b.extend(lines.iter().map(ToString::to_string));
        b
    }

    fn texts(t: &LogTools, b: &LogBuffer) -> Vec<String> {
        (0..t.view_len(b))
            .map(|i| match t.view_item(b, i) {
                Some(ViewItem::Entry {
                    entry: LogEntry::Line(l),
                    matched,
                    ..
                }) => format!("{}{}", l.plain(), if matched { "*" } else { "" }),
                Some(ViewItem::Entry { .. }) => "<marker>".into(),
                Some(ViewItem::Separator) => "--".into(),
                None => "<none>".into(),
            })
            .collect()
    }

    #[test]
    fn the_scan_is_bounded_per_call_and_resumes() {
        let lines: Vec<String> = (0..1000).map(|i| format!("line {i:04}")).collect();
        let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
        let b = buffer(&refs, 2000);
        let mut s = Search::default();
        s.set_text("7$".into());
        // 9 bytes a line: 100 lines per step of 900 bytes.
        let mut calls = 0;
        while !s.advance(&b, 900) {
            calls += 1;
            assert!(calls < 100, "the scan never ends");
        }
        assert_eq!(calls, 9);
        assert_eq!(s.scan.hits().len(), 100);
        assert_eq!(s.position(), (0, 100));
    }

    #[test]
    fn hits_follow_the_buffer_as_it_evicts() {
        let mut b = buffer(&["a1", "b", "a2", "b"], 4);
        let mut t = LogTools::default();
        t.search.set_text("a".into());
        t.filter.set_text("a".into());
        assert!(t.advance(&b, SCAN_BUDGET_BYTES));
        assert_eq!(
            t.search.scan.hits().iter().copied().collect::<Vec<_>>(),
            [0, 2]
        );
        assert_eq!(texts(&t, &b), ["a1*", "a2*"]);
        // Two new lines push two old ones out; only the new ones are read.
        b.extend(["a3".to_string(), "c".to_string()]);
        assert!(t.advance(&b, SCAN_BUDGET_BYTES));
        assert_eq!(
            t.search.scan.hits().iter().copied().collect::<Vec<_>>(),
            [2, 4]
        );
        assert_eq!(texts(&t, &b), ["a2*", "a3*"]);
        assert_eq!(t.filter.counts(&b), (2, 4));
        // A cleared buffer starts over.
        b.clear();
        t.restart();
        b.push("xa".into());
        assert!(t.advance(&b, SCAN_BUDGET_BYTES));
        assert_eq!(texts(&t, &b), ["xa*"]);
    }

    #[test]
    fn filter_rows_with_context_invert_and_markers() {
        let mut b = buffer(&["x", "hit 1", "y", "z", "w", "v", "hit 2", "u"], 100);
        b.push_gap(3);
        let mut t = LogTools::default();
        t.filter.set_text("hit".into());
        t.advance(&b, SCAN_BUDGET_BYTES);
        assert_eq!(texts(&t, &b), ["hit 1*", "hit 2*", "<marker>"]);
        t.filter.set_context(2, &b);
        // Groups that touch (z, w) run on without a separator.
        assert_eq!(
            texts(&t, &b),
            ["x", "hit 1*", "y", "z", "w", "v", "hit 2*", "u", "<marker>"]
        );
        t.filter.set_text("!hit".into());
        t.filter.set_context(0, &b);
        t.advance(&b, SCAN_BUDGET_BYTES);
        assert_eq!(
            texts(&t, &b),
            ["x*", "y*", "z*", "w*", "v*", "u*", "<marker>"]
        );
        assert_eq!(t.filter.counts(&b), (6, 9));
        assert_eq!(t.view_position(&b, 6), Some(5));
    }

    #[test]
    fn n_and_n_step_through_hits_and_wrap() {
        let b = buffer(&["a", "b", "a", "b", "a"], 10);
        let mut s = Search::default();
        s.set_text("a".into());
        s.advance(&b, SCAN_BUDGET_BYTES);
        s.nearest_above(3);
        assert_eq!((s.current, s.position()), (Some(2), (2, 3)));
        assert_eq!(s.step(false), Some(4));
        assert_eq!(s.step(false), Some(0));
        assert_eq!(s.step(true), Some(4));
        assert_eq!(s.step(true), Some(2));
        assert_eq!(s.position(), (2, 3));
        // Nothing above: the oldest hit.
        let mut s2 = Search::default();
        s2.set_text("b".into());
        s2.advance(&b, SCAN_BUDGET_BYTES);
        s2.nearest_above(0);
        assert_eq!(s2.current, Some(1));
    }
}
