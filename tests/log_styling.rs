//! Where a log line's ANSI text becomes styles: once, in the TUI's log buffer (ansi-to-tui,
//! in `src/logs/styled.rs`) before the line is first drawn, never while a frame is drawn.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use muxdeck::logs::{LogBuffer, LogEntry};
use ratatui::style::{Color, Modifier};

/// Every `.rs` file under `dir`, recursively.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    out
}

#[test]
fn ansi_is_converted_in_one_place_and_the_screen_parses_nothing() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let files = rust_files(&src);
    assert!(files.len() > 20, "src not found: {files:?}");
    let converters: Vec<_> = files
        .iter()
        .filter(|f| std::fs::read_to_string(f).unwrap().contains("ansi_to_tui"))
        .map(|f| f.strip_prefix(&src).unwrap().to_path_buf())
        .collect();
    assert_eq!(converters, [PathBuf::from("logs/styled.rs")]);
    // The screen gets styled lines and markers as data: no parsing, no escape sequences,
    // no stripping of them while drawing.
    for file in rust_files(&src.join("tui")) {
        let code = std::fs::read_to_string(&file).unwrap();
        for banned in ["into_text", "to_text(", "plain_text", "\\x1b", "normalize("] {
            assert!(!code.contains(banned), "{} uses {banned}", file.display());
        }
    }
}

#[test]
fn the_buffer_converts_lines_when_asked_and_hands_out_entries() {
    let mut b = LogBuffer::new(4);
    b.push("\x1b[1;31mboom\x1b[0m at \x1b[4mhere\x1b[0m".to_string());
    b.push_gap(3);
    b.push_stream_broke("exit status 125");
    b.convert(0);
    // What the screen reads is an entry: a styled line or a marker, never a raw string.
    let first: Option<&LogEntry> = b.get(0);
    let Some(LogEntry::Line(line)) = first else {
        panic!("a line: {first:?}");
    };
    assert!(line.is_converted());
    assert_eq!(line.plain(), "boom at here");
    assert_eq!(line.width(), 12);
    let spans = line.line().spans;
    let texts: Vec<&str> = spans.iter().map(|s| s.content.as_ref()).collect();
    assert_eq!(texts.concat(), "boom at here");
    assert_eq!(spans[0].content, "boom");
    assert_eq!(spans[0].style.fg, Some(Color::Red));
    assert!(spans[0].style.add_modifier.contains(Modifier::BOLD));
    let here = spans.iter().find(|s| s.content == "here").unwrap();
    assert!(here.style.add_modifier.contains(Modifier::UNDERLINED));
    // Markers are facts; their words and colors are the screen's.
    assert_eq!(b.get(1), Some(&LogEntry::Gap(3)));
    assert_eq!(
        b.get(2),
        Some(&LogEntry::StreamBroke("exit status 125".into()))
    );
    assert_eq!(b.skipped(), 3);
}
