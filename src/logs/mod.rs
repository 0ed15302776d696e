//! Session log ingestion: turning raw session output into safe, bounded text.
//!
//! This module owns these things:
//! * [`normalize`](mod@normalize): the streaming [`Normalizer`] that turns raw bytes
//!   (tmux pane captures, `podman logs` streams) into lines of printable text plus ANSI
//!   SGR color sequences only, so output can be shown in color but can never act on
//!   the user's terminal;
//! * [`line`]: [`LogLine`], a normalized line kept as it came until the pane first shows
//!   it, then as its conversion alone;
//! * [`styled`]: [`StyledLine`], a normalized line converted once (by ansi-to-tui) into
//!   plain text and styles, packed small (styles numbered in a shared palette);
//! * [`sgr`]: a converted line's styles written back as SGR sequences, for saving;
//! * [`search`]: patterns (smart case, regex or literal), filters with context, and the
//!   highlight of matches on a styled line;
//! * [`window`]: how far back a log call reaches (`--since`) and runtime timestamps;
//! * [`buffer`]: the bounded [`LogBuffer`] of the screen's log entries (styled lines and
//!   markers), counting what it evicted and what the source skipped.

pub mod buffer;
pub mod line;
pub mod normalize;
mod palette;
pub mod search;
pub mod sgr;
pub mod styled;
pub mod window;

pub use buffer::{LogBuffer, LogEntry};
pub use line::LogLine;
pub use normalize::{DEFAULT_MAX_LINE_CHARS, Normalizer, max_line_bytes, normalize, plain_text};
pub use styled::StyledLine;
