#!/usr/bin/env python3
"""Render ANSI/SGR terminal text (e.g. `tmux capture-pane -p -e -N`) as a PNG.

    ansi2png.py IN.ans OUT.png [--cols 120] [--rows 32] [--font-size 16]
                [--title TEXT] [--no-chrome] [--scale 2]

Supports SGR 0/1/2/3/4/7/9 and their resets, 16 colors (30-37, 90-97, 40-47,
100-107), 256 colors (38;5;N / 48;5;N) and truecolor (38;2;R;G;B, also the
colon forms). Box-drawing and block characters are drawn as geometry so
borders join seamlessly; everything else uses DejaVu Sans Mono (regular,
bold, oblique). Wide (East Asian) characters take two cells.

Needs Pillow (`pip install pillow`) and a monospace TrueType font
(Debian: fonts-dejavu-core).
"""

import argparse
import os
import re
import sys
import unicodedata

from PIL import Image, ImageDraw, ImageFont

# --- palette (a dark theme close to Tokyo Night) --------------------------------
BG = (0x1A, 0x1B, 0x26)
FG = (0xC0, 0xCA, 0xF5)
ANSI16 = [
    (0x15, 0x16, 0x1E),  # 0 black
    (0xF7, 0x76, 0x8E),  # 1 red
    (0x9E, 0xCE, 0x6A),  # 2 green
    (0xE0, 0xAF, 0x68),  # 3 yellow
    (0x7A, 0xA2, 0xF7),  # 4 blue
    (0xBB, 0x9A, 0xF7),  # 5 magenta
    (0x7D, 0xCF, 0xFF),  # 6 cyan
    (0xA9, 0xB1, 0xD6),  # 7 white
    (0x56, 0x5F, 0x89),  # 8 bright black ("DarkGray")
    (0xFF, 0x89, 0x9D),  # 9
    (0xB9, 0xF2, 0x7C),  # 10
    (0xFF, 0xC7, 0x77),  # 11
    (0x8D, 0xB0, 0xFF),  # 12
    (0xC7, 0xA9, 0xFF),  # 13
    (0xA4, 0xDA, 0xFF),  # 14
    (0xE0, 0xE6, 0xFF),  # 15
]


def xterm256(n):
    if n < 16:
        return ANSI16[n]
    if n < 232:
        n -= 16
        steps = [0, 95, 135, 175, 215, 255]
        return (steps[n // 36], steps[(n // 6) % 6], steps[n % 6])
    v = 8 + (n - 232) * 10
    return (v, v, v)


FONT_DIRS = [
    "/usr/share/fonts/truetype/dejavu",
    "/usr/share/fonts/dejavu",
    "/usr/local/share/fonts",
]


def find_font(name):
    for d in FONT_DIRS:
        p = os.path.join(d, name)
        if os.path.exists(p):
            return p
    sys.exit(f"ansi2png: font {name} not found (apt-get install fonts-dejavu-core)")


class Cell:
    __slots__ = ("ch", "fg", "bg", "bold", "dim", "italic", "under", "strike", "rev")

    def __init__(self, ch=" ", st=None):
        self.ch = ch
        if st is None:
            self.fg = self.bg = None
            self.bold = self.dim = self.italic = self.under = self.strike = self.rev = False
        else:
            (self.fg, self.bg, self.bold, self.dim, self.italic, self.under,
             self.strike, self.rev) = st


class State:
    def __init__(self):
        self.reset()

    def reset(self):
        self.fg = self.bg = None  # None = default; int = palette index; tuple = rgb
        self.bold = self.dim = self.italic = self.under = self.strike = self.rev = False

    def snapshot(self):
        return (self.fg, self.bg, self.bold, self.dim, self.italic, self.under,
                self.strike, self.rev)

    def apply(self, params):
        # params: the text between ESC[ and m
        if params == "":
            self.reset()
            return
        # split into groups; a colon-joined group is one extended color
        groups = params.split(";")
        i = 0
        while i < len(groups):
            g = groups[i]
            if ":" in g:
                sub = [s for s in g.split(":")]
                code = int(sub[0] or 0)
                if code in (38, 48) and len(sub) > 1:
                    kind = sub[1]
                    rest = [s for s in sub[2:]]
                    col = None
                    if kind == "5" and rest:
                        col = int(rest[0] or 0)
                    elif kind == "2":
                        nums = [int(s or 0) for s in rest]
                        if len(nums) >= 4:  # 38:2:CS:R:G:B
                            nums = nums[-3:]
                        if len(nums) == 3:
                            col = tuple(nums)
                    if col is not None:
                        if code == 38:
                            self.fg = col
                        else:
                            self.bg = col
                elif code == 4:
                    self.under = (sub[1] if len(sub) > 1 else "1") != "0"
                i += 1
                continue
            code = int(g or 0)
            if code in (38, 48):
                col = None
                if i + 1 < len(groups) and groups[i + 1] == "5" and i + 2 < len(groups):
                    col = int(groups[i + 2] or 0)
                    i += 3
                elif i + 1 < len(groups) and groups[i + 1] == "2" and i + 4 < len(groups):
                    col = tuple(int(x or 0) for x in groups[i + 2:i + 5])
                    i += 5
                else:
                    i += 1
                if col is not None:
                    if code == 38:
                        self.fg = col
                    else:
                        self.bg = col
                continue
            if code == 0:
                self.reset()
            elif code == 1:
                self.bold = True
            elif code == 2:
                self.dim = True
            elif code == 3:
                self.italic = True
            elif code == 4:
                self.under = True
            elif code == 7:
                self.rev = True
            elif code == 9:
                self.strike = True
            elif code == 21:
                self.under = True
            elif code == 22:
                self.bold = self.dim = False
            elif code == 23:
                self.italic = False
            elif code == 24:
                self.under = False
            elif code == 27:
                self.rev = False
            elif code == 29:
                self.strike = False
            elif 30 <= code <= 37:
                self.fg = code - 30
            elif code == 39:
                self.fg = None
            elif 40 <= code <= 47:
                self.bg = code - 40
            elif code == 49:
                self.bg = None
            elif 90 <= code <= 97:
                self.fg = code - 90 + 8
            elif 100 <= code <= 107:
                self.bg = code - 100 + 8
            i += 1


CSI = re.compile(r"\x1b\[([0-9;:?<=>]*)([@-~])")
OTHER_ESC = re.compile(r"\x1b[\]P_^][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[()][0-9A-Za-z]|\x1b[=>78c]")


def char_width(ch):
    if unicodedata.combining(ch):
        return 0
    if unicodedata.east_asian_width(ch) in ("W", "F"):
        return 2
    return 1


def parse(text, cols, rows):
    st = State()
    grid = []
    line = []
    pos = 0
    text = OTHER_ESC.sub("", text)
    for m in list(CSI.finditer(text)) + [None]:
        end = m.start() if m else len(text)
        chunk = text[pos:end]
        for ch in chunk:
            if ch == "\n":
                grid.append(line)
                line = []
                continue
            if ch == "\r" or ch == "\x07":
                continue
            if ch == "\t":
                while True:
                    line.append(Cell(" ", st.snapshot()))
                    if len(line) % 8 == 0:
                        break
                continue
            w = char_width(ch)
            if w == 0:
                if line:
                    line[-1].ch += ch
                continue
            line.append(Cell(ch, st.snapshot()))
            if w == 2:
                line.append(None)  # continuation cell
        if m is None:
            break
        if m.group(2) == "m" and not m.group(1).startswith("?"):
            st.apply(m.group(1))
        pos = m.end()
    if line:
        grid.append(line)
    if rows:
        grid = grid[:rows]
        while len(grid) < rows:
            grid.append([])
    if cols is None:
        cols = max((len(l) for l in grid), default=80)
    out = []
    for l in grid:
        l = l[:cols]
        # pad with default cells (a trailing wide char cut in half becomes a space)
        if l and l[-1] is not None and char_width(l[-1].ch[0]) == 2 and len(l) == cols:
            l[-1] = Cell(" ", None)
        while len(l) < cols:
            l.append(Cell(" ", None))
        out.append(l)
    return out, cols


def resolve(c, default):
    if c is None:
        return default
    if isinstance(c, int):
        return xterm256(c)
    return c


def blend(a, b, t):
    return tuple(int(round(a[i] * (1 - t) + b[i] * t)) for i in range(3))


# --- box drawing ----------------------------------------------------------------
# char -> (up, right, down, left) with 0 none, 1 light, 2 heavy, 3 double
L, H, D = 1, 2, 3
BOX = {}


def _box(chars, spec):
    for ch, s in zip(chars, spec):
        BOX[ch] = s


_box("─━│┃", [(0, L, 0, L), (0, H, 0, H), (L, 0, L, 0), (H, 0, H, 0)])
_box("┌┐└┘", [(0, L, L, 0), (0, 0, L, L), (L, L, 0, 0), (L, 0, 0, L)])
_box("┏┓┗┛", [(0, H, H, 0), (0, 0, H, H), (H, H, 0, 0), (H, 0, 0, H)])
_box("├┤┬┴┼", [(L, L, L, 0), (L, 0, L, L), (0, L, L, L), (L, L, 0, L), (L, L, L, L)])
_box("┣┫┳┻╋", [(H, H, H, 0), (H, 0, H, H), (0, H, H, H), (H, H, 0, H), (H, H, H, H)])
_box("═║╔╗╚╝", [(0, D, 0, D), (D, 0, D, 0), (0, D, D, 0), (0, 0, D, D), (D, D, 0, 0), (D, 0, 0, D)])
_box("╠╣╦╩╬", [(D, D, D, 0), (D, 0, D, D), (0, D, D, D), (D, D, 0, D), (D, D, D, D)])
_box("╴╵╶╷", [(0, 0, 0, L), (L, 0, 0, 0), (0, L, 0, 0), (0, 0, L, 0)])
ROUND = {"╭": (0, L, L, 0), "╮": (0, 0, L, L), "╰": (L, L, 0, 0), "╯": (L, 0, 0, L)}
DASH = {"┄": (0, 3), "┈": (0, 4), "╌": (0, 2), "┆": (1, 3), "┊": (1, 4), "╎": (1, 2)}


def draw_box(d, ch, x, y, w, h, col, lw):
    cx = x + w // 2
    cy = y + h // 2
    if ch in ROUND:
        up, right, down, left = ROUND[ch]
        r = min(w, h) // 2
        # straight parts
        if up:
            d.rectangle([cx - lw // 2, y, cx - lw // 2 + lw - 1, cy - r], fill=col)
        if down:
            d.rectangle([cx - lw // 2, cy + r, cx - lw // 2 + lw - 1, y + h - 1], fill=col)
        if left:
            d.rectangle([x, cy - lw // 2, cx - r, cy - lw // 2 + lw - 1], fill=col)
        if right:
            d.rectangle([cx + r, cy - lw // 2, x + w - 1, cy - lw // 2 + lw - 1], fill=col)
        # the arc
        ox = cx + (r if right else -r)
        oy = cy + (r if down else -r)
        start = {(1, 1): 180, (0, 1): 270, (1, 0): 90, (0, 0): 0}[(1 if right else 0, 1 if down else 0)]
        o = lw // 2
        d.arc([ox - r - o, oy - r - o, ox + r - o + lw - 1, oy + r - o + lw - 1],
              start, start + 90, fill=col, width=lw)
        return True
    if ch in DASH:
        vert, n = DASH[ch]
        if vert:
            seg = h / n
            for i in range(n):
                d.rectangle([cx - lw // 2, int(y + i * seg), cx - lw // 2 + lw - 1,
                             int(y + i * seg + seg * 0.6)], fill=col)
        else:
            seg = w / n
            for i in range(n):
                d.rectangle([int(x + i * seg), cy - lw // 2, int(x + i * seg + seg * 0.6),
                             cy - lw // 2 + lw - 1], fill=col)
        return True
    if ch not in BOX:
        return False
    up, right, down, left = BOX[ch]

    def thick(k):
        return lw * 2 if k == H else lw

    gap = max(lw + 1, 3)  # distance between the two lines of a double stroke

    def vline(y0, y1, k):
        if k == D:
            for off in (-gap // 2 - lw // 2, gap - gap // 2 - lw // 2):
                d.rectangle([cx + off, y0, cx + off + lw - 1, y1], fill=col)
        else:
            t = thick(k)
            d.rectangle([cx - t // 2, y0, cx - t // 2 + t - 1, y1], fill=col)

    def hline(x0, x1, k):
        if k == D:
            for off in (-gap // 2 - lw // 2, gap - gap // 2 - lw // 2):
                d.rectangle([x0, cy + off, x1, cy + off + lw - 1], fill=col)
        else:
            t = thick(k)
            d.rectangle([x0, cy - t // 2, x1, cy - t // 2 + t - 1], fill=col)

    ext = lw  # overlap the centre so corners are square
    if up:
        vline(y, cy + (ext if not down else 0), up)
    if down:
        vline(cy - (ext if not up else 0), y + h - 1, down)
    if left:
        hline(x, cx + (ext if not right else 0), left)
    if right:
        hline(cx - (ext if not left else 0), x + w - 1, right)
    return True


def draw_block(d, ch, x, y, w, h, col, bg):
    o = ord(ch)
    if ch == "█":
        d.rectangle([x, y, x + w - 1, y + h - 1], fill=col)
    elif ch == "▀":
        d.rectangle([x, y, x + w - 1, y + h // 2 - 1], fill=col)
    elif 0x2581 <= o <= 0x2587:  # lower eighths ▁..▇
        k = o - 0x2580
        top = y + h - (h * k) // 8
        d.rectangle([x, top, x + w - 1, y + h - 1], fill=col)
    elif 0x2589 <= o <= 0x258F:  # left eighths ▉..▏
        k = 8 - (o - 0x2588)
        d.rectangle([x, y, x + (w * k) // 8 - 1, y + h - 1], fill=col)
    elif ch == "▐":
        d.rectangle([x + w // 2, y, x + w - 1, y + h - 1], fill=col)
    elif ch in "░▒▓":
        t = {"░": 0.25, "▒": 0.5, "▓": 0.75}[ch]
        d.rectangle([x, y, x + w - 1, y + h - 1], fill=blend(bg, col, t))
    else:
        return False
    return True


def render(grid, cols, font_size, title, chrome, scale):
    fs = int(font_size * scale)
    fonts = {
        (False, False): ImageFont.truetype(find_font("DejaVuSansMono.ttf"), fs),
        (True, False): ImageFont.truetype(find_font("DejaVuSansMono-Bold.ttf"), fs),
        (False, True): ImageFont.truetype(find_font("DejaVuSansMono-Oblique.ttf"), fs),
        (True, True): ImageFont.truetype(find_font("DejaVuSansMono-BoldOblique.ttf"), fs),
    }
    reg = fonts[(False, False)]
    cw = int(round(reg.getlength("M")))
    asc, desc = reg.getmetrics()
    ch_h = int(round((asc + desc) * 1.08))
    baseline_pad = (ch_h - (asc + desc)) // 2
    lw = max(1, int(round(fs / 14)))

    rows = len(grid)
    tw, th = cols * cw, rows * ch_h
    pad = int(14 * scale) if chrome else int(8 * scale)
    bar = int(30 * scale) if chrome else 0
    margin = int(24 * scale) if chrome else 0
    win_w, win_h = tw + 2 * pad, th + 2 * pad + bar
    W, Hh = win_w + 2 * margin, win_h + 2 * margin

    img = Image.new("RGB", (W, Hh), (0x0E, 0x0F, 0x16) if chrome else BG)
    d = ImageDraw.Draw(img)
    ox, oy = margin + pad, margin + bar + pad
    if chrome:
        rad = int(10 * scale)
        # soft shadow
        for i in range(int(12 * scale), 0, -1):
            a = int(3 + (12 * scale - i) * 0.8)
            shade = blend((0x0E, 0x0F, 0x16), (0, 0, 0), min(1, a / 40))
            d.rounded_rectangle([margin - i // 2, margin - i // 3 + int(4 * scale),
                                 margin + win_w + i // 2, margin + win_h + i // 2 + int(4 * scale)],
                                rad + i, fill=shade)
        d.rounded_rectangle([margin, margin, margin + win_w - 1, margin + win_h - 1], rad,
                            fill=BG, outline=(0x2A, 0x2C, 0x3C), width=max(1, int(scale)))
        d.rounded_rectangle([margin, margin, margin + win_w - 1, margin + bar], rad,
                            fill=(0x24, 0x26, 0x36))
        d.rectangle([margin, margin + bar - rad, margin + win_w - 1, margin + bar], fill=(0x24, 0x26, 0x36))
        for i, c in enumerate([(0xFF, 0x5F, 0x57), (0xFE, 0xBC, 0x2E), (0x28, 0xC8, 0x40)]):
            r = int(6 * scale)
            x0 = margin + int(16 * scale) + i * int(20 * scale)
            y0 = margin + bar // 2
            d.ellipse([x0 - r, y0 - r, x0 + r, y0 + r], fill=c)
        if title:
            tf = ImageFont.truetype(find_font("DejaVuSansMono.ttf"), int(13 * scale))
            tl = tf.getlength(title)
            d.text((margin + (win_w - tl) / 2, margin + bar / 2), title, font=tf,
                   fill=(0x9A, 0xA0, 0xC0), anchor="lm")

    # pass 1: backgrounds; pass 2: glyphs (so glyph overhang is not clipped)
    todo = []
    for r, line in enumerate(grid):
        for c, cell in enumerate(line):
            if cell is None:
                continue
            fg = resolve(cell.fg, FG)
            bg = resolve(cell.bg, BG)
            if cell.rev:
                fg, bg = bg, fg
            if cell.dim:
                fg = blend(fg, bg, 0.45)
            wide = c + 1 < len(line) and line[c + 1] is None
            x = ox + c * cw
            y = oy + r * ch_h
            w = cw * (2 if wide else 1)
            if bg != BG:
                d.rectangle([x, y, x + w - 1, y + ch_h - 1], fill=bg)
            todo.append((x, y, w, cell, fg, bg))
    for x, y, w, cell, fg, bg in todo:
        ch = cell.ch
        if ch != " ":
            if not (len(ch) == 1 and (draw_box(d, ch, x, y, w, ch_h, fg, lw)
                                      or draw_block(d, ch, x, y, w, ch_h, fg, bg))):
                font = fonts[(cell.bold, cell.italic)]
                d.text((x, y + baseline_pad + asc), ch, font=font, fill=fg, anchor="ls")
        if cell.under:
            uy = y + baseline_pad + asc + max(1, lw)
            d.rectangle([x, uy, x + w - 1, uy + lw - 1], fill=fg)
        if cell.strike:
            sy = y + ch_h // 2
            d.rectangle([x, sy, x + w - 1, sy + lw - 1], fill=fg)
    return img


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("input", help="ANSI text file ('-' for stdin)")
    ap.add_argument("output", help="PNG to write")
    ap.add_argument("--cols", type=int, default=None)
    ap.add_argument("--rows", type=int, default=None)
    ap.add_argument("--font-size", type=float, default=15)
    ap.add_argument("--scale", type=float, default=1.0, help="pixel scale (2 for hi-dpi)")
    ap.add_argument("--title", default="")
    ap.add_argument("--no-chrome", action="store_true", help="no window frame, just the terminal")
    a = ap.parse_args()
    data = sys.stdin.read() if a.input == "-" else open(a.input, encoding="utf-8", errors="replace").read()
    if data.endswith("\n"):
        data = data[:-1]
    grid, cols = parse(data, a.cols, a.rows)
    img = render(grid, cols, a.font_size, a.title, not a.no_chrome, a.scale)
    img.save(a.output, optimize=True)


if __name__ == "__main__":
    main()
