//! `y` in the TUI's log pane: the lines go to the user's clipboard as an OSC 52 sequence that
//! muxdeck itself writes to its terminal, wrapped for tmux's passthrough when muxdeck runs
//! inside tmux. The text is the lines' plain text (session output never reaches the
//! terminal as it came: its own OSC 52 and every other control sequence were removed when
//! it was read). Kept outside `tui/`, whose code never spells an escape sequence: the
//! screen gets styled lines, not bytes.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

/// Most text one copy sends: terminals drop longer OSC 52 payloads (xterm: 100 000 bytes
/// of base64).
pub const MAX_COPY_BYTES: usize = 64 * 1024;

/// The sequence that puts `text` on the clipboard; `in_tmux` wraps it in tmux's DCS
/// passthrough (every ESC doubled), so it reaches the terminal tmux runs in.
pub fn osc52(text: &str, in_tmux: bool) -> String {
    let payload = STANDARD.encode(text.as_bytes());
    let seq = format!("\x1b]52;c;{payload}\x07");
    if in_tmux {
        format!("\x1bPtmux;{}\x1b\\", seq.replace('\x1b', "\x1b\x1b"))
    } else {
        seq
    }
}

/// `text` cut to at most [`MAX_COPY_BYTES`] at a line end (or a character boundary), and
/// whether it was cut.
pub fn bounded(text: &str) -> (&str, bool) {
    if text.len() <= MAX_COPY_BYTES {
        return (text, false);
    }
    let mut end = MAX_COPY_BYTES;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let cut = text[..end].rfind('\n').map_or(end, |i| i + 1);
    (&text[..cut], true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_and_through_tmux() {
        assert_eq!(osc52("hi\n", false), "\x1b]52;c;aGkK\x07");
        assert_eq!(
            osc52("hi\n", true),
            "\x1bPtmux;\x1b\x1b]52;c;aGkK\x07\x1b\\"
        );
        // Whatever the text holds, the sequence holds base64 only.
        let s = osc52("\x1b]0;title\x07\x1b[31m", false);
        assert_eq!(s.matches('\x1b').count(), 1);
    }

    #[test]
    fn long_text_is_cut_at_a_line_end() {
        let line = "x".repeat(99) + "\n";
        let text = line.repeat(1000);
        let (cut, was) = bounded(&text);
        assert!(was);
        assert!(cut.len() <= MAX_COPY_BYTES && cut.ends_with('\n'));
        assert_eq!(bounded("short"), ("short", false));
    }
}
