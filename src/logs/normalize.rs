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

use vte::{Params, Parser, Perform};

/// Default maximum number of characters of one output line (longer lines are split).
pub const DEFAULT_MAX_LINE_CHARS: usize = 16 * 1024;

/// Approximate byte limit of a line with at most `max_chars` characters: a line is
/// also split when its text, SGR sequences included, reaches this many bytes (it may
/// exceed it by a few hundred bytes of SGR, or by four bytes per character when
/// overwritten text is styled), so that heavily styled output stays bounded too.
pub fn max_line_bytes(max_chars: usize) -> usize {
    max_chars.saturating_mul(8).max(64)
}

/// The SGR reset sequence that ends every line on which a style is still active.
const RESET: &str = "\x1b[0m";

/// Upper bound of distinct styles on one line in overwrite (cell) mode.
const MAX_STYLES: usize = 64;

/// A foreground or background color as SGR sets it (the 16 basic colors keep their
/// own SGR code, 30..=37 / 90..=97 or 40..=47 / 100..=107).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum Color {
    #[default]
    Default,
    Basic(u8),
    Indexed(u8),
    Rgb(u8, u8, u8),
}

/// The net style: what all SGR sequences seen so far add up to. Attributes are bits
/// numbered by their SGR code (1 bold .. 9 crossed out).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
struct Style {
    attrs: u16,
    fg: Color,
    bg: Color,
}

/// Bits of the attributes that each "off" code clears, with that code.
const ATTR_OFF: [(u16, u16); 7] = [
    (22, 1 << 1 | 1 << 2),
    (23, 1 << 3),
    (24, 1 << 4),
    (25, 1 << 5 | 1 << 6),
    (27, 1 << 7),
    (28, 1 << 8),
    (29, 1 << 9),
];

impl Style {
    fn is_default(&self) -> bool {
        *self == Style::default()
    }

    /// Applies canonical SGR codes (see [`canonicalize`]).
    fn apply(&mut self, codes: &[u16]) {
        let mut i = 0;
        while let Some(&code) = codes.get(i) {
            i += 1;
            match code {
                0 => *self = Style::default(),
                1..=9 => self.attrs |= 1 << code,
                // ECMA-48 doubly underlined: still an underline.
                21 => self.attrs |= 1 << 4,
                22..=29 => {
                    if let Some((_, bits)) = ATTR_OFF.iter().find(|(c, _)| *c == code) {
                        self.attrs &= !bits;
                    }
                }
                30..=37 | 90..=97 => self.fg = Color::Basic(code as u8),
                39 => self.fg = Color::Default,
                40..=47 | 100..=107 => self.bg = Color::Basic(code as u8),
                49 => self.bg = Color::Default,
                38 | 48 => {
                    let (color, used) = extended_color(codes.get(i..).unwrap_or_default());
                    i += used;
                    if let Some(c) = color {
                        if code == 38 {
                            self.fg = c;
                        } else {
                            self.bg = c;
                        }
                    }
                }
                _ => {}
            }
        }
    }

    /// Appends the SGR codes (`;`-separated, without `ESC [` and `m`) that take `from`
    /// to `self`; returns whether any was written.
    fn push_change(&self, from: &Style, out: &mut String) -> bool {
        let mut any = false;
        let mut code = |out: &mut String, n: u16| {
            if any {
                out.push(';');
            }
            any = true;
            push_u16(out, n);
        };
        let mut kept = from.attrs;
        for (off, bits) in ATTR_OFF {
            if from.attrs & bits & !self.attrs != 0 {
                code(out, off);
                kept &= !bits;
            }
        }
        let added = self.attrs & !kept;
        for bit in 1..=9 {
            if added & (1 << bit) != 0 {
                code(out, bit);
            }
        }
        for (now, was, base) in [(self.fg, from.fg, 30), (self.bg, from.bg, 40)] {
            if now == was {
                continue;
            }
            match now {
                Color::Default => code(out, base + 9),
                Color::Basic(c) => code(out, u16::from(c)),
                Color::Indexed(n) => {
                    code(out, base + 8);
                    code(out, 5);
                    code(out, u16::from(n));
                }
                Color::Rgb(r, g, b) => {
                    code(out, base + 8);
                    code(out, 2);
                    for c in [r, g, b] {
                        code(out, u16::from(c));
                    }
                }
            }
        }
        any
    }
}

/// Appends the one SGR sequence that changes the style from `from` to `to` (nothing if
/// they are equal, `ESC[0m` if `to` is the default).
fn push_transition(from: &Style, to: &Style, out: &mut String) {
    if from == to {
        return;
    }
    if to.is_default() {
        out.push_str(RESET);
        return;
    }
    let start = out.len();
    out.push_str("\x1b[");
    if to.push_change(from, out) {
        out.push('m');
    } else {
        out.truncate(start);
    }
}

/// The color of a canonical `38`/`48` form starting at `rest` (after the 38/48), and
/// the number of codes it took.
fn extended_color(rest: &[u16]) -> (Option<Color>, usize) {
    match rest {
        [5, n, ..] => (u8::try_from(*n).ok().map(Color::Indexed), 2),
        [2, r, g, b, ..] => match (u8::try_from(*r), u8::try_from(*g), u8::try_from(*b)) {
            (Ok(r), Ok(g), Ok(b)) => (Some(Color::Rgb(r, g, b)), 4),
            _ => (None, 4),
        },
        _ => (None, 0),
    }
}

/// One character cell of a line being overwritten (`\r`, backspace).
#[derive(Debug, Clone, Copy)]
struct Cell {
    ch: char,
    style: u16,
}

/// Line/style state; the `vte` performer (through [`Sink`]).
#[derive(Debug)]
struct LineState {
    /// Maximum characters per line (at least 1).
    max: usize,
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
    buf: String,
    /// Append mode: length of `buf` (kept apart for the hot paths' limit checks).
    text_end: usize,
    /// Append mode: characters in `buf`.
    width: usize,
    /// Cursor column.
    col: usize,
    /// Overwrite mode (entered when text is printed left of the end of the line).
    cell_mode: bool,
    /// Overwrite mode: the line's cells.
    cells: Vec<Cell>,
    /// Overwrite mode: style table; index 0 is the default style.
    styles: Vec<Style>,
    /// Overwrite mode: index of `style` in `styles`, if known.
    style_idx: Option<u16>,
    /// Scratch: raw SGR codes.
    raw_codes: Vec<u16>,
    /// Canonical SGR codes of the sequence last seen by [`LineState::sgr`].
    codes: Vec<u16>,
    /// Whether the sequence last seen by [`LineState::sgr`] was applied (its codes are
    /// in `codes`) rather than dropped.
    last_sgr: bool,
}

impl LineState {
    fn new(max: usize) -> Self {
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
    fn has_content(&self) -> bool {
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
    fn ground(&mut self, text: &str, out: &mut Vec<String>) -> usize {
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
    fn end_line(&mut self, out: &mut Vec<String>) {
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
    fn apply_sgr(&mut self, codes: &[u16]) {
        self.style.apply(codes);
        self.style_idx = None;
        self.restyled = true;
    }
}

/// Appends the decimal form of `n`.
fn push_u16(s: &mut String, n: u16) {
    let mut digits = [0u8; 5];
    let mut i = digits.len();
    let mut n = n;
    loop {
        i -= 1;
        if let Some(d) = digits.get_mut(i) {
            *d = b'0' + (n % 10) as u8;
        }
        n /= 10;
        if n == 0 || i == 0 {
            break;
        }
    }
    for &d in digits.get(i..).unwrap_or(&[]) {
        s.push(char::from(d));
    }
}

/// Turns raw SGR codes into the canonical list that `ansi-to-tui` understands:
/// malformed or out-of-range extended colors, underline colors (58) and codes above
/// 255 are dropped.
fn canonicalize(raw: &[u16], out: &mut Vec<u16>) {
    out.clear();
    let mut i = 0;
    while let Some(&code) = raw.get(i) {
        match code {
            38 | 48 | 58 => match raw.get(i + 1) {
                Some(5) => {
                    if let Some(&n) = raw.get(i + 2)
                        && n <= 255
                        && code != 58
                    {
                        out.extend_from_slice(&[code, 5, n]);
                    }
                    i += 3;
                }
                Some(2) => {
                    if let Some(&[r, g, b]) = raw.get(i + 2..i + 5)
                        && r <= 255
                        && g <= 255
                        && b <= 255
                        && code != 58
                    {
                        out.extend_from_slice(&[code, 2, r, g, b]);
                    }
                    i += 5;
                }
                _ => i += 1,
            },
            0..=255 => {
                out.push(code);
                i += 1;
            }
            _ => i += 1,
        }
    }
}

/// Whether all eight bytes of `w` are printable ASCII (0x20..=0x7E).
#[inline]
fn all_printable_ascii(w: u64) -> bool {
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

/// Adapter handing `vte` callbacks to the line state, with the output vector.
struct Sink<'a> {
    state: &'a mut LineState,
    out: &'a mut Vec<String>,
    /// Set by a callback after which `vte` is back in its ground state (unless the
    /// byte consumed last was an ESC, see [`Normalizer::advance_vte`]).
    ground: bool,
    /// Number of CSI and ESC dispatches.
    dispatches: u32,
    /// Whether any other callback happened.
    other: bool,
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
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Reference normalizer: every byte goes through `vte` (no fast path, no memo).
    fn vte_only(max: usize) -> Normalizer {
        let mut n = Normalizer::with_max_line_chars(max);
        n.vte_only = true;
        n.in_ground = false;
        n
    }

    fn run(mut n: Normalizer, parts: &[&[u8]]) -> Vec<String> {
        let mut out = Vec::new();
        for p in parts {
            n.feed(p, &mut out);
        }
        n.finish(&mut out);
        out
    }

    fn fragment() -> impl Strategy<Value = Vec<u8>> {
        prop_oneof![
            3 => any::<u8>().prop_map(|b| vec![b]),
            3 => r"[a-z0-9 :=é\u{1f600}\u{9b}]{1,10}".prop_map(String::into_bytes),
            3 => r"\x1b\[[0-9;:]{0,8}m".prop_map(String::into_bytes),
            1 => r"\x1b\[[0-9;:<=>?]{0,10}[ -/]{0,2}[@-~]".prop_map(String::into_bytes),
            1 => r"\x1b[\]P_^X]?[ -~]{0,6}(\x07|\x1b\\)?".prop_map(String::into_bytes),
            1 => r"\x1b[ -~]{0,3}".prop_map(String::into_bytes),
            2 => r"[\r\n\t\x08\x00\x18\x1a]".prop_map(String::into_bytes),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

        /// The fast path (direct text handling, memoized sequences) does exactly what
        /// `vte` alone does, however the input is chunked.
        #[test]
        fn fast_path_matches_vte(
            parts in proptest::collection::vec(fragment(), 0..128),
            cut in any::<prop::sample::Index>(),
            max in 1usize..40,
        ) {
            let bytes = parts.concat();
            let reference = run(vte_only(max), &[&bytes]);
            prop_assert_eq!(run(Normalizer::with_max_line_chars(max), &[&bytes]), reference.clone());
            let cut = cut.index(bytes.len() + 1);
            let (a, b) = bytes.split_at(cut);
            prop_assert_eq!(run(Normalizer::with_max_line_chars(max), &[a, b]), reference.clone());
            prop_assert_eq!(run(vte_only(max), &[a, b]), reference);
        }
    }

    fn norm_max(bytes: &[u8], max: usize) -> Vec<String> {
        let mut n = Normalizer::with_max_line_chars(max);
        let mut out = Vec::new();
        n.feed(bytes, &mut out);
        n.finish(&mut out);
        out
    }

    #[test]
    fn colors_kept() {
        assert_eq!(
            normalize(b"\x1b[31mred\x1b[0m\n"),
            vec!["\x1b[31mred\x1b[0m"]
        );
        assert_eq!(
            normalize(b"a \x1b[1;32mINFO\x1b[m b\n"),
            vec!["a \x1b[1;32mINFO\x1b[0m b"]
        );
        // Colon true-color form re-serialized with semicolons.
        assert_eq!(
            normalize(b"\x1b[38:2::1:2:3mx\x1b[0m"),
            vec!["\x1b[38;2;1;2;3mx\x1b[0m"]
        );
        assert_eq!(
            normalize(b"\x1b[38;5;208mx\x1b[0m"),
            vec!["\x1b[38;5;208mx\x1b[0m"]
        );
    }

    #[test]
    fn style_spans_lines() {
        let out = normalize(b"\x1b[31mred\nstill red\x1b[0m plain\nplain\n");
        assert_eq!(
            out,
            vec![
                "\x1b[31mred\x1b[0m",
                "\x1b[31mstill red\x1b[0m plain",
                "plain",
            ]
        );
        // An empty line inside a styled region carries no SGR.
        assert_eq!(
            normalize(b"\x1b[1mx\n\ny\x1b[0m"),
            vec!["\x1b[1mx\x1b[0m", "", "\x1b[1my\x1b[0m"]
        );
    }

    #[test]
    fn the_net_style_is_carried_as_one_sequence() {
        // Set, reset, set again: only the last color is in force.
        assert_eq!(
            normalize(b"\x1b[35m\x1b[0m\x1b[32mx\ny\x1b[0m\n"),
            vec!["\x1b[32mx\x1b[0m", "\x1b[32my\x1b[0m"]
        );
        // Bold, then a color: both carried, in one sequence.
        assert_eq!(
            normalize(b"\x1b[1mA\x1b[31mB\nC\x1b[0m\n"),
            vec!["\x1b[1mA\x1b[31mB\x1b[0m", "\x1b[1;31mC\x1b[0m"]
        );
        // Back to the default: nothing carried.
        assert_eq!(
            normalize(b"\x1b[1;31mA\x1b[22;39m\nB\n"),
            vec!["\x1b[1;31mA\x1b[0m", "B"]
        );
        assert_eq!(
            normalize(b"\x1b[1;31mA\x1b[0m\nB\n"),
            vec!["\x1b[1;31mA\x1b[0m", "B"]
        );
        // Extended colors and background.
        assert_eq!(
            normalize(b"\x1b[38;5;208;48;2;1;2;3mA\nB\x1b[49mC\x1b[0m\n"),
            vec![
                "\x1b[38;5;208;48;2;1;2;3mA\x1b[0m",
                "\x1b[38;5;208;48;2;1;2;3mB\x1b[49mC\x1b[0m"
            ]
        );
    }

    #[test]
    fn sequences_between_two_characters_become_one() {
        assert_eq!(
            normalize(b"a\x1b[31m\x1b[1m\x1b[22m\x1b[4mb\x1b[0m\n"),
            vec!["a\x1b[4;31mb\x1b[0m"]
        );
        // Turning one of two attributes off.
        assert_eq!(
            normalize(b"\x1b[1;2mA\x1b[22;2mB\x1b[0m\n"),
            vec!["\x1b[1;2mA\x1b[22;2mB\x1b[0m"]
        );
        // Changes that cancel out write nothing.
        assert_eq!(
            normalize(b"\x1b[31mA\x1b[32m\x1b[31mB\x1b[0m\n"),
            vec!["\x1b[31mAB\x1b[0m"]
        );
    }

    #[test]
    fn tmux_captures_do_not_grow_with_history() {
        // tmux ends colors with `ESC[39m`, never a full reset: thousands of such lines
        // once carried a growing string of sequences from line to line.
        let mut input = Vec::new();
        for i in 0..3000 {
            input.extend_from_slice(
                format!("\x1b[35mline\x1b[39m {i} \x1b[32mok\x1b[39m\n").as_bytes(),
            );
        }
        let out = normalize(&input);
        assert_eq!(out.len(), 3000);
        for (i, line) in out.iter().enumerate() {
            assert_eq!(line, &format!("\x1b[35mline\x1b[0m {i} \x1b[32mok\x1b[0m"));
        }
        // A color left on at the end of each line and changed before any text: not carried.
        let out = normalize(&b"\x1b[35ma\x1b[39m\x1b[32m\n".repeat(50));
        assert!(out.iter().all(|l| l == "\x1b[35ma\x1b[0m"), "{out:?}");
    }

    #[test]
    fn style_ends_at_line_end() {
        // Style left active: the line is closed with a reset.
        assert_eq!(normalize(b"\x1b[32mgreen\n"), vec!["\x1b[32mgreen\x1b[0m"]);
        // SGR sequences without following text are not emitted.
        assert_eq!(normalize(b"a\x1b[32m\n"), vec!["a"]);
    }

    #[test]
    fn malformed_sgr_dropped() {
        // Private marker / intermediates (e.g. xterm modifyOtherKeys `CSI > 4;2 m`).
        assert_eq!(normalize(b"a\x1b[>4;2mb\x1b[?1mc\x1b[1 md"), vec!["abcd"]);
        // Too many params.
        let mut long = b"\x1b[".to_vec();
        for _ in 0..40 {
            long.extend_from_slice(b"1;");
        }
        long.extend_from_slice(b"31mX");
        assert_eq!(normalize(&long), vec!["X"]);
        // Out-of-range codes and colors dropped, underline color dropped.
        assert_eq!(
            normalize(b"\x1b[300;38;5;999;58;5;3;1mX\x1b[0m"),
            vec!["\x1b[1mX\x1b[0m"]
        );
    }

    #[test]
    fn carriage_return_overwrites() {
        assert_eq!(normalize(b"10%\r20%\r30%\n"), vec!["30%"]);
        assert_eq!(normalize(b"hello\rab\n"), vec!["abllo"]);
        assert_eq!(normalize(b"abc\x08\x08X\n"), vec!["aXc"]);
        assert_eq!(normalize(b"\x08\x08ab\n"), vec!["ab"]);
    }

    #[test]
    fn overwrite_takes_new_style() {
        let out = normalize(b"\x1b[31mabcd\x1b[0m\r\x1b[32mXY\x1b[0m\n");
        assert_eq!(out, vec!["\x1b[32mXY\x1b[31mcd\x1b[0m"]);
        assert_eq!(plain_text(&out[0]), "XYcd");
        // Plain overwrite of a colored line.
        let out = normalize(b"\x1b[31mab\x1b[0mcd\rX\n");
        assert_eq!(out, vec!["X\x1b[31mb\x1b[0mcd"]);
    }

    #[test]
    fn crlf() {
        assert_eq!(normalize(b"one\r\ntwo\r\n"), vec!["one", "two"]);
        assert_eq!(normalize(b"a\r\n\r\nb"), vec!["a", "", "b"]);
    }

    #[test]
    fn tabs() {
        assert_eq!(normalize(b"a\tb\n"), vec!["a       b"]);
        assert_eq!(normalize(b"12345678\tx\n"), vec!["12345678        x"]);
        assert_eq!(normalize(b"\t\n"), vec!["        "]);
        // A tab inside existing text only moves the cursor.
        assert_eq!(normalize(b"abcdefghij\r\tX\n"), vec!["abcdefghXj"]);
        // Tabs never go past the maximum line length.
        assert_eq!(norm_max(b"abc\tX", 5), vec!["abc  ", "X"]);
    }

    #[test]
    fn controls_dropped() {
        assert_eq!(
            normalize(b"a\x00b\x07c\x7fd\x0be\x0cf\x1ag\n"),
            vec!["abcdefg"]
        );
    }

    #[test]
    fn c1_dropped() {
        // UTF-8 encoded U+009B (CSI), raw 8-bit 0x9b, U+0085 (NEL).
        assert_eq!(normalize("a\u{9b}2Jb\u{85}c".as_bytes()), vec!["a2Jbc"]);
        assert_eq!(normalize(b"a\x9b31mb\x9dx\n"), vec!["a31mbx"]);
    }

    #[test]
    fn invalid_utf8() {
        assert_eq!(normalize(b"a\xffb\n"), vec!["a\u{fffd}b"]);
        assert_eq!(normalize(b"a\xe2\x82b\n"), vec!["a\u{fffd}b"]);
        assert_eq!(
            normalize("h\u{e9}llo \u{1f600}".as_bytes()),
            vec!["h\u{e9}llo \u{1f600}"]
        );
    }

    #[test]
    fn osc_removed() {
        // Title (BEL and ST terminated), OSC 52 clipboard write.
        assert_eq!(
            normalize(b"a\x1b]0;evil title\x07b\x1b]2;t\x1b\\c\x1b]52;c;aGVsbG8=\x07d\n"),
            vec!["abcd"]
        );
        // OSC 8 hyperlink: the visible text stays, the wrapper goes.
        assert_eq!(
            normalize(b"see \x1b]8;;https://evil.example/\x1b\\docs\x1b]8;;\x1b\\ now\n"),
            vec!["see docs now"]
        );
    }

    #[test]
    fn other_sequences_removed() {
        let input =
            b"a\x1b[2J\x1b[H\x1b[10;20Hb\x1b[?1049h\x1b[?25lc\x1b[Kd\x1b[6n\x1b7\x1b8\x1bce\n";
        assert_eq!(normalize(input), vec!["abcde"]);
        // DCS, APC, PM, SOS strings.
        assert_eq!(
            normalize(b"a\x1bP1$tx\x1b\\b\x1b_apc\x1b\\c\x1b^pm\x1b\\d\x1bXsos\x1b\\e"),
            vec!["abcde"]
        );
    }

    #[test]
    fn very_long_escape_sequences() {
        // CSI with a huge parameter list.
        let mut v = b"x\x1b[".to_vec();
        v.extend(std::iter::repeat_n(b"12;".as_slice(), 200_000).flatten());
        v.extend_from_slice(b"my\n");
        assert_eq!(normalize(&v), vec!["xy"]);
        // OSC with a 1 MB payload.
        let mut v = b"x\x1b]0;".to_vec();
        v.extend(std::iter::repeat_n(b'a', 1 << 20));
        v.extend_from_slice(b"\x07y\n");
        assert_eq!(normalize(&v), vec!["xy"]);
    }

    #[test]
    fn long_line_split_and_bounded() {
        let max = 1024;
        let total = 10 * 1024 * 1024;
        let mut n = Normalizer::with_max_line_chars(max);
        let mut out = Vec::new();
        let chunk = vec![b'x'; 64 * 1024];
        let mut fed = 0;
        while fed < total {
            n.feed(&chunk, &mut out);
            fed += chunk.len();
            assert!(n.state.buf.capacity() <= 4 * max + 64);
            assert!(n.state.cells.capacity() <= max);
        }
        n.finish(&mut out);
        assert_eq!(out.len(), total / max);
        assert!(out.iter().all(|l| l.len() == max));
    }

    #[test]
    fn long_line_with_default_max() {
        let v = vec![b'y'; 10 * 1024 * 1024];
        let out = normalize(&v);
        assert_eq!(out.len(), v.len() / DEFAULT_MAX_LINE_CHARS);
    }

    #[test]
    fn heavily_styled_line_bounded_in_bytes() {
        let max = 100;
        let mut v = Vec::new();
        for i in 0..max {
            v.extend_from_slice(format!("\x1b[38;2;{};{};{}m#", i, 255 - i, i / 2).as_bytes());
        }
        let out = norm_max(&v, max);
        assert!(out.len() > 1, "split by bytes");
        for line in &out {
            assert!(line.len() <= max_line_bytes(max) + 512, "{}", line.len());
        }
        let text: String = out.iter().map(|l| plain_text(l)).collect();
        assert_eq!(text, "#".repeat(max));
        // Overwritten, heavily styled text stays bounded as well.
        let mut v = b"x\r".to_vec();
        for i in 0..max {
            v.extend_from_slice(
                format!("\x1b[1;2;3;4;38;2;{};{};{}m#", i, 255 - i, i / 2).as_bytes(),
            );
        }
        let out = norm_max(&v, max);
        assert_eq!(out.len(), 1);
        assert!(out[0].len() <= max_line_bytes(max) + 4 * max + 512);
    }

    #[test]
    fn split_keeps_style() {
        let out = norm_max(b"\x1b[31mabcdef\x1b[0mgh\n", 3);
        assert_eq!(out, vec!["\x1b[31mabc\x1b[0m", "\x1b[31mdef\x1b[0m", "gh",]);
        // Overwrite mode at the limit.
        let out = norm_max(b"abc\rXYZW\n", 3);
        assert_eq!(out, vec!["XYZ", "W"]);
    }

    #[test]
    fn chunk_splits_match_whole() {
        let input = "\x1b[1;31mé\u{1f600}\x1b]0;t\x07x\r\x1b[38:2::10:20:30mab\tc\x1b[0m\r\nde\u{9b}f\x1bP1$t\x1b\\ñ\n\x1b[4mend"
            .as_bytes();
        let whole = normalize(input);
        for i in 0..=input.len() {
            let mut n = Normalizer::new();
            let mut out = Vec::new();
            n.feed(&input[..i], &mut out);
            n.feed(&input[i..], &mut out);
            n.finish(&mut out);
            assert_eq!(out, whole, "split at {i}");
        }
        // Byte by byte.
        let mut n = Normalizer::new();
        let mut out = Vec::new();
        for b in input {
            n.feed(std::slice::from_ref(b), &mut out);
        }
        n.finish(&mut out);
        assert_eq!(out, whole);
    }

    fn feed_split(parts: &[&[u8]]) -> Vec<String> {
        let mut n = Normalizer::new();
        let mut out = Vec::new();
        for p in parts {
            n.feed(p, &mut out);
        }
        n.finish(&mut out);
        out
    }

    #[test]
    fn split_utf8_regressions() {
        // A character completed by the next chunk, followed by text and an invalid byte
        // (vte alone would lose the space here).
        assert_eq!(feed_split(&[b"\xc3", b"\x80 \x80\n"]), vec!["\u{c0} "]);
        assert_eq!(normalize(b"\xc3\x80 \x80\n"), vec!["\u{c0} "]);
        // An invalid two-byte prefix split across chunks is one U+FFFD.
        assert_eq!(feed_split(&[b"\xe0", b"\xa0\x00x"]), vec!["\u{fffd}x"]);
        assert_eq!(normalize(b"\xe0\xa0\x00x"), vec!["\u{fffd}x"]);
        // Lead bytes invalidating each other.
        assert_eq!(feed_split(&[b"\xc2", b"\xc2"]), vec!["\u{fffd}\u{fffd}"]);
        assert_eq!(normalize(b"\xc2\xc2"), vec!["\u{fffd}\u{fffd}"]);
        // A character cut off by the end of the stream.
        assert_eq!(normalize(b"ab\xe2\x82"), vec!["ab\u{fffd}"]);
        // A character split over three chunks.
        assert_eq!(
            feed_split(&[b"\xf0\x9f", b"\x98", b"\x80!"]),
            vec!["\u{1f600}!"]
        );
    }

    #[test]
    fn raw_st_inside_utf8_in_dcs() {
        // 0x9C (ST) inside a UTF-8 character ends a DCS string in vte, leaving the
        // rest of the character as invalid bytes: same result however it is fed.
        let input = b"\x1bPa\xf3\x9c\xb3\x80\x1b\x9b x\n";
        let whole = normalize(input);
        assert_eq!(run(vte_only(DEFAULT_MAX_LINE_CHARS), &[input]), whole);
        let parts: Vec<&[u8]> = input.chunks(1).collect();
        assert_eq!(feed_split(&parts), whole);
    }

    #[test]
    fn tab_with_long_style_terminates() {
        // A carried style longer than the byte limit leaves room for one character
        // per line; a tab must still end.
        let out = norm_max(
            b"\x1b[38:5:0;0;10m\x1b[38:5:10m\x1b[38;5;10;10m\x1b[38:5::0;1;100m\x1b[38;2;;0;0m\t",
            2,
        );
        assert_eq!(out.iter().map(|l| plain_text(l)).collect::<String>(), "  ");
    }

    #[test]
    fn finish_resets() {
        let mut n = Normalizer::new();
        let mut out = Vec::new();
        n.feed(b"\x1b[31mpartial\x1b]0;unterminated", &mut out);
        assert!(out.is_empty());
        n.finish(&mut out);
        assert_eq!(out, vec!["\x1b[31mpartial\x1b[0m"]);
        n.feed(b"fresh\n", &mut out);
        assert_eq!(out.last().map(String::as_str), Some("fresh"));
        // Nothing pending: nothing pushed.
        let before = out.len();
        n.finish(&mut out);
        assert_eq!(out.len(), before);
    }

    #[test]
    fn many_styles_on_overwritten_line() {
        let mut v = b"x\r".to_vec();
        for i in 0..200u16 {
            v.extend_from_slice(format!("\x1b[38;5;{}m#", i).as_bytes());
        }
        let out = normalize(&v);
        assert_eq!(out.len(), 1);
        assert_eq!(plain_text(&out[0]).chars().count(), 200);
    }

    #[test]
    fn plain_text_strips_sgr() {
        assert_eq!(
            plain_text("\x1b[1;31mred\x1b[0m and \x1b[mplain"),
            "red and plain"
        );
        assert_eq!(plain_text("a\x1bb"), "ab");
    }
}
