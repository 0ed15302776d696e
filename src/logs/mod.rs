//! Session log ingestion: turning raw session output into safe, bounded text.
//!
//! This module owns two things:
//! * [`normalize`](mod@normalize): the streaming [`Normalizer`] that turns raw bytes
//!   (tmux pane captures, `podman logs` streams) into lines of printable text plus ANSI
//!   SGR color sequences only, so output can be shown in color but can never act on
//!   the user's terminal;
//! * [`buffer`]: the bounded [`LogBuffer`] of normalized lines, counting what it
//!   evicted and what the source skipped.

pub mod buffer;
pub mod normalize;

pub use buffer::LogBuffer;
pub use normalize::{DEFAULT_MAX_LINE_CHARS, Normalizer, max_line_bytes, normalize, plain_text};
