//! The subcommands that act on one or several sessions: `start`, `stop`, `kill`,
//! `restart`, `pause`, `unpause`, `send`. One NAME behaves as it always has; several are
//! all resolved before any is touched (a NAME that does not resolve, or a session the
//! operation cannot apply to, stops everything with exit 2), then acted on a few at a
//! time, each result on its own line and a summary at the end.

use std::io::Write;
use std::time::Duration;

use muxdeck::engine::bulk::{fan_out, summary};
use muxdeck::engine::{Engine, EngineError, Input, StopMode};
use muxdeck::model::{Location, Session};

use super::CliError;

/// An operation that applies to many sessions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bulk {
    /// Start.
    Start,
    /// Stop as the mode says, with this grace (default: the config's).
    Stop(StopMode, Option<Duration>),
    /// Restart.
    Restart,
    /// Freeze a container.
    Pause,
    /// Thaw a container.
    Unpause,
}

impl Bulk {
    fn verb(self) -> &'static str {
        match self {
            Bulk::Start => "start",
            Bulk::Stop(StopMode::Graceful, _) => "stop",
            Bulk::Stop(StopMode::Kill, _) => "kill",
            Bulk::Restart => "restart",
            Bulk::Pause => "pause",
            Bulk::Unpause => "unpause",
        }
    }

    fn done(self) -> &'static str {
        match self {
            Bulk::Start => "started",
            Bulk::Stop(StopMode::Graceful, _) => "stopped",
            Bulk::Stop(StopMode::Kill, _) => "killed",
            Bulk::Restart => "restarted",
            Bulk::Pause => "paused",
            Bulk::Unpause => "unpaused",
        }
    }

    /// Refuses, before anything is done, a session this operation can never apply to.
    fn check(self, s: &Session) -> Result<(), EngineError> {
        match (self, &s.id.location) {
            (Bulk::Pause | Bulk::Unpause, Location::Tmux { .. }) => {
                Err(EngineError::PauseTmux(s.id.clone()))
            }
            _ => Ok(()),
        }
    }

    /// Does it to `s`; the line that says what happened.
    async fn apply(self, engine: &Engine, s: &Session) -> Result<String, EngineError> {
        Ok(match self {
            Bulk::Start => {
                engine.start(s).await?;
                format!("started {}", s.id)
            }
            Bulk::Stop(mode, grace) => engine.stop(s, mode, grace).await?.message(s),
            Bulk::Restart => {
                engine.restart(s).await?;
                format!("restarted {}", s.id)
            }
            Bulk::Pause => engine.pause(s).await?.message(s),
            Bulk::Unpause => engine.unpause(s).await?.message(s),
        })
    }
}

/// Runs `op` on the sessions `names` mean; the exit code (1 when any failed).
pub async fn run(
    engine: &Engine,
    names: &[String],
    op: Bulk,
    out: &mut impl Write,
) -> Result<i32, CliError> {
    let sessions = resolve(engine, names, |s| op.check(s)).await?;
    let many = names.len() > 1;
    let results = fan_out(sessions, |s| async move {
        let r = op.apply(engine, &s).await;
        (s, r)
    })
    .await;
    report(op.verb(), op.done(), results, many, out)
}

/// `send`: a line (the words after `--`, joined by spaces) or keys to tmux panes.
pub async fn send(
    engine: &Engine,
    names: &[String],
    text: Vec<String>,
    keys: Vec<String>,
    out: &mut impl Write,
) -> Result<i32, CliError> {
    let input = match (text.is_empty(), keys.is_empty()) {
        (false, false) => {
            return Err(CliError::Usage(
                "send takes either a TEXT after `--` or --keys, not both".into(),
            ));
        }
        (true, true) => {
            return Err(CliError::Usage(
                "nothing to send: give the line after `--` (muxdeck send NAME -- TEXT) or keys with --keys C-c".into(),
            ));
        }
        (false, true) => Input::Line(text.join(" ")),
        (true, false) => Input::Keys(keys),
    };
    let sessions = resolve(engine, names, |s| match s.id.location {
        Location::Container { .. } => Err(EngineError::SendContainer(s.id.clone())),
        Location::Tmux { .. } => Ok(()),
    })
    .await?;
    let input = &input;
    let results = fan_out(sessions, |s| async move {
        let r = engine
            .send(&s, input)
            .await
            .map(|()| format!("sent to {}", s.id));
        (s, r)
    })
    .await;
    report("send", "sent", results, names.len() > 1, out)
}

/// The sessions `names` mean, each one checked: one NAME alone keeps its own error and
/// exit code; with several, every problem is gathered into one refusal (exit 2).
async fn resolve(
    engine: &Engine,
    names: &[String],
    check: impl Fn(&Session) -> Result<(), EngineError>,
) -> Result<Vec<Session>, CliError> {
    if let [name] = names {
        let s = engine.resolve(name).await?;
        check(&s).map_err(|e| CliError::Usage(e.to_string()))?;
        return Ok(vec![s]);
    }
    let sessions = engine.resolve_many(names).await?;
    let problems: Vec<String> = sessions
        .iter()
        .filter_map(|s| check(s).err().map(|e| e.to_string()))
        .collect();
    if problems.is_empty() {
        Ok(sessions)
    } else {
        Err(EngineError::Unresolved {
            of: names.len(),
            problems,
        }
        .into())
    }
}

/// Prints each result (done on stdout, failed on stderr) and, for several, the summary.
/// One session's failure is its error as it always was.
fn report(
    verb: &str,
    done: &str,
    results: Vec<(Session, Result<String, EngineError>)>,
    many: bool,
    out: &mut impl Write,
) -> Result<i32, CliError> {
    let mut failures = Vec::new();
    let mut succeeded = 0;
    for (s, r) in results {
        match r {
            Ok(line) => {
                succeeded += 1;
                writeln!(out, "{line}")?;
            }
            Err(e) if !many => return Err(e.into()),
            Err(e) => {
                eprintln!("muxdeck: {verb} {} failed: {e}", s.id);
                failures.push((s.id, e.to_string()));
            }
        }
    }
    if !many {
        return Ok(0);
    }
    let line = summary(done, succeeded, &failures);
    if failures.is_empty() {
        writeln!(out, "{line}")?;
        Ok(0)
    } else {
        out.flush()?;
        Err(CliError::Partial(line))
    }
}
