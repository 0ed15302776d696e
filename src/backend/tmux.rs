//! tmux through its CLI: socket discovery, listing, session control, pane capture and the
//! attach command. Every call names its server with `-L`, and every session is targeted by
//! its id (`$3`), looked up by exact name just before: tmux's target grammar reads names
//! such as `$0`, `@1`, `%2` or a client's tty as something else, even after `=`, so a name
//! is never put in a target.

use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::BackendError;
use super::process::{self, Invocation};
use crate::logs::normalize::normalize;
use crate::model::{Session, SessionId, State};

/// Fields asked of `list-panes -a`, tab-separated: the server's pid, then per pane; the
/// session name comes last so a name containing a tab still parses.
pub const PANE_FORMAT: &str = "#{pid}\t#{session_created}\t#{session_attached}\t#{session_windows}\t#{window_active}\t#{pane_active}\t#{pane_pid}\t#{pane_dead}\t#{pane_dead_status}\t#{session_id}\t#{session_name}";

/// Fields asked of `list-sessions` to find a session's id by its exact name; the name comes
/// last so a name containing a tab still parses.
const ID_FORMAT: &str = "#{session_id}\t#{session_name}";

/// Fields that place a pane's output: complete lines are history + cursor row.
/// The server's pid comes along: its read count in /proc tells whether anything was written.
const MARK_FORMAT: &str = "#{history_size} #{cursor_y} #{history_limit} #{history_bytes} #{pid} #{pane_dead} #{pane_dead_status}";

/// What [`Tmux::list_all`] found.
#[derive(Debug, Default)]
pub struct TmuxListing {
    /// Every session of every server.
    pub sessions: Vec<Session>,
    /// Sockets that failed, with why.
    pub errors: Vec<(String, BackendError)>,
    /// Servers with sessions: socket name and server pid.
    pub servers: Vec<(String, u32)>,
}

/// See [`Tmux::fingerprint`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fingerprint {
    sockets: Vec<String>,
    children: Vec<(u32, String)>,
}

/// Fields asked of `list-panes -s` while stopping.
const STOP_FORMAT: &str =
    "#{pane_id}\t#{pane_dead}\t#{pane_pid}\t#{pane_current_command}\t#{pane_start_command}";

/// Fields that say how a pane was started; the command last, as it may hold tabs.
const ORIGIN_FORMAT: &str =
    "#{window_index}\t#{pane_index}\t#{pane_current_path}\t#{pane_start_command}";

/// How the first pane of a session (first window, first pane) was started.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaneOrigin {
    /// The folder it is in now.
    pub cwd: String,
    /// The command it was started with as tmux shows it (its arguments joined and quoted
    /// by tmux); empty when it runs the default shell.
    pub start_command: String,
}

/// A tmux installation: the binary and the folder its sockets live in.
#[derive(Debug, Clone)]
pub struct Tmux {
    /// The tmux executable.
    pub binary: String,
    /// Limit for each call.
    pub timeout: Duration,
    /// `$TMUX_TMPDIR/tmux-UID` (or `/tmp/tmux-UID`); on another host, this machine's
    /// folder is meaningless and the host's own is found there.
    pub socket_dir: PathBuf,
    /// The host it runs on, through ssh; None for this machine.
    pub route: Option<std::sync::Arc<crate::remote::Route>>,
}

/// The folder where tmux puts its sockets for this user, found as tmux finds it:
/// `$TMUX_TMPDIR` when it names a folder that exists (resolved like tmux's `realpath`),
/// else `/tmp`. A `TMUX_TMPDIR` that does not exist sends tmux to `/tmp`, so muxdeck looks
/// there too.
pub fn socket_dir() -> PathBuf {
    let tmp = || std::fs::canonicalize("/tmp").unwrap_or_else(|_| PathBuf::from("/tmp"));
    let base = std::env::var_os("TMUX_TMPDIR")
        .filter(|v| !v.is_empty())
        .and_then(|v| std::fs::canonicalize(v).ok())
        .unwrap_or_else(tmp);
    // /proc/self is owned by our real uid: no unsafe getuid needed.
    let uid = std::fs::metadata("/proc/self").map_or(0, |m| m.uid());
    base.join(format!("tmux-{uid}"))
}

impl Tmux {
    /// tmux at `binary`, sockets in the usual folder.
    pub fn new(binary: impl Into<String>, timeout: Duration) -> Self {
        Tmux {
            binary: binary.into(),
            timeout,
            socket_dir: socket_dir(),
            route: None,
        }
    }

    /// The same tmux on another host, with that host's `TMUX_TMPDIR`.
    pub fn on(mut self, route: Option<std::sync::Arc<crate::remote::Route>>) -> Self {
        self.route = route;
        self
    }

    /// A call on the server of `socket`, with `TMUX` removed so the caller's own tmux never
    /// redirects it.
    pub fn inv(&self, socket: &str) -> Invocation {
        let mut inv = Invocation::new(&self.binary)
            .arg("-L")
            .arg(socket)
            .on(self.route.clone());
        inv.env_remove.push("TMUX".into());
        if let Some(route) = &self.route {
            // A remote shell often has no UTF-8 locale, and tmux then writes tabs and
            // every non-ASCII character as `_`: names and logs would be mangled.
            inv.args.insert(0, "-u".into());
            if let Some(dir) = route.tmux_tmpdir.clone() {
                inv.env.push(("TMUX_TMPDIR".into(), dir));
            }
        }
        inv
    }

    /// Socket names in the socket folder (any file that is a unix socket).
    pub fn sockets(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .socket_files()
            .into_iter()
            .filter_map(|n| n.into_string().ok())
            .collect();
        names.sort();
        names
    }

    /// Sockets whose names are not UTF-8: muxdeck cannot name them in a qualified name
    /// (nor pass them through its text interfaces), so it reports them instead of listing.
    pub fn unnamable_sockets(&self) -> Vec<String> {
        self.socket_files()
            .into_iter()
            .filter(|n| n.to_str().is_none())
            .map(|n| n.to_string_lossy().into_owned())
            .collect()
    }

    fn socket_files(&self) -> Vec<std::ffi::OsString> {
        let Ok(dir) = std::fs::read_dir(&self.socket_dir) else {
            return Vec::new();
        };
        dir.filter_map(Result::ok)
            .filter(|e| e.file_type().is_ok_and(|t| t.is_socket()))
            .map(|e| e.file_name())
            .collect()
    }

    /// The socket path of a socket name.
    pub fn socket_path(&self, socket: &str) -> PathBuf {
        self.socket_dir.join(socket)
    }

    /// Sessions on one server and the server's pid. A socket with no server behind it
    /// lists nothing.
    pub async fn list(&self, socket: &str) -> Result<(Vec<Session>, Option<u32>), BackendError> {
        let inv = self
            .inv(socket)
            .args(["list-panes", "-a", "-F", PANE_FORMAT]);
        let (status, out) = process::run_raw(&inv, self.timeout).await?;
        if !status.success() {
            let err = String::from_utf8_lossy(&out.stderr);
            if is_no_server(&err) {
                return Ok((Vec::new(), None));
            }
            return Err(process::failed(&inv, &out, status.code()));
        }
        Ok(parse_panes(&out.text(), socket))
    }

    /// Sessions on every server in the socket folder, queried concurrently. Errors are
    /// per socket.
    pub async fn list_all(&self) -> TmuxListing {
        // A server always has its socket in the folder: no file, no server, no call.
        let sockets = self.sockets();
        let results = futures::future::join_all(
            sockets
                .iter()
                .map(|s| async move { (s, self.list(s).await) }),
        )
        .await;
        let mut all = TmuxListing::default();
        for (socket, r) in results {
            match r {
                Ok((list, pid)) => {
                    if let Some(pid) = pid.filter(|_| !list.is_empty()) {
                        all.servers.push((socket.clone(), pid));
                    }
                    all.sessions.extend(list);
                }
                Err(e) => all.errors.push((socket.clone(), e)),
            }
        }
        for socket in self.unnamable_sockets() {
            let e = BackendError::UnnamableSocket {
                socket: socket.clone(),
            };
            all.errors.push((socket, e));
        }
        all
    }

    /// A cheap picture of the tmux world, without asking tmux: the sockets in the folder
    /// and the child processes (the panes) of each known server, from /proc. While it does
    /// not change, no session came, went or ended; only a rename can hide from it. None
    /// where /proc cannot tell.
    pub fn fingerprint(&self, servers: &[(String, u32)]) -> Option<Fingerprint> {
        let mut children = Vec::with_capacity(servers.len());
        for (_, pid) in servers {
            let text = std::fs::read_to_string(format!("/proc/{pid}/task/{pid}/children")).ok()?;
            children.push((*pid, text));
        }
        Some(Fingerprint {
            sockets: self.sockets(),
            children,
        })
    }

    /// How many times each of `servers` has been given the CPU so far (the third field of
    /// /proc/PID/schedstat). A tmux server sleeps until something happens to it: a client's
    /// command (a rename, an attach, muxdeck's own calls), a pane's output, a timer of an
    /// attached client. While the counts stand still, nothing was renamed. None when any
    /// cannot be read.
    pub fn servers_woken(&self, servers: &[(String, u32)]) -> Option<Vec<u64>> {
        servers
            .iter()
            .map(|(_, pid)| {
                let text = std::fs::read_to_string(format!("/proc/{pid}/schedstat")).ok()?;
                text.split_whitespace().nth(2)?.parse().ok()
            })
            .collect()
    }

    /// The id of the session named exactly `name` on the server, or None when there is none
    /// (or no server). Names are compared here, never handed to tmux's target parser.
    pub async fn find(&self, socket: &str, name: &str) -> Result<Option<SessionRef>, BackendError> {
        let inv = self.inv(socket).args(["list-sessions", "-F", ID_FORMAT]);
        let (status, out) = process::run_raw(&inv, self.timeout).await?;
        if !status.success() {
            if is_no_server(&String::from_utf8_lossy(&out.stderr)) {
                return Ok(None);
            }
            return Err(process::failed(&inv, &out, status.code()));
        }
        Ok(out.text().lines().find_map(|l| {
            let (id, n) = l.split_once('\t')?;
            if n == name {
                SessionRef::parse(id)
            } else {
                None
            }
        }))
    }

    /// Whether the session still exists (its id is never given to another session).
    pub async fn has_session(&self, socket: &str, id: &SessionRef) -> Result<bool, BackendError> {
        let inv = self.inv(socket).args(["has-session", "-t", id.as_str()]);
        let (status, _) = process::run_raw(&inv, self.timeout).await?;
        Ok(status.success())
    }

    /// Starts a detached session. `command` is a shell command line run by tmux.
    ///
    /// The session keeps its panes after their programs exit (`remain-on-exit`), so a
    /// program that fails leaves its output and exit status to read, and can be started
    /// again in place. The options are set in the same tmux call as the session is made:
    /// tmux runs a command sequence before it notices a child's exit, so even a program
    /// that exits at once is kept, and `set-option` without `-t` reaches the session just
    /// made (a name is never put in a target). The "Pane is dead" line tmux would write is
    /// left out (`remain-on-exit-format ""`): it scrolls the output up by a screen of blank
    /// rows; muxdeck shows the exit status itself.
    pub async fn new_session(
        &self,
        socket: &str,
        name: &str,
        command: Option<&str>,
        working_dir: Option<&Path>,
        env: &[(String, String)],
    ) -> Result<(), BackendError> {
        let mut inv =
            self.inv(socket)
                .args(["new-session", "-d", "-s", name, "-x", "200", "-y", "50"]);
        if let Some(dir) = working_dir {
            inv = inv.arg("-c").arg(dir);
        }
        for (k, v) in env {
            inv = inv.arg("-e").arg(format!("{k}={v}"));
        }
        if let Some(cmd) = command {
            inv = inv.arg(sequence_safe(cmd));
        }
        let inv = inv.args([
            ";",
            "set-option",
            "-w",
            "remain-on-exit",
            "on",
            ";",
            "set-option",
            "-w",
            "remain-on-exit-format",
            "",
        ]);
        process::run(&inv, self.timeout).await.map(drop)
    }

    /// Starts the programs of a session whose panes have all exited again, in place: each
    /// dead pane runs its own command once more (`respawn-pane`, targeted by pane id).
    /// Panes that run are left alone.
    pub async fn respawn_dead(&self, socket: &str, id: &SessionRef) -> Result<(), BackendError> {
        for pane in self.stop_panes(socket, id).await? {
            if pane.dead {
                let inv = self.inv(socket).args(["respawn-pane", "-t", &pane.id]);
                process::run(&inv, self.timeout).await?;
            }
        }
        Ok(())
    }

    /// Whether every pane of the session has exited (kept by `remain-on-exit`): nothing of
    /// it runs. False when it has a live pane or is gone.
    pub async fn all_dead(&self, socket: &str, id: &SessionRef) -> Result<bool, BackendError> {
        let panes = self.stop_panes(socket, id).await?;
        Ok(!panes.is_empty() && panes.iter().all(|p| p.dead))
    }

    /// Kills the session.
    pub async fn kill_session(&self, socket: &str, id: &SessionRef) -> Result<(), BackendError> {
        let inv = self.inv(socket).args(["kill-session", "-t", id.as_str()]);
        process::run(&inv, self.timeout).await.map(drop)
    }

    /// Graceful stop: Ctrl-C to every pane, then wait up to `grace` for the programs to
    /// finish before killing the session. Returns whether it had to force.
    pub async fn stop(
        &self,
        socket: &str,
        id: &SessionRef,
        grace: Duration,
    ) -> Result<bool, BackendError> {
        let panes = self.stop_panes(socket, id).await?;
        for p in &panes {
            let inv = self.inv(socket).args(["send-keys", "-t", &p.id, "C-c"]);
            // A pane that died meanwhile is not a reason to stop stopping.
            let _ = process::run(&inv, self.timeout).await;
        }
        let started = Instant::now();
        loop {
            if !self.has_session(socket, id).await? {
                return Ok(false);
            }
            // The session may end between two calls: a vanished session counts as stopped.
            if let Ok(panes) = self.stop_panes(socket, id).await
                && panes.iter().all(StopPane::settled)
            {
                return self.kill_if_present(socket, id).await.map(|_| false);
            }
            // Elapsed time, not a deadline instant: no grace can overflow the clock.
            if started.elapsed() >= grace {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        self.kill_if_present(socket, id).await
    }

    /// Kills the session; true if it was killed, false if it had already ended.
    async fn kill_if_present(&self, socket: &str, id: &SessionRef) -> Result<bool, BackendError> {
        match self.kill_session(socket, id).await {
            Ok(()) => Ok(true),
            Err(_) if !self.has_session(socket, id).await? => Ok(false),
            Err(e) => Err(e),
        }
    }

    async fn stop_panes(
        &self,
        socket: &str,
        id: &SessionRef,
    ) -> Result<Vec<StopPane>, BackendError> {
        let inv =
            self.inv(socket)
                .args(["list-panes", "-s", "-t", &id.window(), "-F", STOP_FORMAT]);
        let out = process::run(&inv, self.timeout).await?;
        Ok(out
            .text()
            .lines()
            .filter_map(|l| {
                let mut f = l.splitn(5, '\t');
                Some(StopPane {
                    id: f.next()?.to_string(),
                    dead: f.next()? == "1",
                    pid: f.next()?.parse().ok()?,
                    current: f.next()?.to_string(),
                    has_command: !f.next().unwrap_or("").is_empty(),
                    here: self.route.is_none(),
                })
            })
            .collect())
    }

    /// How the session's first pane was started; None when the session is gone.
    pub async fn first_pane(
        &self,
        socket: &str,
        id: &SessionRef,
    ) -> Result<Option<PaneOrigin>, BackendError> {
        let inv =
            self.inv(socket)
                .args(["list-panes", "-s", "-t", &id.window(), "-F", ORIGIN_FORMAT]);
        let (status, out) = process::run_raw(&inv, self.timeout).await?;
        if !status.success() {
            return gone_or_failed(&inv, &out, status.code());
        }
        Ok(out
            .text()
            .lines()
            .filter_map(|l| {
                let mut f = l.splitn(4, '\t');
                let window: u32 = f.next()?.parse().ok()?;
                let pane: u32 = f.next()?.parse().ok()?;
                let origin = PaneOrigin {
                    cwd: f.next()?.to_string(),
                    start_command: f.next().unwrap_or("").to_string(),
                };
                Some(((window, pane), origin))
            })
            .min_by_key(|(at, _)| *at)
            .map(|(_, o)| o))
    }

    /// The last `lines` lines of the session's active pane, colors kept, without the
    /// unused rows at the bottom of the screen.
    pub async fn capture(
        &self,
        socket: &str,
        id: &SessionRef,
        lines: usize,
    ) -> Result<Vec<String>, BackendError> {
        let start = format!("-{lines}");
        let target = id.window();
        let inv = self.inv(socket).limits(process::Limits::LOGS).args([
            "capture-pane",
            "-p",
            "-e",
            "-J",
            "-t",
            &target,
            "-S",
            &start,
        ]);
        let out = process::run(&inv, self.timeout).await?;
        let mut text = normalize(&out.stdout);
        trim_blank_tail(&mut text);
        for l in &mut text {
            let t = l.trim_end_matches(' ').len();
            l.truncate(t);
        }
        let skip = text.len().saturating_sub(lines);
        text.drain(..skip);
        Ok(text)
    }

    /// Where a pane's output stands, or None when the pane (or its session or server) is
    /// gone.
    pub async fn pane_mark(
        &self,
        socket: &str,
        pane: &str,
    ) -> Result<Option<PaneMark>, BackendError> {
        let inv = self
            .inv(socket)
            .args(["display-message", "-p", "-t", pane, MARK_FORMAT]);
        let (status, out) = process::run_raw(&inv, self.timeout).await?;
        if !status.success() {
            return gone_or_failed(&inv, &out, status.code());
        }
        Ok(PaneMark::parse(out.text().lines().next().unwrap_or("")))
    }

    /// The pane's mark and its last `back` history rows plus the screen rows above the
    /// cursor (complete lines only), read in one tmux call so they agree with each other.
    /// Rows are not joined: their count must match the mark's.
    pub async fn pane_rows(
        &self,
        socket: &str,
        pane: &str,
        back: u64,
    ) -> Result<Option<(PaneMark, Vec<String>)>, BackendError> {
        let start = format!("-{back}");
        let inv = self.inv(socket).limits(process::Limits::LOGS).args([
            "display-message",
            "-p",
            "-t",
            pane,
            MARK_FORMAT,
            ";",
            "capture-pane",
            "-p",
            "-e",
            "-t",
            pane,
            "-S",
            &start,
        ]);
        let (status, out) = process::run_raw(&inv, self.timeout).await?;
        if !status.success() {
            return gone_or_failed(&inv, &out, status.code());
        }
        let text = out.text();
        let mut rows = text.split('\n');
        let Some(mark) = rows.next().and_then(PaneMark::parse) else {
            return Err(BackendError::Parse {
                program: self.binary.clone(),
                action: "display-message".into(),
                detail: "no pane position in the output".into(),
            });
        };
        let keep = usize::try_from(back.min(mark.history) + mark.cursor_y).unwrap_or(usize::MAX);
        if keep == 0 {
            // Nothing complete yet: a lone newline would read as one blank line.
            return Ok(Some((mark, Vec::new())));
        }
        let mut joined: String = rows.take(keep).collect::<Vec<_>>().join("\n");
        joined.push('\n');
        let mut lines = normalize(joined.as_bytes());
        for l in &mut lines {
            let t = l.trim_end_matches(' ').len();
            l.truncate(t);
        }
        Ok(Some((mark, lines)))
    }

    /// Types `text` into the session's active pane exactly as written (`send-keys -l`:
    /// quotes, `;`, `$(…)` and newlines are characters, not commands or key names), then
    /// presses Enter. The pane's program reads it; nothing runs on muxdeck's side.
    pub async fn send_line(
        &self,
        socket: &str,
        id: &SessionRef,
        text: &str,
    ) -> Result<(), BackendError> {
        self.send_line_to(socket, &id.window(), text).await
    }

    /// [`Tmux::send_line`] into the pane `pane`, a target tmux checks whole (`$3:@4.%7`,
    /// see [`super::tmux_tree::WindowPane::target`]).
    pub async fn send_line_to(
        &self,
        socket: &str,
        pane: &str,
        text: &str,
    ) -> Result<(), BackendError> {
        if !text.is_empty() {
            let inv = self
                .inv(socket)
                .args(["send-keys", "-l", "-t", pane, "--"])
                .arg(sequence_safe(text));
            process::run(&inv, self.timeout).await?;
        }
        let enter = self.inv(socket).args(["send-keys", "-t", pane, "Enter"]);
        process::run(&enter, self.timeout).await.map(drop)
    }

    /// Presses keys in the session's active pane, written as tmux names them (`C-c`,
    /// `Enter`, `Escape`, `M-x`, or single characters); tmux refuses a name it does not
    /// know.
    pub async fn send_key_names(
        &self,
        socket: &str,
        id: &SessionRef,
        keys: &[String],
    ) -> Result<(), BackendError> {
        self.send_key_names_to(socket, &id.window(), keys).await
    }

    /// [`Tmux::send_key_names`] in the pane `pane` (see [`Tmux::send_line_to`]).
    pub async fn send_key_names_to(
        &self,
        socket: &str,
        pane: &str,
        keys: &[String],
    ) -> Result<(), BackendError> {
        let inv = self
            .inv(socket)
            .args(["send-keys", "-t", pane, "--"])
            .args(keys.iter().map(|k| sequence_safe(k)));
        process::run(&inv, self.timeout).await.map(drop)
    }

    /// The pane id (`%N`) of the session's active pane.
    pub async fn active_pane(&self, socket: &str, id: &SessionRef) -> Result<String, BackendError> {
        let target = id.window();
        let inv = self
            .inv(socket)
            .args(["display-message", "-p", "-t", &target, "#{pane_id}"]);
        let out = process::run(&inv, self.timeout).await?;
        let id = out.text().trim().to_string();
        if id.starts_with('%') {
            Ok(id)
        } else {
            Err(BackendError::Parse {
                program: self.binary.clone(),
                action: "display-message".into(),
                detail: format!("expected a pane id, got {id:?}"),
            })
        }
    }

    /// The server's prefix key as the user types it (`Ctrl-b`), for the line that says how
    /// to come back from an attach: a user who chose another prefix must read that one.
    pub async fn prefix(&self, socket: &str) -> Result<String, BackendError> {
        let inv = self.inv(socket).args(["show-options", "-gv", "prefix"]);
        let out = process::run(&inv, self.timeout).await?;
        Ok(key_name(out.text().trim()))
    }

    /// The command that hands the terminal to the session. `current` is `$TMUX` of the
    /// caller. Inside tmux on the same server a new client attaches in a full-size popup
    /// titled `title`: the prefix and `d` detach that client and close the popup, which
    /// returns. (`switch-client` moved the user's own client instead, so `d` detached the
    /// user from tmux altogether, and nothing came back.)
    pub fn attach(
        &self,
        socket: &str,
        id: &SessionRef,
        current: Option<&str>,
        title: &str,
    ) -> Invocation {
        let target = id.as_str();
        // A server on another host is never the caller's, whatever its socket's path.
        let same_server = self.route.is_none()
            && current
                .and_then(|t| t.split(',').next())
                .is_some_and(|path| Path::new(path) == self.socket_path(socket));
        if !same_server {
            return self.inv(socket).args(["attach-session", "-t", target]);
        }
        // The popup runs its command through the server's shell, with the caller's TMUX:
        // unset, so the inner client may attach; by socket path, so the server's own
        // TMUX_TMPDIR does not matter. The command is a constant: the binary, the path and
        // the target reach it as environment variables (`-e`), never as shell text.
        let path = self.socket_path(socket);
        let mut inv = Invocation::new(&self.binary).arg("-L").arg(socket).args([
            "display-popup",
            "-E",
            "-w",
            "100%",
            "-h",
            "100%",
            "-T",
            // The title is a tmux format: a `#` in a session name must stay a `#`.
            &title.replace('#', "##"),
        ]);
        for (var, value) in [
            ("MUXDECK_TMUX", self.binary.as_str()),
            ("MUXDECK_TARGET", target),
        ] {
            inv = inv.arg("-e").arg(format!("{var}={value}"));
        }
        let mut socket_var = std::ffi::OsString::from("MUXDECK_SOCKET=");
        socket_var.push(path.as_os_str());
        inv = inv.arg("-e").arg(socket_var).arg(POPUP_ATTACH);
        // display-popup must see TMUX to know which client shows the popup.
        inv.env_remove.clear();
        inv
    }
}

/// What the attach popup runs: a constant script, its values in the environment.
const POPUP_ATTACH: &str =
    r#"unset TMUX; exec "$MUXDECK_TMUX" -S "$MUXDECK_SOCKET" attach-session -t "$MUXDECK_TARGET""#;

/// tmux's name of a key (`C-b`, `M-a`) as muxdeck writes keys (`Ctrl-b`, `Alt-a`).
fn key_name(tmux: &str) -> String {
    let mut rest = tmux;
    let mut out = String::new();
    loop {
        if let Some(r) = rest.strip_prefix("C-") {
            out.push_str("Ctrl-");
            rest = r;
        } else if let Some(r) = rest.strip_prefix("M-") {
            out.push_str("Alt-");
            rest = r;
        } else {
            break;
        }
    }
    out.push_str(rest);
    out
}

/// A tmux session id (`$3`) as tmux printed it: the only session target tmux cannot read
/// as anything else, and one it never gives to a second session while its server lives.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SessionRef(String);

impl SessionRef {
    /// Accepts `$` followed by digits, and nothing else.
    pub fn parse(text: &str) -> Option<SessionRef> {
        let digits = text.strip_prefix('$')?;
        (!digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()))
            .then(|| SessionRef(text.to_string()))
    }

    /// The session target: `$3`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The target of the session's current window (and its active pane): `$3:`. Commands
    /// that resolve a window or pane need the colon, or tmux looks for a window named `$3`.
    pub fn window(&self) -> String {
        format!("{}:", self.0)
    }
}

/// A command argument as tmux must see it to keep it whole: tmux reads an argument that
/// ends in `;` as the end of a command in a sequence (and `\;` as a literal `;`).
fn sequence_safe(arg: &str) -> String {
    match arg.strip_suffix(';') {
        Some(head) => format!("{head}\\;"),
        None => arg.to_string(),
    }
}

/// A failed pane call: the pane being gone is an answer (None), anything else an error.
pub(super) fn gone_or_failed<T>(
    inv: &Invocation,
    out: &process::Output,
    code: Option<i32>,
) -> Result<Option<T>, BackendError> {
    let err = String::from_utf8_lossy(&out.stderr);
    if is_no_server(&err) || err.contains("can't find") {
        Ok(None)
    } else {
        Err(process::failed(inv, out, code))
    }
}

/// Where a pane's output stands: rows in its history and the cursor's row on screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PaneMark {
    /// Rows scrolled into the history.
    pub history: u64,
    /// The cursor's row on the visible screen.
    pub cursor_y: u64,
    /// The pane's history limit.
    pub limit: u64,
    /// Bytes held in the history (changes when rows scroll in even at the limit).
    pub bytes: u64,
    /// The pid of the tmux server that holds the pane (on the pane's host).
    pub server: u32,
    /// The pane's program has exited (remain-on-exit).
    pub dead: bool,
    /// The exit status of a dead pane's program, when tmux knows it.
    pub status: Option<i32>,
}

impl PaneMark {
    fn parse(line: &str) -> Option<PaneMark> {
        let mut f = line.split_whitespace().map(str::parse::<u64>);
        Some(PaneMark {
            history: f.next()?.ok()?,
            cursor_y: f.next()?.ok()?,
            limit: f.next()?.ok()?,
            bytes: f.next()?.ok()?,
            server: u32::try_from(f.next()?.ok()?).ok()?,
            dead: f.next()?.ok()? == 1,
            // Empty while the program runs: the field is simply missing then.
            status: f
                .next()
                .and_then(Result::ok)
                .and_then(|v| i32::try_from(v).ok()),
        })
    }

    /// How many complete lines were written between `self` and `later` when tmux dropped
    /// no history rows in between (see [`PaneMark::may_have_trimmed`]): exact while the
    /// history grows; when the history was cleared, every row now is new. It cannot count
    /// rows tmux dropped: the marks do not say how many drops happened.
    pub fn lines_until(&self, later: &PaneMark) -> u64 {
        let before = self.history + self.cursor_y;
        let after = later.history + later.cursor_y;
        if later.history >= self.history {
            after.saturating_sub(before)
        } else {
            after
        }
    }

    /// Rows tmux drops at once when the history is full (a tenth of the limit). It cannot
    /// tell how many drops happened between two marks.
    pub fn per_trim(&self) -> u64 {
        (self.limit / 10).max(1)
    }

    /// Whether tmux may have dropped history rows since any earlier mark: after a drop
    /// the history holds at least `limit - per_trim` rows until it is cleared. It cannot
    /// tell whether a drop did happen.
    pub fn may_have_trimmed(&self) -> bool {
        self.history + self.per_trim() >= self.limit
    }
}

/// How many read calls the tmux server of pid `server` on this machine has made
/// (`syscr` in /proc/PID/io). Every byte a pane writes reaches tmux by a read of the
/// pane's terminal, and a pane whose program exits is a read too (of the end), while
/// answering a client is not (clients talk over a socket with `recvmsg`): a count that
/// stands still means no pane of that server wrote anything. None when it cannot be read
/// (another user's server).
pub fn server_reads(server: u32) -> Option<u64> {
    let io = std::fs::read_to_string(format!("/proc/{server}/io")).ok()?;
    io.lines()
        .find_map(|l| l.strip_prefix("syscr:"))?
        .trim()
        .parse()
        .ok()
}

pub(crate) fn is_no_server(stderr: &str) -> bool {
    // The last two come from a server that dies while answering.
    [
        "no server running",
        "error connecting to",
        "server exited",
        "lost server",
    ]
    .iter()
    .any(|m| stderr.contains(m))
}

/// What stop needs to know of a pane.
#[derive(Debug, Clone)]
struct StopPane {
    id: String,
    dead: bool,
    pid: u32,
    /// tmux's name of the program in the pane's foreground.
    current: String,
    has_command: bool,
    /// On this machine, where its pid can be looked up in /proc.
    here: bool,
}

impl StopPane {
    /// Done with its work: dead, or an interactive shell back at its prompt (the shell's own
    /// process group holds the terminal again). A pane started with a command is done only
    /// when it ends, so a script that traps the interrupt can finish its cleanup.
    fn settled(&self) -> bool {
        self.dead || (!self.has_command && self.shell_in_front())
    }

    /// Whether the pane's shell holds its terminal again. Here, exactly from /proc; on
    /// another host (whose pids mean nothing here), from the name tmux gives the
    /// foreground program.
    fn shell_in_front(&self) -> bool {
        const SHELLS: [&str; 10] = [
            "sh", "bash", "zsh", "fish", "dash", "ash", "ksh", "mksh", "tcsh", "csh",
        ];
        if self.here {
            foreground_is_self(self.pid)
        } else {
            SHELLS.contains(&self.current.trim_start_matches('-'))
        }
    }
}

/// Whether the terminal's foreground process group is the process's own (field 8 of
/// /proc/PID/stat, tpgid).
fn foreground_is_self(pid: u32) -> bool {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return false;
    };
    // The command name (field 2) may hold spaces and parentheses: fields start after the
    // last ')'.
    let Some(rest) = stat.rfind(')').map(|i| &stat[i + 1..]) else {
        return false;
    };
    rest.split_whitespace()
        .nth(5)
        .and_then(|f| f.parse::<u32>().ok())
        .is_some_and(|tpgid| tpgid == pid)
}

fn trim_blank_tail(lines: &mut Vec<String>) {
    while lines
        .last()
        .is_some_and(|l| crate::logs::normalize::plain_text(l).trim().is_empty())
    {
        lines.pop();
    }
}

/// Parses `list-panes -a -F PANE_FORMAT` into one session per session name, and the
/// server's pid.
pub fn parse_panes(text: &str, socket: &str) -> (Vec<Session>, Option<u32>) {
    let mut server = None;
    let mut sessions: Vec<Session> = Vec::new();
    for line in text.lines() {
        let f: Vec<&str> = line.splitn(11, '\t').collect();
        let [
            server_pid,
            created,
            attached,
            windows,
            win_active,
            pane_active,
            pid,
            dead,
            dead_status,
            session_id,
            name,
        ] = f.as_slice()
        else {
            continue;
        };
        server = server.or_else(|| server_pid.parse().ok());
        let idx = match sessions.iter().position(|s| s.id.name == *name) {
            Some(i) => i,
            None => {
                let mut s = Session::new(SessionId::tmux(socket, *name), State::Running);
                s.created = created.parse().ok();
                s.attached = attached.parse().ok();
                s.windows = windows.parse().ok();
                s.panes = Some(0);
                s.backend_id = SessionRef::parse(session_id).map(|r| r.0);
                // Every pane dead (remain-on-exit) until a live one is seen.
                s.state = State::Exited(None);
                sessions.push(s);
                sessions.len() - 1
            }
        };
        let s = &mut sessions[idx];
        s.panes = Some(s.panes.unwrap_or(0) + 1);
        let is_dead = *dead == "1";
        if !is_dead {
            s.state = State::Running;
            s.pane_pids.extend(pid.parse::<u32>().ok());
        } else if s.state != State::Running {
            s.state = State::Exited(dead_status.parse().ok());
        }
        if *win_active == "1" && *pane_active == "1" {
            s.pid = pid.parse().ok();
        }
    }
    (sessions, server)
}

#[cfg(test)]
mod tests {
    use super::*;

    // Captured from tmux 3.3a (server pid 777): two sessions, one with two windows and a
    // split pane.
    const PANES: &str = "777\t1764040000\t0\t2\t1\t1\t4242\t0\t\t$0\tapi-dev\n\
777\t1764040000\t0\t2\t0\t1\t4250\t0\t\t$0\tapi-dev\n\
777\t1764040000\t0\t2\t0\t0\t4251\t0\t\t$0\tapi-dev\n\
777\t1764040100\t1\t1\t1\t1\t5000\t1\t3\t$7\tworker one\n";

    #[test]
    fn panes_group_into_sessions() {
        let (s, server) = parse_panes(PANES, "work");
        assert_eq!(server, Some(777));
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].id, SessionId::tmux("work", "api-dev"));
        assert_eq!(s[0].panes, Some(3));
        assert_eq!(s[0].windows, Some(2));
        assert_eq!(s[0].pid, Some(4242));
        assert_eq!(s[0].state, State::Running);
        assert_eq!(s[1].id.name, "worker one");
        assert_eq!(s[1].state, State::Exited(Some(3)));
        assert_eq!(s[1].attached, Some(1));
        assert_eq!(s[0].backend_id.as_deref(), Some("$0"));
        assert_eq!(s[1].backend_id.as_deref(), Some("$7"));
    }

    #[test]
    fn a_trailing_semicolon_stays_in_the_command() {
        assert_eq!(sequence_safe("echo a; echo b;"), "echo a; echo b\\;");
        assert_eq!(sequence_safe("echo a; echo b"), "echo a; echo b");
    }

    #[test]
    fn only_a_dollar_and_digits_make_a_session_ref() {
        assert!(SessionRef::parse("$12").is_some());
        for bad in ["", "$", "12", "$1a", "=$1", "@1", "%1", "$1:"] {
            assert!(SessionRef::parse(bad).is_none(), "{bad:?}");
        }
        let id = SessionRef::parse("$3").expect("id");
        assert_eq!(id.window(), "$3:");
    }

    #[test]
    fn attach_in_a_popup_only_on_same_server() {
        let mut t = Tmux::new("tmux", Duration::from_secs(1));
        t.socket_dir = PathBuf::from("/tmp/tmux-0");
        let id = SessionRef::parse("$4").expect("id");
        let inside = t.attach("work", &id, Some("/tmp/tmux-0/work,123,0"), "web #1");
        let args: Vec<String> = inside
            .args
            .iter()
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            args,
            [
                "-L",
                "work",
                "display-popup",
                "-E",
                "-w",
                "100%",
                "-h",
                "100%",
                "-T",
                "web ##1",
                "-e",
                "MUXDECK_TMUX=tmux",
                "-e",
                "MUXDECK_TARGET=$4",
                "-e",
                "MUXDECK_SOCKET=/tmp/tmux-0/work",
                POPUP_ATTACH,
            ]
        );
        assert!(inside.env_remove.is_empty());
        let other = t.attach("work", &id, Some("/tmp/tmux-0/default,123,0"), "web");

        assert_eq!(other.display(), "tmux -L work attach-session -t $4");
        assert_eq!(other.env_remove, vec!["TMUX".to_string()]);
    }

    #[test]
    fn tmux_key_names_read_as_muxdeck_writes_keys() {
        assert_eq!(key_name("C-b"), "Ctrl-b");
        assert_eq!(key_name("C-M-a"), "Ctrl-Alt-a");
        assert_eq!(key_name("F12"), "F12");
    }
}
