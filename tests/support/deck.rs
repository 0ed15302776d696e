//! muxdeck running for real in a pane of a private tmux server (the "UI server", 120x35):
//! keys go in with `send-keys`, the screen comes back with `capture-pane`. The sessions it
//! lists live in a different private `TMUX_TMPDIR`, so it never lists its own session.
//! Shared by the end-to-end tests of the TUI.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use crate::support::{
    TmuxWorld, muxdeck, process_alive, shell_line, temp_dir, unique, wait_until, write_config,
};

/// Size of the pane muxdeck runs in.
pub const WIDTH: u16 = 120;
pub const HEIGHT: u16 = 35;
/// Longest wait for anything on screen.
pub const WAIT: Duration = Duration::from_secs(20);
/// How often the screen is read while waiting.
pub const POLL: Duration = Duration::from_millis(50);

/// Config lines that hide the container runtimes, for tests about tmux only: podman's
/// list is machine-wide (other tests' containers come and go) and slower to ask.
pub const NO_RUNTIMES: &str = "defaults:\n  podman_binary: /nonexistent/podman\n  docker_binary: /nonexistent/docker\n  stop_timeout: 3\n";

/// muxdeck running in a pane of its own tmux server. Dropping it kills that server (so
/// muxdeck gets its hangup), makes sure the muxdeck process is gone, and removes the
/// config.
pub struct Deck {
    ui: Option<TmuxWorld>,
    socket: String,
    pane: String,
    /// muxdeck's pid, once it showed up in the pane.
    pub pid: Option<u32>,
    /// The config file muxdeck was started with (tests edit it while it runs).
    pub config: PathBuf,
    _dir: tempfile::TempDir,
}

impl Deck {
    /// Starts muxdeck with `config` (YAML) looking at `world`, and waits for its first frame.
    pub fn start(world: &TmuxWorld, config: &str) -> Deck {
        let dir = temp_dir("e2e-cfg");
        let config = write_config(dir.path(), config);
        let mut cmd = muxdeck(Some(&config));
        world.apply(&mut cmd);
        // After muxdeck: say how it ended and in which terminal modes it left the pane,
        // then keep the pane open so the test can read that.
        let script = format!(
            "{}; echo \"muxdeck exited with $?\"; \
             echo \"modes: $(stty -a | tr ' ;' '\\n\\n' | grep -xE -- '-?(icanon|echo|isig)' | tr '\\n' ' ')\"; \
             exec sleep 600",
            shell_line(&cmd)
        );
        let ui = TmuxWorld::new();
        let socket = unique("ui");
        ui.tmux_ok(
            &socket,
            [
                "new-session",
                "-d",
                "-x",
                &WIDTH.to_string(),
                "-y",
                &HEIGHT.to_string(),
                "-s",
                "deck",
                &script,
            ],
        );
        let pane = ui
            .tmux_ok(
                &socket,
                ["display-message", "-p", "-t", "=deck:", "#{pane_id}"],
            )
            .trim()
            .to_string();
        let mut deck = Deck {
            ui: Some(ui),
            socket,
            pane,
            pid: None,
            config,
            _dir: dir,
        };
        deck.wait("the first frame", |s| {
            s.contains(" sessions ") && s.contains("quit")
        });
        deck.pid = deck.muxdeck_pid();
        deck
    }

    pub fn ui(&self) -> &TmuxWorld {
        self.ui
            .as_ref()
            .unwrap_or_else(|| panic!("the UI server runs until drop"))
    }

    /// The muxdeck process: the child of the pane's shell.
    pub fn muxdeck_pid(&self) -> Option<u32> {
        let shell: u32 = self
            .ui()
            .tmux_ok(
                &self.socket,
                ["display-message", "-p", "-t", &self.pane, "#{pane_pid}"],
            )
            .trim()
            .parse()
            .ok()?;
        let children = std::fs::read_to_string(format!("/proc/{shell}/task/{shell}/children"))
            .unwrap_or_default();
        children
            .split_whitespace()
            .filter_map(|p| p.parse::<u32>().ok())
            .find(|p| {
                std::fs::read_to_string(format!("/proc/{p}/comm"))
                    .is_ok_and(|c| c.trim() == "muxdeck")
            })
    }

    /// The pane as plain text.
    pub fn screen(&self) -> String {
        self.capture(false)
    }

    /// The pane with its colors (`capture-pane -e`).
    pub fn screen_ansi(&self) -> String {
        self.capture(true)
    }

    pub fn capture(&self, ansi: bool) -> String {
        let mut args = vec!["capture-pane", "-p", "-t", &self.pane];
        if ansi {
            args.insert(2, "-e");
        }
        let out = self.ui().tmux(&self.socket, args);
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// A tmux format of the pane (`#{alternate_on}`...).
    pub fn format(&self, format: &str) -> String {
        self.ui()
            .tmux_ok(
                &self.socket,
                ["display-message", "-p", "-t", &self.pane, format],
            )
            .trim()
            .to_string()
    }

    /// Presses keys, in tmux's key names (`j`, `Enter`, `Escape`, `C-b`).
    pub fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", &self.pane];
        args.extend_from_slice(keys);
        self.ui().tmux_ok(&self.socket, args);
    }

    /// Types `text` literally.
    pub fn type_text(&self, text: &str) {
        self.ui()
            .tmux_ok(&self.socket, ["send-keys", "-t", &self.pane, "-l", text]);
    }

    /// Waits until the plain screen satisfies `cond`; returns that screen.
    pub fn wait(&self, what: &str, cond: impl FnMut(&str) -> bool) -> String {
        self.wait_on(false, what, cond)
    }

    /// Waits until the colored screen satisfies `cond`; returns that screen.
    pub fn wait_ansi(&self, what: &str, cond: impl FnMut(&str) -> bool) -> String {
        self.wait_on(true, what, cond)
    }

    pub fn wait_on(&self, ansi: bool, what: &str, mut cond: impl FnMut(&str) -> bool) -> String {
        let deadline = Instant::now() + WAIT;
        loop {
            let screen = self.capture(ansi);
            if cond(&screen) {
                return screen;
            }
            if Instant::now() >= deadline {
                let shown = if ansi {
                    format!(
                        "{}\n--- as text ---\n{}",
                        screen.escape_debug(),
                        self.screen()
                    )
                } else {
                    screen
                };
                panic!("timed out after {WAIT:?} waiting for {what}; the screen shows:\n{shown}");
            }
            std::thread::sleep(POLL);
        }
    }
}

impl Drop for Deck {
    fn drop(&mut self) {
        // Killing the UI server hangs up muxdeck's terminal: it must exit by itself.
        drop(self.ui.take());
        if let Some(pid) = self.pid
            && !wait_until(Duration::from_secs(5), || !process_alive(pid))
        {
            eprintln!("warning: muxdeck {pid} outlived its terminal; killing it");
            let _ = std::process::Command::new("kill")
                .args(["-KILL", &pid.to_string()])
                .status();
        }
    }
}
