//! Waits before restarting something that keeps failing: a runtime's event stream, a
//! host's watcher, a log stream that broke. One policy for all of them, so a thing that
//! exits at once costs a start now and then, never a busy loop.

use std::time::Duration;

use tokio::time::Instant;

/// A run of a restarted stream shorter than this ended "at once": its next start waits
/// longer than the last. A longer one was healthy, and the waits start over.
pub const HEALTHY_RUN: Duration = Duration::from_secs(30);

/// The waits before restarting something that fails or keeps ending soon after it started:
/// doubling from `first` to `max` with each quick end in a row, so a stream that exits at
/// once (a broken runtime's `events`) costs a start every minute at most, not a busy loop.
#[derive(Debug, Clone)]
pub struct Backoff {
    first: Duration,
    max: Duration,
    next: Duration,
    /// Quick ends since the last healthy run.
    streak: u32,
    started: Option<Instant>,
}

impl Backoff {
    /// No wait owed yet; the first will be `first`.
    pub fn new(first: Duration, max: Duration) -> Self {
        Backoff {
            first,
            max,
            next: first,
            streak: 0,
            started: None,
        }
    }

    /// Notes that the thing (re)started now, so that its end can tell a healthy run.
    pub fn started(&mut self) {
        self.started_at(Instant::now());
    }

    /// The wait before the next start, now that the thing ended or failed to start.
    pub fn ended(&mut self) -> Duration {
        self.ended_at(Instant::now())
    }

    /// Forgets the waits owed: the thing works.
    pub fn reset(&mut self) {
        self.next = self.first;
        self.streak = 0;
    }

    /// Quick ends in a row, counting the last one.
    pub fn streak(&self) -> u32 {
        self.streak
    }

    fn started_at(&mut self, now: Instant) {
        self.started = Some(now);
    }

    fn ended_at(&mut self, now: Instant) -> Duration {
        if self
            .started
            .take()
            .is_some_and(|t| now.saturating_duration_since(t) >= HEALTHY_RUN)
        {
            self.reset();
        }
        self.streak = self.streak.saturating_add(1);
        let wait = self.next;
        self.next = (self.next * 2).min(self.max);
        wait
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIRST: Duration = Duration::from_secs(5);
    const MAX: Duration = Duration::from_secs(60);

    #[test]
    fn quick_ends_double_the_wait_up_to_the_max() {
        let mut b = Backoff::new(FIRST, MAX);
        let t = Instant::now();
        let waits: Vec<u64> = (0..6)
            .map(|_| {
                b.started_at(t);
                b.ended_at(t + Duration::from_secs(1)).as_secs()
            })
            .collect();
        assert_eq!(waits, [5, 10, 20, 40, 60, 60]);
        assert_eq!(b.streak(), 6);
    }

    #[test]
    fn a_healthy_run_starts_the_waits_over() {
        let mut b = Backoff::new(FIRST, MAX);
        let t = Instant::now();
        for _ in 0..3 {
            b.started_at(t);
            b.ended_at(t);
        }
        b.started_at(t);
        assert_eq!(b.ended_at(t + HEALTHY_RUN), FIRST);
        assert_eq!(b.streak(), 1);
    }

    #[test]
    fn failures_to_start_count_as_quick_ends() {
        let mut b = Backoff::new(FIRST, MAX);
        assert_eq!(b.ended(), FIRST);
        assert_eq!(b.ended(), FIRST * 2);
        b.reset();
        assert_eq!(b.ended(), FIRST);
    }
}
