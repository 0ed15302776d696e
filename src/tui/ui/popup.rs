//! Overlays: the help table generated from the keymap, and the confirm question.

use std::cell::Cell;

use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};
use unicode_width::UnicodeWidthStr;

use super::theme::Theme;
use crate::model::SessionId;
use crate::tui::app::{App, Level, Op, WriteRequest};
use crate::tui::keys::{ACTIONS, Action, Keymap};

fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let [v] = Layout::vertical([Constraint::Length(height.min(area.height))])
        .flex(Flex::Center)
        .areas(area);
    let [h] = Layout::horizontal([Constraint::Length(width.min(area.width))])
        .flex(Flex::Center)
        .areas(v);
    h
}

/// Draws `lines` in a bordered box of `width`, as tall as the lines, centered in `area`
/// over whatever is below.
pub(super) fn boxed(
    frame: &mut Frame,
    area: Rect,
    width: u16,
    lines: Vec<Line<'_>>,
    border: ratatui::style::Style,
    titles: (Span<'_>, Option<Span<'_>>),
    theme: Theme,
) {
    let height = u16::try_from(lines.len() + 2).unwrap_or(u16::MAX);
    let rect = centered(area, width, height);
    frame.render_widget(Clear, rect);
    let mut block = Block::default()
        .borders(Borders::ALL)
        .border_style(border)
        .title(titles.0);
    if let Some(bottom) = titles.1 {
        block = block.title_bottom(bottom);
    }
    // Clear leaves the terminal's own colors: the theme's go back on.
    frame.render_widget(
        Paragraph::new(lines).block(block).style(theme.base_style()),
        rect,
    );
}

/// The rows of an overlay that fit in `room`, from the app's scroll (clamped here, where
/// the wrapped rows are known, so scrolling past the end never has to be unwound), with
/// how many rows are above and below them.
fn scrolled<'a>(
    mut lines: Vec<Line<'a>>,
    room: usize,
    scroll: &Cell<usize>,
) -> (Vec<Line<'a>>, usize, usize) {
    let room = room.max(1);
    let first = scroll.get().min(lines.len().saturating_sub(room));
    scroll.set(first);
    let below = lines.len().saturating_sub(first + room);
    lines.truncate(first + room);
    (lines.split_off(first), first, below)
}

/// The footer of a scrolled overlay: how to scroll and what is out of view, or `idle`
/// when everything shows.
fn scroll_footer(above: usize, below: usize, idle: &str, theme: Theme) -> Span<'static> {
    if above == 0 && below == 0 {
        return Span::styled(idle.to_string(), theme.dim());
    }
    Span::styled(
        format!(" ↑/↓ PgUp/PgDn scroll: {above} rows above, {below} below · other keys close "),
        theme.dim(),
    )
}

/// The row of a question's answer keys: `y Y yes   n N Esc no`, as the keymap has them.
fn answer_keys(keymap: &Keymap, theme: Theme) -> Line<'static> {
    Line::from(vec![
        Span::styled(keymap.hint(Action::Confirm), theme.key()),
        Span::raw(" yes   "),
        Span::styled(keymap.hint(Action::Cancel), theme.key()),
        Span::raw(" no"),
    ])
}

/// Draws a list overlay (help, messages, history): as much of `lines` as fits from the
/// app's scroll, in a box of the help's width titled `title`, whose footer says how to
/// scroll when not all fits, and `idle` when it does.
pub(super) fn scrolled_overlay(
    app: &App,
    (frame, area): (&mut Frame, Rect),
    lines: Vec<Line<'_>>,
    (title, idle): (&str, &str),
    theme: Theme,
) {
    let room = usize::from(area.height.saturating_sub(2));
    let (lines, above, below) = scrolled(lines, room, &app.overlay_scroll);
    let footer = scroll_footer(above, below, idle, theme);
    boxed(
        frame,
        area,
        HELP_WIDTH.min(area.width),
        lines,
        theme.focused_border(),
        (Span::styled(title.to_string(), theme.title()), Some(footer)),
        theme,
    );
}

/// Width of the help overlay when the screen allows it.
pub(super) const HELP_WIDTH: u16 = 78;
/// Width of the key column of the help overlay (keys right-aligned, then two spaces).
const KEY_COLUMN: usize = 19;
/// Widest action name column of the help overlay (two spaces, then the name); a pair of
/// names wider than this takes two rows.
const NAME_COLUMN: usize = 21;

/// Splits `text` at spaces into rows of at most `width` columns (a word longer than a row
/// gets a row of its own and is cut by the renderer).
pub(super) fn wrap_words(text: &str, width: usize) -> Vec<String> {
    let mut rows: Vec<String> = Vec::new();
    let mut row = String::new();
    for word in text.split_whitespace() {
        if !row.is_empty() && row.width() + 1 + word.width() > width {
            rows.push(std::mem::take(&mut row));
        }
        if !row.is_empty() {
            row.push(' ');
        }
        row.push_str(word);
    }
    if !row.is_empty() || rows.is_empty() {
        rows.push(row);
    }
    rows
}

/// Movement actions shown as one row each, so the whole help fits an 80x24 terminal.
const PAIRS: &[(Action, Action, &str)] = &[
    (Action::Up, Action::Down, "move up / down"),
    (
        Action::Top,
        Action::Bottom,
        "first / last row (oldest / newest)",
    ),
    (Action::PageUp, Action::PageDown, "page up / down"),
    (
        Action::HalfPageUp,
        Action::HalfPageDown,
        "half a page up / down",
    ),
];

/// The two answers of a mode, each with its keys, on one row (`y Y  confirm: yes   n N
/// Esc  no`), again so that the help fits 80x24.
const SIDE_BY_SIDE: &[(Action, Action)] = &[
    (Action::Confirm, Action::Cancel),
    (Action::Keep, Action::ClearFilter),
    (Action::LogSearch, Action::LogFilter),
    (Action::NextMatch, Action::PrevMatch),
    (Action::Context, Action::SaveLog),
    (Action::SendLine, Action::ClosePrompt),
    (Action::Filter, Action::Timestamps),
    (Action::Follow, Action::Wrap),
    (Action::Refresh, Action::Messages),
    (Action::Help, Action::Quit),
    (Action::Pause, Action::Events),
    (Action::Start, Action::Mark),
    (Action::Exec, Action::WriteConfig),
    (Action::Details, Action::Stats),
    (Action::Sort, Action::SortReverse),
    (Action::Focus, Action::Send),
    (Action::Expand, Action::Fold),
    (Action::MergedLog, Action::Group),
];

/// What an action does, as the help says it.
fn help_of(action: Action) -> &'static str {
    ACTIONS
        .iter()
        .find(|(a, ..)| *a == action)
        .map_or("", |(_, _, text, _)| *text)
}

/// The name the config's `keys:` takes for an action.
fn name_of(action: Action) -> &'static str {
    ACTIONS
        .iter()
        .find(|(a, ..)| *a == action)
        .map_or("", |(_, name, ..)| *name)
}

/// Rows of the help: the keys bound now (remapped ones included), what they do, and the
/// action names the config's `keys:` takes.
fn help_entries(app: &App) -> Vec<(String, String, Vec<String>)> {
    let keys = |a: Action| -> String {
        app.keymap
            .keys_of(a)
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(" ")
    };
    let mut out: Vec<(String, String, Vec<String>)> = PAIRS
        .iter()
        .map(|(a, b, text)| {
            (
                format!("{} / {}", keys(*a), keys(*b)),
                (*text).to_string(),
                vec![name_of(*a).to_string(), name_of(*b).to_string()],
            )
        })
        .collect();
    let commands = app.commands.iter().map(|(key, c)| {
        let what = c.description.clone().unwrap_or_else(|| c.argv.join(" "));
        // One without a key is listed too, so that the help shows every command the
        // config has, and says where that one runs from.
        let (key, text) = match key {
            Some(k) => (k.to_string(), format!("{what} ({})", c.applies.describe())),
            None => (String::new(), format!("{what} (no key: muxdeck cmd)")),
        };
        (key, text, vec![format!("commands.{}", c.name)])
    });
    let mut commands: Vec<(String, String, Vec<String>)> = commands.collect();
    for (action, name, text, _) in ACTIONS {
        if let Some((_, b)) = SIDE_BY_SIDE.iter().find(|(a, _)| a == action) {
            out.push((
                keys(*action),
                format!("{text}   {}  {}", keys(*b), help_of(*b)),
                vec![(*name).to_string(), name_of(*b).to_string()],
            ));
        } else if !PAIRS.iter().any(|(a, b, _)| a == action || b == action)
            && !SIDE_BY_SIDE.iter().any(|(_, b)| b == action)
        {
            out.push((
                keys(*action),
                (*text).to_string(),
                vec![(*name).to_string()],
            ));
        }
    }
    out.append(&mut commands);
    out
}

/// The names of a help row in rows of at most `width` columns: `up / down` on one row
/// when it fits, else one name a row.
fn name_rows(names: &[String], width: usize) -> Vec<String> {
    let joined = names.join(" / ");
    if joined.width() <= width {
        return vec![joined];
    }
    let last = names.len().saturating_sub(1);
    names
        .iter()
        .enumerate()
        .map(|(i, n)| {
            if i < last {
                format!("{n} /")
            } else {
                n.clone()
            }
        })
        .collect()
}

/// The help overlay: every action with its keys, what it does and its name for the
/// config's `keys:`. Long descriptions wrap under their own column, and the box is sized
/// from the wrapped rows; when they are more than the screen holds, it scrolls.
pub fn help(app: &App, theme: Theme, frame: &mut Frame, area: Rect) {
    let width = HELP_WIDTH.min(area.width);
    let inner = usize::from(width.saturating_sub(2)).max(1);
    let names_width = NAME_COLUMN.min(inner * 2 / 7);
    let text_width = inner.saturating_sub(KEY_COLUMN + names_width).max(10);
    let mut lines = Vec::new();
    for (keys, text, names) in help_entries(app) {
        // Kept as written when it fits: a side-by-side row spaces its halves apart.
        let text_rows = if text.width() <= text_width {
            vec![text]
        } else {
            wrap_words(&text, text_width)
        };
        let names = name_rows(&names, names_width.saturating_sub(2).max(1));
        for i in 0..text_rows.len().max(names.len()) {
            let key = if i == 0 { keys.as_str() } else { "" };
            let row = text_rows.get(i).map_or("", String::as_str);
            let name = names.get(i).map_or("", String::as_str);
            lines.push(Line::from(vec![
                Span::styled(format!("{key:>w$}  ", w = KEY_COLUMN - 2), theme.key()),
                Span::raw(format!("{row:<text_width$}")),
                Span::styled(format!("  {name}"), theme.dim()),
            ]));
        }
    }
    // More keys than rows (80x24 holds 22): the overlay scrolls, and its footer says so.
    scrolled_overlay(
        app,
        (frame, area),
        lines,
        (
            " muxdeck keys · what they do · name for config keys: ",
            " click selects · double-click attaches · ◆ config · Esc or ? closes ",
        ),
        theme,
    );
}

/// The messages overlay: the last results in full, newest first, errors in red.
pub fn messages(app: &App, theme: Theme, frame: &mut Frame, area: Rect) {
    let inner = usize::from(HELP_WIDTH.min(area.width).saturating_sub(2)).max(1);
    let mut lines = Vec::new();
    if app.history.is_empty() {
        lines.push(Line::from(Span::styled("no messages yet", theme.dim())));
    }
    for (text, level) in app.history.iter().rev() {
        let style = if *level == Level::Error {
            theme.error()
        } else {
            ratatui::style::Style::default()
        };
        let rows = wrap_words(text, inner.saturating_sub(2).max(1));
        for (i, row) in rows.into_iter().enumerate() {
            let bullet = if i == 0 { "• " } else { "  " };
            lines.push(Line::from(Span::styled(format!("{bullet}{row}"), style)));
        }
    }
    scrolled_overlay(
        app,
        (frame, area),
        lines,
        (" messages, newest first ", " any key closes "),
        theme,
    );
}

/// The question before one of the config's own commands, naming it, what it runs and the
/// exact session.
pub fn confirm_command(
    app: &App,
    (name, id): (&str, &SessionId),
    theme: Theme,
    frame: &mut Frame,
    area: Rect,
) {
    let question = format!("Run {name} on {id}?");
    let detail = app
        .commands
        .iter()
        .find(|(_, c)| c.name == name)
        .map(|(_, c)| format!("Runs {}", c.argv.join(" ")))
        .unwrap_or_default();
    ask(question, &detail, &app.keymap, theme, frame, area);
}

/// The question before `W` writes: the file, the definition as it will be added (every
/// line, wrapped, never cut; the last ones give way on a short screen), and the keys.
pub fn confirm_write(req: &WriteRequest, app: &App, theme: Theme, frame: &mut Frame, area: Rect) {
    let question = format!("Add {} to {}?", req.id, req.file.display());
    let widest = req.yaml.lines().map(|l| l.width()).max().unwrap_or(0);
    let want = u16::try_from(question.width().max(widest) + 4).unwrap_or(u16::MAX);
    let width = want.max(30).min(area.width);
    let inner = usize::from(width.saturating_sub(2)).max(1);
    let mut lines: Vec<Line> = hard_wrap(&question, inner)
        .into_iter()
        .map(|r| Line::from(Span::styled(r, theme.title())))
        .collect();
    let room = usize::from(area.height.saturating_sub(2)).saturating_sub(lines.len() + 1);
    let yaml: Vec<String> = req.yaml.lines().flat_map(|l| hard_wrap(l, inner)).collect();
    let shown = if yaml.len() > room {
        room.saturating_sub(1)
    } else {
        yaml.len()
    };
    lines.extend(
        yaml.iter()
            .take(shown)
            .map(|r| Line::from(Span::styled(r.clone(), theme.dim()))),
    );
    if shown < yaml.len() && room > 0 {
        lines.push(Line::from(Span::styled(
            format!("… {} more lines", yaml.len() - shown),
            theme.dim(),
        )));
    }
    let keymap = &app.keymap;
    lines.push(answer_keys(keymap, theme));
    boxed(
        frame,
        area,
        width,
        lines,
        theme.error(),
        (Span::raw(" add to the config "), None),
        theme,
    );
}

/// The confirm question naming the exact session, with the keys that answer it.
pub fn confirm(
    (what, id): (Op, &SessionId),
    keymap: &Keymap,
    theme: Theme,
    frame: &mut Frame,
    area: Rect,
) {
    let question = format!("{} {id}?", what.question());
    let detail = match what {
        Op::Start => "Starts it.",
        Op::Stop => "Interrupts its programs and waits for them to exit.",
        Op::Kill => "Kills it at once: no time to clean up.",
        Op::Remove => "Deletes the container and its logs.",
        Op::ForceRemove => {
            "It is running: it is killed at once, then the container and its logs are deleted."
        }
        Op::Restart => "Ends its programs as stop does, then starts it again.",
        Op::Pause => "Freezes its processes where they are.",
        Op::Unpause => "Lets its processes run on.",
    };
    ask(question, detail, keymap, theme, frame, area);
}

/// A question, what it means, and the keys that answer it, in a box.
fn ask(
    question: String,
    detail: &str,
    keymap: &Keymap,
    theme: Theme,
    frame: &mut Frame,
    area: Rect,
) {
    let want = u16::try_from(question.width().max(detail.width()) + 4).unwrap_or(u16::MAX);
    let width = want.max(30).min(area.width);
    let inner = usize::from(width.saturating_sub(2)).max(1);
    // The question names the session: a name wider than the box is split, never cut.
    let question_rows = hard_wrap(&question, inner);
    let mut detail_rows = wrap_words(detail, inner);
    let mut gap = true;
    // On a short screen the answer keys matter more than the explanation.
    let room = usize::from(area.height.saturating_sub(2));
    let needed = |d: &Vec<String>, gap: bool| question_rows.len() + d.len() + usize::from(gap) + 1;
    if needed(&detail_rows, gap) > room {
        gap = false;
    }
    while needed(&detail_rows, gap) > room && !detail_rows.is_empty() {
        detail_rows.pop();
    }
    let mut lines: Vec<Line> = question_rows
        .into_iter()
        .map(|r| Line::from(Span::styled(r, theme.title())))
        .collect();
    lines.extend(
        detail_rows
            .into_iter()
            .map(|r| Line::from(Span::styled(r, theme.dim()))),
    );
    if gap {
        lines.push(Line::raw(""));
    }
    lines.push(answer_keys(keymap, theme));
    boxed(
        frame,
        area,
        width,
        lines,
        theme.error(),
        (Span::raw(" confirm "), None),
        theme,
    );
}

/// The one question before an operation on every marked session (or every member of a
/// group, which it names): the verb and count,
/// what it does, every name (scrolled from `scroll` when they do not all fit), and the
/// keys that answer.
pub fn confirm_many(
    (what, ids): (Op, &[SessionId]),
    app: &App,
    theme: Theme,
    frame: &mut Frame,
    area: Rect,
) {
    let question = match &app.grouping.asking {
        Some(group) => format!(
            "{} the {} members of {}?",
            what.question(),
            ids.len(),
            group.describe()
        ),
        None => format!("{} these {} sessions?", what.question(), ids.len()),
    };
    let detail = match what {
        Op::Start => "Starts each that does not run.",
        Op::Stop => "Interrupts each one's programs and waits for them to exit.",
        Op::Kill => "Kills each at once: no time to clean up.",
        Op::Restart => "Ends each one's programs as stop does, then starts it again.",
        _ => "",
    };
    let names: Vec<String> = ids.iter().map(|id| format!("• {id}")).collect();
    let widest = names.iter().map(|n| n.width()).max().unwrap_or(0);
    let want = question.width().max(detail.width()).max(widest) + 4;
    let width = u16::try_from(want)
        .unwrap_or(u16::MAX)
        .max(30)
        .min(area.width);
    let inner = usize::from(width.saturating_sub(2)).max(1);
    let room = usize::from(area.height.saturating_sub(2));
    // The question, the detail, a gap and the answer keys stay; the names get the rest.
    let fixed = 4;
    let shown = room.saturating_sub(fixed).max(1);
    let first = app
        .overlay_scroll
        .get()
        .min(names.len().saturating_sub(shown));
    app.overlay_scroll.set(first);
    let mut lines = vec![Line::from(Span::styled(question, theme.title()))];
    lines.push(Line::from(Span::styled(detail, theme.dim())));
    for n in names.iter().skip(first).take(shown) {
        let row = hard_wrap(n, inner).into_iter().next().unwrap_or_default();
        lines.push(Line::raw(row));
    }
    let below = names.len().saturating_sub(first + shown);
    let mut keys = answer_keys(&app.keymap, theme);
    if first > 0 || below > 0 {
        keys.push_span(Span::styled(
            format!("   ↑/↓ {first} above, {below} below"),
            theme.dim(),
        ));
    }
    lines.push(keys);
    boxed(
        frame,
        area,
        width,
        lines,
        theme.error(),
        (Span::raw(" confirm "), None),
        theme,
    );
}

/// Splits `text` into rows of at most `width` columns, anywhere.
pub(super) fn hard_wrap(text: &str, width: usize) -> Vec<String> {
    let mut rows = vec![String::new()];
    let mut used = 0;
    for c in text.chars() {
        let w = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if used + w > width && used > 0 {
            rows.push(String::new());
            used = 0;
        }
        if let Some(row) = rows.last_mut() {
            row.push(c);
        }
        used += w;
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapping() {
        assert_eq!(wrap_words("a bb ccc dddd", 6), ["a bb", "ccc", "dddd"]);
        assert_eq!(wrap_words("", 6), [""]);
        assert_eq!(wrap_words("toolongword x", 4), ["toolongword", "x"]);
        assert_eq!(hard_wrap("abcdefg", 3), ["abc", "def", "g"]);
        assert_eq!(hard_wrap("ab", 3), ["ab"]);
    }
}
