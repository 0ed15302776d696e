//! The `:` prompt: which sessions the line goes to and how, and the line being typed.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use super::popup::{boxed, hard_wrap};
use super::theme::Theme;
use crate::model::{Location, SessionId};
use crate::tui::app::App;
use crate::tui::keys::Action;

/// Draws the prompt over the screen for the sessions `ids`.
pub fn render(app: &App, ids: &[SessionId], theme: Theme, frame: &mut Frame, area: Rect) {
    let width = 72.min(area.width);
    let inner = usize::from(width.saturating_sub(2)).max(1);
    let containers = ids
        .iter()
        .filter(|id| matches!(id.location, Location::Container { .. }))
        .count();
    let what = match ids {
        _ if app.prompt_keys => format!(
            "press keys in {} (tmux names, space-separated: C-c Up Enter)",
            match ids {
                [one] => one.to_string(),
                many => format!("{} sessions", many.len()),
            }
        ),
        [one] if containers == 1 => format!("run in {one} (sh -c; its output in the log pane)"),
        [one] => match &app.prompt_pane {
            Some(at) => format!(
                "type into {one}, {}, then Enter",
                app.tree.describe(one, at)
            ),
            None => format!("type into {one}'s pane, then Enter"),
        },
        _ => format!(
            "send to {} sessions ({} tmux panes, {containers} containers)",
            ids.len(),
            ids.len() - containers
        ),
    };
    let mut lines: Vec<Line> = hard_wrap(&what, inner)
        .into_iter()
        .map(|r| Line::from(Span::styled(r, theme.title())))
        .collect();
    // The line as typed, its characters shown as they are (a pasted newline as ⏎).
    let shown: String = app
        .prompt
        .chars()
        .map(|c| if c.is_control() { '⏎' } else { c })
        .collect();
    let typed = format!(": {shown}▏");
    let rows = hard_wrap(&typed, inner);
    let keep = rows.len().saturating_sub(3);
    lines.extend(rows.into_iter().skip(keep).map(Line::raw));
    let keys = format!(
        " {} sends · {} {} · {} closes ",
        app.keymap.hint(Action::SendLine),
        app.keymap.hint(Action::PromptKeys),
        if app.prompt_keys {
            "a line"
        } else {
            "key names"
        },
        app.keymap.hint(Action::ClosePrompt)
    );
    boxed(
        frame,
        area,
        width,
        lines,
        theme.focused_border(),
        (Span::raw(" send "), Some(Span::styled(keys, theme.dim()))),
        theme,
    );
}
