//! `muxdeck config init`: a commented starter config, or (`--from NAME...`, `--all`) the
//! definitions of sessions that run, written so that `muxdeck config check` accepts them
//! and starting one makes the session again. What a definition cannot say (a secret, a
//! host address on a port, an odd mount) is left out or masked, and marked `TODO`.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::Path;

use muxdeck::config::capture::{config_name, definition, quote};
use muxdeck::config::{self, HostDef};
use muxdeck::engine::Captured;
use muxdeck::model::{Host, Session};

/// The starter config: defaults spelled out, examples commented.
pub const STARTER: &str = r##"# muxdeck config (muxdeck config init). Check it with `muxdeck config check`;
# config.example.yml (in the package's docs) documents every key.
# Found by: --config PATH, else $MUXDECK_CONFIG, else ~/.config/muxdeck/config.yml.

defaults:
  backend: tmux              # tmux | container: backend of sessions that name none
  container_runtime: auto    # auto | podman | docker
  stop_timeout: 10           # seconds a graceful stop waits before forcing
  command_timeout: 5         # seconds any single backend call may take

# Which backends muxdeck asks (default: tmux and the runtimes installed).
# backends: [tmux, podman, docker]

# TUI keys by action name (`?` in the app lists every action).
# keys:
#   quit: [q, ctrl-c]

# Colors: a base (dark, the default; light; high-contrast), single elements replaced by a
# name, a 256-color index or "#rrggbb" (config.example.yml lists every element).
# NO_COLOR=1 turns colors off whatever this says.
# theme:
#   base: light
#   selected_bg: "#dde4ff"

# The mouse is on: a click selects, the wheel scrolls, a double click attaches. false
# leaves it to the terminal, so its own text selection works.
# mouse: false

# Your own commands on the selected session: its key in the TUI (listed by `?`), or
# `muxdeck cmd top SESSION`. {name} {id} {host} {backend} {socket} {runtime} expand inside
# one argument each; no shell reads them unless argv says `sh -c`.
# commands:
#   top:
#     key: T
#     for: [container]         # tmux | container | both (default: both)
#     argv: ["podman", "top", "{name}"]
#     output: pane             # pane (the log pane) | handover (the terminal) | silent
#     confirm: false           # true: ask first

# Sessions muxdeck can start. `muxdeck config init --from NAME` (or --all) writes these
# from sessions that run now.
sessions:
  # api-dev:
  #   backend: tmux
  #   command: "cargo run --bin api"
  #   working_dir: ~/src/api
  #   env: { RUST_LOG: debug }
  #   socket: work             # tmux -L socket name (default: the default server)
  # api-prod:
  #   backend: container
  #   image: localhost/acme/api:1.4
  #   command: "/app/api --port 8080"
  #   ports: ["8080:8080"]
  #   volumes: ["./data:/data:ro"]
  #   env: { APP_ENV: production }
"##;

/// The file `config init --from` prints: a header, the `hosts:` the sessions live on
/// (from `hosts`, the config's), and one definition per session. `file` anchors the check
/// of each definition (relative paths, the file in errors).
pub fn captured_file(captures: &[(Session, Captured)], file: &Path, hosts: &[HostDef]) -> String {
    let mut out = String::from(
        "# muxdeck config captured from running sessions (muxdeck config init --from).\n\
         # Check it with `muxdeck config check`; lines marked TODO need a look.\n\n",
    );
    let used: BTreeSet<&str> = captures
        .iter()
        .filter_map(|(s, _)| match &s.id.host {
            Host::Remote(name) => Some(name.as_str()),
            Host::Local => None,
        })
        .collect();
    let hosts_yaml = hosts_section(hosts, &used);
    out.push_str(&hosts_yaml);
    out.push_str("sessions:\n");
    let mut taken = BTreeSet::new();
    for (session, captured) in captures {
        let name = config_name(&session.id.name, &mut taken);
        let block = definition(session, &name, captured);
        // Each definition is checked as the config will be: one the loader would refuse
        // is kept for the reader, commented out with the reason.
        match config::parse(&format!("{hosts_yaml}sessions:\n{block}"), file) {
            Ok(_) => out.push_str(&block),
            Err(e) => {
                let _ = writeln!(out, "  # TODO: not valid as it is ({e}):");
                for line in block.lines() {
                    let _ = writeln!(out, "  # {line}");
                }
            }
        }
    }
    out
}

/// `hosts:` with the entries of the hosts the captured sessions live on; empty when all
/// are on this machine.
fn hosts_section(hosts: &[HostDef], used: &BTreeSet<&str>) -> String {
    if used.is_empty() {
        return String::new();
    }
    let mut out = String::from("# As in the config they were captured with.\nhosts:\n");
    for h in hosts.iter().filter(|h| used.contains(h.name.as_str())) {
        let _ = writeln!(out, "  {}:", h.name);
        let _ = writeln!(out, "    ssh: {}", quote(&h.destination));
        if let Some(p) = h.port {
            let _ = writeln!(out, "    port: {p}");
        }
        if let Some(t) = &h.tmux_tmpdir {
            let _ = writeln!(out, "    tmux_tmpdir: {}", quote(t));
        }
    }
    out.push('\n');
    out
}
