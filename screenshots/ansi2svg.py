#!/usr/bin/env python3
"""Turns a captured terminal screen (tmux `capture-pane -p -e`) into an SVG with rich.

The ANSI parsing and the drawing are rich's (`Text.from_ansi`, `Console.export_svg`);
this only sets the terminal size and the window title. make.sh turns the SVG into a PNG
with rsvg-convert.

Usage: ansi2svg.py SCREEN.ans OUT.svg --cols 120 --title "muxdeck"
"""

import argparse
import sys

from rich.console import Console
from rich.text import Text


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("screen")
    ap.add_argument("out")
    ap.add_argument("--cols", type=int, default=120)
    ap.add_argument("--title", default="muxdeck")
    args = ap.parse_args()
    with open(args.screen, encoding="utf-8", errors="replace") as f:
        lines = f.read().rstrip("\n").split("\n")
    console = Console(
        record=True,
        width=args.cols,
        force_terminal=True,
        color_system="truecolor",
        file=open("/dev/null", "w", encoding="utf-8"),
    )
    for line in lines:
        # One row each, never wrapped or cut: the capture is exactly `cols` wide.
        console.print(Text.from_ansi(line), no_wrap=True, overflow="crop", crop=True)
    svg = console.export_svg(title=args.title)
    # rich writes each run of text as its own element; SVG renderers (rsvg-convert) drop a
    # run's leading and trailing spaces unless told to keep them.
    svg = svg.replace("<svg ", '<svg xml:space="preserve" ', 1)
    with open(args.out, "w", encoding="utf-8") as f:
        f.write(svg)
    return 0


if __name__ == "__main__":
    sys.exit(main())
