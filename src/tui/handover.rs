//! Handing the real terminal to `tmux attach`, `podman attach` or a shell in a container,
//! and taking it back, whatever happened there.

use std::time::Duration;

use crossterm::event::EventStream;
use futures::FutureExt;

use super::app::{HandOver, Level};
use super::{Runner, TuiError, wording};
use crate::backend::process::Invocation;
use crate::backend::tmux_tree::WindowPane;
use crate::engine::{Attach, Handover};
use crate::model::{Location, Session};

impl Runner {
    /// Hands the real terminal to the session (or a shell in it), and takes it back when
    /// that returns. An attach with `at` shows that window or pane of a tmux session.
    pub(super) async fn hand_over(
        &mut self,
        s: &Session,
        to: HandOver,
        at: Option<&WindowPane>,
    ) -> Result<(), TuiError> {
        let current = std::env::var("TMUX").ok();
        let plan = match to {
            HandOver::Shell => self.engine.exec_command(s, &[]).await.map(|inv| {
                Attach::Terminal(Handover {
                    inv,
                    back: "`exit`".into(),
                })
            }),
            HandOver::Attach => self.engine.attach_command(s, current.as_deref(), at).await,
        };
        let Handover { inv, back } = match plan {
            Ok(Attach::Terminal(h)) => h,
            Ok(Attach::NoTerminal) => {
                self.app.show_log_instead(s);
                return Ok(());
            }
            Err(e) => {
                let text = wording::engine_error(&e, &self.app.keymap);
                self.app.say(text, Level::Error);
                return Ok(());
            }
        };
        let what = match to {
            HandOver::Shell => "shell in",
            HandOver::Attach => "attached to",
        };
        let place = match at.map(|a| self.app.tree.describe(&s.id, a)) {
            Some(label) => format!("{}, {label}", s.id),
            None => s.id.to_string(),
        };
        let status = self
            .away(
                &inv,
                &format!("muxdeck: {what} {place}; {back} comes back to muxdeck"),
            )
            .await?;
        let alive = self.still_alive(s).await;
        let (text, level) = match (status, alive) {
            (Err(e), _) => (format!("cannot run `{}`: {e}", inv.display()), Level::Error),
            (Ok(_), false) => (format!("{} has ended", s.id), Level::Error),
            (Ok(st), true) if !st.success() && to == HandOver::Attach => {
                (format!("`{}` ended with {st}", inv.display()), Level::Error)
            }
            (Ok(_), true) => (format!("back from {}", s.id), Level::Info),
        };
        self.app.handed_back(text, level);
        self.watchers.refresh();
        self.merge();
        self.dirty = true;
        Ok(())
    }

    /// Leaves the screen, prints `line`, runs `inv` on the real terminal and takes the
    /// screen back, dropping keys and Ctrl-Cs that were meant for the program.
    pub(super) async fn away(
        &mut self,
        inv: &Invocation,
        line: &str,
    ) -> Result<std::io::Result<std::process::ExitStatus>, TuiError> {
        // The event stream reads stdin: it must be gone before the child gets the terminal.
        self.events = None;
        self.tui.exit();
        // On the main screen, where it stays visible under a program that does not clear it
        // and above the shell when muxdeck ends.
        println!("{line}");
        let status = tokio::task::block_in_place(|| inv.to_std().status());
        // A Ctrl-C typed into a program that leaves the terminal cooked (`podman attach` to
        // a container without a tty) signals muxdeck too, as part of the terminal's
        // foreground group: it was meant for that program, not for muxdeck.
        while let Some(Some(())) = self.sigint.recv().now_or_never() {}
        self.tui.enter()?;
        // Keys typed while away were meant for the session, not for muxdeck. The first
        // poll may only swallow the wake-up the dropped event stream left pending (and
        // report nothing), so drain twice.
        for _ in 0..2 {
            while crossterm::event::poll(Duration::ZERO)? {
                let _ = crossterm::event::read()?;
            }
        }
        self.events = Some(EventStream::new());
        Ok(status)
    }

    /// Whether the session still runs after the hand-over (a tmux session that is still
    /// listed does; a container must be running or paused).
    async fn still_alive(&self, s: &Session) -> bool {
        match &s.id.location {
            Location::Tmux { .. } => matches!(self.engine.target(s).await, Ok(Some(_))),
            // One inspect gives both: still that container (the id listed), and alive.
            Location::Container { runtime } => {
                match self
                    .engine
                    .container_now(&s.id.host, *runtime, &s.id.name)
                    .await
                {
                    Ok(Some(c)) => {
                        c.state.is_alive()
                            && s.backend_id
                                .as_ref()
                                .is_none_or(|id| c.backend_id.as_ref() == Some(id))
                    }
                    _ => false,
                }
            }
        }
    }
}
