//! What the screen knows of the configured hosts: whether each answers, since when its rows
//! are stale, and when it is tried again — for the status line and the list.

use std::time::Instant;

use crate::engine::{HostHealth, HostStatus};
use crate::model::{Host, unix_now};

/// One configured host as the screen shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostLine {
    /// Which host.
    pub host: Host,
    /// How its last listing went; None before it first answered or failed.
    pub status: Option<HostStatus>,
    /// Why it failed, one line.
    pub message: Option<String>,
    /// When it last answered (Unix seconds): its rows on screen are from then.
    pub last_ok: Option<i64>,
    /// When it is tried again, while it does not answer.
    pub retry_at: Option<Instant>,
}

impl HostLine {
    /// A host not heard from yet.
    pub fn new(host: Host) -> Self {
        HostLine {
            host,
            status: None,
            message: None,
            last_ok: None,
            retry_at: None,
        }
    }

    /// Takes the host's latest listing health, and when it is tried again if it failed.
    pub fn update(&mut self, health: &HostHealth, retry_at: Option<Instant>) {
        self.status = Some(health.status);
        self.message = health.message.clone();
        self.retry_at = retry_at;
        if health.status == HostStatus::Ok {
            self.last_ok = Some(unix_now());
        }
    }

    /// When its rows were last seen, while the host does not answer (they are stale).
    pub fn stale_since(&self) -> Option<i64> {
        match self.status {
            Some(HostStatus::Ok) | None => None,
            Some(_) => self.last_ok,
        }
    }

    /// Its part of the health line (`web1 ok`, `db unreachable, retry in 8 s`), and
    /// whether that is fine.
    pub fn text(&self, now: Instant) -> (String, bool) {
        let name = &self.host;
        let status = match self.status {
            None => return (format!("{name} connecting…"), true),
            Some(HostStatus::Ok) => return (format!("{name} ok"), true),
            Some(HostStatus::Unreachable) => "unreachable",
            Some(HostStatus::AuthFailed) => "login refused (run ssh once)",
            Some(HostStatus::Error) => "error",
        };
        let retry = self
            .retry_at
            .map(|at| at.saturating_duration_since(now).as_secs())
            .map_or_else(String::new, |s| format!(", retry in {s} s"));
        (format!("{name} {status}{retry}"), false)
    }
}

/// `HH:MM:SS` of a Unix time in local time, for "stale since".
pub fn clock(unix: i64) -> String {
    jiff::Timestamp::from_second(unix)
        .map(|t| {
            t.to_zoned_datetime(jiff::tz::TimeZone::system())
                .strftime("%H:%M:%S")
                .to_string()
        })
        .unwrap_or_else(|_| "?".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_host_says_when_it_is_tried_again_and_its_rows_are_stale() {
        let mut h = HostLine::new(Host::Remote("db".into()));
        assert_eq!(h.text(Instant::now()).0, "db connecting…");
        let ok = HostHealth {
            host: h.host.clone(),
            status: HostStatus::Ok,
            message: None,
            latency_ms: Some(3),
        };
        h.update(&ok, None);
        assert_eq!(h.text(Instant::now()), ("db ok".to_string(), true));
        assert_eq!(h.stale_since(), None);
        let down = HostHealth {
            status: HostStatus::Unreachable,
            message: Some("refused".into()),
            latency_ms: None,
            ..ok
        };
        let now = Instant::now();
        h.update(&down, Some(now + std::time::Duration::from_secs(8)));
        assert_eq!(
            h.text(now),
            ("db unreachable, retry in 8 s".to_string(), false)
        );
        assert!(h.stale_since().is_some());
    }
}
