//! `muxdeck man`: the manual page, in roff, generated from the clap definition by
//! clap_mangen, with every subcommand and its options on the one page (where
//! clap_mangen alone would point at a page per subcommand) and the sections a person
//! looks for in a man page: names, exit status, environment, files.

use std::io::Write;

use clap::{Arg, Command};
use clap_mangen::Man;
use roff::{Roff, bold, italic, roman};

/// Writes the page. The version is the package's alone (not the commit `--version`
/// adds), so the page committed under `assets/` changes only with the release.
pub fn write_page(cmd: Command, out: &mut dyn Write) -> std::io::Result<()> {
    let mut cmd = cmd
        .version(env!("CARGO_PKG_VERSION"))
        .disable_help_subcommand(true);
    cmd.build();
    let man = Man::new(cmd.clone()).manual("muxdeck manual");
    man.render_title(out)?;
    man.render_name_section(out)?;
    man.render_synopsis_section(out)?;
    man.render_description_section(out)?;
    man.render_options_section(out)?;
    let mut page = Roff::new();
    page.control("SH", ["COMMANDS"]);
    for sub in visible_subcommands(&cmd) {
        commands(&mut page, "muxdeck", sub);
    }
    prose(&mut page, "SESSION NAMES", NAMES);
    prose(&mut page, "THE SCREEN", SCREEN);
    prose(&mut page, "CONFIGURATION", CONFIGURATION);
    prose(&mut page, "EXIT STATUS", EXIT_STATUS);
    prose(&mut page, "ENVIRONMENT", ENVIRONMENT);
    prose(&mut page, "FILES", FILES);
    prose(&mut page, "SEE ALSO", SEE_ALSO);
    page.to_writer(out)?;
    man.render_version_section(out)
}

/// A subcommand (and those under it): its synopsis, what it does, and its arguments.
fn commands(page: &mut Roff, parent: &str, cmd: &Command) {
    let path = format!("{parent} {}", cmd.get_name());
    let subs: Vec<&Command> = visible_subcommands(cmd).collect();
    if !subs.is_empty() {
        for sub in subs {
            commands(page, &path, sub);
        }
        return;
    }
    let mut synopsis = vec![bold(path)];
    for arg in visible_args(cmd) {
        synopsis.push(roman(" "));
        synopsis.push(roman(arg_synopsis(arg)));
    }
    page.control("TP", []).text(synopsis);
    if let Some(about) = cmd.get_long_about().or_else(|| cmd.get_about()) {
        page.text([roman(about.to_string())]);
    }
    let args: Vec<&Arg> = visible_args(cmd).collect();
    if args.is_empty() {
        return;
    }
    page.control("RS", []);
    for arg in args {
        page.control("TP", []).text([italic(arg_name(arg))]);
        if let Some(help) = arg.get_long_help().or_else(|| arg.get_help()) {
            page.text([roman(help.to_string())]);
        }
    }
    page.control("RE", []);
}

fn visible_subcommands(cmd: &Command) -> impl Iterator<Item = &Command> {
    cmd.get_subcommands().filter(|s| !s.is_hide_set())
}

/// The arguments a person gives: not hidden, not the global ones (listed under OPTIONS),
/// not `--help`.
fn visible_args(cmd: &Command) -> impl Iterator<Item = &Arg> {
    cmd.get_arguments()
        .filter(|a| !a.is_hide_set() && !a.is_global_set() && a.get_id() != "help")
}

/// How the argument is written: `NAME`, `-n, --lines N`, `--json`.
fn arg_name(arg: &Arg) -> String {
    let value = || {
        arg.get_value_names()
            .and_then(|v| v.first())
            .map_or_else(|| arg.get_id().as_str().to_uppercase(), |v| v.to_string())
    };
    if arg.is_positional() {
        return if arg.is_last_set() {
            format!("-- {}...", value())
        } else {
            value()
        };
    }
    let mut flags = Vec::new();
    if let Some(s) = arg.get_short() {
        flags.push(format!("-{s}"));
    }
    if let Some(l) = arg.get_long() {
        flags.push(format!("--{l}"));
    }
    let takes_value = arg.get_num_args().is_some_and(|n| n.takes_values());
    if takes_value {
        format!("{} {}", flags.join(", "), value())
    } else {
        flags.join(", ")
    }
}

/// The argument in a synopsis: optional ones in brackets.
fn arg_synopsis(arg: &Arg) -> String {
    let name = arg_name(arg);
    let name = name.rsplit(", ").next().unwrap_or(&name).to_string();
    if arg.is_required_set() {
        name
    } else {
        format!("[{name}]")
    }
}

/// A section of plain paragraphs (an empty line separates them).
fn prose(page: &mut Roff, heading: &str, text: &str) {
    page.control("SH", [heading]);
    for (i, paragraph) in text.split("\n\n").enumerate() {
        if i > 0 {
            page.control("PP", []);
        }
        page.text([roman(
            paragraph.split_whitespace().collect::<Vec<_>>().join(" "),
        )]);
    }
}

const NAMES: &str = "NAME may be qualified: tmux:NAME (any socket), tmux@SOCKET:NAME, \
podman:NAME, docker:NAME, container:NAME (any runtime). Names match exactly. A bare name \
that several sessions have is refused with the qualified choices.";

const SCREEN: &str = "muxdeck without a command opens the screen: every session above, the \
live log of the selected one below, the last result and the key hints at the bottom. ? lists \
every key with its action name (for keys: in the config) and the config's own commands. \
Enter attaches (tmux: prefix, then d comes back), s starts, x stops, X kills, r restarts, \
W adds the selected session to the config file, q quits. A click selects a row or focuses a \
pane, the wheel scrolls the pane under the pointer, a click on a column header sorts by it, \
a double click attaches.";

const CONFIGURATION: &str = "The config is YAML; every key is optional. sessions: what \
muxdeck can start (tmux commands, containers). defaults: backend, runtimes, binaries, \
stop_timeout, command_timeout. backends: which backends are asked. hosts: and ssh_config: \
other machines, over ssh. keys: TUI keys by action name. commands: your own argv on a \
session, run by its key or by muxdeck cmd; {name} {id} {host} {backend} {socket} {runtime} \
expand inside single arguments, with no shell. theme: dark, light or high-contrast, or \
{ base: light, selected_bg: \"#dde4ff\", ... } with colors as names, 0-255 or #rrggbb \
(NO_COLOR wins). mouse: false leaves the mouse to the terminal. grouped:, log_lines:, \
logs:, details: and notify: tune the screen.

muxdeck config init prints a commented starter config, and with --from NAME... or --all \
the definitions of sessions that run now. muxdeck config check names the file, line and \
column of any error. config.example.yml (in the Debian package: \
/usr/share/doc/muxdeck/examples/config.yml) documents every key.";

const EXIT_STATUS: &str = "0: done. 1: the operation failed, or the session was not found. \
2: a usage or config error. exec and attach exit with the status of what they ran.";

const ENVIRONMENT: &str = "MUXDECK_CONFIG: the config file, when --config is not given.

TMUX_TMPDIR: where tmux keeps its sockets; every socket there is listed.

NO_COLOR: when set to anything, no colors.

COMPLETE: set by the completion scripts (muxdeck completions SHELL); muxdeck then prints \
completions instead of running.";

const FILES: &str = "~/.config/muxdeck/config.yml: the config file (see CONFIGURATION). \
muxdeck config init prints a commented one.

~/.local/state/muxdeck/stopped: the containers muxdeck stopped, listed as stopped until \
started or removed again.";

const SEE_ALSO: &str = "tmux(1), podman(1), docker(1)";

#[cfg(test)]
mod tests {
    use super::*;

    /// The page says what each top-level key of the config is for: someone reading
    /// `man muxdeck` learns that `theme:`, `mouse:` and `commands:` exist.
    #[test]
    fn the_page_names_every_top_level_config_key() {
        let example = std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("config.example.yml"),
        )
        .unwrap_or_default();
        let keys: Vec<&str> = example
            .lines()
            .filter_map(|l| l.split_once(':').map(|(k, _)| k))
            .filter(|k| !k.is_empty() && k.chars().all(|c| c.is_ascii_lowercase() || c == '_'))
            .collect();
        assert!(keys.len() >= 10, "{keys:?}");
        let mut out = Vec::new();
        let written = write_page(
            <crate::cli::Cli as clap::CommandFactory>::command(),
            &mut out,
        );
        assert!(written.is_ok());
        let page = String::from_utf8_lossy(&out);
        let section = page
            .split(".SH CONFIGURATION")
            .nth(1)
            .and_then(|s| s.split(".SH ").next())
            .unwrap_or_default();
        for key in keys {
            assert!(
                section.contains(&format!("{key}:")),
                "CONFIGURATION does not name {key}:\n{section}"
            );
        }
    }
}
