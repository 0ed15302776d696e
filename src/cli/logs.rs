//! `muxdeck logs`: one session's log as it is, or several merged (`name | line`), limited in
//! time (`--since`), stamped (`--timestamps`), and searched as the TUI searches
//! (`--grep` with smart case, `--invert`, `-C` context groups split by `--`).

use std::io::Write;
use std::time::Duration;

use clap::builder::RangedU64ValueParser;
use clap_complete::ArgValueCandidates;
use tokio::sync::mpsc;

use muxdeck::engine::{Engine, LogEvent};
use muxdeck::logs::plain_text;
use muxdeck::logs::search::{Filter, Grep, GrepOut, Pattern};
use muxdeck::logs::window::{LogWindow, parse_since, split_stamp};
use muxdeck::model::{Location, Session};

use super::{CliError, MAX_LOG_LINES_U64};
use muxdeck::config::values::MAX_LOG_LINES;

/// Lines a log shows without `-n` or `--since`.
const DEFAULT_LINES: usize = 100;
/// Most lines of context `-C` takes.
const MAX_CONTEXT: u64 = 1000;
/// Lines a follow keeps for a slow reader.
const FOLLOW_BUFFER: usize = 100_000;
/// Colors of the name prefixes of a merged log (ANSI 31-36), one per name, stable.
const PREFIX_COLORS: [u8; 6] = [36, 33, 35, 32, 34, 31];

/// The options of `logs` (clap reads them from here).
#[derive(Debug, clap::Args)]
pub struct LogsArgs {
    /// Session names; several print one merged log, each line after `NAME | `.
    #[arg(required = true, value_name = "NAME", add = ArgValueCandidates::new(super::complete::session_names))]
    pub names: Vec<String>,
    /// Number of lines (at most 1000000; default 100, or all with --since).
    #[arg(
        short = 'n',
        long = "lines",
        value_parser = RangedU64ValueParser::<usize>::new().range(0..=MAX_LOG_LINES_U64)
    )]
    pub lines: Option<usize>,
    /// Keep printing new lines until the sessions end.
    #[arg(short, long)]
    pub follow: bool,
    /// Only lines of the last DURATION: 30s, 5m, 2h, 1d (containers; tmux keeps no times).
    #[arg(long, value_name = "DURATION", value_parser = since_value)]
    pub since: Option<Duration>,
    /// Start each line with its time (containers: the runtime's; tmux: when read).
    #[arg(long)]
    pub timestamps: bool,
    /// Only lines matching RE (a regex; smart case: all lower case matches any case).
    #[arg(long, value_name = "RE", value_parser = pattern_value)]
    pub grep: Option<Pattern>,
    /// With --grep: only lines that do not match.
    #[arg(long, requires = "grep")]
    pub invert: bool,
    /// With --grep: N lines of context around each match, groups split by `--`.
    #[arg(
        short = 'C',
        long = "context",
        value_name = "N",
        default_value_t = 0,
        requires = "grep",
        value_parser = RangedU64ValueParser::<usize>::new().range(0..=MAX_CONTEXT)
    )]
    pub context: usize,
    /// Plain text, without the log's colors.
    #[arg(long)]
    pub no_color: bool,
}

fn since_value(text: &str) -> Result<Duration, String> {
    parse_since(text).map_err(|e| e.to_string())
}

fn pattern_value(text: &str) -> Result<Pattern, String> {
    match Pattern::strict(text) {
        Ok(Some(p)) => Ok(p),
        Ok(None) => Err("an empty pattern matches every line; leave --grep out".into()),
        Err(e) => Err(e.to_string()),
    }
}

/// How one source's lines are printed: its prefix in a merged log, its stamps, its filter.
struct Printer {
    /// `name | ` (padded, colored when colors are on) in a merged log.
    prefix: String,
    color: bool,
    /// Lines carry the runtime's stamp in front (containers with --timestamps).
    stamped_by_runtime: bool,
    /// Stamp lines with the time they are read (tmux with --timestamps).
    stamp_on_read: bool,
    grep: Option<Grep<(String, String)>>,
}

impl Printer {
    fn new(args: &LogsArgs, s: &Session, prefix: String, color: bool) -> Self {
        let tmux = matches!(s.id.location, Location::Tmux { .. });
        Printer {
            prefix,
            color,
            stamped_by_runtime: args.timestamps && !tmux,
            stamp_on_read: args.timestamps && tmux,
            grep: args.grep.clone().map(|pattern| {
                Grep::new(
                    Filter {
                        pattern,
                        invert: args.invert,
                    },
                    args.context,
                )
            }),
        }
    }

    /// Prints a line of the log (normalized: text and SGR), or what the filter makes of it.
    fn line(&mut self, out: &mut impl Write, raw: String) -> std::io::Result<()> {
        let (stamp, line) = if self.stamp_on_read {
            (
                jiff::Timestamp::now()
                    .strftime("%Y-%m-%dT%H:%M:%S%.3fZ")
                    .to_string(),
                raw,
            )
        } else if self.stamped_by_runtime
            && let Some((stamp, rest)) = split_stamp(&raw)
        {
            (stamp.to_string(), rest.to_string())
        } else {
            (String::new(), raw)
        };
        let Some(grep) = self.grep.as_mut() else {
            return self.write(out, &stamp, &line);
        };
        let plain = plain_text(&line);
        for o in grep.push((stamp, line), &plain) {
            match o {
                GrepOut::Line((stamp, line), _) => self.write(out, &stamp, &line)?,
                GrepOut::Separator => writeln!(out, "{}--", self.prefix)?,
            }
        }
        Ok(())
    }

    fn write(&self, out: &mut impl Write, stamp: &str, line: &str) -> std::io::Result<()> {
        let sep = if stamp.is_empty() { "" } else { " " };
        if self.color && !self.prefix.is_empty() && line.contains('\x1b') {
            // The next line may be another session's: its colors end with this line.
            writeln!(out, "{}{stamp}{sep}{line}\x1b[0m", self.prefix)
        } else if self.color {
            writeln!(out, "{}{stamp}{sep}{line}", self.prefix)
        } else {
            writeln!(out, "{}{stamp}{sep}{}", self.prefix, plain_text(line))
        }
    }

    fn skipped(&self, out: &mut impl Write, n: u64) -> std::io::Result<()> {
        writeln!(
            out,
            "{}… {n} lines skipped (output too fast) …",
            self.prefix
        )
    }
}

/// The color of `name`'s prefix in a merged log: the same name, the same color, every run.
pub fn prefix_color(name: &str) -> u8 {
    // FNV-1a: stable across runs and builds, unlike the standard hasher.
    let hash = name.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    let i = usize::try_from(hash % PREFIX_COLORS.len() as u64).unwrap_or(0);
    PREFIX_COLORS[i]
}

/// `logs`: one session's log as `muxdeck logs` always printed it, or several merged.
pub async fn logs(engine: &Engine, args: LogsArgs, out: &mut impl Write) -> Result<i32, CliError> {
    let sessions = match args.names.as_slice() {
        [one] => vec![engine.resolve(one).await?],
        several => engine.resolve_each(several).await?,
    };
    let color = !args.no_color && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let merged = sessions.len() > 1;
    let width = args
        .names
        .iter()
        .map(|n| unicode_width::UnicodeWidthStr::width(n.as_str()))
        .max()
        .unwrap_or(0);
    let mut printers: Vec<Printer> = Vec::with_capacity(sessions.len());
    for (name, s) in args.names.iter().zip(&sessions) {
        let prefix = if !merged {
            String::new()
        } else {
            let pad = width.saturating_sub(unicode_width::UnicodeWidthStr::width(name.as_str()));
            let padded = format!("{name}{} | ", " ".repeat(pad));
            if color {
                format!("\x1b[{}m{padded}\x1b[0m", prefix_color(name))
            } else {
                padded
            }
        };
        printers.push(Printer::new(&args, s, prefix, color));
        if args.since.is_some() && matches!(s.id.location, Location::Tmux { .. }) {
            eprintln!(
                "muxdeck: tmux keeps no times: --since shows {} as far back as its history goes",
                s.id
            );
        }
    }
    let window = LogWindow {
        since: args.since,
        timestamps: args.timestamps,
    };
    let lines = args.lines.unwrap_or(if args.since.is_some() {
        MAX_LOG_LINES
    } else {
        DEFAULT_LINES
    });
    if args.follow {
        return follow(engine, &sessions, &mut printers, lines, window, out).await;
    }
    for (s, printer) in sessions.iter().zip(&mut printers) {
        for l in engine.logs_in(s, lines, window).await? {
            printer.line(out, l)?;
        }
    }
    Ok(0)
}

/// Follows every session at once, printing lines in the order they arrive, until all end.
async fn follow(
    engine: &Engine,
    sessions: &[Session],
    printers: &mut [Printer],
    lines: usize,
    window: LogWindow,
    out: &mut impl Write,
) -> Result<i32, CliError> {
    let (tx, mut rx) = mpsc::channel::<(usize, Option<LogEvent>)>(64);
    for (i, s) in sessions.iter().enumerate() {
        let mut stream = engine.follow_in(s, lines, FOLLOW_BUFFER, window).await?;
        let tx = tx.clone();
        tokio::spawn(async move {
            while let Some(ev) = stream.next().await {
                if tx.send((i, Some(ev))).await.is_err() {
                    return;
                }
            }
            let _ = tx.send((i, None)).await;
        });
    }
    drop(tx);
    let mut code = 0;
    let merged = sessions.len() > 1;
    while let Some((i, ev)) = rx.recv().await {
        let (Some(printer), Some(s)) = (printers.get_mut(i), sessions.get(i)) else {
            continue;
        };
        match ev {
            Some(LogEvent::Lines(ls)) => {
                for l in ls {
                    printer.line(out, l)?;
                }
                out.flush()?;
            }
            Some(LogEvent::Skipped(n)) => printer.skipped(out, n)?,
            Some(LogEvent::Ended(_)) | None => {}
            Some(LogEvent::Failed(msg)) => {
                if merged {
                    eprintln!("muxdeck: {}: {msg}", s.id);
                } else {
                    eprintln!("muxdeck: {msg}");
                }
                code = 1;
            }
        }
    }
    Ok(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_colors_are_stable_and_spread() {
        assert_eq!(prefix_color("web"), prefix_color("web"));
        let colors: std::collections::BTreeSet<u8> = ["a", "b", "c", "d", "e", "f", "g", "h"]
            .iter()
            .map(|n| prefix_color(n))
            .collect();
        assert!(colors.len() >= 3, "{colors:?}");
    }
}
