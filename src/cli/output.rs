//! What the subcommands print: the `list` table, `status` text, and the JSON shapes the
//! README documents.

use std::io::Write;

use serde::Serialize;
use unicode_width::UnicodeWidthStr;

use muxdeck::engine::{Health, HostHealth, UsageMap};
use muxdeck::model::{Host, Location, Session, State, format_age};
use muxdeck::stats::{format_cpu, format_memory};

/// Prints one log line, with its colors or without.
pub(super) fn print_line(out: &mut impl Write, line: &str, color: bool) -> std::io::Result<()> {
    if color {
        writeln!(out, "{line}")
    } else {
        writeln!(out, "{}", muxdeck::logs::plain_text(line))
    }
}

/// What a row says besides name and state: panes or image and ports.
fn detail(s: &Session) -> String {
    match &s.id.location {
        Location::Tmux { .. } => match (s.windows, s.panes) {
            (Some(w), Some(p)) => format!(
                "{w} window{}, {p} pane{}",
                if w == 1 { "" } else { "s" },
                if p == 1 { "" } else { "s" }
            ),
            _ if s.from_config => "from config".into(),
            _ => String::new(),
        },
        Location::Container { .. } => {
            let mut d = s.image.clone().unwrap_or_default();
            if !s.ports.is_empty() {
                d.push(' ');
                d.push_str(&s.ports.join(","));
            }
            d
        }
    }
}

/// The `list` table; with a HOST column when hosts are configured.
pub(super) fn write_table(
    out: &mut impl Write,
    sessions: &[Session],
    usage: Option<&UsageMap>,
    now: i64,
    with_host: bool,
) -> std::io::Result<()> {
    let rows: Vec<Vec<String>> = sessions
        .iter()
        .map(|s| {
            let mut row = vec![
                s.id.host.to_string(),
                s.id.name.clone(),
                s.backend_label(),
                s.state.to_string(),
                s.pid.map_or_else(|| "-".into(), |p| p.to_string()),
                format_age(s.created, now),
                if s.from_config {
                    "yes".into()
                } else {
                    String::new()
                },
                detail(s),
            ];
            if let Some(m) = usage {
                let u = m.get(&s.id);
                let alive = s.state.is_alive();
                let cell = |text: String| if alive { text } else { "-".into() };
                row.insert(6, cell(format_cpu(u.and_then(|u| u.cpu_percent))));
                row.insert(7, cell(format_memory(u.and_then(|u| u.memory_bytes))));
            }
            row
        })
        .collect();
    let mut header = vec![
        "HOST", "NAME", "BACKEND", "STATE", "PID", "AGE", "CONFIG", "DETAIL",
    ];
    if usage.is_some() {
        header.insert(6, "CPU");
        header.insert(7, "MEM");
    }
    // Without hosts the HOST column would say `local` on every row: it is left out.
    let skip = usize::from(!with_host);
    let mut widths: Vec<usize> = header.iter().map(|h| h.width()).collect();
    for r in &rows {
        for (w, c) in widths.iter_mut().zip(r) {
            *w = (*w).max(c.width());
        }
    }
    let line = |out: &mut dyn Write, cells: &[&str]| -> std::io::Result<()> {
        let mut text = String::new();
        for (i, (c, w)) in cells.iter().zip(&widths).enumerate().skip(skip) {
            text.push_str(c);
            if i + 1 < cells.len() {
                text.push_str(&" ".repeat(w - c.width() + 2));
            }
        }
        writeln!(out, "{}", text.trim_end())
    };
    line(out, &header)?;
    for r in &rows {
        let cells: Vec<&str> = r.iter().map(String::as_str).collect();
        line(out, &cells)?;
    }
    if sessions.is_empty() {
        writeln!(
            out,
            "(no sessions: nothing runs in tmux or containers, and the config defines none)"
        )?;
    }
    Ok(())
}

/// The `status` text of one session.
pub(super) fn write_status(out: &mut impl Write, s: &Session, now: i64) -> std::io::Result<()> {
    writeln!(out, "name:     {}", s.id.name)?;
    writeln!(out, "id:       {}", s.id.qualified())?;
    if !s.id.host.is_local() {
        writeln!(out, "host:     {}", s.id.host)?;
    }
    writeln!(out, "backend:  {}", s.backend_label())?;
    writeln!(out, "state:    {}", s.state)?;
    if let Some(p) = s.pid {
        writeln!(out, "pid:      {p}")?;
    }
    if s.created.is_some() {
        writeln!(out, "age:      {}", format_age(s.created, now))?;
    }
    let d = detail(s);
    if !d.is_empty() {
        writeln!(out, "detail:   {d}")?;
    }
    writeln!(
        out,
        "config:   {}",
        if s.from_config { "yes" } else { "no" }
    )
}

/// The JSON shape of `list` (documented in the README).
#[derive(Serialize)]
pub(super) struct ListJson<'a> {
    pub(super) sessions: Vec<ListedJson<'a>>,
    pub(super) backends: &'a [Health],
    pub(super) hosts: &'a [HostHealth],
}

/// One session of `list --json`: its object, and with `--stats` its use (null when it does
/// not run or could not be measured).
#[derive(Serialize)]
pub(super) struct ListedJson<'a> {
    #[serde(flatten)]
    session: SessionJson<'a>,
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    usage: Option<UsageJson>,
}

/// `cpu_percent` and `memory_bytes` of `list --json --stats`.
#[derive(Serialize)]
struct UsageJson {
    cpu_percent: Option<f64>,
    memory_bytes: Option<u64>,
}

impl<'a> ListedJson<'a> {
    /// The session, with its use when `usage` was measured.
    pub(super) fn new(s: &'a Session, usage: Option<&UsageMap>) -> Self {
        ListedJson {
            session: SessionJson::from(s),
            usage: usage.map(|m| {
                let u = m.get(&s.id).copied().unwrap_or_default();
                UsageJson {
                    // Two decimals: more is noise.
                    cpu_percent: u.cpu_percent.map(|c| (c * 100.0).round() / 100.0),
                    memory_bytes: u.memory_bytes,
                }
            }),
        }
    }
}

/// The JSON shape of `status`: the session's list object, and its details (documented in
/// the README); `details` is null for a session that is defined but not started.
#[derive(Serialize)]
pub(super) struct StatusJson<'a> {
    #[serde(flatten)]
    pub(super) session: SessionJson<'a>,
    pub(super) details: Option<&'a muxdeck::details::Details>,
}

/// The stable JSON shape of one session (documented in the README).
#[derive(Serialize)]
pub(super) struct SessionJson<'a> {
    host: &'a Host,
    name: &'a str,
    id: String,
    backend: &'static str,
    location: &'a str,
    state: &'static str,
    exit_code: Option<i32>,
    pid: Option<u32>,
    created: Option<i64>,
    windows: Option<u32>,
    panes: Option<u32>,
    image: Option<&'a str>,
    ports: &'a [String],
    from_config: bool,
    group: Option<&'a muxdeck::model::Group>,
}

impl<'a> From<&'a Session> for SessionJson<'a> {
    fn from(s: &'a Session) -> Self {
        SessionJson {
            host: &s.id.host,
            name: &s.id.name,
            id: s.id.qualified(),
            backend: s.id.location.kind().as_str(),
            location: s.id.location.label(),
            state: s.state.as_str(),
            exit_code: match s.state {
                State::Exited(c) => c,
                _ => None,
            },
            pid: s.pid,
            created: s.created,
            windows: s.windows,
            panes: s.panes,
            image: s.image.as_deref(),
            ports: &s.ports,
            from_config: s.from_config,
            group: s.group.as_ref(),
        }
    }
}
