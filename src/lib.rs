//! muxdeck: one screen for every long-running session on a machine — tmux sessions on every
//! socket, Docker/Podman containers, and the sessions a YAML config defines.
//!
//! The library is the engine ([`engine::Engine`]) that both the TUI and the scriptable
//! subcommands drive; the binary only parses arguments and renders.

pub mod backend;
pub mod backoff;
pub mod clipboard;
pub mod config;
pub mod details;
pub mod engine;
pub mod keyspec;
pub mod logs;
pub mod model;
pub mod remote;
pub mod sort;
pub mod stats;
pub mod tui;
