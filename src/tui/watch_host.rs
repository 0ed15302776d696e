//! The watcher of one configured host. It lists the host in one ssh round trip, then waits
//! on one long-lived ssh channel that prints a line whenever something there changes: the
//! runtimes' own event streams, and a shell loop that looks at the tmux sockets and the
//! servers' pane processes in the host's /proc every two seconds without starting a
//! process. One remote shell start per change, not per poll; with nothing said, tmux is
//! listed every two minutes (renames) and the runtimes every ten. A host that does not answer
//! is tried again after a doubling wait, up to a minute; its rows stay on screen, stale.

use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;

use tokio::io::AsyncReadExt;
use tokio::sync::{Notify, mpsc};

use super::Msg;
use crate::backend::process::Invocation;
use crate::backoff::Backoff;
use crate::engine::{Engine, HostStatus, Machine, Source};

/// First wait before a host that did not answer is tried again; doubles up to
/// [`RETRY_MAX`].
const RETRY_FIRST: Duration = Duration::from_secs(5);
/// Longest wait between two tries of a host.
const RETRY_MAX: Duration = Duration::from_secs(60);
/// A listing of tmux even when the feed says nothing: a rename changes no process. tmux
/// answers in a few milliseconds.
const SAFETY_INTERVAL: Duration = Duration::from_secs(120);
/// A listing of the runtimes too, while the feed says nothing: their events are not
/// missed while the feed runs, and each `ps` costs the host about 150 ms of CPU for
/// podman (0.1 % of a core at every two minutes, a third of a host's idle budget).
const RUNTIME_SAFETY_INTERVAL: Duration = Duration::from_secs(600);
/// Quiet time after a change before listing, so a burst costs one listing.
const DEBOUNCE: Duration = Duration::from_millis(300);
/// The longest a host's first feed waits for the other machines' first answers (a
/// blackholed host answers only at its timeout).
const SETTLE_WAIT: Duration = Duration::from_secs(3);

/// The feed's remote half: `$1` the server pids to watch, `$2` the sources. Where podman
/// writes its events to a file (`events_logger = "file"`), the loop watches that file's
/// time instead of keeping `podman events` running, a Go program that costs 0.3 % of a
/// core while idle. The file is the one podman's own `events` opens (its descriptors, in
/// /proc, as on this machine), so its place follows the host's podman settings whatever
/// they are; `podman events` is kept as the stream where no such file is open (journald).
/// The runtimes' event programs start after the loop's first sleep, the lookup at low
/// priority: a TUI that just started has other hosts' listings in flight, and on hosts
/// sharing this machine's cores they held those up. Nothing is missed meanwhile: the file
/// is compared with a mark made at the start, and the streams replay what happened since
/// (`--since`). It ends when its stdin closes (muxdeck dropped the channel), taking its
/// children with it, so nothing of muxdeck stays on the host.
const FEED: &str = r#"pids=$1; want=" $2 "; kids=
d=$(mktemp -d) || exit 97
trap 'rm -rf -- "$d"' EXIT
dir=
case $want in *" tmux "*)
  base=${TMUX_TMPDIR:-/tmp}; [ -d "$base" ] || base=/tmp
  dir="$base/tmux-$(id -u)";;
esac
(
  pe=; de=
  trap 'kill $pe $de 2>/dev/null; exit 0' TERM
  fingerprint() {
    fp=
    [ -n "$dir" ] || return 0
    for s in "$dir"/*; do fp="$fp|$s"; done
    for p in $pids; do c=; read -r c < "/proc/$p/task/$p/children" 2>/dev/null; fp="$fp|$p:$c"; done
  }
  # The picture first, so nothing that happens meanwhile is taken as the start; then a
  # line, a change like any other, so that muxdeck lists again: what changed between
  # its listing and this picture is in neither otherwise.
  fingerprint; last=$fp
  echo picture
  : > "$d/seen"
  since=$(date +%s 2>/dev/null); case $since in ''|*[!0-9]*) since=;; esac
  ev=; look=; dk=
  case $want in *" podman "*) command -v podman >/dev/null 2>&1 && look=1;; esac
  case $want in *" docker "*) command -v docker >/dev/null 2>&1 && dk=1;; esac
  while :; do
    fingerprint
    [ "$fp" != "$last" ] && echo tmux-changed
    last=$fp
    if [ -n "$ev" ] && [ "$ev" -nt "$d/seen" ]; then echo podman-changed; : > "$d/seen"; fi
    sleep 2
    if [ -n "$dk" ]; then
      dk=
      docker events ${since:+--since "$since"} --format '{{json .}}' --filter type=container 2>/dev/null &
      de=$!
    fi
    [ -n "$look" ] || continue
    look=
    nice -n 10 podman events ${since:+--since "$since"} --format json --filter type=container 2>/dev/null &
    pe=$!
    i=0
    while [ -z "$ev" ] && [ $i -lt 20 ] && kill -0 $pe 2>/dev/null; do
      sleep 0.1 2>/dev/null || sleep 1
      i=$((i+1))
      ev=$(ls -l "/proc/$pe/fd" 2>/dev/null | sed -n '/\/events\/events\.log$/{s/^.* -> //p;q;}')
    done
    if [ -n "$ev" ]; then kill $pe 2>/dev/null; wait $pe 2>/dev/null; pe=; fi
  done
) &
kids="$kids $!"
read -r _
kill $kids 2>/dev/null
"#;

/// Watches one host until the receiver goes away. Its first change feed starts once
/// `settled` says every machine has answered once (at most [`SETTLE_WAIT`] after the
/// start): a feed's start (an ssh session, a remote shell) took CPU from the listings of
/// hosts that had not answered yet, which on hosts sharing cores (and on this machine, for
/// the ssh side) put their rows on screen later.
pub async fn watch_host(
    engine: Engine,
    machine: Machine,
    sources: Vec<Source>,
    tx: mpsc::Sender<Msg>,
    wake: Arc<Notify>,
    mut settled: tokio::sync::watch::Receiver<bool>,
) {
    let settle_by = tokio::time::Instant::now() + SETTLE_WAIT;
    let mut down = Backoff::new(RETRY_FIRST, RETRY_MAX);
    // Kept across listings, so what changes while one runs is still seen; made anew only
    // when the tmux servers to watch are not the same (or it ended).
    let mut feed: Option<Feed> = None;
    let mut watched: Vec<u32> = Vec::new();
    // Whether the next listing asks every source, and when one last did.
    let mut full = true;
    let mut listed_all = std::time::Instant::now();
    let tmux_only: Vec<Source> = sources
        .iter()
        .copied()
        .filter(|s| *s == Source::Tmux)
        .collect();
    loop {
        let asked = if full || tmux_only.is_empty() {
            &sources
        } else {
            &tmux_only
        };
        let scan = engine.scan_host(&machine, asked).await;
        let ok = scan.health.status == HostStatus::Ok;
        if ok && asked.len() == sources.len() {
            listed_all = std::time::Instant::now();
        }
        full = true;
        let retry = if ok {
            down.reset();
            None
        } else {
            Some(down.ended())
        };
        let mut servers: Vec<u32> = scan.servers.iter().map(|(_, pid)| *pid).collect();
        servers.sort_unstable();
        let retry_at = retry.map(|d| std::time::Instant::now() + d);
        if tx.send(Msg::Host { scan, retry_at }).await.is_err() {
            return;
        }
        if let Some(wait) = retry {
            feed = None;
            tokio::select! {
                () = tokio::time::sleep(wait) => {}
                () = wake.notified() => {}
            }
            continue;
        }
        if feed.is_none() || servers != watched {
            hold(&mut settled, settle_by).await;
            feed = Feed::start(&machine, &servers, &sources);
            watched = servers;
        }
        tokio::select! {
            () = wake.notified() => {}
            () = tokio::time::sleep(SAFETY_INTERVAL) => {
                full = feed.is_none() || listed_all.elapsed() >= RUNTIME_SAFETY_INTERVAL;
            }
            alive = feed_changed(&mut feed) => {
                if alive {
                    tokio::time::sleep(DEBOUNCE).await;
                    drain(&mut feed);
                } else {
                    // A feed that ended is a dropped connection: the listing tells.
                    feed = None;
                }
            }
        }
    }
}

/// Waits until `settled` is true (at once if it is) or `until` passes.
async fn hold(settled: &mut tokio::sync::watch::Receiver<bool>, until: tokio::time::Instant) {
    // An error is a dropped sender: the app is ending, and so is this task.
    let _ = tokio::time::timeout_at(until, settled.wait_for(|s| *s)).await;
}

/// Reads what the feed printed meanwhile (a burst is one change), without waiting.
fn drain(feed: &mut Option<Feed>) {
    use futures::FutureExt;
    let Some(f) = feed else { return };
    let mut buf = [0u8; 4096];
    for _ in 0..16 {
        match f.stdout.read(&mut buf).now_or_never() {
            Some(Ok(n)) if n > 0 => {}
            _ => break,
        }
    }
}

/// The running feed; dropping it closes the channel, which ends the remote half.
struct Feed {
    _child: tokio::process::Child,
    _stdin: tokio::process::ChildStdin,
    stdout: tokio::process::ChildStdout,
}

impl Feed {
    fn start(machine: &Machine, pids: &[u32], sources: &[Source]) -> Option<Feed> {
        let pids: Vec<String> = pids.iter().map(u32::to_string).collect();
        let want: Vec<&str> = sources.iter().map(|s| s.name()).collect();
        let inv = Invocation::new("sh")
            .args(["-c", FEED, "sh", &pids.join(" "), &want.join(" ")])
            .on(machine.route.clone())
            .named("watch");
        let mut cmd = inv.to_tokio();
        cmd.stdin(Stdio::piped()).stderr(Stdio::null());
        let mut child = cmd.spawn().ok()?;
        let stdin = child.stdin.take()?;
        let stdout = child.stdout.take()?;
        Some(Feed {
            _child: child,
            _stdin: stdin,
            stdout,
        })
    }
}

/// Waits for the feed to print (true) or end (false); without a feed, never returns, so
/// the safety interval decides.
async fn feed_changed(feed: &mut Option<Feed>) -> bool {
    let Some(f) = feed else {
        return std::future::pending().await;
    };
    let mut buf = [0u8; 4096];
    matches!(f.stdout.read(&mut buf).await, Ok(n) if n > 0)
}
