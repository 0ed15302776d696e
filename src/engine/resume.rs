//! When a broken log stream is followed again. The log pane's own follow and each session
//! of a merged log resume by this one policy: after a wait that doubles while the stream
//! keeps breaking soon after it started, and not after too many such breaks in a row.

use std::time::Duration;

use crate::backoff::Backoff;

/// How often in a row a log stream that breaks soon after it started is resumed before
/// the follow gives up and says why (podman 4.3's `logs --follow` can exit under a log
/// flood). A stream that ran healthy for a while ([`crate::backoff::HEALTHY_RUN`]) starts
/// the count over, so occasional breaks over a long watch never exhaust it.
pub const MAX_RESUMES: u32 = 3;
/// Wait before resuming a broken log stream; it doubles with each quick break in a row.
const RESUME_DELAY: Duration = Duration::from_secs(1);
/// Longest wait before resuming a broken log stream.
const RESUME_MAX: Duration = Duration::from_secs(30);

/// The resumes of one followed log.
#[derive(Debug, Clone)]
pub struct Resumes(Backoff);

impl Default for Resumes {
    fn default() -> Self {
        Resumes(Backoff::new(RESUME_DELAY, RESUME_MAX))
    }
}

impl Resumes {
    /// Notes that the stream (re)opened now, so that its next break can tell a healthy run.
    pub fn started(&mut self) {
        self.0.started();
    }

    /// The stream broke, or would not open again: the wait before following it again
    /// (from then on, with no history, so nothing shows twice), or `None` once it has
    /// broken soon after starting more than [`MAX_RESUMES`] times in a row.
    pub fn broke(&mut self) -> Option<Duration> {
        let wait = self.0.ended();
        (self.0.streak() <= MAX_RESUMES).then_some(wait)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quick_breaks_wait_longer_then_give_up_and_a_fresh_follow_starts_over() {
        let mut r = Resumes::default();
        r.started();
        // A resume that would not open counts as a quick break too.
        let waits: Vec<Option<u64>> = (0..=MAX_RESUMES)
            .map(|_| r.broke().map(|d| d.as_secs()))
            .collect();
        assert_eq!(waits, [Some(1), Some(2), Some(4), None]);
        assert_eq!(Resumes::default().broke(), Some(RESUME_DELAY));
        // A healthy run starting the count over is Backoff's (tested there).
    }
}
