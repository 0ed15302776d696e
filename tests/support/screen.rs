//! Reading muxdeck's screen as `capture-pane -p` prints it: the list rows, the log rows
//! and the titles. Shared by the end-to-end tests of the TUI.

/// The rows of the session list: cells split at runs of two or more spaces.
pub fn list_rows(screen: &str) -> Vec<Vec<String>> {
    screen
        .lines()
        .skip_while(|l| !l.starts_with("┌ sessions "))
        .skip(2)
        .take_while(|l| l.starts_with('│'))
        .map(|l| {
            l.trim_matches(|c| c == '│' || c == ' ')
                .split("  ")
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .map(str::to_string)
                .collect()
        })
        .collect()
}

/// The name cells of the list rows that are the tree's windows and panes (they start
/// with a branch glyph, or the blank that stands for one).
pub fn tree_rows(screen: &str) -> Vec<String> {
    list_rows(screen)
        .into_iter()
        .filter_map(|r| r.first().cloned())
        .filter(|c| c.starts_with(['├', '└', '│', ' ']))
        .collect()
}

/// The list row of session `name` (first cell, without the config mark).
pub fn row<'a>(rows: &'a [Vec<String>], name: &str) -> Option<&'a Vec<String>> {
    rows.iter()
        .find(|r| r.first().is_some_and(|c| c.trim_end_matches(" ◆") == name))
}

/// Whether the list shows `name` on `backend` in `state`.
pub fn shows(screen: &str, name: &str, backend: &str, state: &str) -> bool {
    row(&list_rows(screen), name).is_some_and(|r| {
        r.get(1).is_some_and(|b| b == backend) && r.get(2).is_some_and(|s| s.starts_with(state))
    })
}

/// The rows of the log pane, borders removed, trailing blanks trimmed.
pub fn log_rows(screen: &str) -> Vec<String> {
    screen
        .lines()
        .skip_while(|l| !l.starts_with("┌ logs · "))
        .skip(1)
        .take_while(|l| !l.starts_with('└'))
        .map(|l| {
            l.trim_start_matches('│')
                .trim_end()
                .trim_end_matches('│')
                .trim_end()
                .to_string()
        })
        .collect()
}

/// The title of the log pane.
pub fn log_title(screen: &str) -> String {
    screen
        .lines()
        .find(|l| l.starts_with("┌ logs · "))
        .unwrap_or_default()
        .to_string()
}

/// The highest `N` of the `{word}N` counters in `lines` (0 when none shows): how far a
/// ticking session has got on screen.
pub fn last_count<'a>(lines: impl IntoIterator<Item = &'a str>, word: &str) -> u32 {
    lines
        .into_iter()
        .filter_map(|l| l.split(word).nth(1))
        .filter_map(|r| {
            r.split(|c: char| !c.is_ascii_digit())
                .next()?
                .parse::<u32>()
                .ok()
        })
        .max()
        .unwrap_or(0)
}
