//! Streaming normalizer: raw session bytes in, lines of *safe* text out.
//!
//! The output of a session (tmux pane captures, `podman logs` streams) may contain
//! anything a program can write to a terminal. This module turns it into lines that
//! contain only printable characters and ANSI SGR (color/attribute) sequences of the
//! canonical form `ESC [ n;n;... m`, so that the TUI can render colors (via
//! `ansi-to-tui`) while the session's output can never act on the user's terminal:
//! every other escape sequence (cursor moves, erase, mode switches, OSC titles,
//! OSC 52 clipboard writes, OSC 8 hyperlinks, DCS/APC/PM/SOS strings), every C0
//! control other than the few interpreted below, DEL and every C1 control are dropped.
//!
//! Escape sequences are recognized by the [`vte`] state machine (built without its
//! `std` feature so that an unterminated OSC string is buffered up to a fixed bound
//! instead of growing without limit). For throughput, text between escape sequences
//! is handled here directly while `vte` is known to be in its ground state (runs of
//! printable characters are copied in bulk), and the outcome of short, recently seen
//! sequences is replayed instead of parsing the same bytes again; a test checks that
//! this gives exactly what `vte` alone gives. UTF-8 is validated before `vte` sees
//! the bytes (invalid sequences become U+FFFD), so characters split across chunks
//! are reassembled here.
//!
//! Line model:
//! * `\n` ends a line; `\r\n` is a plain newline.
//! * A lone `\r` returns to column 0 and later text overwrites earlier cells (progress
//!   bars); overwritten cells take the new style. Backspace moves one column left
//!   without erasing. `\t` advances to the next multiple of 8 columns (padding with
//!   spaces past the end of the line, never past the maximum line length).
//! * A line longer than the maximum is split after the maximum number of characters
//!   (or earlier if its SGR sequences make it exceed about 8 bytes per character, see
//!   [`max_line_bytes`]), so memory stays bounded whatever the input.
//! * Lines are independent: a line that ends with a style active gets a trailing
//!   `ESC[0m`, and the next line starts with one SGR sequence giving the net style in
//!   force (the attributes and colors all earlier sequences add up to), never with the
//!   sequences themselves, so a line costs the same whatever came before it.
//! * Between two characters, any number of SGR sequences become at most one: the change
//!   from the style of the previous character to the style of the next.

mod line;
mod style;

use vte::Parser;

use line::{LineState, Sink};

/// Default maximum number of characters of one output line (longer lines are split).
pub const DEFAULT_MAX_LINE_CHARS: usize = 16 * 1024;

/// Approximate byte limit of a line with at most `max_chars` characters: a line is
/// also split when its text, SGR sequences included, reaches this many bytes (it may
/// exceed it by a few hundred bytes of SGR, or by four bytes per character when
/// overwritten text is styled), so that heavily styled output stays bounded too.
pub fn max_line_bytes(max_chars: usize) -> usize {
    max_chars.saturating_mul(8).max(64)
}

/// Whether all eight bytes of `w` are printable ASCII (0x20..=0x7E).
#[inline]
pub(super) fn all_printable_ascii(w: u64) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // Some byte below 0x20 (exact as a whole-word test for thresholds up to 0x80).
    let below = w.wrapping_sub(ONES * 0x20) & !w & HIGH;
    // Some byte 0x7F or above: adding 1 sets the high bit of 0x7F; others have it.
    let above = (w.wrapping_add(ONES) | w) & HIGH;
    below | above == 0
}

/// Whether `bytes` is the beginning of a UTF-8 character that needs more bytes.
fn incomplete_utf8(bytes: &[u8]) -> bool {
    matches!(std::str::from_utf8(bytes), Err(e) if e.valid_up_to() == 0 && e.error_len().is_none())
}

/// Streaming normalizer of raw session output into safe lines.
///
/// Streaming: bytes may arrive in arbitrary chunks (an escape sequence or UTF-8 char
/// may be split across chunks); the lines produced do not depend on how the input is
/// chunked.
pub struct Normalizer {
    parser: Parser,
    state: LineState,
    /// Trailing bytes of the previous chunk that start an incomplete UTF-8 character.
    ///
    /// UTF-8 is validated (and invalid sequences replaced) before `vte` sees the bytes,
    /// so `vte` only ever gets whole characters: its own handling of characters split
    /// across chunks can lose a character when the next chunk continues with more text
    /// and then an invalid byte.
    held: [u8; 4],
    held_len: usize,
    /// Whether `vte` is known to be in its ground state: then text is handled here
    /// directly (runs of plain characters are copied in bulk) and only escape
    /// sequences go through `vte`.
    in_ground: bool,
    /// What `vte` made of recently seen short escape sequences (see [`SeqMemo`]).
    memo: Vec<SeqMemo>,
    /// Next memo slot to replace.
    memo_next: usize,
    /// Test reference mode: everything goes through `vte` (no fast path, no memo).
    vte_only: bool,
}

/// The outcome of an escape sequence, as `vte` parsed it from its ground state.
///
/// `vte` is deterministic: the same bytes from the ground state produce the same
/// callbacks and leave it in the ground state again. Loggers repeat a handful of SGR
/// sequences, so replaying the outcome of the exact same bytes skips the parser
/// without interpreting anything here. Only sequences of at most 16 bytes, all
/// printable after the ESC, that produced exactly one CSI/ESC dispatch are kept.
#[derive(Debug)]
struct SeqMemo {
    /// The sequence's bytes, little-endian, zero-padded.
    key: u128,
    /// Mask of the sequence's bytes in `key`.
    mask: u128,
    /// Length of the sequence.
    len: usize,
    /// The canonical SGR codes it applied, if any.
    sgr: Option<Vec<u16>>,
}

/// Longest escape sequence remembered in [`SeqMemo`].
const MEMO_SEQ_MAX: usize = 16;

/// Number of [`SeqMemo`] entries.
const MEMO_SIZE: usize = 16;

impl std::fmt::Debug for Normalizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Normalizer")
            .field("max_line_chars", &self.state.max)
            .finish_non_exhaustive()
    }
}

impl Normalizer {
    /// Creates a normalizer with the default maximum line length
    /// ([`DEFAULT_MAX_LINE_CHARS`], 16 Ki characters).
    pub fn new() -> Self {
        Self::with_max_line_chars(DEFAULT_MAX_LINE_CHARS)
    }

    /// Creates a normalizer that splits lines after `max` characters (at least 1).
    pub fn with_max_line_chars(max: usize) -> Self {
        Self {
            parser: Parser::new(),
            state: LineState::new(max),
            held: [0; 4],
            held_len: 0,
            in_ground: true,
            memo: Vec::new(),
            memo_next: 0,
            vte_only: false,
        }
    }

    /// A normalizer that sends every byte through `vte`: no fast path, no memo. The
    /// reference the fast paths are tested against (they must give exactly its lines) and
    /// measured against (`cargo bench --bench normalize` runs both).
    pub fn reference(max: usize) -> Self {
        let mut n = Self::with_max_line_chars(max);
        n.vte_only = true;
        n.in_ground = false;
        n
    }

    /// The maximum number of characters of one output line.
    pub fn max_line_chars(&self) -> usize {
        self.state.max
    }

    /// Feeds bytes; every completed line is pushed to `out` (without its newline).
    pub fn feed(&mut self, bytes: &[u8], out: &mut Vec<String>) {
        let mut rest = bytes;
        if self.held_len > 0 {
            // Complete (or invalidate) the character held back from the previous chunk.
            let held_before = self.held_len;
            let mut used = 0;
            // (An incomplete prefix is at most 3 bytes, so `held` never overflows.)
            while self.held_len < self.held.len() && incomplete_utf8(&self.held[..self.held_len]) {
                let Some(&b) = rest.get(used) else {
                    return; // Still incomplete: keep holding.
                };
                self.held[self.held_len] = b;
                self.held_len += 1;
                used += 1;
            }
            let held = self.held;
            let held_len = std::mem::take(&mut self.held_len);
            match std::str::from_utf8(&held[..held_len]) {
                Ok(text) => self.advance_text(text, out),
                Err(e) => {
                    // The invalid sequence is the maximal valid prefix; the byte that
                    // broke it is reprocessed with the rest of the chunk.
                    let bad = e
                        .error_len()
                        .unwrap_or(held_len)
                        .clamp(held_before, held_len);
                    self.advance_invalid(&held[..bad], out);
                    used = bad - held_before;
                }
            }
            rest = rest.get(used..).unwrap_or_default();
        }
        loop {
            match std::str::from_utf8(rest) {
                Ok(text) => {
                    self.advance_text(text, out);
                    return;
                }
                Err(e) => {
                    let (valid, after) = rest.split_at(e.valid_up_to());
                    self.advance_text(std::str::from_utf8(valid).unwrap_or_default(), out);
                    match e.error_len() {
                        Some(len) => {
                            let (bad, after) = after.split_at(len.min(after.len()));
                            self.advance_invalid(bad, out);
                            rest = after;
                        }
                        None => {
                            // An incomplete character at the end: hold it for the next chunk.
                            let keep = after.len().min(self.held.len());
                            self.held[..keep].copy_from_slice(&after[..keep]);
                            self.held_len = keep;
                            return;
                        }
                    }
                }
            }
        }
    }

    /// Handles an invalid UTF-8 sequence the way `vte` treats one inside a chunk:
    /// a single byte 0x80..=0x9F as an 8-bit C1 control (dropped in text), anything
    /// else as U+FFFD.
    fn advance_invalid(&mut self, bad: &[u8], out: &mut Vec<String>) {
        match bad {
            [b @ 0x80..=0x9f] => {
                if !self.in_ground {
                    // Inside a sequence it may matter (0x9C ends a DCS string).
                    self.advance_vte(&[*b], out);
                }
            }
            _ => self.advance_text("\u{fffd}", out),
        }
    }

    /// Processes valid UTF-8: text in the ground state directly, escape sequences
    /// through `vte`.
    fn advance_text(&mut self, text: &str, out: &mut Vec<String>) {
        let bytes = text.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            if self.in_ground
                && let Some(rest) = text.get(i..)
            {
                i += self.state.ground(rest, out);
                let Some(rest) = bytes.get(i..).filter(|r| !r.is_empty()) else {
                    break;
                };
                // Stopped at an ESC.
                if let Some(len) = self.replay(rest) {
                    i += len;
                    continue;
                }
                self.in_ground = false;
                let (n, dispatches, other) = self.advance_vte(rest, out);
                if self.in_ground && dispatches == 1 && !other {
                    self.remember(rest.get(..n).unwrap_or_default());
                }
                i += n.max(1);
                continue;
            }
            let rest = bytes.get(i..).unwrap_or_default();
            i += self.advance_vte(rest, out).0.max(1);
        }
    }

    /// Replays the remembered outcome of the escape sequence at the start of `bytes`
    /// (`vte` being in its ground state); returns its length.
    #[inline]
    fn replay(&mut self, bytes: &[u8]) -> Option<usize> {
        let word = u128::from_le_bytes(bytes.get(..MEMO_SEQ_MAX)?.try_into().ok()?);
        let memo = self.memo.iter().find(|m| word & m.mask == m.key)?;
        if let Some(codes) = &memo.sgr {
            self.state.apply_sgr(codes);
        }
        Some(memo.len)
    }

    /// Remembers the outcome of `seq`, just parsed by `vte` from its ground state
    /// back to it with a single dispatch, if it qualifies (see [`SeqMemo`]).
    fn remember(&mut self, seq: &[u8]) {
        let len = seq.len();
        if !(2..=MEMO_SEQ_MAX).contains(&len) || !seq[1..].iter().all(|b| (0x20..0x7f).contains(b))
        {
            return;
        }
        let mut padded = [0u8; MEMO_SEQ_MAX];
        for (p, b) in padded.iter_mut().zip(seq) {
            *p = *b;
        }
        let mask = if len == MEMO_SEQ_MAX {
            u128::MAX
        } else {
            (1u128 << (8 * len)) - 1
        };
        let entry = SeqMemo {
            key: u128::from_le_bytes(padded),
            mask,
            len,
            sgr: self.state.last_sgr.then(|| self.state.codes.clone()),
        };
        let slot = self.memo_next;
        self.memo_next = (slot + 1) % MEMO_SIZE;
        if let Some(m) = self.memo.get_mut(slot) {
            *m = entry;
        } else {
            self.memo.push(entry);
        }
    }

    /// Hands bytes to `vte` until it is back in its ground state (or the bytes run
    /// out); returns the number of bytes consumed, the number of CSI/ESC dispatches
    /// and whether any other callback happened.
    fn advance_vte(&mut self, bytes: &[u8], out: &mut Vec<String>) -> (usize, u32, bool) {
        let mut sink = Sink {
            state: &mut self.state,
            out,
            ground: false,
            dispatches: 0,
            other: false,
        };
        let n = self.parser.advance_until_terminated(&mut sink, bytes);
        // A ground-state run of text that `vte` printed itself may have ended at an
        // ESC, which `vte` consumed too: then it is in its escape state.
        self.in_ground = sink.ground && n > 0 && bytes.get(n - 1) != Some(&0x1b) && !self.vte_only;
        (n, sink.dispatches, sink.other)
    }

    /// Pushes the pending partial line (if any non-empty) and resets line state.
    ///
    /// This ends the stream: the style state and any unfinished escape sequence are
    /// discarded too, so the normalizer can be reused as if new.
    pub fn finish(&mut self, out: &mut Vec<String>) {
        if self.held_len > 0 {
            // A character cut off by the end of the stream.
            let held = self.held;
            let len = std::mem::take(&mut self.held_len);
            self.advance_invalid(&held[..len], out);
        }
        if self.state.has_content() {
            self.state.end_line(out);
        }
        let vte_only = self.vte_only;
        *self = Self::with_max_line_chars(self.state.max);
        self.vte_only = vte_only;
        self.in_ground = !vte_only;
    }
}

impl Default for Normalizer {
    fn default() -> Self {
        Self::new()
    }
}

/// Convenience: normalize a whole buffer (feed + finish).
pub fn normalize(bytes: &[u8]) -> Vec<String> {
    let mut n = Normalizer::new();
    let mut out = Vec::new();
    n.feed(bytes, &mut out);
    n.finish(&mut out);
    out
}

/// Strips SGR too: plain text of a normalized line (for NO_COLOR, search, tests).
///
/// Any `ESC [ ... final` sequence is removed, as is any other ESC character.
pub fn plain_text(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(pos) = rest.find('\x1b') {
        out.push_str(&rest[..pos]);
        rest = &rest[pos + 1..];
        if let Some(after) = rest.strip_prefix('[') {
            let end = after
                .bytes()
                .position(|b| (0x40..=0x7e).contains(&b))
                .map_or(after.len(), |i| i + 1);
            rest = &after[end..];
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests;
