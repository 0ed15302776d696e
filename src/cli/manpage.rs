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

const EXIT_STATUS: &str = "0: done. 1: the operation failed, or the session was not found. \
2: a usage or config error. exec and attach exit with the status of what they ran.";

const ENVIRONMENT: &str = "MUXDECK_CONFIG: the config file, when --config is not given.

TMUX_TMPDIR: where tmux keeps its sockets; every socket there is listed.

NO_COLOR: when set to anything, no colors.

COMPLETE: set by the completion scripts (muxdeck completions SHELL); muxdeck then prints \
completions instead of running.";

const FILES: &str = "~/.config/muxdeck/config.yml: the config file (sessions, defaults, \
backends, keys). muxdeck config init prints a commented one.

~/.local/state/muxdeck/stopped: the containers muxdeck stopped, listed as stopped until \
started or removed again.";

const SEE_ALSO: &str = "tmux(1), podman(1), docker(1)";
