//! The SGR side of the normalizer: the net style that sequences add up to, and the one
//! canonical sequence that changes one style into another.

/// The SGR reset sequence that ends every line on which a style is still active.
pub(super) const RESET: &str = "\x1b[0m";

/// A foreground or background color as SGR sets it (the 16 basic colors keep their
/// own SGR code, 30..=37 / 90..=97 or 40..=47 / 100..=107).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(super) enum Color {
    #[default]
    Default,
    Basic(u8),
    Indexed(u8),
    Rgb(u8, u8, u8),
}

/// The net style: what all SGR sequences seen so far add up to. Attributes are bits
/// numbered by their SGR code (1 bold .. 9 crossed out).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(super) struct Style {
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
    pub(super) fn is_default(&self) -> bool {
        *self == Style::default()
    }

    /// Applies canonical SGR codes (see [`canonicalize`]).
    pub(super) fn apply(&mut self, codes: &[u16]) {
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
            out.push_str(itoa::Buffer::new().format(n));
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
pub(super) fn push_transition(from: &Style, to: &Style, out: &mut String) {
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

/// Turns raw SGR codes into the canonical list that `ansi-to-tui` understands:
/// malformed or out-of-range extended colors, underline colors (58) and codes above
/// 255 are dropped.
pub(super) fn canonicalize(raw: &[u16], out: &mut Vec<u16>) {
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
