//! Line assembly: characters and styles in, complete lines out. Appends while text only
//! grows, and switches to a cell grid when `\r` or backspace make text overwrite itself.

use vte::{Params, Perform};

use super::all_printable_ascii;
use super::max_line_bytes;
use super::style::{RESET, Style, canonicalize, push_transition};

/// Upper bound of distinct styles on one line in overwrite (cell) mode.
const MAX_STYLES: usize = 64;

/// One character cell of a line being overwritten (`\r`, backspace).
#[derive(Debug, Clone, Copy)]
pub(super) struct Cell {
    ch: char,
    style: u16,
}

/// Line/style state; the `vte` performer (through [`Sink`]).
#[derive(Debug)]
pub(super) struct LineState {
    /// Maximum characters per line (at least 1).
    pub(super) max: usize,
    /// Approximate maximum bytes per line, SGR included ([`max_line_bytes`]).
    max_bytes: usize,
    /// Current net style.
    style: Style,
    /// Append mode: the style of the text written so far (`buf` ends in it).
    written: Style,
    /// Whether `style` may differ from `written`: SGR arrived since the last character.
    /// The change is written only when text follows, as one sequence.
    restyled: bool,
    /// Append mode: the line's text, SGR included.
    pub(super) buf: String,
    /// Append mode: length of `buf` (kept apart for the hot paths' limit checks).
    text_end: usize,
    /// Append mode: characters in `buf`.
    width: usize,
    /// Cursor column.
    col: usize,
    /// Overwrite mode (entered when text is printed left of the end of the line).
    cell_mode: bool,
    /// Overwrite mode: the line's cells.
    pub(super) cells: Vec<Cell>,
    /// Overwrite mode: style table; index 0 is the default style.
    styles: Vec<Style>,
    /// Overwrite mode: index of `style` in `styles`, if known.
    style_idx: Option<u16>,
    /// Scratch: raw SGR codes.
    raw_codes: Vec<u16>,
    /// Canonical SGR codes of the sequence last seen by [`LineState::sgr`].
    pub(super) codes: Vec<u16>,
    /// Whether the sequence last seen by [`LineState::sgr`] was applied (its codes are
    /// in `codes`) rather than dropped.
    pub(super) last_sgr: bool,
}

impl LineState {
    pub(super) fn new(max: usize) -> Self {
        Self {
            max: max.max(1),
            max_bytes: max_line_bytes(max.max(1)),
            style: Style::default(),
            written: Style::default(),
            restyled: false,
            buf: String::new(),
            text_end: 0,
            width: 0,
            col: 0,
            cell_mode: false,
            cells: Vec::new(),
            styles: vec![Style::default()],
            style_idx: None,
            raw_codes: Vec::new(),
            codes: Vec::new(),
            last_sgr: false,
        }
    }

    /// Whether the current line holds at least one character.
    pub(super) fn has_content(&self) -> bool {
        if self.cell_mode {
            !self.cells.is_empty()
        } else {
            self.width > 0
        }
    }

    /// Current line length in characters.
    #[inline]
    fn len(&self) -> usize {
        if self.cell_mode {
            self.cells.len()
        } else {
            self.width
        }
    }

    /// Processes text while `vte` is in its ground state, up to (not including) the
    /// next ESC; returns the number of bytes consumed. Does exactly what `vte` would
    /// do with the same text (print / execute per character), faster.
    pub(super) fn ground(&mut self, text: &str, out: &mut Vec<String>) -> usize {
        let bytes = text.as_bytes();
        let mut i = 0;
        loop {
            // A run of printable characters: everything but C0, DEL and the 0xC2 lead
            // byte (which starts the C1 controls U+0080..=U+009F).
            let start = i;
            let mut chars = 0;
            // Eight printable ASCII bytes at a time.
            while let Some(word) = bytes.get(i..i + 8) {
                let w = u64::from_le_bytes(word.try_into().unwrap_or([0; 8]));
                if !all_printable_ascii(w) {
                    break;
                }
                i += 8;
                chars += 8;
            }
            while let Some(&b) = bytes.get(i) {
                if (0x20..0x7f).contains(&b) {
                    chars += 1;
                } else if b >= 0x80 && b != 0xc2 {
                    chars += usize::from(b & 0xc0 != 0x80);
                } else {
                    break;
                }
                i += 1;
            }
            if i > start
                && let Some(run) = text.get(start..i)
            {
                self.append_run(run, chars, out);
            }
            let Some(&b) = bytes.get(i) else {
                return i;
            };
            match b {
                0x1b => return i,
                0xc2 => {
                    if let Some(c) = text.get(i..).and_then(|t| t.chars().next()) {
                        self.print(c, out);
                        i += c.len_utf8();
                    } else {
                        i += 1;
                    }
                }
                0x7f => i += 1,
                _ => {
                    self.execute(b, out);
                    i += 1;
                }
            }
        }
    }

    /// Prints a run of `chars` printable characters (no controls).
    fn append_run(&mut self, run: &str, chars: usize, out: &mut Vec<String>) {
        let mut run = run;
        let mut chars = chars;
        while !self.cell_mode && self.col == self.width && chars > 0 {
            let room = self.max - self.width;
            if room == 0 || self.text_end >= self.max_bytes {
                self.end_line(out);
                continue;
            }
            // The byte limit is checked before each character, as `print` does: the
            // first one fits (checked above), each next one if the line so far, SGR
            // included, is still below the limit.
            self.text_begins();
            let base = self.buf.len();
            let ascii = run.len() == chars;
            if !ascii && base + run.len() > self.max_bytes {
                break; // Near the byte limit: character by character below.
            }
            let mut take = chars.min(room);
            if ascii {
                take = take.min(1 + self.max_bytes.saturating_sub(base + 1));
            }
            let split = if take == chars {
                run.len()
            } else if ascii {
                take
            } else {
                run.char_indices().nth(take).map_or(run.len(), |(b, _)| b)
            };
            let (now, later) = run.split_at(split);
            self.buf.push_str(now);
            self.text_end = self.buf.len();
            self.width += take;
            self.col += take;
            run = later;
            chars -= take;
        }
        if chars == 0 {
            return;
        }
        if !self.cell_mode && self.col < self.width {
            // Text goes over earlier text (after `\r` or backspace).
            self.enter_cell_mode();
        }
        let mut rest = run.chars();
        if self.cell_mode {
            // Overwrite cells directly, as `print_slow` does, until the line is full.
            let style = self.current_style_idx();
            while self.col < self.max {
                let Some(ch) = rest.next() else {
                    return;
                };
                let cell = Cell { ch, style };
                if let Some(slot) = self.cells.get_mut(self.col) {
                    *slot = cell;
                } else {
                    self.cells.push(cell);
                }
                self.col += 1;
            }
        }
        for c in rest {
            self.print(c, out);
        }
    }

    #[inline]
    fn print(&mut self, c: char, out: &mut Vec<String>) {
        let u = c as u32;
        // C0 controls, DEL and C1 controls never reach the output.
        if u < 0x20 || u.wrapping_sub(0x7f) <= 0x20 {
            return;
        }
        if !self.cell_mode
            && self.col == self.width
            && self.width < self.max
            && self.text_end < self.max_bytes
        {
            // Fast path: appending at the end of the line.
            self.text_begins();
            self.buf.push(c);
            self.text_end = self.buf.len();
            self.width += 1;
            self.col += 1;
        } else {
            self.print_slow(c, out);
        }
    }

    #[cold]
    fn print_slow(&mut self, c: char, out: &mut Vec<String>) {
        if self.col >= self.max || (!self.cell_mode && self.col == self.width) {
            // Line full (characters or bytes): split it and continue on the next one.
            self.end_line(out);
            self.print(c, out);
            return;
        }
        if !self.cell_mode {
            // Not the fast path and not full: the cursor is left of the end of the line.
            self.enter_cell_mode();
        }
        let style = self.current_style_idx();
        let cell = Cell { ch: c, style };
        if let Some(slot) = self.cells.get_mut(self.col) {
            *slot = cell;
        } else {
            self.cells.push(cell);
        }
        self.col += 1;
    }

    /// Text follows: SGR sequences seen since the last character take effect, as the
    /// one sequence that changes the written style to the current one.
    #[inline]
    fn text_begins(&mut self) {
        if self.restyled {
            self.restyled = false;
            push_transition(&self.written, &self.style, &mut self.buf);
            self.written = self.style;
            self.text_end = self.buf.len();
        }
    }

    fn execute(&mut self, byte: u8, out: &mut Vec<String>) {
        match byte {
            b'\n' => self.end_line(out),
            b'\r' => self.col = 0,
            0x08 => self.col = self.col.saturating_sub(1),
            b'\t' => {
                let target = ((self.col / 8 + 1) * 8).min(self.max);
                let len = self.len();
                if target <= len {
                    // Within existing text: only move.
                    self.col = target;
                } else {
                    // Pad from the end of the line (a fixed count: the padding may
                    // itself be split onto the next line).
                    self.col = len;
                    for _ in len..target {
                        self.print(' ', out);
                    }
                }
            }
            _ => {}
        }
    }

    /// Emits the current line and starts a new one that carries the style over.
    pub(super) fn end_line(&mut self, out: &mut Vec<String>) {
        let line = if self.cell_mode {
            self.serialize_cells()
        } else {
            let text = self.buf.get(..self.text_end).unwrap_or_default();
            let active = !self.written.is_default();
            let extra = if active { RESET.len() } else { 0 };
            let mut line = String::with_capacity(text.len() + extra);
            line.push_str(text);
            if active {
                line.push_str(RESET);
            }
            line
        };
        out.push(line);
        // The new line starts from the default style: the first text on it writes the
        // style in force as one sequence.
        self.buf.clear();
        self.text_end = 0;
        self.width = 0;
        self.col = 0;
        self.written = Style::default();
        self.restyled = !self.style.is_default();
        if self.cell_mode {
            self.cell_mode = false;
            self.cells.clear();
            self.styles.truncate(1);
            self.style_idx = None;
        }
    }

    fn serialize_cells(&self) -> String {
        let mut line = String::with_capacity(self.cells.len() + 16);
        let mut cur = 0u16;
        for cell in &self.cells {
            if cell.style != cur && line.len() >= self.max_bytes {
                // Too much styling: the rest of the line is plain.
                if cur != 0 {
                    line.push_str(RESET);
                    cur = 0;
                }
            } else if cell.style != cur {
                let style = |i: u16| self.styles.get(usize::from(i)).copied().unwrap_or_default();
                push_transition(&style(cur), &style(cell.style), &mut line);
                cur = cell.style;
            }
            line.push(cell.ch);
        }
        if cur != 0 {
            line.push_str(RESET);
        }
        line
    }

    /// Converts the append-mode buffer into cells so that text can be overwritten.
    fn enter_cell_mode(&mut self) {
        self.cell_mode = true;
        self.cells.clear();
        self.styles.truncate(1);
        self.style_idx = None;
        self.buf.truncate(self.text_end);
        let buf = std::mem::take(&mut self.buf);
        let mut running = Style::default();
        let mut running_idx = 0u16;
        let mut rest = buf.as_str();
        while let Some(c) = rest.chars().next() {
            if c == '\x1b' {
                // Our own canonical `ESC [ digits/; m`.
                let end = rest.find('m').map_or(rest.len(), |i| i + 1);
                let seq = &rest[..end];
                rest = &rest[end..];
                self.raw_codes.clear();
                let body = seq
                    .strip_prefix("\x1b[")
                    .and_then(|s| s.strip_suffix('m'))
                    .unwrap_or("");
                self.raw_codes
                    .extend(body.split(';').filter_map(|p| p.parse::<u16>().ok()));
                canonicalize(&self.raw_codes, &mut self.codes);
                running.apply(&self.codes);
                running_idx = self.intern(running);
            } else {
                rest = &rest[c.len_utf8()..];
                self.cells.push(Cell {
                    ch: c,
                    style: running_idx,
                });
            }
        }
        self.buf = buf;
        self.buf.clear();
        self.text_end = 0;
        self.written = Style::default();
        self.restyled = false;
    }

    fn current_style_idx(&mut self) -> u16 {
        if let Some(i) = self.style_idx {
            return i;
        }
        let i = self.intern(self.style);
        self.style_idx = Some(i);
        i
    }

    /// Index of `style` in the style table, adding it if there is room.
    fn intern(&mut self, style: Style) -> u16 {
        if style.is_default() {
            return 0;
        }
        if let Some(i) = self.styles.iter().position(|s| *s == style) {
            return u16::try_from(i).unwrap_or(0);
        }
        if self.styles.len() >= MAX_STYLES {
            self.compact_styles();
            if self.styles.len() >= MAX_STYLES {
                // Too many distinct styles on one line: fall back to the default.
                return 0;
            }
        }
        self.styles.push(style);
        u16::try_from(self.styles.len() - 1).unwrap_or(0)
    }

    /// Drops styles no longer used by any cell.
    fn compact_styles(&mut self) {
        let mut used = vec![false; self.styles.len()];
        if let Some(u) = used.first_mut() {
            *u = true;
        }
        for cell in &self.cells {
            if let Some(u) = used.get_mut(usize::from(cell.style)) {
                *u = true;
            }
        }
        let mut remap = vec![0u16; self.styles.len()];
        let mut kept = Vec::with_capacity(self.styles.len());
        for (i, s) in std::mem::take(&mut self.styles).into_iter().enumerate() {
            if used.get(i).copied().unwrap_or(false) {
                if let Some(r) = remap.get_mut(i) {
                    *r = u16::try_from(kept.len()).unwrap_or(0);
                }
                kept.push(s);
            }
        }
        self.styles = kept;
        for cell in &mut self.cells {
            cell.style = remap.get(usize::from(cell.style)).copied().unwrap_or(0);
        }
        self.style_idx = None;
    }

    /// Handles `CSI ... m`.
    fn sgr(&mut self, params: &Params) {
        self.raw_codes.clear();
        for group in params {
            match *group {
                [code] => self.raw_codes.push(code),
                // Colon forms: `38:5:n`, `38:2::r:g:b`, `38:2:r:g:b`.
                [base @ (38 | 48 | 58), 5, n, ..] => {
                    self.raw_codes.extend_from_slice(&[base, 5, n])
                }
                [base @ (38 | 48 | 58), 2, _, r, g, b, ..]
                | [base @ (38 | 48 | 58), 2, r, g, b] => {
                    self.raw_codes.extend_from_slice(&[base, 2, r, g, b])
                }
                // Underline styles (`4:3` curly, ...): plain underline; `4:0` is "off".
                [4, 0, ..] => self.raw_codes.push(24),
                [4, ..] => self.raw_codes.push(4),
                _ => {}
            }
        }
        canonicalize(&self.raw_codes, &mut self.codes);
        self.last_sgr = !self.codes.is_empty();
        if self.last_sgr {
            let codes = std::mem::take(&mut self.codes);
            self.apply_sgr(&codes);
            self.codes = codes;
        }
    }

    /// Applies canonical SGR codes to the current style.
    #[inline]
    pub(super) fn apply_sgr(&mut self, codes: &[u16]) {
        self.style.apply(codes);
        self.style_idx = None;
        self.restyled = true;
    }
}

/// Adapter handing `vte` callbacks to the line state, with the output vector.
pub(super) struct Sink<'a> {
    pub(super) state: &'a mut LineState,
    pub(super) out: &'a mut Vec<String>,
    /// Set by a callback after which `vte` is back in its ground state (unless the
    /// byte consumed last was an ESC, see [`Normalizer::advance_vte`]).
    pub(super) ground: bool,
    /// Number of CSI and ESC dispatches.
    pub(super) dispatches: u32,
    /// Whether any other callback happened.
    pub(super) other: bool,
}

impl Perform for Sink<'_> {
    #[inline]
    fn print(&mut self, c: char) {
        self.state.print(c, self.out);
        self.ground = true;
        self.other = true;
    }

    #[inline]
    fn execute(&mut self, byte: u8) {
        self.state.execute(byte, self.out);
        self.other = true;
        if matches!(byte, 0x18 | 0x1a) {
            // CAN/SUB abort any sequence.
            self.ground = true;
        }
    }

    fn csi_dispatch(&mut self, params: &Params, intermediates: &[u8], ignore: bool, action: char) {
        if action == 'm' && intermediates.is_empty() && !ignore {
            self.state.sgr(params);
        } else {
            self.state.last_sgr = false;
        }
        self.ground = true;
        self.dispatches += 1;
    }

    fn esc_dispatch(&mut self, _intermediates: &[u8], _ignore: bool, _byte: u8) {
        self.state.last_sgr = false;
        self.ground = true;
        self.dispatches += 1;
    }

    fn hook(&mut self, _params: &Params, _intermediates: &[u8], _ignore: bool, _action: char) {
        self.other = true;
    }

    fn osc_dispatch(&mut self, _params: &[&[u8]], bell_terminated: bool) {
        self.other = true;
        if bell_terminated {
            self.ground = true;
        }
    }

    #[inline]
    fn terminated(&self) -> bool {
        self.ground
    }

    // DCS `put`/`unhook` (only after `hook`) are dropped by the default no-ops.
}
