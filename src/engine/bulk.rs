//! Acting on several sessions at once: each session's operation runs on its own, a bounded
//! number at a time, and the results come back in the order the sessions were given, so a
//! report reads as the request did. One failure never stops the others.

use std::future::Future;

use futures::StreamExt;

use crate::model::{Session, SessionId};

/// How many sessions are acted on at the same time. Enough to hide the backends' latency
/// (a graceful stop waits on its program), few enough that 50 stops do not start 50 tmux
/// or podman processes at once on a small machine.
pub const FAN_OUT: usize = 8;

/// Runs `op` on every session, at most [`FAN_OUT`] at a time; the results are in the
/// order of `sessions`.
pub async fn fan_out<T, E, F, Fut>(sessions: Vec<Session>, op: F) -> Vec<(Session, Result<T, E>)>
where
    F: Fn(Session) -> Fut,
    Fut: Future<Output = (Session, Result<T, E>)>,
{
    futures::stream::iter(sessions.into_iter().map(op))
        .buffered(FAN_OUT)
        .collect()
        .await
}

/// One line for the outcome of an operation on many sessions: `3 stopped`, or
/// `3 stopped, 1 failed: tmux:db — why`. `done` is the verb's past tense.
pub fn summary(done: &str, succeeded: usize, failures: &[(SessionId, String)]) -> String {
    if failures.is_empty() {
        return format!("{succeeded} {done}");
    }
    let named: Vec<String> = failures
        .iter()
        .map(|(id, why)| format!("{id} — {why}"))
        .collect();
    format!(
        "{succeeded} {done}, {} failed: {}",
        failures.len(),
        named.join("; ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::State;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    #[test]
    fn the_summary_names_every_failure() {
        let db = SessionId::tmux("default", "db");
        let web = SessionId::tmux("w", "web2");
        assert_eq!(summary("stopped", 3, &[]), "3 stopped");
        assert_eq!(
            summary(
                "stopped",
                3,
                &[(db, "it broke".into()), (web, "gone".into())]
            ),
            "3 stopped, 2 failed: tmux:db — it broke; tmux@w:web2 — gone"
        );
    }

    #[tokio::test]
    async fn fan_out_keeps_the_order_and_bounds_the_concurrency() {
        let running = AtomicUsize::new(0);
        let most = AtomicUsize::new(0);
        let sessions: Vec<Session> = (0..30)
            .map(|i| Session::new(SessionId::tmux("s", format!("n{i}")), State::Running))
            .collect();
        let out = fan_out(sessions, |s| {
            let (running, most) = (&running, &most);
            async move {
                let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                most.fetch_max(now, Ordering::SeqCst);
                // Later sessions finish first: the order must still be the given one.
                let n: u64 = s.id.name[1..].parse().unwrap_or(0);
                tokio::time::sleep(Duration::from_millis(30 - n)).await;
                running.fetch_sub(1, Ordering::SeqCst);
                let r: Result<u64, ()> = Ok(n);
                (s, r)
            }
        })
        .await;
        let order: Vec<u64> = out.iter().map(|(_, r)| (*r).unwrap_or(99)).collect();
        assert_eq!(order, (0..30).collect::<Vec<_>>());
        let most = most.load(Ordering::SeqCst);
        assert!(most <= FAN_OUT && most > 1, "{most} ran at once");
    }
}
