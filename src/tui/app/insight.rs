//! What the screen knows about sessions beyond their rows: the details pane (`i`), CPU and
//! memory with their last minute (`c`), and the list's order (`o`, `O`). The loop fetches
//! details and measurements in the background and hands them in here; it asks
//! [`App::details_wanted`] and [`App::stats_wanted`] what to fetch.

use std::collections::HashMap;

use super::{App, Effect};
use crate::details::Details;
use crate::engine::UsageMap;
use crate::model::{Session, SessionId};
use crate::sort::{SortKey, sort_sessions};
use crate::stats::History;

/// The narrowest list (in columns) that shows the CPU and MEM columns by default.
pub const STATS_MIN_WIDTH: u16 = 72;

/// See the module doc.
#[derive(Debug, Default)]
pub struct Insight {
    /// Whether the details pane is open.
    pub details_open: bool,
    /// The details last fetched, and for which session (an error says why there are none).
    pub details: Option<(SessionId, Result<Option<Details>, String>)>,
    /// The session whose details are being fetched.
    pub details_pending: Option<SessionId>,
    /// Whether the user hid the CPU / MEM columns with `c`.
    pub stats_hidden: bool,
    /// The list's width at the last frame, for whether the columns fit.
    pub list_width: u16,
    /// The latest measurements.
    pub usage: UsageMap,
    /// The last minute of measurements per session.
    pub history: HashMap<SessionId, History>,
    /// What the list is sorted by.
    pub sort: SortKey,
    /// Whether the order is reversed.
    pub reverse: bool,
}

impl Insight {
    /// Whether the CPU and MEM columns are shown.
    pub fn columns_shown(&self) -> bool {
        !self.stats_hidden && self.list_width >= STATS_MIN_WIDTH
    }
}

impl App {
    /// The list's width in the frame being drawn: the CPU and MEM columns show when it is
    /// wide enough.
    pub fn set_list_width(&mut self, width: u16) {
        self.insight.list_width = width;
    }

    /// `i`: opens or closes the details pane.
    pub(super) fn toggle_details(&mut self) -> Effect {
        self.insight.details_open = !self.insight.details_open;
        Effect::None
    }

    /// `c`: shows or hides the CPU and MEM columns.
    pub(super) fn toggle_stats(&mut self) -> Effect {
        self.insight.stats_hidden = !self.insight.stats_hidden;
        Effect::None
    }

    /// `o`: the next sort column; `O`: the other direction. The selection stays on its
    /// session.
    pub(super) fn sort_by(&mut self, next: bool) -> Effect {
        if next {
            self.insight.sort = self.insight.sort.next();
        } else {
            self.insight.reverse = !self.insight.reverse;
        }
        self.resort();
        Effect::None
    }

    /// Sorts by `key`, or reverses the order when the list is already sorted by it.
    pub(super) fn sort_by_key(&mut self, key: SortKey) -> Effect {
        if self.insight.sort == key {
            self.insight.reverse = !self.insight.reverse;
        } else {
            self.insight.sort = key;
            self.insight.reverse = false;
        }
        self.resort();
        Effect::None
    }

    /// Puts the sessions in the chosen order. The selection is by identity, so it follows
    /// its session to its new row.
    pub(super) fn resort(&mut self) {
        let i = &self.insight;
        if i.sort == SortKey::Name && !i.reverse {
            // The listing's own order (by identity), which a new listing already has.
            if !self.sessions.is_sorted_by(|a, b| a.id <= b.id) {
                self.sessions.sort_by(|a, b| a.id.cmp(&b.id));
            }
            return;
        }
        // Sessions equal under the key keep the order by identity, whatever came before.
        sort_sessions(&mut self.sessions, i.sort, i.reverse, &i.usage);
    }

    /// The session whose details the loop should fetch now, if any: the selection, while
    /// the pane is open and its details are not there or being fetched.
    pub fn details_wanted(&self) -> Option<&Session> {
        if !self.insight.details_open {
            return None;
        }
        let s = self.selected_session()?;
        let have = self.insight.details.as_ref().map(|(id, _)| id);
        (have != Some(&s.id) && self.insight.details_pending.as_ref() != Some(&s.id)).then_some(s)
    }

    /// The loop started fetching the details of `id`.
    pub fn details_started(&mut self, id: SessionId) {
        self.insight.details_pending = Some(id);
    }

    /// Details arrived (or failed) for `id`.
    pub fn set_details(&mut self, id: SessionId, result: Result<Option<Details>, String>) {
        if self.insight.details_pending.as_ref() == Some(&id) {
            self.insight.details_pending = None;
        }
        self.insight.details = Some((id, result));
    }

    /// Forgets the details shown, so that the next look fetches them afresh (they age:
    /// panes come and go, health changes).
    pub fn details_stale(&mut self) {
        if self.insight.details_pending.is_none() {
            self.insight.details = None;
        }
    }

    /// Whether measurements are worth taking: the columns or the details pane show them,
    /// or the list is sorted by them.
    pub fn stats_wanted(&self) -> bool {
        self.insight.columns_shown() || self.insight.details_open || self.insight.sort.needs_usage()
    }

    /// Takes new measurements: each listed session's last minute grows, sessions no longer
    /// listed are forgotten, and a list sorted by them is sorted again.
    pub fn set_usage(&mut self, usage: UsageMap) {
        let listed: std::collections::HashSet<&SessionId> =
            self.sessions.iter().map(|s| &s.id).collect();
        self.insight.history.retain(|id, _| listed.contains(id));
        for s in self.sessions.iter().filter(|s| s.state.is_alive()) {
            let u = usage.get(&s.id).copied().unwrap_or_default();
            self.insight
                .history
                .entry(s.id.clone())
                .or_default()
                .push(u);
        }
        self.insight.usage = usage;
        if self.insight.sort.needs_usage() {
            self.resort();
        }
    }
}

impl super::Column {
    /// The order a click on this column's header sorts by; None for columns without one.
    pub fn sort_key(self) -> Option<SortKey> {
        use super::Column as C;
        match self {
            C::Name => Some(SortKey::Name),
            C::Backend => Some(SortKey::Backend),
            C::State => Some(SortKey::State),
            C::Cpu => Some(SortKey::Cpu),
            C::Mem => Some(SortKey::Memory),
            C::Age => Some(SortKey::Age),
            C::Host | C::Info | C::Ports => None,
        }
    }
}
