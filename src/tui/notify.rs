//! Telling of a session that exited with a failure beyond the screen, as the config's
//! `notify:` asks: the terminal bell, or a desktop notification through `notify-send`
//! (an argument vector, never a shell line; skipped quietly when it is not installed).

use std::io::Write;
use std::time::Duration;

use crate::backend::process::{self, Invocation};
use crate::config::Notify;

/// The longest a desktop notification may take to hand over.
const NOTIFY_LIMIT: Duration = Duration::from_secs(5);

/// Tells of `alerts` (one line each) as `how` says.
pub fn tell(how: Notify, alerts: Vec<String>) {
    if alerts.is_empty() {
        return;
    }
    match how {
        Notify::None => {}
        Notify::Bell => {
            // The bell is a character for the terminal, not for the screen being drawn.
            let mut out = std::io::stdout();
            let _ = out.write_all(b"\x07").and_then(|()| out.flush());
        }
        Notify::Desktop => {
            let Ok(program) = which::which("notify-send") else {
                return;
            };
            let body = alerts.join("\n");
            let inv = Invocation::new(program.to_string_lossy())
                .args(["--app-name=muxdeck", "muxdeck: a session failed"])
                .arg(body);
            tokio::spawn(async move {
                let _ = process::run(&inv, NOTIFY_LIMIT).await;
            });
        }
    }
}
