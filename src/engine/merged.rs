//! One live log of several sessions, as `docker compose logs -f` shows it: one follow per
//! session, their events interleaved in arrival order, every line after its session's
//! colored `name | ` prefix, and each source's drops, break or end as a line of its own
//! naming it, so the others go on when one of them stops.

use tokio::sync::mpsc;
use tokio::task::JoinSet;

use super::follow::{LogEvent, LogStream};
use super::resume::Resumes;
use super::{Engine, EngineError};
use crate::logs::window::{LogWindow, STAMP_SEP, split_stamp};
use crate::model::{Location, Session};

/// Most sessions one merged log follows: each is a backend process (or poll) of its own.
pub const MAX_MERGED: usize = 50;

/// Colors of the prefixes (256-color palette indexes), picked by a hash of the session.
const PALETTE: [u8; 12] = [39, 214, 170, 77, 209, 141, 44, 220, 203, 111, 150, 175];

/// Batches waiting between the per-session follows and the merged stream.
const DEPTH: usize = 64;

/// The palette color of `key`'s prefix: the same session, the same color, every run.
pub fn prefix_color(key: &str) -> u8 {
    // FNV-1a: stable across runs and builds, unlike the standard hasher.
    let hash = key.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    let i = usize::try_from(hash % PALETTE.len() as u64).unwrap_or(0);
    PALETTE[i]
}

/// The prefix colors of `sessions`, in their order: each its [`prefix_color`], or when an
/// earlier one has it, the next palette color none of them has yet (while there is one),
/// so two sessions of a merged log never share a color unless the palette runs out.
pub fn prefix_colors(sessions: &[Session]) -> Vec<u8> {
    let mut taken: Vec<u8> = Vec::with_capacity(sessions.len());
    for s in sessions {
        let first = prefix_color(&s.id.qualified());
        let start = PALETTE.iter().position(|c| *c == first).unwrap_or(0);
        let free = (0..PALETTE.len())
            .filter_map(|k| PALETTE.get((start + k) % PALETTE.len()).copied())
            .find(|c| !taken.contains(c));
        taken.push(free.unwrap_or(first));
    }
    taken
}

/// `name | ` in palette color `color` (an SGR sequence the line's conversion reads), padded
/// to `width` columns so the lines start in one column.
pub fn prefix(s: &Session, width: usize, color: u8) -> String {
    let name = s.id.display_name();
    let pad = width.saturating_sub(unicode_width::UnicodeWidthStr::width(name.as_str()));
    format!("\x1b[38;5;{color}m{name}{} |\x1b[0m ", " ".repeat(pad))
}

impl Engine {
    /// Follows every one of `sessions` (at most [`MAX_MERGED`]; the rest are left out) as
    /// one stream of prefixed lines, each starting with `history` lines and keeping up to
    /// `cap` for a slow reader. A session whose log cannot be opened, breaks or ends says
    /// so in a line of its own; the stream ends once every session's has.
    pub fn follow_merged(
        &self,
        sessions: Vec<Session>,
        history: usize,
        cap: usize,
        window: LogWindow,
    ) -> LogStream {
        let (tx, rx) = mpsc::channel(DEPTH);
        let engine = self.clone();
        let task = tokio::spawn(run(engine, sessions, history, cap, window, tx));
        LogStream::from_task(rx, task)
    }
}

/// What one session's follow reports to the merged stream.
enum Part {
    Event(LogEvent),
    Open(EngineError),
    /// Its stream broke (or would not open again) and is followed again after a wait.
    Resuming(String),
}

/// Follows session number `i` of the merged log, resuming its stream as the single log's
/// follow does ([`Resumes`]) when it breaks: a host that drops for a while leaves a mark
/// per break, and its lines come back once it does.
async fn follow_one(
    engine: Engine,
    s: Session,
    i: usize,
    mut history: usize,
    cap: usize,
    window: LogWindow,
    ptx: mpsc::Sender<(usize, Part)>,
) {
    let mut resumes = Resumes::default();
    let mut resumed = false;
    loop {
        let why = match engine.follow_in(&s, history, cap, window).await {
            Ok(mut stream) => {
                resumes.started();
                loop {
                    match stream.next().await {
                        Some(LogEvent::Failed(why)) => break why,
                        Some(ev) => {
                            let last = matches!(ev, LogEvent::Ended(_));
                            if ptx.send((i, Part::Event(ev))).await.is_err() || last {
                                return;
                            }
                        }
                        None => {
                            let ended = LogEvent::Ended("stream over".into());
                            let _ = ptx.send((i, Part::Event(ended))).await;
                            return;
                        }
                    }
                }
            }
            // A follow that never opened is no stream to resume: say why and stop.
            Err(e) if !resumed => {
                let _ = ptx.send((i, Part::Open(e))).await;
                return;
            }
            Err(e) => e.to_string(),
        };
        let Some(wait) = resumes.broke() else {
            let _ = ptx.send((i, Part::Event(LogEvent::Failed(why)))).await;
            return;
        };
        if ptx.send((i, Part::Resuming(why))).await.is_err() {
            return;
        }
        tokio::time::sleep(wait).await;
        // From now on: the lines before the break were shown already.
        history = 0;
        resumed = true;
    }
}

async fn run(
    engine: Engine,
    mut sessions: Vec<Session>,
    history: usize,
    cap: usize,
    window: LogWindow,
    tx: mpsc::Sender<LogEvent>,
) {
    sessions.truncate(MAX_MERGED);
    let width = sessions
        .iter()
        .map(|s| unicode_width::UnicodeWidthStr::width(s.id.display_name().as_str()))
        .max()
        .unwrap_or(0);
    let prefixes: Vec<String> = sessions
        .iter()
        .zip(prefix_colors(&sessions))
        .map(|(s, c)| prefix(s, width, c))
        .collect();
    // Containers' lines come with the runtime's time, passed on before STAMP_SEP.
    let stamped: Vec<bool> = sessions
        .iter()
        .map(|s| matches!(s.id.location, Location::Container { .. }))
        .collect();
    let (ptx, mut prx) = mpsc::channel::<(usize, Part)>(DEPTH);
    // Dropped with this task (the merged stream dropped): every follow ends with it.
    let mut follows = JoinSet::new();
    for (i, s) in sessions.into_iter().enumerate() {
        let engine = engine.clone();
        let ptx = ptx.clone();
        let window = LogWindow {
            timestamps: stamped.get(i).copied().unwrap_or(false),
            ..window
        };
        follows.spawn(follow_one(engine, s, i, history, cap, window, ptx));
    }
    drop(ptx);
    while let Some((i, part)) = prx.recv().await {
        let p = prefixes.get(i).map_or("", String::as_str);
        let lines = match part {
            Part::Event(LogEvent::Lines(ls)) if stamped.get(i) == Some(&true) => ls
                .into_iter()
                .map(|l| match split_stamp(&l) {
                    Some((at, rest)) => format!("{at}{STAMP_SEP}{p}{rest}"),
                    None => format!("{p}{l}"),
                })
                .collect(),
            Part::Event(LogEvent::Lines(ls)) => ls.into_iter().map(|l| format!("{p}{l}")).collect(),
            Part::Event(LogEvent::Skipped(n)) => {
                vec![format!(
                    "{p}\x1b[2m… {n} lines skipped (output too fast) …\x1b[0m"
                )]
            }
            Part::Event(LogEvent::Ended(why)) => {
                vec![format!("{p}\x1b[2m── ended: {why} ──\x1b[0m")]
            }
            Part::Event(LogEvent::Failed(why)) => {
                vec![format!(
                    "{p}\x1b[2m── stream broke: {why}; given up ──\x1b[0m"
                )]
            }
            Part::Resuming(why) => {
                vec![format!(
                    "{p}\x1b[2m── stream broke: {why}; following again ──\x1b[0m"
                )]
            }
            Part::Open(e) => vec![format!("{p}\x1b[2m── stream broke: {e} ──\x1b[0m")],
        };
        if tx.send(LogEvent::Lines(lines)).await.is_err() {
            return;
        }
    }
    let _ = tx
        .send(LogEvent::Ended("every merged session's log ended".into()))
        .await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_colors_are_stable_and_spread() {
        assert_eq!(prefix_color("tmux@a:web"), prefix_color("tmux@a:web"));
        let colors: std::collections::BTreeSet<u8> = (0..20)
            .map(|i| prefix_color(&format!("podman:c{i}")))
            .collect();
        assert!(colors.len() >= 4, "{colors:?}");
    }

    #[test]
    fn sessions_of_one_merged_log_get_colors_of_their_own() {
        use crate::model::{SessionId, State};
        let sessions: Vec<Session> = (0..PALETTE.len() + 2)
            .map(|i| Session::new(SessionId::tmux("s", format!("n{i}")), State::Running))
            .collect();
        let colors = prefix_colors(&sessions);
        let first: std::collections::BTreeSet<u8> =
            colors.iter().take(PALETTE.len()).copied().collect();
        assert_eq!(first.len(), PALETTE.len(), "{colors:?}");
        // The first keeps its own color; the same set gives the same colors every time.
        assert_eq!(colors.first().copied(), Some(prefix_color("tmux@s:n0")));
        assert_eq!(colors, prefix_colors(&sessions));
    }
}
