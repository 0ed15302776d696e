//! The status bar: the last result (or an operation in flight), backend health, and key
//! hints that follow the selection and the focused pane. A result is never lost: the
//! health text shrinks first, then the result takes a second row, and what still does not
//! fit ends in a pointer to the messages overlay, which shows it whole.

use ratatui::Frame;
use ratatui::layout::{Alignment, Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use super::theme::Theme;
use crate::engine::Source;
use crate::tui::app::{App, Focus, Level, Mode};
use crate::tui::keys::Action;
use crate::tui::wording;

/// How much of the backend health the top row shows, from all of it to none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Detail {
    /// `tmux: 12 on 3 servers · podman: 14 · docker: not running`.
    Full,
    /// Server counts dropped: `tmux: 12 · podman: 14 · docker: not running`.
    Counts,
    /// Only the backends with a problem: `docker: not running`.
    Problems,
    /// The backends with a problem, and the hosts that do not answer counted in one
    /// entry: `5 of 20 hosts down: h15 h16 h17…`.
    HostCount,
    /// An empty row: not even the problems fit.
    Nothing,
}

const DETAILS: [Detail; 5] = [
    Detail::Full,
    Detail::Counts,
    Detail::Problems,
    Detail::HostCount,
    Detail::Nothing,
];

/// The health entries at `detail`: text and whether the backend is fine.
fn health(app: &App, sources: &[Source], detail: Detail) -> Vec<(String, bool)> {
    let mut items: Vec<(String, bool)> = app
        .health_line(sources)
        .into_iter()
        .enumerate()
        .filter_map(|(i, (text, ok))| match detail {
            Detail::Full => Some((text, ok)),
            Detail::Counts if ok => Some((text.split(" on ").next().unwrap_or("").to_string(), ok)),
            Detail::Counts | Detail::Problems => (!ok).then_some((text, ok)),
            // Hosts (after the sources) are counted below instead.
            Detail::HostCount => (!ok && i < sources.len()).then_some((text, ok)),
            Detail::Nothing => None,
        })
        .collect();
    if detail == Detail::HostCount {
        let down: Vec<String> = app
            .hosts
            .iter()
            .filter(|h| h.stale_since().is_some() || !h.text(std::time::Instant::now()).1)
            .map(|h| h.host.to_string())
            .collect();
        if !down.is_empty() {
            let mut names = down.iter().take(3).cloned().collect::<Vec<_>>().join(" ");
            if down.len() > 3 {
                names.push('…');
            }
            items.push((
                format!("{} of {} hosts down: {names}", down.len(), app.hosts.len()),
                false,
            ));
        }
    }
    items
}

fn health_width(items: &[(String, bool)]) -> usize {
    let text: usize = items.iter().map(|(t, _)| t.width()).sum();
    text + 3 * items.len().saturating_sub(1)
}

/// What the message rows show: the message cut into at most two rows, and the health
/// detail that fits beside the last one.
struct Plan {
    rows: Vec<String>,
    style: Style,
    detail: Detail,
}

/// The message in flight or the last result, with its style.
fn message(app: &App, theme: Theme) -> (String, Style) {
    if let Some(b) = app.busy.last() {
        (format!("⟳ {b}"), theme.note())
    } else if let Some((msg, level)) = &app.message {
        let style = if *level == Level::Error {
            theme.error()
        } else {
            Style::default()
        };
        (msg.clone(), style)
    } else {
        (String::new(), Style::default())
    }
}

/// Lays the message and the health out in `width` columns on at most `max_rows` rows.
fn plan(app: &App, sources: &[Source], width: usize, max_rows: usize, theme: Theme) -> Plan {
    let (text, style) = message(app, theme);
    let widths: Vec<usize> = DETAILS
        .iter()
        .map(|d| health_width(&health(app, sources, *d)))
        .collect();
    // The widest health that fits beside `used` columns of message.
    let beside = |used: usize| -> Detail {
        let gap = if used == 0 { 0 } else { 2 };
        DETAILS
            .iter()
            .zip(&widths)
            .find(|(_, w)| used + gap + **w <= width)
            .map_or(Detail::Nothing, |(d, _)| *d)
    };
    let w = text.width();
    if w == 0 || max_rows <= 1 || w + 2 + widths[2] <= width {
        let row = if max_rows <= 1 && w > width {
            cut(&text, width, &more(app))
        } else {
            text
        };
        let detail = beside(row.width());
        return Plan {
            rows: vec![row],
            style,
            detail,
        };
    }
    let (first, rest) = split_row(&text, width);
    // Problems stay in sight beside the second row; what does not fit then points to the
    // overlay that shows it whole.
    let problems = widths[2];
    let room = width.saturating_sub(if problems > 0 { problems + 2 } else { 0 });
    let second = if rest.width() <= room {
        rest
    } else {
        cut(&rest, room, &more(app))
    };
    let detail = beside(second.width());
    Plan {
        rows: vec![first, second],
        style,
        detail,
    }
}

/// The tail that says where the rest of a cut message is.
fn more(app: &App) -> String {
    format!("… {} shows all", app.keymap.hint(Action::Messages))
}

/// How many rows the status bar wants in `width` columns given at most `max` rows: the
/// hints, and one or two rows of message.
pub fn height(app: &App, sources: &[Source], width: u16, max: u16) -> u16 {
    if max <= 1 {
        return max;
    }
    let rows = plan(
        app,
        sources,
        usize::from(width),
        usize::from(max - 1),
        Theme::new(true),
    )
    .rows
    .len();
    u16::try_from(rows + 1).unwrap_or(max).min(max)
}

/// Draws the status rows: message rows (with the health on the last one), then hints.
/// With one row, only the hints.
pub fn render(app: &App, sources: &[Source], theme: Theme, frame: &mut Frame, area: Rect) {
    let message_rows = area.height.saturating_sub(1);
    let [top, bottom] =
        Layout::vertical([Constraint::Length(message_rows), Constraint::Length(1)]).areas(area);
    if top.height > 0 {
        let p = plan(
            app,
            sources,
            usize::from(top.width),
            usize::from(top.height),
            theme,
        );
        let last = p.rows.len().saturating_sub(1);
        for (i, row) in p.rows.iter().enumerate() {
            let Ok(y) = u16::try_from(i) else { break };
            if y >= top.height {
                break;
            }
            let line = Rect::new(top.x, top.y + y, top.width, 1);
            frame.render_widget(Paragraph::new(Span::styled(row.clone(), p.style)), line);
            if i == last {
                let mut right = Vec::new();
                for (j, (text, ok)) in health(app, sources, p.detail).into_iter().enumerate() {
                    if j > 0 {
                        right.push(Span::styled(" · ", theme.dim()));
                    }
                    right.push(Span::styled(
                        text,
                        if ok { theme.dim() } else { theme.error() },
                    ));
                }
                let used = u16::try_from(row.width() + 2).unwrap_or(u16::MAX);
                let [_, right_area] =
                    Layout::horizontal([Constraint::Length(used), Constraint::Fill(1)]).areas(line);
                frame.render_widget(
                    Paragraph::new(Line::from(right)).alignment(Alignment::Right),
                    right_area,
                );
            }
        }
    }
    let spans = hint_spans(app, theme, usize::from(bottom.width));
    frame.render_widget(Paragraph::new(Line::from(spans)), bottom);
}

/// Hints for the mode, the focused pane and the selected session, as many as fit in
/// `width`; help and quit always stay.
fn hint_spans(app: &App, theme: Theme, width: usize) -> Vec<Span<'static>> {
    let km = &app.keymap;
    let hints: Vec<(String, &str)> = match &app.mode {
        Mode::Filter => vec![
            (km.hint(Action::Keep), "keep filter"),
            (km.hint(Action::ClearFilter), "clear"),
        ],
        Mode::LogPrompt(_) => vec![
            (km.hint(Action::Keep), "keep"),
            (km.hint(Action::ClearFilter), "clear"),
        ],
        Mode::ConfirmMany(..) => vec![
            (km.hint(Action::Confirm), "yes"),
            (km.hint(Action::Cancel), "no"),
            ("↑/↓".into(), "scroll the names"),
        ],
        Mode::Confirm(..) | Mode::ConfirmCommand(..) | Mode::ConfirmWrite(..) => vec![
            (km.hint(Action::Confirm), "yes"),
            (km.hint(Action::Cancel), "no"),
        ],
        Mode::Help => vec![("Esc".into(), "close help")],
        Mode::Messages => vec![("Esc".into(), "close messages")],
        Mode::Events => vec![("Esc".into(), "close history")],
        Mode::Prompt(_) => vec![
            (km.hint(Action::SendLine), "send"),
            (
                km.hint(Action::PromptKeys),
                if app.prompt_keys {
                    "type a line"
                } else {
                    "press key names"
                },
            ),
            (km.hint(Action::ClosePrompt), "close"),
        ],
        Mode::Normal => normal_hints(app),
    };
    // The fixed tail (help, quit) is kept; the others are dropped from the end to fit.
    let fixed = [
        (km.hint(Action::Help), "help"),
        (km.hint(Action::Quit), "quit"),
    ];
    let cost = |(k, w): &(String, &str)| k.width() + w.width() + 3;
    let flag_width: usize = flag_spans(app, theme)
        .iter()
        .map(|s| s.content.width())
        .sum();
    let mut room = width
        .saturating_sub(flag_width)
        .saturating_sub(if app.mode == Mode::Normal {
            fixed.iter().map(cost).sum()
        } else {
            0
        });
    let mut shown: Vec<(String, &str)> = Vec::new();
    for h in hints {
        if cost(&h) > room {
            break;
        }
        room -= cost(&h);
        shown.push(h);
    }
    if app.mode == Mode::Normal {
        shown.extend(fixed);
    }
    let mut spans = flag_spans(app, theme);
    for (key, what) in shown {
        spans.push(Span::styled(key, theme.key()));
        spans.push(Span::raw(format!(" {what}  ")));
    }
    spans
}

/// The flag of a failure seen nowhere yet: `⚑ podman:web exited (3) · E history`, in red,
/// before the hints, until the history is opened.
fn flag_spans(app: &App, theme: Theme) -> Vec<Span<'static>> {
    let Some((text, count)) = &app.events.flag else {
        return Vec::new();
    };
    let more = if *count > 1 {
        format!(" (+{} more)", count - 1)
    } else {
        String::new()
    };
    vec![
        Span::styled(format!("⚑ {text}{more}"), theme.error()),
        Span::raw(" · "),
        Span::styled(app.keymap.hint(Action::Events), theme.key()),
        Span::raw(" history  "),
    ]
}

/// Normal-mode hints: in the log pane, its keys; in the list, what applies to the
/// selected session, then moving about.
fn normal_hints(app: &App) -> Vec<(String, &str)> {
    let km = &app.keymap;
    let k = |a: Action| km.hint(a);
    if app.focus == Focus::Logs {
        return vec![
            (
                format!("{}/{}", k(Action::PageUp), k(Action::PageDown)),
                "scroll",
            ),
            (
                format!("{}/{}", k(Action::Top), k(Action::Bottom)),
                "top/end",
            ),
            (k(Action::Follow), "follow"),
            (
                k(Action::Wrap),
                if app.log.wrap { "unwrap" } else { "wrap" },
            ),
            (k(Action::Focus), "list"),
            (k(Action::Messages), "messages"),
            (k(Action::LogSearch), "search"),
            (k(Action::LogFilter), "filter"),
        ];
    }
    let mut out = Vec::new();
    if let Some(s) = app.selected_session() {
        let offers = [
            (Action::Attach, "attach"),
            (Action::Exec, "shell"),
            (Action::Start, "start"),
            (Action::Stop, "stop"),
            (Action::Kill, "kill"),
            (Action::Restart, "restart"),
            (Action::Remove, "remove"),
            (Action::Send, "send"),
        ];
        for (action, what) in offers {
            // A running container can be removed too (by force, after a question), but
            // the hint is for what one usually wants.
            let usual = action != Action::Remove || !s.state.is_alive();
            if usual && wording::refusal(action, s, km).is_none() {
                out.push((k(action), what));
            }
        }
        // The config's own commands that apply to this session.
        let container = s.id.location.kind() == crate::model::BackendKind::Container;
        for (key, c) in &app.commands {
            let applies = if container {
                c.applies.container
            } else {
                c.applies.tmux
            };
            if let Some(key) = key
                && applies
                && s.state != crate::model::State::Defined
            {
                out.push((key.to_string(), c.name.as_str()));
            }
        }
    }
    if app.selected_header().is_some() {
        for (action, what) in [
            (Action::Start, "start all"),
            (Action::Stop, "stop all"),
            (Action::Kill, "kill all"),
            (Action::Restart, "restart all"),
        ] {
            out.push((k(action), what));
        }
    }
    if let Some(s) = app.selected_session()
        && wording::refusal(Action::Pause, s, km).is_none()
    {
        let what = if s.state == crate::model::State::Paused {
            "unpause"
        } else {
            "pause"
        };
        out.push((k(Action::Pause), what));
    }
    if let Some(s) = app.selected_session()
        && crate::tui::tree::unfolds(s)
    {
        out.push(if app.tree.is_open(&s.id) {
            (k(Action::Fold), "fold")
        } else {
            (k(Action::Expand), "windows")
        });
    }
    out.push((k(Action::Mark), "mark"));
    if app.grouping.on || app.sessions.iter().any(|s| s.group.is_some()) {
        let what = if app.grouping.on { "ungroup" } else { "group" };
        out.push((k(Action::Group), what));
    }
    out.push((k(Action::Focus), "logs"));
    out.push((k(Action::Filter), "filter"));
    if !app.events.entries.is_empty() {
        out.push((k(Action::Events), "history"));
    }
    if !app.history.is_empty() {
        out.push((k(Action::Messages), "messages"));
    }
    out
}

/// The first row of `text` in `width` columns, broken at a space when one is near the end,
/// and the rest.
fn split_row(text: &str, width: usize) -> (String, String) {
    let mut used = 0;
    let mut end = text.len();
    let mut last_space = None;
    for (i, c) in text.char_indices() {
        let w = c.width().unwrap_or(0);
        if used + w > width {
            end = i;
            break;
        }
        if c == ' ' {
            last_space = Some(i);
        }
        used += w;
    }
    if end == text.len() {
        return (text.to_string(), String::new());
    }
    // Break at the last space unless that wastes more than a fifth of the row.
    let at = match last_space {
        Some(s) if text[..s].width() * 5 >= width * 4 => s,
        _ => end,
    };
    (text[..at].to_string(), text[at..].trim_start().to_string())
}

/// `text` cut to `width` columns, ending in `tail` when it had to be cut (or in `…` when
/// even the tail does not fit).
fn cut(text: &str, width: usize, tail: &str) -> String {
    if text.width() <= width {
        return text.to_string();
    }
    let tail = if tail.width() < width { tail } else { "…" };
    let keep = width.saturating_sub(tail.width());
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        if used + w > keep {
            break;
        }
        used += w;
        out.push(c);
    }
    if tail.width() <= width {
        out.push_str(tail);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_break_at_a_late_space_or_anywhere() {
        assert_eq!(
            split_row("abcd efgh ijkl", 10),
            ("abcd efgh".to_string(), "ijkl".to_string())
        );
        assert_eq!(
            split_row("ab cdefghijklmn", 10),
            ("ab cdefghi".to_string(), "jklmn".to_string())
        );
        assert_eq!(split_row("short", 10), ("short".to_string(), String::new()));
        assert_eq!(cut("abcdefghij", 8, "… m"), "abcde… m");
        assert_eq!(cut("abc", 8, "… m"), "abc");
        assert_eq!(cut("abcdef", 2, "… m shows all"), "a…");
    }
}
