//! The details pane (`i`): the last minute of CPU and memory as sparklines, then what the
//! backend tells about the selected session — a container's inspect facts (secrets masked
//! unless the config shows them), or a tmux session's windows and panes as a tree.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Sparkline, Wrap};

use super::theme::Theme;
use crate::details::{ContainerDetails, Details, TmuxDetails};
use crate::model::format_age;
use crate::stats::{format_cpu, format_memory};
use crate::tui::app::App;

/// Draws the pane into `area`.
pub fn render(app: &App, now: i64, theme: Theme, frame: &mut Frame, area: Rect) {
    let sel = app.selected_session();
    let title = match sel {
        Some(s) => format!(" details: {} ", s.id),
        None => " details ".into(),
    };
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.dim())
        .title(Span::styled(title, theme.title()));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let Some(s) = sel else {
        return;
    };
    let history = app.insight.history.get(&s.id);
    let spark_rows = if history.is_some() && inner.height >= 6 {
        2
    } else {
        0
    };
    let [sparks, text] =
        Layout::vertical([Constraint::Length(spark_rows), Constraint::Fill(1)]).areas(inner);
    if let Some(h) = history.filter(|_| spark_rows > 0) {
        let last = h.last().copied().unwrap_or_default();
        let rows = Layout::vertical([Constraint::Length(1), Constraint::Length(1)]).split(sparks);
        let cpu_label = format!("CPU {:>6} ", format_cpu(last.cpu_percent));
        let mem_label = format!("MEM {:>6} ", format_memory(last.memory_bytes));
        for (row, label, series) in [
            (rows[0], cpu_label, h.cpu_series()),
            (rows[1], mem_label, h.memory_series()),
        ] {
            let w = u16::try_from(label.len())
                .unwrap_or(u16::MAX)
                .min(row.width);
            let [l, r] =
                Layout::horizontal([Constraint::Length(w), Constraint::Fill(1)]).areas(row);
            frame.render_widget(Span::styled(label, theme.dim()), l);
            // The newest sample sits at the right edge.
            let skip = series.len().saturating_sub(usize::from(r.width));
            frame.render_widget(
                Sparkline::default()
                    .data(&series[skip..])
                    .style(theme.marker()),
                r,
            );
        }
    }
    let lines = match &app.insight.details {
        Some((id, Ok(Some(d)))) if *id == s.id => detail_lines(d, now, theme),
        Some((id, Ok(None))) if *id == s.id => {
            vec![Line::styled(
                "no details: the session is not running or is gone",
                theme.dim(),
            )]
        }
        Some((id, Err(e))) if *id == s.id => vec![Line::styled(e.clone(), theme.error())],
        _ => vec![Line::styled("loading…", theme.dim())],
    };
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), text);
}

/// The lines of one session's details.
fn detail_lines(d: &Details, now: i64, theme: Theme) -> Vec<Line<'static>> {
    match d {
        Details::Container(c) => container_lines(c, now, theme),
        Details::Tmux(t) => tmux_lines(t, now, theme),
    }
}

/// `label  value` with the label dimmed.
fn field(label: &str, value: impl Into<String>, theme: Theme) -> Line<'static> {
    Line::from(vec![
        Span::styled(format!("{label:<9}"), theme.dim()),
        Span::raw(value.into()),
    ])
}

fn ago(t: Option<i64>, now: i64) -> String {
    match t {
        Some(_) => format!("{} ago", format_age(t, now)),
        None => "-".into(),
    }
}

fn container_lines(c: &ContainerDetails, now: i64, theme: Theme) -> Vec<Line<'static>> {
    let short: String = c.id.chars().take(12).collect();
    let mut out = vec![
        field("id", short, theme),
        field("image", c.image.clone().unwrap_or_default(), theme),
    ];
    if let Some(d) = &c.image_digest {
        out.push(field("digest", d.clone(), theme));
    }
    out.push(field("command", shell_words::join(&c.command), theme));
    let mut state = c.state.clone();
    if let Some(code) = c.exit_code.filter(|_| c.finished.is_some()) {
        state.push_str(&format!(" (exit {code})"));
    }
    if c.restart_count > 0 {
        state.push_str(&format!(", {} restarts", c.restart_count));
    }
    out.push(field("state", state, theme));
    out.push(field(
        "times",
        format!(
            "created {} · started {} · finished {}",
            ago(c.created, now),
            ago(c.started, now),
            ago(c.finished, now)
        ),
        theme,
    ));
    if let Some(h) = &c.health {
        let mut text = h.status.clone();
        if h.failing_streak > 0 {
            text.push_str(&format!(" ({} failing)", h.failing_streak));
        }
        if let Some(o) = &h.last_output {
            text.push_str(&format!(": {}", o.lines().next().unwrap_or("")));
        }
        out.push(field("health", text, theme));
    }
    if !c.ports.is_empty() {
        out.push(field("ports", c.ports.join(", "), theme));
    }
    for m in &c.mounts {
        let rw = if m.rw { "rw" } else { "ro" };
        out.push(field(
            "mount",
            format!("{} → {} ({}, {rw})", m.source, m.destination, m.kind),
            theme,
        ));
    }
    for n in &c.networks {
        out.push(field("network", format!("{} {}", n.name, n.ip), theme));
    }
    if let Some(p) = &c.pod {
        out.push(field("pod", p.chars().take(12).collect::<String>(), theme));
    }
    if let Some(p) = &c.project {
        out.push(field("project", p.clone(), theme));
    }
    for (k, v) in &c.labels {
        out.push(field("label", format!("{k}={v}"), theme));
    }
    for e in &c.env {
        let value = if e.masked {
            Span::styled(e.value.clone(), theme.dim())
        } else {
            Span::raw(e.value.clone())
        };
        out.push(Line::from(vec![
            Span::styled(format!("{:<9}", "env"), theme.dim()),
            Span::raw(format!("{}=", e.key)),
            value,
        ]));
    }
    out
}

fn tmux_lines(t: &TmuxDetails, now: i64, theme: Theme) -> Vec<Line<'static>> {
    let mut out = vec![
        field("socket", t.socket_path.clone(), theme),
        field("session", t.session_id.clone(), theme),
        field("created", ago(t.created, now), theme),
        field("clients", t.attached_clients.to_string(), theme),
    ];
    for w in &t.windows {
        let mark = if w.active { " *" } else { "" };
        out.push(Line::from(vec![Span::styled(
            format!("{}: {}{mark}", w.index, w.name),
            theme.title(),
        )]));
        let n = w.panes.len();
        for (i, p) in w.panes.iter().enumerate() {
            let branch = if i + 1 == n { "└" } else { "├" };
            let active = if p.active { "*" } else { " " };
            let pid = p.pid.map_or_else(|| "-".into(), |p| p.to_string());
            let dead = if p.dead { " (exited)" } else { "" };
            out.push(Line::from(vec![
                Span::styled(
                    format!(" {branch} {} {}{active} ", p.id, p.index),
                    theme.dim(),
                ),
                Span::raw(format!("{}{dead}", p.command)),
                Span::styled(
                    format!("  {}  pid {pid}  {}x{}", p.cwd, p.width, p.height),
                    theme.dim(),
                ),
            ]));
        }
    }
    out
}
