//! muxdeck running for real in a pane of a private tmux server (the "UI server", 120x35):
//! keys go in with `send-keys`, the screen comes back with `capture-pane`. The sessions it
//! lists live in a different private `TMUX_TMPDIR`, so it never lists its own session.
//! Shared by the end-to-end and fault tests of the TUI: besides keys and screens it
//! resizes the pane, signals muxdeck, and checks that muxdeck answers keys and, once it
//! ended, left the terminal as it found it.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use crate::support::screen::{list_rows, log_title};
use crate::support::{
    TmuxWorld, children, comm, muxdeck, process_alive, shell_line, temp_dir, unique, wait_until,
    write_config,
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

/// How the pane's shell runs muxdeck.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Shell {
    /// As `sh -c` does: muxdeck shares the shell's process group.
    Plain,
    /// As an interactive shell does (`set -m`): muxdeck in a process group of its own, the
    /// terminal's foreground group, so a Ctrl-C typed on a cooked terminal signals muxdeck
    /// and its children but not the shell.
    JobControl,
}

/// muxdeck running in a pane of its own tmux server. When muxdeck ends, the pane's shell
/// prints its exit status and the terminal modes it left (`modes: icanon echo isig`), then
/// keeps the pane open. Dropping it kills that server (so a muxdeck still running gets its
/// hangup), makes sure the muxdeck process is gone, and removes the config.
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
        Deck::start_with(world, config, &[], Shell::Plain)
    }

    /// Like [`Deck::start`], with extra environment variables for muxdeck, run by `shell`.
    pub fn start_with(world: &TmuxWorld, config: &str, env: &[(&str, &str)], shell: Shell) -> Deck {
        let dir = temp_dir("deck-cfg");
        let config = write_config(dir.path(), config);
        let mut cmd = muxdeck(Some(&config));
        world.apply(&mut cmd);
        cmd.envs(env.iter().copied());
        // After muxdeck: say how it ended and in which terminal modes it left the pane,
        // then keep the pane open so the test can read that.
        let script = format!(
            "{}{}; echo \"muxdeck exited with $?\"; \
             echo \"modes: $(stty -a | tr ' ;' '\\n\\n' | grep -xE -- '-?(icanon|echo|isig)' | tr '\\n' ' ')\"; \
             exec sleep 600",
            if shell == Shell::JobControl {
                "set -m; "
            } else {
                ""
            },
            shell_line(&cmd)
        );
        let ui = TmuxWorld::new();
        let socket = unique("ui");
        ui.new_session_sized(&socket, "deck", (WIDTH, HEIGHT), &script);
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

    /// Runs a tmux command on the UI server; returns stdout.
    pub fn ui_tmux(&self, args: &[&str]) -> String {
        self.ui().tmux_ok(&self.socket, args)
    }

    /// The muxdeck process: the child of the pane's shell.
    pub fn muxdeck_pid(&self) -> Option<u32> {
        let shell: u32 = self.format("#{pane_pid}").parse().ok()?;
        children(shell)
            .into_iter()
            .find(|&p| comm(p).as_deref() == Some("muxdeck"))
    }

    /// muxdeck's pid, which the first frame made known; panics when it was not found.
    pub fn pid(&self) -> u32 {
        self.pid
            .unwrap_or_else(|| panic!("muxdeck's pid was not found after its first frame"))
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
        self.ui_tmux(&["display-message", "-p", "-t", &self.pane, format])
            .trim()
            .to_string()
    }

    /// Presses keys, in tmux's key names (`j`, `Enter`, `Escape`, `C-b`).
    pub fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", &self.pane];
        args.extend_from_slice(keys);
        self.ui_tmux(&args);
    }

    /// Types `text` literally.
    pub fn type_text(&self, text: &str) {
        self.ui_tmux(&["send-keys", "-t", &self.pane, "-l", text]);
    }

    /// Resizes the UI window (and so muxdeck's pane) to `width` x `height`.
    pub fn resize(&self, width: u16, height: u16) {
        self.ui_tmux(&[
            "resize-window",
            "-t",
            "=deck:",
            "-x",
            &width.to_string(),
            "-y",
            &height.to_string(),
        ]);
    }

    /// Sends `signal` (`TERM`, `HUP`) to muxdeck.
    pub fn signal(&self, signal: &str) {
        let status = std::process::Command::new("kill")
            .args([&format!("-{signal}"), &self.pid().to_string()])
            .status()
            .unwrap_or_else(|e| panic!("cannot run kill: {e}"));
        assert!(status.success(), "kill -{signal} failed");
    }

    /// Narrows the list to the running container `name` with the filter (podman lists
    /// every container on the machine): `/`, `podman:NAME`, Enter. Waits until it is the
    /// only row and its log is followed; returns that screen.
    pub fn select(&self, name: &str) -> String {
        self.select_in(name, "running")
    }

    /// Like [`Deck::select`], for a container shown in `state` (`exited`, `defined`...),
    /// before and after the filter.
    pub fn select_in(&self, name: &str, state: &str) -> String {
        let shows = |s: &str| crate::support::screen::shows(s, name, "podman", state);
        // Filtered first: the machine's podman may hold more containers than the screen
        // has rows (another suite's fixture world), and this one's row could be below.
        self.wait("the first frame", |s| s.contains(" sessions "));
        self.keys(&["/"]);
        self.type_text(&format!("podman:{name}"));
        self.keys(&["Enter"]);
        self.wait("its row alone, its log followed", |s| {
            list_rows(s).len() == 1
                && shows(s)
                && s.contains(&format!("filter: podman:{name} "))
                && log_title(s).contains(&format!("logs · podman:{name} "))
        })
    }

    /// Waits until the plain screen satisfies `cond`, for at most [`WAIT`]; returns that
    /// screen.
    pub fn wait(&self, what: &str, cond: impl FnMut(&str) -> bool) -> String {
        self.wait_on(false, WAIT, what, cond)
    }

    /// Waits until the plain screen satisfies `cond`, for at most `timeout`; returns that
    /// screen.
    pub fn wait_for(
        &self,
        timeout: Duration,
        what: &str,
        cond: impl FnMut(&str) -> bool,
    ) -> String {
        self.wait_on(false, timeout, what, cond)
    }

    /// Waits until the colored screen satisfies `cond`, for at most [`WAIT`]; returns that
    /// screen.
    pub fn wait_ansi(&self, what: &str, cond: impl FnMut(&str) -> bool) -> String {
        self.wait_on(true, WAIT, what, cond)
    }

    /// Waits until the screen (colored with `ansi`) satisfies `cond`, for at most
    /// `timeout`; panics with the last screen (also as text, when colored).
    pub fn wait_on(
        &self,
        ansi: bool,
        timeout: Duration,
        what: &str,
        cond: impl FnMut(&str) -> bool,
    ) -> String {
        self.try_wait_on(ansi, timeout, cond)
            .unwrap_or_else(|screen| {
                let shown = if ansi {
                    format!(
                        "{}\n--- as text ---\n{}",
                        screen.escape_debug(),
                        self.screen()
                    )
                } else {
                    screen
                };
                panic!("timed out after {timeout:?} waiting for {what}; the screen shows:\n{shown}")
            })
    }

    /// Waits until the plain screen satisfies `cond`, for at most `timeout`; the last
    /// screen is the error.
    pub fn try_wait(
        &self,
        timeout: Duration,
        cond: impl FnMut(&str) -> bool,
    ) -> Result<String, String> {
        self.try_wait_on(false, timeout, cond)
    }

    fn try_wait_on(
        &self,
        ansi: bool,
        timeout: Duration,
        mut cond: impl FnMut(&str) -> bool,
    ) -> Result<String, String> {
        let deadline = Instant::now() + timeout;
        loop {
            let screen = self.capture(ansi);
            if cond(&screen) {
                return Ok(screen);
            }
            if Instant::now() >= deadline {
                return Err(screen);
            }
            std::thread::sleep(POLL);
        }
    }

    /// Asserts muxdeck runs and answers a key: `?` opens the help within 2 s, `Escape`
    /// closes it.
    pub fn assert_responsive(&self) {
        assert!(
            process_alive(self.pid()),
            "muxdeck died; the screen shows:\n{}",
            self.screen()
        );
        self.keys(&["?"]);
        self.wait_for(Duration::from_secs(2), "the help, within 2 s", |s| {
            s.contains(" muxdeck keys ")
        });
        self.keys(&["Escape"]);
        self.wait("help closed", |s| !s.contains(" muxdeck keys "));
    }

    /// Waits for muxdeck to end, asserts it ended with one of `codes` and left the terminal
    /// as it found it (main screen, cursor shown, mouse reporting off, cooked mode, no
    /// trace of the UI on the main screen). Returns the screen.
    pub fn assert_exited_and_restored(&self, codes: &[i32]) -> String {
        let pid = self.pid();
        let screen = self.wait("the shell again", |s| {
            s.contains("muxdeck exited with ") && s.contains("modes: ")
        });
        assert!(
            wait_until(WAIT, || !process_alive(pid)),
            "muxdeck {pid} still runs"
        );
        let code: i32 = screen
            .lines()
            .find_map(|l| l.strip_prefix("muxdeck exited with "))
            .and_then(|c| c.trim().parse().ok())
            .unwrap_or_else(|| panic!("no exit status:\n{screen}"));
        assert!(codes.contains(&code), "exit status {code}:\n{screen}");
        assert!(!screen.contains(" sessions "), "UI left over:\n{screen}");
        assert_eq!(self.format("#{alternate_on}"), "0", "{screen}");
        assert_eq!(self.format("#{cursor_flag}"), "1", "{screen}");
        assert_eq!(
            self.format(
                "#{mouse_any_flag}#{mouse_button_flag}#{mouse_standard_flag}#{mouse_sgr_flag}"
            ),
            "0000",
            "{screen}"
        );
        let modes = screen
            .lines()
            .find_map(|l| l.strip_prefix("modes: "))
            .unwrap_or_else(|| panic!("no modes line:\n{screen}"));
        let modes: Vec<&str> = modes.split_whitespace().collect();
        for m in ["icanon", "echo", "isig"] {
            assert!(modes.contains(&m), "{m} is off after exiting: {modes:?}");
        }
        screen
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
