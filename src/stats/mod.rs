//! What sessions cost: CPU and memory per session, and the last minute of it for the
//! details pane's sparklines. Containers on this machine are measured from their control
//! groups ([`cgroup`]), or by their runtime (`stats`) where those cannot be read; tmux
//! sessions by summing the process trees of their panes from /proc ([`proc_tree`]).

pub mod cgroup;
pub mod proc_tree;

use std::collections::VecDeque;

use serde::Serialize;

/// Seconds between two measurements: the least that shows a trend without costing a core.
pub const INTERVAL_SECS: u64 = 2;

/// Measurements a [`History`] keeps: one minute at [`INTERVAL_SECS`].
pub const HISTORY_LEN: usize = 30;

/// What a measurement reads on this machine, kept from one measurement to the next: CPU
/// is what was used between the two.
#[derive(Debug, Default)]
pub struct Sampler {
    /// Process trees, for tmux sessions.
    pub procs: proc_tree::ProcSampler,
    /// Control groups, for containers.
    pub cgroups: cgroup::CgroupSampler,
}

/// One session's use at one moment. A figure is None when it could not be measured (the
/// runtime's `stats` failed or hung, /proc could not be read, the first CPU reading has
/// nothing to compare with yet).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Usage {
    /// CPU in percent of one core (200 is two cores busy).
    pub cpu_percent: Option<f64>,
    /// Resident memory, bytes.
    pub memory_bytes: Option<u64>,
}

/// The last [`HISTORY_LEN`] measurements of one session, oldest first.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct History {
    samples: VecDeque<Usage>,
}

impl History {
    /// Adds a measurement, forgetting the oldest beyond [`HISTORY_LEN`].
    pub fn push(&mut self, u: Usage) {
        if self.samples.len() >= HISTORY_LEN {
            self.samples.pop_front();
        }
        self.samples.push_back(u);
    }

    /// The newest measurement.
    pub fn last(&self) -> Option<&Usage> {
        self.samples.back()
    }

    /// CPU over the minute, in hundredths of a percent (what a sparkline draws); a gap
    /// counts as 0.
    pub fn cpu_series(&self) -> Vec<u64> {
        self.samples
            .iter()
            .map(|u| {
                let v = (u.cpu_percent.unwrap_or(0.0) * 100.0).round();
                #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                let n = if v.is_finite() && v > 0.0 {
                    v as u64
                } else {
                    0
                };
                n
            })
            .collect()
    }

    /// Memory over the minute, bytes; a gap counts as 0.
    pub fn memory_series(&self) -> Vec<u64> {
        self.samples
            .iter()
            .map(|u| u.memory_bytes.unwrap_or(0))
            .collect()
    }
}

/// `12.3%`, or `–` when unknown.
pub fn format_cpu(u: Option<f64>) -> String {
    match u {
        Some(v) if v < 10.0 => format!("{v:.1}%"),
        Some(v) => format!("{v:.0}%"),
        None => "–".into(),
    }
}

/// `1.2G`, `340M`, `12K` (binary units), or `–` when unknown.
pub fn format_memory(b: Option<u64>) -> String {
    let Some(b) = b else {
        return "–".into();
    };
    const UNITS: [&str; 5] = ["B", "K", "M", "G", "T"];
    #[allow(clippy::cast_precision_loss)]
    let mut v = b as f64;
    let mut unit = 0;
    while v >= 1024.0 && unit + 1 < UNITS.len() {
        v /= 1024.0;
        unit += 1;
    }
    if unit == 0 || v >= 10.0 {
        format!("{v:.0}{}", UNITS[unit])
    } else {
        format!("{v:.1}{}", UNITS[unit])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn history_keeps_one_minute() {
        let mut h = History::default();
        for i in 0..40 {
            h.push(Usage {
                cpu_percent: Some(f64::from(i)),
                memory_bytes: Some(u64::from(i as u32)),
            });
        }
        assert_eq!(h.cpu_series().len(), HISTORY_LEN);
        assert_eq!(h.cpu_series()[0], 1000);
        assert_eq!(h.memory_series()[HISTORY_LEN - 1], 39);
        assert_eq!(h.last().and_then(|u| u.memory_bytes), Some(39));
    }

    #[test]
    fn figures_for_people() {
        assert_eq!(format_cpu(Some(3.04)), "3.0%");
        assert_eq!(format_cpu(Some(123.4)), "123%");
        assert_eq!(format_cpu(None), "–");
        assert_eq!(format_memory(Some(512)), "512B");
        assert_eq!(format_memory(Some(1536)), "1.5K");
        assert_eq!(format_memory(Some(300 * 1024 * 1024)), "300M");
        assert_eq!(format_memory(None), "–");
    }
}
