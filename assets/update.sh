#!/usr/bin/env bash
# Writes the man page and the shell completion scripts the Debian package ships, from
# the binary built from this tree. The test suite fails while they differ from what the
# binary prints (tests/shell_integration.rs), so run this after changing the command line.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
cargo build --locked --quiet
bin=target/debug/muxdeck
mkdir -p assets/completions
"$bin" man >assets/muxdeck.1
"$bin" completions bash >assets/completions/muxdeck.bash
"$bin" completions zsh >assets/completions/_muxdeck
"$bin" completions fish >assets/completions/muxdeck.fish
