//! [`TmuxWorld`]: tmux servers that live in a private `TMUX_TMPDIR`.

use std::collections::BTreeSet;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Mutex;
use std::time::Duration;

use super::process::{describe, run, run_ok, scrub_env, show_output};
use super::{process_alive, temp_dir, wait_until};

const TMUX_TIMEOUT: Duration = Duration::from_secs(20);

/// A private `TMUX_TMPDIR` in which a test starts tmux servers on any socket
/// names (`tmux -L NAME`). Every tmux command run through it has `TMUX` and
/// `TMUX_PANE` removed and `-f /dev/null` (no user config), so it can never
/// reach the user's default server.
///
/// Dropping it runs `kill-server` on every socket in its directory and then
/// removes the directory.
#[derive(Debug)]
pub struct TmuxWorld {
    dir: tempfile::TempDir,
    sockets: Mutex<BTreeSet<String>>,
}

impl Default for TmuxWorld {
    fn default() -> Self {
        Self::new()
    }
}

impl TmuxWorld {
    /// A new, empty world (a temporary directory under `/tmp` or `$TMPDIR`).
    pub fn new() -> Self {
        Self {
            dir: temp_dir("tmux"),
            sockets: Mutex::new(BTreeSet::new()),
        }
    }

    /// The `TMUX_TMPDIR` of this world.
    pub fn tmpdir(&self) -> &Path {
        self.dir.path()
    }

    /// The directory tmux puts its sockets in: `<TMUX_TMPDIR>/tmux-<uid>`.
    pub fn socket_dir(&self) -> PathBuf {
        self.tmpdir().join(format!("tmux-{}", uid()))
    }

    /// The path of socket `socket` (what `tmux -L socket` uses).
    pub fn socket_path(&self, socket: &str) -> PathBuf {
        self.socket_dir().join(socket)
    }

    /// The environment the muxdeck binary (or any tmux client) needs to see
    /// this world: `TMUX_TMPDIR`. `TMUX` must also be *removed* from the
    /// child's environment, which [`apply`](Self::apply) does.
    pub fn env(&self) -> Vec<(String, String)> {
        vec![(
            "TMUX_TMPDIR".to_string(),
            self.tmpdir().display().to_string(),
        )]
    }

    /// Points `cmd` at this world: sets [`env`](Self::env), removes `TMUX`
    /// and `TMUX_PANE`.
    pub fn apply<'a>(&self, cmd: &'a mut Command) -> &'a mut Command {
        cmd.env_remove("TMUX")
            .env_remove("TMUX_PANE")
            .envs(self.env())
    }

    /// `tmux -f /dev/null -L SOCKET` in this world, ready for arguments.
    pub fn command(&self, socket: &str) -> Command {
        self.remember(socket);
        let mut cmd = Command::new("tmux");
        scrub_env(&mut cmd);
        self.apply(&mut cmd);
        cmd.args(["-f", "/dev/null", "-L", socket]);
        cmd
    }

    /// Runs `tmux -L SOCKET ARGS...` and returns its output, whatever the
    /// exit status.
    pub fn tmux<I, S>(&self, socket: &str, args: I) -> Output
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        run(self.command(socket).args(args), TMUX_TIMEOUT)
    }

    /// Runs `tmux -L SOCKET ARGS...`, asserts it exits 0, returns stdout.
    pub fn tmux_ok<I, S>(&self, socket: &str, args: I) -> String
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        run_ok(self.command(socket).args(args), TMUX_TIMEOUT)
    }

    /// Starts a detached 200x50 session `name` on `socket` (starting the
    /// server if needed) running `shell_cmd` through the default shell.
    /// The session ends when the command exits, unless the test sets
    /// `remain-on-exit`.
    pub fn new_session(&self, socket: &str, name: &str, shell_cmd: &str) {
        self.new_session_sized(socket, name, (200, 50), shell_cmd);
    }

    /// Like [`new_session`](Self::new_session), with a window of `(width, height)` cells:
    /// the size a terminal a test reads has.
    pub fn new_session_sized(
        &self,
        socket: &str,
        name: &str,
        (width, height): (u16, u16),
        shell_cmd: &str,
    ) {
        self.tmux_ok(
            socket,
            [
                "new-session",
                "-d",
                "-x",
                &width.to_string(),
                "-y",
                &height.to_string(),
                "-s",
                name,
                shell_cmd,
            ],
        );
    }

    /// The session names on `socket`; empty when no server runs there.
    pub fn session_names(&self, socket: &str) -> Vec<String> {
        let out = self.tmux(socket, ["list-sessions", "-F", "#{session_name}"]);
        if !out.status.success() {
            return Vec::new();
        }
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(str::to_string)
            .collect()
    }

    /// Whether a server answers on `socket`.
    pub fn server_running(&self, socket: &str) -> bool {
        self.tmux(socket, ["list-sessions"]).status.success()
    }

    /// The pid of the first process of session `name`'s current pane on `socket`, if the
    /// session exists.
    pub fn pane_pid(&self, socket: &str, name: &str) -> Option<u32> {
        let out = self.tmux(
            socket,
            [
                "display-message",
                "-p",
                "-t",
                &format!("={name}:"),
                "#{pane_pid}",
            ],
        );
        if !out.status.success() {
            return None;
        }
        String::from_utf8_lossy(&out.stdout).trim().parse().ok()
    }

    /// The process id of the server on `socket`, if one answers.
    pub fn server_pid(&self, socket: &str) -> Option<u32> {
        // Plain `output()`, not `run`: this is also used from `Drop`, where
        // a panic would abort.
        let out = self
            .command(socket)
            .args(["display-message", "-p", "#{pid}"])
            .output()
            .ok()?;
        if !out.status.success() {
            return None;
        }
        String::from_utf8_lossy(&out.stdout).trim().parse().ok()
    }

    /// A session `name` on `socket` whose current window (0) runs `sleep`, and whose
    /// second window (1, `second`, not current) is split: its active pane runs `sleep`,
    /// the other one (made with `-d`, so it is not active) runs `split_cmd`. Returns that
    /// pane's id. For the list's tree of windows and panes.
    pub fn windows_and_split(&self, socket: &str, name: &str, split_cmd: &str) -> String {
        self.new_session(socket, name, "exec sleep 600");
        let window = format!("={name}:1");
        let second = ["new-window", "-d", "-t", &window, "-n", "second"];
        self.tmux_ok(socket, second.into_iter().chain(["exec sleep 601"]));
        let split = [
            "split-window",
            "-d",
            "-t",
            &window,
            "-P",
            "-F",
            "#{pane_id}",
        ];
        self.tmux_ok(socket, split.into_iter().chain([split_cmd]))
            .trim()
            .to_string()
    }

    /// The visible text of pane `target` (e.g. `=session:0.0`).
    pub fn capture(&self, socket: &str, target: &str) -> String {
        self.tmux_ok(socket, ["capture-pane", "-p", "-t", target])
    }

    /// Waits until pane `target` shows `needle`; returns the pane text, or
    /// panics with it after `timeout`.
    pub fn wait_for_text(
        &self,
        socket: &str,
        target: &str,
        needle: &str,
        timeout: Duration,
    ) -> String {
        let mut text = String::new();
        let found = wait_until(timeout, || {
            let out = self.tmux(socket, ["capture-pane", "-p", "-t", target]);
            text = String::from_utf8_lossy(&out.stdout).into_owned();
            out.status.success() && text.contains(needle)
        });
        assert!(
            found,
            "timed out after {timeout:?} waiting for {needle:?} in pane {target} on {socket}; \
             the pane shows:\n{text}"
        );
        text
    }

    fn remember(&self, socket: &str) {
        self.sockets
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(socket.to_string());
    }

    /// Sockets used through this guard plus any found in its socket dir
    /// (servers started by muxdeck itself).
    fn all_sockets(&self) -> BTreeSet<String> {
        let mut sockets = self
            .sockets
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone();
        if let Ok(entries) = std::fs::read_dir(self.socket_dir()) {
            for entry in entries.flatten() {
                sockets.insert(entry.file_name().to_string_lossy().into_owned());
            }
        }
        sockets
    }
}

impl Drop for TmuxWorld {
    fn drop(&mut self) {
        let mut pids = Vec::new();
        for socket in self.all_sockets() {
            if !self.socket_path(&socket).exists() {
                continue;
            }
            pids.extend(self.server_pid(&socket));
            let mut cmd = self.command(&socket);
            cmd.arg("kill-server");
            if let Err(e) = cmd.output() {
                eprintln!("warning: cannot run `{}`: {e}", describe(&cmd));
            }
        }
        // `kill-server` may return before the server has exited; wait for
        // that (and kill what lingers) so no server outlives the directory.
        let gone = wait_until(Duration::from_secs(5), || {
            !pids.iter().any(|&pid| process_alive(pid))
        });
        if !gone {
            for &pid in pids.iter().filter(|&&pid| process_alive(pid)) {
                eprintln!("warning: tmux server {pid} survived kill-server; sending SIGKILL");
                let _ = Command::new("kill")
                    .args(["-KILL", &pid.to_string()])
                    .status();
            }
        }
    }
}

/// The real user id, as tmux uses it in `tmux-<uid>`.
fn uid() -> u32 {
    use std::os::unix::fs::MetadataExt;
    // The owner of /proc/self is this process's uid; no libc call needed.
    std::fs::metadata("/proc/self").map_or(0, |m| m.uid())
}
